/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The IE decoder and the security classifier on hand-made elements: every
 * classification of the header's list, PMF states, two RSN elements,
 * truncated and overrunning elements, WPA1, WPS, RSNXE, OWE transition. */

#include <check.h>
#include <string.h>

#include "lib/ieee80211/ieee80211.h"

#define S(t) 0x00, 0x0f, 0xac, (t)              /* IEEE suite */
#define M(t) 0x00, 0x50, 0xf2, (t)              /* Microsoft (WPA1) suite */
#define SUITE(t) IEEE80211_SUITE(IEEE80211_OUI_IEEE, t)

/* RSN element: version 1, group, 1 pairwise, 1 AKM, capabilities. */
#define RSN1(group, pw, akm, caps_lo) 48, 20, 1, 0, S(group), 1, 0, S(pw), 1, 0, S(akm), (caps_lo), 0
/* WPA1 element: version 1, group, 1 unicast, 1 AKM. */
#define WPA1(group, pw, akm) 221, 22, M(1), 1, 0, M(group), 1, 0, M(pw), 1, 0, M(akm)

#define MFPC 0x80
#define MFPR 0x40

static void parse(const uint8_t *b, size_t n, struct ieee80211_ies *ies, struct ieee80211_class *c,
                  bool privacy) {
        ieee80211_ies_parse(b, n, ies);
        ieee80211_classify(ies, privacy, c);
}

#define CLASSIFY(privacy, sec, pmf_, ...)                                                   \
        do {                                                                                \
                const uint8_t _b[] = { __VA_ARGS__ };                                       \
                struct ieee80211_ies _i;                                                    \
                struct ieee80211_class _c;                                                  \
                parse(_b, sizeof(_b), &_i, &_c, (privacy));                                 \
                ck_assert_msg(_c.security == (sec), "security %s, expected %s",             \
                              ieee80211_security_to_string(_c.security),                    \
                              ieee80211_security_to_string(sec));                           \
                ck_assert_int_eq(_c.pmf, (pmf_));                                           \
                ck_assert(!_i.malformed);                                                   \
        } while (0)

START_TEST(test_rsn_full) {
        const uint8_t b[] = {
                0, 4, 'l', 'a', 'b', 0,
                48, 28 + 2 + 16 + 4, 1, 0, S(4), 2, 0, S(4), S(2), 2, 0, S(2), S(8), 0xc0, 0,
                1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, S(6),
        };
        struct ieee80211_ies ies;

        ieee80211_ies_parse(b, sizeof(b), &ies);
        ck_assert(!ies.malformed);
        ck_assert_uint_eq(ies.n_elements, 2);
        ck_assert_uint_eq(ies.ssid_len, 4);
        ck_assert_mem_eq(ies.ssid, "lab\0", 4);
        ck_assert_uint_eq(ies.n_rsn, 1);
        ck_assert(ies.rsn.present);
        ck_assert_uint_eq(ies.rsn.version, 1);
        ck_assert(ies.rsn.has_group);
        ck_assert_uint_eq(ies.rsn.group, 0x000fac04);
        ck_assert_uint_eq(ies.rsn.n_pairwise, 2);
        ck_assert_uint_eq(ies.rsn.pairwise[1], SUITE(2));
        ck_assert_uint_eq(ies.rsn.n_akm, 2);
        ck_assert_uint_eq(ies.rsn.akm[0], SUITE(2));
        ck_assert_uint_eq(ies.rsn.akm[1], SUITE(8));
        ck_assert(ies.rsn.has_capabilities);
        ck_assert(ies.rsn.mfpc && ies.rsn.mfpr);
        ck_assert_uint_eq(ies.rsn.n_pmkid, 1);
        ck_assert(ies.rsn.has_group_mgmt);
        ck_assert_uint_eq(ies.rsn.group_mgmt, SUITE(6));
        ck_assert(!ies.rsn.truncated);
}
END_TEST

START_TEST(test_two_rsn) {
        const uint8_t same[] = { RSN1(4, 4, 2, 0), RSN1(4, 4, 2, 0) };
        const uint8_t differ[] = { RSN1(4, 4, 8, MFPC | MFPR), RSN1(4, 4, 2, 0) };
        struct ieee80211_ies ies;
        struct ieee80211_class c;

        parse(same, sizeof(same), &ies, &c, true);
        ck_assert_uint_eq(ies.n_rsn, 2);
        ck_assert(!ies.rsn_differs);
        ck_assert_int_eq(c.security, IEEE80211_SEC_WPA2_PSK);

        parse(differ, sizeof(differ), &ies, &c, true);
        ck_assert_uint_eq(ies.n_rsn, 2);
        ck_assert(ies.rsn_differs);
        /* The first element is the one decoded and classified. */
        ck_assert_uint_eq(ies.rsn.akm[0], SUITE(8));
        ck_assert_int_eq(c.security, IEEE80211_SEC_WPA3_SAE);
        ck_assert_int_eq(c.pmf, IEEE80211_PMF_REQUIRED);
}
END_TEST

START_TEST(test_rsn_truncated) {
        const uint8_t full[] = { 1, 0, S(4), 1, 0, S(4), 2, 0, S(2), S(6), 0x80, 0 };
        struct ieee80211_rsn r;

        /* Every cut either ends cleanly at a field boundary or is flagged. */
        for (size_t n = 0; n <= sizeof(full); n++) {
                ieee80211_rsn_parse(full, n, &r);
                ck_assert(r.present);
                switch (n) {
                case 2: case 6: case 12: case 22:
                        ck_assert_msg(!r.truncated, "cut at %zu", n);
                        break;
                default:
                        ck_assert_msg(r.truncated == (n != sizeof(full)), "cut at %zu", n);
                }
        }
        /* A cut inside the AKM list keeps the suites that are whole. */
        ieee80211_rsn_parse(full, 19, &r);
        ck_assert(r.truncated);
        ck_assert_uint_eq(r.n_pairwise, 1);
        ck_assert_uint_eq(r.n_akm, 1);
        ck_assert_uint_eq(r.akm[0], SUITE(2));
        ck_assert(!r.has_capabilities);

        /* A count far beyond the element. */
        const uint8_t big[] = { 1, 0, S(4), 0xff, 0xff, S(4) };
        ieee80211_rsn_parse(big, sizeof(big), &r);
        ck_assert(r.truncated);
        ck_assert_uint_eq(r.n_pairwise, 1);

        /* More suites than we keep: counted through, the rest decoded. */
        uint8_t many[2 + 4 + 2 + 20 * 4 + 2 + 4];
        size_t o = 0;
        many[o++] = 1; many[o++] = 0;
        memcpy(many + o, (uint8_t[]) { S(4) }, 4); o += 4;
        many[o++] = 20; many[o++] = 0;
        for (int i = 0; i < 20; i++) {
                memcpy(many + o, (uint8_t[]) { S(4) }, 4);
                o += 4;
        }
        many[o++] = 1; many[o++] = 0;
        memcpy(many + o, (uint8_t[]) { S(8) }, 4); o += 4;
        ieee80211_rsn_parse(many, o, &r);
        ck_assert(!r.truncated);
        ck_assert_uint_eq(r.n_pairwise, IEEE80211_MAX_SUITES);
        ck_assert_uint_eq(r.n_akm, 1);
        ck_assert_uint_eq(r.akm[0], SUITE(8));
}
END_TEST

START_TEST(test_element_overrun) {
        /* SSID fine, then an RSN element claiming more than is there. */
        const uint8_t b[] = { 0, 1, 'x', 48, 30, 1, 0, S(4) };
        const uint8_t lone[] = { 0, 0, 48 };
        struct ieee80211_ies ies;
        struct ieee80211_class c;

        parse(b, sizeof(b), &ies, &c, false);
        ck_assert(ies.malformed);
        ck_assert_uint_eq(ies.n_elements, 1);
        ck_assert_uint_eq(ies.ssid_len, 1);
        ck_assert_uint_eq(ies.n_rsn, 0);
        ck_assert_int_eq(c.security, IEEE80211_SEC_OPEN);

        ieee80211_ies_parse(lone, sizeof(lone), &ies);
        ck_assert(ies.malformed);
        ck_assert_uint_eq(ies.n_elements, 1);
        ck_assert(ies.ssid != NULL);
        ck_assert_uint_eq(ies.ssid_len, 0);

        ieee80211_ies_parse(NULL, 0, &ies);
        ck_assert(!ies.malformed);
        ck_assert_ptr_null(ies.ssid);
}
END_TEST

START_TEST(test_wpa1) {
        const uint8_t b[] = { WPA1(2, 2, 2) };
        struct ieee80211_ies ies;
        struct ieee80211_class c;

        parse(b, sizeof(b), &ies, &c, true);
        ck_assert_uint_eq(ies.n_wpa, 1);
        ck_assert(ies.wpa.present);
        ck_assert_uint_eq(ies.wpa.group, IEEE80211_SUITE(IEEE80211_OUI_MS, 2));
        ck_assert_uint_eq(ies.wpa.n_pairwise, 1);
        ck_assert_uint_eq(ies.wpa.n_akm, 1);
        ck_assert_uint_eq(ies.wpa.akm[0], 0x0050f202);
        ck_assert_uint_eq(ies.n_rsn, 0);
        ck_assert_int_eq(c.security, IEEE80211_SEC_WPA_TKIP);
        ck_assert(c.tkip);
        ck_assert(!c.wep);
        ck_assert_uint_eq(c.group_cipher, 0x0050f202);

        /* WMM (00:50:f2 type 2) is no WPA element. */
        const uint8_t wmm[] = { 221, 7, M(2), 0, 1, 0 };
        parse(wmm, sizeof(wmm), &ies, &c, false);
        ck_assert_uint_eq(ies.n_wpa, 0);
        ck_assert_int_eq(c.security, IEEE80211_SEC_OPEN);
}
END_TEST

START_TEST(test_wps) {
        const uint8_t pin[] = {
                221, 4 + 5 + 5 + 6, M(4),
                0x10, 0x4a, 0, 1, 0x10,                 /* version */
                0x10, 0x44, 0, 1, 2,                    /* configured */
                0x10, 0x08, 0, 2, 0x22, 0x8c,           /* virtual display PIN, PBC, keypad */
        };
        const uint8_t pbc[] = {
                221, 4 + 5 + 6, M(4),
                0x10, 0x44, 0, 1, 1,                    /* not configured */
                0x10, 0x08, 0, 2, 0x00, 0x80,           /* push button only */
        };
        const uint8_t beacon[] = {
                221, 4 + 5 + 6, M(4),
                0x10, 0x44, 0, 1, 2,
                0x10, 0x53, 0, 2, 0x00, 0x04,           /* selected registrar: label */
        };
        const uint8_t bad[] = { 221, 4 + 5 + 3, M(4), 0x10, 0x44, 0, 1, 2, 0x10, 0x08, 0 };
        struct ieee80211_ies ies;

        ieee80211_ies_parse(pin, sizeof(pin), &ies);
        ck_assert(ies.wps.present && ies.wps.configured && ies.wps.has_config_methods);
        ck_assert_uint_eq(ies.wps.config_methods, 0x228c);
        ck_assert(ies.wps.pin_methods);
        ck_assert(!ies.wps.malformed);
        ck_assert_uint_eq(ies.n_wpa, 0);

        ieee80211_ies_parse(pbc, sizeof(pbc), &ies);
        ck_assert(ies.wps.present && !ies.wps.configured);
        ck_assert(!ies.wps.pin_methods);

        ieee80211_ies_parse(beacon, sizeof(beacon), &ies);
        ck_assert(ies.wps.has_config_methods && ies.wps.pin_methods);

        ieee80211_ies_parse(bad, sizeof(bad), &ies);
        ck_assert(ies.wps.present && ies.wps.configured && ies.wps.malformed);
        ck_assert(!ies.wps.has_config_methods);
        ck_assert(!ies.malformed);
}
END_TEST

START_TEST(test_rsnxe_owe) {
        const uint8_t b[] = { RSN1(4, 4, 8, MFPC | MFPR), 244, 1, 0x20 };
        const uint8_t no_h2e[] = { 244, 1, 0x10 };
        const uint8_t owe_open[] = { 0, 0, 221, 4 + 6 + 1 + 3, 0x50, 0x6f, 0x9a, 28,
                                     1, 2, 3, 4, 5, 6, 3, 'o', 'w', 'e' };
        struct ieee80211_ies ies;
        struct ieee80211_class c;

        parse(b, sizeof(b), &ies, &c, true);
        ck_assert(ies.has_rsnxe && ies.sae_h2e);
        ck_assert_int_eq(c.security, IEEE80211_SEC_WPA3_SAE);
        ieee80211_ies_parse(no_h2e, sizeof(no_h2e), &ies);
        ck_assert(ies.has_rsnxe && !ies.sae_h2e);

        parse(owe_open, sizeof(owe_open), &ies, &c, false);
        ck_assert(ies.owe_transition);
        ck_assert_int_eq(c.security, IEEE80211_SEC_OWE_TRANSITION);
}
END_TEST

START_TEST(test_classifications) {
        CLASSIFY(false, IEEE80211_SEC_OPEN, IEEE80211_PMF_NONE, 0, 3, 'a', 'b', 'c');
        CLASSIFY(true, IEEE80211_SEC_WEP, IEEE80211_PMF_NONE, 0, 3, 'a', 'b', 'c');
        CLASSIFY(true, IEEE80211_SEC_OWE, IEEE80211_PMF_REQUIRED, RSN1(4, 4, 18, MFPC | MFPR),
                 221, 4 + 6 + 1, 0x50, 0x6f, 0x9a, 28, 1, 2, 3, 4, 5, 6, 0);
        CLASSIFY(true, IEEE80211_SEC_WPA_TKIP, IEEE80211_PMF_NONE, WPA1(2, 2, 1));
        CLASSIFY(true, IEEE80211_SEC_WPA_TKIP, IEEE80211_PMF_NONE, RSN1(2, 2, 2, 0));
        CLASSIFY(true, IEEE80211_SEC_WPA_WPA2_MIXED, IEEE80211_PMF_NONE, WPA1(2, 2, 2), RSN1(2, 4, 2, 0));
        CLASSIFY(true, IEEE80211_SEC_WPA2_PSK, IEEE80211_PMF_NONE, RSN1(4, 4, 2, 0));
        CLASSIFY(true, IEEE80211_SEC_WPA2_PSK, IEEE80211_PMF_CAPABLE, RSN1(4, 4, 2, MFPC));
        CLASSIFY(true, IEEE80211_SEC_WPA2_PSK_SHA256, IEEE80211_PMF_REQUIRED, RSN1(4, 4, 6, MFPC | MFPR));
        CLASSIFY(true, IEEE80211_SEC_WPA2_ENTERPRISE, IEEE80211_PMF_NONE, RSN1(4, 4, 1, 0));
        CLASSIFY(true, IEEE80211_SEC_WPA2_ENTERPRISE, IEEE80211_PMF_CAPABLE, RSN1(4, 4, 5, MFPC));
        CLASSIFY(true, IEEE80211_SEC_WPA3_ENTERPRISE, IEEE80211_PMF_REQUIRED, RSN1(4, 4, 5, MFPC | MFPR));
        CLASSIFY(true, IEEE80211_SEC_WPA3_ENTERPRISE_192, IEEE80211_PMF_REQUIRED,
                 RSN1(9, 9, 12, MFPC | MFPR));
        CLASSIFY(true, IEEE80211_SEC_WPA3_SAE, IEEE80211_PMF_REQUIRED, RSN1(4, 4, 8, MFPC | MFPR));
        CLASSIFY(true, IEEE80211_SEC_WPA3_SAE, IEEE80211_PMF_REQUIRED, RSN1(4, 4, 24, MFPC | MFPR));
        CLASSIFY(true, IEEE80211_SEC_WPA3_TRANSITION, IEEE80211_PMF_CAPABLE,
                 48, 24, 1, 0, S(4), 1, 0, S(4), 2, 0, S(2), S(8), MFPC, 0);
        CLASSIFY(true, IEEE80211_SEC_UNKNOWN, IEEE80211_PMF_NONE, RSN1(4, 4, 7, 0));
        /* An RSN element of version only (no AKM): unknown, not open. */
        CLASSIFY(true, IEEE80211_SEC_UNKNOWN, IEEE80211_PMF_NONE, 48, 2, 1, 0);
        /* MFPR without MFPC is invalid: not required. */
        CLASSIFY(true, IEEE80211_SEC_WPA2_PSK, IEEE80211_PMF_NONE, RSN1(4, 4, 2, MFPR));
}
END_TEST

START_TEST(test_flags) {
        const uint8_t ft[] = { 48, 24, 1, 0, S(4), 1, 0, S(4), 2, 0, S(2), S(4), 0, 0 };
        const uint8_t ftsae[] = { RSN1(4, 4, 9, MFPC | MFPR) };
        const uint8_t tkipgroup[] = { RSN1(2, 4, 2, 0) };
        const uint8_t wepgroup[] = { RSN1(1, 4, 2, 0) };
        struct ieee80211_ies ies;
        struct ieee80211_class c;

        parse(ft, sizeof(ft), &ies, &c, true);
        ck_assert(c.ft);
        ck_assert_int_eq(c.security, IEEE80211_SEC_WPA2_PSK);
        ck_assert_uint_eq(c.group_cipher, SUITE(4));
        ck_assert(!c.tkip && !c.wep);

        parse(ftsae, sizeof(ftsae), &ies, &c, true);
        ck_assert(c.ft);
        ck_assert_int_eq(c.security, IEEE80211_SEC_WPA3_SAE);

        parse(tkipgroup, sizeof(tkipgroup), &ies, &c, true);
        ck_assert(c.tkip && !c.ft);
        ck_assert_int_eq(c.security, IEEE80211_SEC_WPA2_PSK);
        ck_assert_uint_eq(c.group_cipher, SUITE(2));

        parse(wepgroup, sizeof(wepgroup), &ies, &c, true);
        ck_assert(c.wep);

        ck_assert(ieee80211_akm_is_ft(SUITE(3)));
        ck_assert(ieee80211_akm_is_ft(SUITE(25)));
        ck_assert(!ieee80211_akm_is_ft(SUITE(8)));
        ck_assert(!ieee80211_akm_is_ft(IEEE80211_SUITE(IEEE80211_OUI_MS, 4)));
}
END_TEST

START_TEST(test_names) {
        for (int s = 0; s < _IEEE80211_SEC_MAX; s++)
                ck_assert_ptr_nonnull(ieee80211_security_to_string(s));
        for (int p = 0; p < _IEEE80211_PMF_MAX; p++)
                ck_assert_ptr_nonnull(ieee80211_pmf_to_string(p));
        ck_assert_str_eq(ieee80211_security_to_string(IEEE80211_SEC_WPA3_SAE), "wpa3-sae");
        ck_assert_str_eq(ieee80211_pmf_to_string(IEEE80211_PMF_REQUIRED), "pmf-required");
        ck_assert_ptr_null(ieee80211_security_to_string(_IEEE80211_SEC_MAX));
}
END_TEST

int main(void) {
        Suite *s = suite_create("ieee80211");
        TCase *tc = tcase_create("ies");
        SRunner *sr;
        int failed;

        tcase_add_test(tc, test_rsn_full);
        tcase_add_test(tc, test_two_rsn);
        tcase_add_test(tc, test_rsn_truncated);
        tcase_add_test(tc, test_element_overrun);
        tcase_add_test(tc, test_wpa1);
        tcase_add_test(tc, test_wps);
        tcase_add_test(tc, test_rsnxe_owe);
        tcase_add_test(tc, test_classifications);
        tcase_add_test(tc, test_flags);
        tcase_add_test(tc, test_names);
        suite_add_tcase(s, tc);
        sr = srunner_create(s);
        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed ? 1 : 0;
}
