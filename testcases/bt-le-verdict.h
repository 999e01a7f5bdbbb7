/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* bt.pairing's verdict rules, apart from the radio work so they can be
 * tested on their own (tests/unit/bt-verdict): what the LE probes saw ->
 * outcome and one sentence; the BR/EDR and LE halves -> one verdict.
 * Pure: no I/O, no allocation; reason strings are static or written into
 * the caller's buffer. Thread-safe. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drivers/bt/smp.h"
#include "testcase.h"

enum bt_le_answer {
        BT_LE_ANSWER_NONE,               /* no SMP answer before the deadline / disconnection */
        BT_LE_ANSWER_RESPONSE,
        BT_LE_ANSWER_FAILED,
        _BT_LE_ANSWER_MAX,
};

/* One LE connection with one SMP Pairing Request and the DUT's answer. */
struct bt_le_probe {
        bool offered_sc;
        struct bt_smp_pairing request;
        enum bt_le_answer answer;
        struct bt_smp_pairing response;
        uint8_t failed_reason;
        bool disconnected;               /* the DUT dropped the link before answering */
        bool security_request;           /* the DUT sent a Security Request first */
};

struct bt_le_decision {
        bool need_downgrade_probe;       /* probe 1 showed SC: run the SC=0 probe, decide again */
        enum case_outcome outcome;       /* when !need_downgrade_probe */
        const char *method;              /* "le-legacy", "le-sc", NULL when not known */
        enum bt_assoc_model model;
        int downgrade_refused;           /* -1 not probed, 0 accepted, 1 refused */
};

/* probes[0] is the SC=1 offer, probes[1] (n == 2) the SC=0 downgrade.
 * n == 1: decides, or asks for the downgrade probe. reason gets one
 * sentence (empty while a probe is still needed). */
void bt_le_decide(const struct bt_le_probe *probes, size_t n, bool sc_only_claimed, char *reason, size_t size,
                  struct bt_le_decision *ret);

/* The BR/EDR and LE halves (each only when checked) into one verdict:
 * ABORTED over FAIL over ERROR over PASS: a finding stands even when the
 * other half could not be checked (unlike case_outcome_worst(), which
 * ranks a bench fault over a FAIL for a whole run). With both halves the
 * reason is "BR/EDR: ...; LE: ...". */
enum case_outcome bt_pairing_combine(bool bredr, enum case_outcome ob, const char *rb, bool le,
                                     enum case_outcome ol, const char *rl, char *reason, size_t size);
