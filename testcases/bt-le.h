/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* bt.pairing, the LE half (testcases/bt-le.c; docs/bluetooth-cases.md).
 *
 * On a bench host the BR/EDR half has already opened and initialised
 * (testcases/bt.c): find the DUT's connectable advertising, then two
 * probes, one LE connection each:
 *  1. SMP Pairing Request with SC=1 (the bench's best offer): the DUT's
 *     Pairing Response says LE legacy or LE Secure Connections and, with
 *     both sides' IO capabilities, the association model.
 *  2. Only when the DUT answered with SC: Pairing Request with SC=0 (the
 *     downgrade probe). A Pairing Response means the DUT accepts LE legacy
 *     pairing; Pairing Failed means it refuses.
 * After each answer the bench ends the pairing with Pairing Failed
 * (Unspecified Reason) and disconnects: the answer to the Pairing Request
 * is the DUT's decision, and the bench does not run the pairing crypto.
 *
 * Threads: the slot worker's; every wait has a deadline and ends on the
 * run's abort fd (-ECANCELED). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "drivers/bt/acl.h"
#include "drivers/bt/smp.h"
#include "drivers/bt/transport.h"
#include "testcase.h"
#include "testcases/bt-le-verdict.h"

/* What the LE half needs from the run: the host and the abort fd. */
struct bt_le_args {
        struct case_ctx *ctx;
        struct bt_host *h;
        int abort_fd;
        json_t *profile;                 /* radios.bluetooth (borrowed) */
        const char *policy;              /* "latest" or "ssp" */
        usec_t per_conn;                 /* per connection deadline span */
        unsigned scan_s;
};

struct bt_le_result {
        enum case_outcome outcome;
        char reason[384];
        json_t *evidence;                /* the "le" object; owned by the caller after the call */
};

/* Runs the LE half. Fills *ret (evidence always, also on ERROR/ABORTED).
 * Returns 0, or -ENOMEM. The bench host's ACL handler is set and cleared
 * here. */
int bt_le_check(const struct bt_le_args *args, struct bt_le_result *ret);
