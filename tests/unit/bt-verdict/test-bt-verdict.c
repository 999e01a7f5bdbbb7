/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bt.pairing's verdict rules (testcases/bt-le-verdict.h), as the lab reads
 * them: what the DUT answered to the bench's Secure Connections offer and
 * to the SC=0 downgrade probe, and how the BR/EDR and LE halves combine. */

#include <check.h>
#include <string.h>

#include "drivers/bt/hci-pairing-events.h"
#include "testcases/bt-le-verdict.h"

/* The bench's offer, as testcases/bt-le.c sends it. */
static struct bt_le_probe offer(bool sc) {
        return (struct bt_le_probe){
                .offered_sc = sc,
                .request = { .io_cap = BT_IO_KEYBOARD_DISPLAY,
                             .auth_req = BT_SMP_AUTH_BONDING | BT_SMP_AUTH_MITM | (sc ? BT_SMP_AUTH_SC : 0),
                             .max_key_size = 16, .init_key_dist = 7, .resp_key_dist = 7 },
        };
}

static struct bt_le_probe answered(bool sc_offer, uint8_t io, uint8_t auth) {
        struct bt_le_probe p = offer(sc_offer);

        p.answer = BT_LE_ANSWER_RESPONSE;
        p.response = (struct bt_smp_pairing){ .io_cap = io, .auth_req = auth, .max_key_size = 16 };
        return p;
}

static struct bt_le_probe refused(bool sc_offer, uint8_t reason) {
        struct bt_le_probe p = offer(sc_offer);

        p.answer = BT_LE_ANSWER_FAILED;
        p.failed_reason = reason;
        return p;
}

#define SC_JW   (BT_SMP_AUTH_BONDING | BT_SMP_AUTH_SC)
#define SC_MITM (BT_SMP_AUTH_BONDING | BT_SMP_AUTH_SC | BT_SMP_AUTH_MITM)

START_TEST(le_legacy_answer_fails_at_once) {
        struct bt_le_probe p[1] = { answered(true, BT_IO_NO_INPUT_NO_OUTPUT, BT_SMP_AUTH_BONDING) };
        struct bt_le_decision d;
        char reason[256];

        bt_le_decide(p, 1, false, reason, sizeof(reason), &d);
        ck_assert(!d.need_downgrade_probe);
        ck_assert_int_eq(d.outcome, CASE_FAIL);
        ck_assert_str_eq(d.method, "le-legacy");
        ck_assert_int_eq(d.model, BT_ASSOC_JUST_WORKS);
        ck_assert_ptr_nonnull(strstr(reason, "LE legacy"));
        ck_assert_int_eq(d.downgrade_refused, -1);
}
END_TEST

START_TEST(sc_answer_asks_for_the_downgrade_probe) {
        struct bt_le_probe p[1] = { answered(true, BT_IO_DISPLAY_YES_NO, SC_MITM) };
        struct bt_le_decision d;
        char reason[256];

        bt_le_decide(p, 1, false, reason, sizeof(reason), &d);
        ck_assert(d.need_downgrade_probe);
        ck_assert_str_eq(d.method, "le-sc");
        ck_assert_int_eq(d.model, BT_ASSOC_NUMERIC_COMPARISON);
        ck_assert_str_eq(reason, "");
}
END_TEST

START_TEST(accepted_downgrade_fails) {
        struct bt_le_probe p[2] = { answered(true, BT_IO_NO_INPUT_NO_OUTPUT, SC_JW),
                                    answered(false, BT_IO_NO_INPUT_NO_OUTPUT, SC_JW) };
        struct bt_le_decision d;
        char reason[256];

        bt_le_decide(p, 2, false, reason, sizeof(reason), &d);
        ck_assert_int_eq(d.outcome, CASE_FAIL);
        ck_assert_int_eq(d.downgrade_refused, 0);
        ck_assert_ptr_nonnull(strstr(reason, "downgrade"));
        ck_assert_ptr_null(strstr(reason, "claims"));
        bt_le_decide(p, 2, true, reason, sizeof(reason), &d);
        ck_assert_ptr_nonnull(strstr(reason, "claims secure-connections-only"));
}
END_TEST

START_TEST(refused_downgrade_passes) {
        struct bt_le_probe p[2] = { answered(true, BT_IO_KEYBOARD_ONLY, SC_MITM),
                                    refused(false, BT_SMP_ERR_AUTH_REQUIREMENTS) };
        struct bt_le_decision d;
        char reason[256];

        bt_le_decide(p, 2, true, reason, sizeof(reason), &d);
        ck_assert_int_eq(d.outcome, CASE_PASS);
        ck_assert_int_eq(d.downgrade_refused, 1);
        ck_assert_int_eq(d.model, BT_ASSOC_PASSKEY_ENTRY);
        ck_assert_ptr_nonnull(strstr(reason, "Authentication Requirements"));
}
END_TEST

START_TEST(disconnect_on_downgrade_is_a_refusal_silence_is_not) {
        struct bt_le_probe p[2] = { answered(true, BT_IO_NO_INPUT_NO_OUTPUT, SC_JW), offer(false) };
        struct bt_le_decision d;
        char reason[256];

        p[1].disconnected = true;
        bt_le_decide(p, 2, false, reason, sizeof(reason), &d);
        ck_assert_int_eq(d.outcome, CASE_PASS);
        ck_assert_ptr_nonnull(strstr(reason, "disconnecting"));
        p[1].disconnected = false;
        bt_le_decide(p, 2, false, reason, sizeof(reason), &d);
        ck_assert_int_eq(d.outcome, CASE_ERROR);
        ck_assert_int_eq(d.downgrade_refused, -1);
        ck_assert_ptr_nonnull(strstr(reason, "did not answer the downgrade probe"));
}
END_TEST

START_TEST(no_answer_to_the_offer_is_a_bench_error) {
        struct bt_le_probe p[1] = { offer(true) };
        struct bt_le_decision d;
        char reason[256];

        bt_le_decide(p, 1, false, reason, sizeof(reason), &d);
        ck_assert_int_eq(d.outcome, CASE_ERROR);
        ck_assert_ptr_null(d.method);
        ck_assert_ptr_nonnull(strstr(reason, "did not answer"));
        p[0] = refused(true, BT_SMP_ERR_PAIRING_NOT_SUPP);
        bt_le_decide(p, 1, false, reason, sizeof(reason), &d);
        ck_assert_int_eq(d.outcome, CASE_ERROR);
        ck_assert_ptr_nonnull(strstr(reason, "refused pairing"));
}
END_TEST

START_TEST(halves_combine) {
        char reason[512];

        ck_assert_int_eq(bt_pairing_combine(true, CASE_FAIL, "legacy PIN", true, CASE_ERROR, "no advertiser", reason,
                                            sizeof(reason)), CASE_FAIL);
        ck_assert_str_eq(reason, "BR/EDR: legacy PIN; LE: no advertiser");
        ck_assert_int_eq(bt_pairing_combine(true, CASE_PASS, "SC", true, CASE_ERROR, "x", reason, sizeof(reason)),
                         CASE_ERROR);
        ck_assert_int_eq(bt_pairing_combine(true, CASE_FAIL, "a", true, CASE_ABORTED, "", reason, sizeof(reason)),
                         CASE_ABORTED);
        ck_assert_str_eq(reason, "BR/EDR: a; LE: -");
        ck_assert_int_eq(bt_pairing_combine(true, CASE_PASS, "a", true, CASE_PASS, "b", reason, sizeof(reason)),
                         CASE_PASS);
        /* A half that was not checked does not count, whatever it holds. */
        ck_assert_int_eq(bt_pairing_combine(false, CASE_FAIL, "stale", true, CASE_PASS, "SC only", reason,
                                            sizeof(reason)), CASE_PASS);
        ck_assert_str_eq(reason, "SC only");
}
END_TEST

int main(void) {
        Suite *s = suite_create("bt-verdict");
        TCase *tc = tcase_create("rules");
        SRunner *sr;
        int failed;

        tcase_add_test(tc, le_legacy_answer_fails_at_once);
        tcase_add_test(tc, sc_answer_asks_for_the_downgrade_probe);
        tcase_add_test(tc, accepted_downgrade_fails);
        tcase_add_test(tc, refused_downgrade_passes);
        tcase_add_test(tc, disconnect_on_downgrade_is_a_refusal_silence_is_not);
        tcase_add_test(tc, no_answer_to_the_offer_is_a_bench_error);
        tcase_add_test(tc, halves_combine);
        suite_add_tcase(s, tc);
        sr = srunner_create(s);
        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed ? 1 : 0;
}
