/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* store_json_is_valid() must agree with jansson on every input (it guards
 * what jansson reads back later): a corpus of edge cases, then many random
 * mutations of realistic events, each compared with json_loadb(). */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/store-json.h"

static bool jansson_ok(const char *t, size_t n, bool want_object) {
        json_t *j = json_loadb(t, n, JSON_DECODE_ANY, NULL);
        bool ok = j && (!want_object || json_is_object(j));

        json_decref(j);
        return ok;
}

static void check_same(const char *t, size_t n) {
        for (int o = 0; o <= 1; o++) {
                bool mine = store_json_is_valid(t, n, o), theirs = jansson_ok(t, n, o);

                if (mine != theirs) {
                        fprintf(stderr, "disagree (object=%d): mine=%d jansson=%d on [", o, mine, theirs);
                        for (size_t i = 0; i < n; i++)
                                fprintf(stderr, (unsigned char) t[i] < 0x20 || (unsigned char) t[i] >= 0x7f
                                                        ? "\\x%02x" : "%c", (unsigned char) t[i]);
                        fprintf(stderr, "]\n");
                }
                ck_assert_int_eq(mine, theirs);
        }
}

static const char *const corpus[] = {
        "{}", "[]", "{ }", " {\"a\":1} ", "{\"a\":[1,2,{\"b\":null}],\"c\":true,\"d\":false}",
        "", " ", "{", "}", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "[1,]", "[,1]", "{,}", "{\"a\":1 \"b\":2}",
        "{\"a\":1}}", "{\"a\":1}x", "{\"a\":1} {}", "[1 2]", "{1:2}", "{\"a\" : 1 , \"b\" : [ ] }",
        "1", "-1", "-", "01", "-01", "0", "-0", "1.", ".5", "1.5", "1e5", "1E+5", "1e-5", "1e", "1e+",
        "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
        "1e308", "1e309", "-1e400", "1e-400", "0.000000000000000000000000000000000001",
        "123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890.5",
        "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
        "true", "false", "null", "tru", "nul", "truex", "true1", "nulll", "True", "NaN", "Infinity", "0x10",
        "\"\"", "\"abc\"", "\"a\\\"b\"", "\"\\\\\"", "\"\\/\\b\\f\\n\\r\\t\"", "\"\\x\"", "\"\\u0041\"",
        "\"\\u0000\"", "\"\\u00\"", "\"\\uZZZZ\"", "\"\\ud83d\\ude00\"", "\"\\ud83d\"", "\"\\ude00\"",
        "\"\\ud83d\\u0041\"", "\"\\ud83d\\ud83d\"", "\"unterminated", "\"tab\there\"", "\"nl\nhere\"",
        "\"\xc3\xa9\"", "\"\xe2\x82\xac\"", "\"\xf0\x9f\x98\x80\"", "\"\xc3\"", "\"\xc0\xaf\"",
        "\"\xe0\x80\xaf\"", "\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"", "\"\xf5\x80\x80\x80\"",
        "\"\x80\"", "\"\xff\"", "\"\x7f\"", "{\"\xc3\xa9\":1}", "{\"k\\u0000\":1}",
        "[[[[[[[[[[]]]]]]]]]]", "[[[[[[[[[[]]]]]]]]]", "{\"a\":{\"b\":{\"c\":{}}}}",
        "\xef\xbb\xbf{}", "{}\n", "\t{}\r\n", "{\"a\":\"b\"\x00}",
};

START_TEST(test_corpus) {
        for (size_t i = 0; i < sizeof corpus / sizeof corpus[0]; i++)
                check_same(corpus[i], strlen(corpus[i]));
        /* Embedded NUL bytes, which strlen() would hide. */
        check_same("{\"a\":\"\0\"}", 9);
        check_same("{}\0", 3);
        ck_assert(!store_json_is_valid(NULL, 0, false));
}
END_TEST

START_TEST(test_depth) {
        char buf[2 * STORE_JSON_MAX_DEPTH + 8];
        size_t d;

        for (d = STORE_JSON_MAX_DEPTH; d <= STORE_JSON_MAX_DEPTH + 1; d++) {
                memset(buf, '[', d);
                memset(buf + d, ']', d);
                ck_assert_int_eq(store_json_is_valid(buf, 2 * d, false), d <= STORE_JSON_MAX_DEPTH);
        }
}
END_TEST

START_TEST(test_mutations) {
        static const char *const seeds[] = {
                "{\"idx\":3,\"case\":\"usb.classes\",\"outcome\":\"PASS\",\"reason\":\"ok \\u00e9\","
                "\"measurements\":{\"interfaces\":2,\"classes\":[3,255],\"rssi_dbm\":-61.5e0}}",
                "{\"relay\":1,\"on\":true,\"board\":\"k\xc3\xa9\",\"x\":null,\"y\":[false,{},[]]}",
                "{\"a\":\"\\ud83d\\ude00\\n\",\"n\":-0.5E-3,\"big\":9223372036854775807}",
        };
        static const char pool[] = "{}[]\",:\\0123456789-+.eEtrufalsn \t\nu\x80\xc3\xed\xf0\x7f";
        char buf[512];

        srand(12345);
        for (int iter = 0; iter < 300000; iter++) {
                const char *seed = seeds[iter % 3];
                size_t n = strlen(seed);
                int edits = 1 + rand() % 3;

                memcpy(buf, seed, n);
                for (int e = 0; e < edits; e++) {
                        size_t at = (size_t) rand() % (n + 1);
                        char ch = pool[rand() % (sizeof pool - 1)];

                        switch (rand() % 4) {
                        case 0: /* replace */
                                if (at < n)
                                        buf[at] = ch;
                                break;
                        case 1: /* insert */
                                if (n + 1 < sizeof buf) {
                                        memmove(buf + at + 1, buf + at, n - at);
                                        buf[at] = ch;
                                        n++;
                                }
                                break;
                        case 2: /* delete */
                                if (at < n) {
                                        memmove(buf + at, buf + at + 1, n - at - 1);
                                        n--;
                                }
                                break;
                        case 3: /* truncate */
                                n = at;
                                break;
                        }
                }
                check_same(buf, n);
        }
}
END_TEST

int main(void) {
        Suite *s = suite_create("store-json");
        TCase *tc = tcase_create("core");
        SRunner *sr;
        int failed;

        tcase_set_timeout(tc, 120);
        tcase_add_test(tc, test_corpus);
        tcase_add_test(tc, test_depth);
        tcase_add_test(tc, test_mutations);
        suite_add_tcase(s, tc);
        sr = srunner_create(s);
        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
