/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* bt.pairing, the BR/EDR half (testcases/bt-bredr.c; docs/bluetooth-cases.md),
 * and the run state the case (testcases/bt.c) shares with it.
 *
 * On an initialised bench host: find the DUT (declared address or
 * inquiry), connect, read the remote feature pages, ask for
 * authentication and let the DUT show how it pairs; a DUT that pairs
 * legacy is offered the declared PIN, then common fixed PINs, one
 * connection each. The classification is lib/btpair's, fed every packet
 * by the case's tap (bt_bredr_on_pairing() takes its reports).
 *
 * Threads: the slot worker's; every wait has a deadline and ends on the
 * run's abort fd (-ECANCELED -> CASE_ABORTED). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "drivers/bt/btsnoop-writer.h"
#include "drivers/bt/hci-pairing-events.h"
#include "drivers/bt/transport.h"
#include "lib/btpair/btpair.h"
#include "testcase.h"

#define BT_PINS_MAX 16

struct pin_try {
        char pin[17];
        bool requested;                 /* the DUT's side asked for a PIN on that connection */
        bool accepted;
        uint8_t status;                 /* Authentication Complete */
};

struct bt_run {
        struct case_ctx *ctx;
        struct bt_host *h;
        struct bt_snoop_writer *snoop;
        struct btpair *pair;
        uint64_t records;
        int abort_fd;
        struct bt_addr peer;
        uint8_t pscan_rep_mode;
        uint16_t clock_offset;
        /* btpair reports for the peer */
        bool have_result, have_success;
        struct btpair_result result, success;
        /* features */
        bool features_read;
        uint8_t max_page;
        uint8_t pages[3][8];
        bool page_valid[3];
        /* SSP */
        bool dut_io_known;
        struct bt_io_capability dut_io;
        struct pin_try pins[BT_PINS_MAX];
        size_t n_pins;
        /* BR/EDR inputs and findings */
        const char *policy, *pin_s, *declared_io;
        bool addr_declared;
        usec_t per_conn;
        bool found, jw_noted;
        char a[BT_ADDR_STR_MAX];
        const char *accepted_pin;
};

/* btpair's report callback: keeps the BR/EDR pairings with run->peer. */
void bt_bredr_on_pairing(const struct btpair_result *r, void *userdata);

/* The PINs to try: the declared one (may be NULL) first, then the common
 * fixed PINs, without repeats. */
void bt_bredr_add_pins(struct bt_run *run, const char *declared);

/* The BR/EDR half; reason gets one sentence. */
enum case_outcome bt_bredr_check(struct bt_run *run, char *reason, size_t rsize);

/* Adds the BR/EDR evidence to j: features, pairing, pins_tried,
 * pin_accepted, just_works_on_io_capable_dut. */
void bt_bredr_evidence(const struct bt_run *run, json_t *j);
