/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The verdict rules of bt.pairing (bt-le-verdict.h, docs/bluetooth-cases.md). */

#include <stdio.h>

#include "testcases/bt-le-verdict.h"

#define ELEMENTS(a) (sizeof(a) / sizeof((a)[0]))

void bt_le_decide(const struct bt_le_probe *probes, size_t n, bool sc_only_claimed, char *reason, size_t size,
                  struct bt_le_decision *ret) {
        const struct bt_le_probe *p = &probes[0];
        const char *model_s;
        bool sc;

        *ret = (struct bt_le_decision){ .outcome = CASE_ERROR, .model = BT_ASSOC_UNKNOWN, .downgrade_refused = -1 };
        if (size)
                reason[0] = 0;
        if (n < 1)
                return;
        if (p->answer == BT_LE_ANSWER_NONE || p->answer >= _BT_LE_ANSWER_MAX) {
                snprintf(reason, size, "the DUT %s a Secure Connections Pairing Request; is it in pairing mode?",
                         p->disconnected ? "dropped the connection without answering" : "did not answer");
                return;
        }
        if (p->answer == BT_LE_ANSWER_FAILED) {
                snprintf(reason, size,
                         "the DUT refused pairing (Pairing Failed: %s) when offered Secure Connections; is it in pairing mode?",
                         bt_smp_reason_to_string(p->failed_reason));
                return;
        }
        /* The bench offered SC, so SC is used exactly when the DUT sets it. */
        sc = (p->response.auth_req & BT_SMP_AUTH_SC) != 0;
        ret->model = bt_smp_assoc_model(&p->request, &p->response, sc);
        ret->method = sc ? "le-sc" : "le-legacy";
        model_s = bt_assoc_model_to_string(ret->model);
        if (!sc) {
                ret->outcome = CASE_FAIL;
                snprintf(reason, size,
                         "the DUT answered the bench's Secure Connections offer with LE legacy pairing (SC=0 in its Pairing Response, %s)",
                         model_s);
                return;
        }
        if (n < 2) {
                ret->need_downgrade_probe = true;
                return;
        }

        p = &probes[1];
        switch (p->answer) {
        case BT_LE_ANSWER_RESPONSE:
                ret->outcome = CASE_FAIL;
                ret->downgrade_refused = 0;
                snprintf(reason, size,
                         "the DUT pairs with LE Secure Connections (%s) but accepts LE legacy pairing when the central offers SC=0 (downgrade)%s",
                         model_s, sc_only_claimed ? ", although its profile claims secure-connections-only" : "");
                break;
        case BT_LE_ANSWER_FAILED:
                ret->outcome = CASE_PASS;
                ret->downgrade_refused = 1;
                snprintf(reason, size,
                         "the DUT pairs with LE Secure Connections (%s) and refused the LE legacy downgrade (Pairing Failed: %s)",
                         model_s, bt_smp_reason_to_string(p->failed_reason));
                break;
        case BT_LE_ANSWER_NONE:
        case _BT_LE_ANSWER_MAX:
        default:
                if (p->disconnected) {
                        /* Dropping the link is a refusal too. */
                        ret->outcome = CASE_PASS;
                        ret->downgrade_refused = 1;
                        snprintf(reason, size,
                                 "the DUT pairs with LE Secure Connections (%s) and refused the LE legacy downgrade by disconnecting",
                                 model_s);
                } else
                        /* Silence could be the bench's radio as well: no finding. */
                        snprintf(reason, size,
                                 "the DUT pairs with LE Secure Connections (%s), but did not answer the downgrade probe (SC=0) within the deadline",
                                 model_s);
                break;
        }
}

enum case_outcome bt_pairing_combine(bool bredr, enum case_outcome ob, const char *rb, bool le,
                                     enum case_outcome ol, const char *rl, char *reason, size_t size) {
        static const enum case_outcome order[] = { CASE_ABORTED, CASE_FAIL, CASE_ERROR, CASE_PASS };
        enum case_outcome o = CASE_PASS;

        for (size_t i = 0; i < ELEMENTS(order); i++)
                if ((bredr && ob == order[i]) || (le && ol == order[i])) {
                        o = order[i];
                        break;
                }
        if (bredr && le)
                snprintf(reason, size, "BR/EDR: %s; LE: %s", rb[0] ? rb : "-", rl[0] ? rl : "-");
        else
                snprintf(reason, size, "%s", bredr ? rb : le ? rl : "");
        return o;
}
