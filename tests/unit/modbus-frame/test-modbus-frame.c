/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The pipelined Modbus/TCP frames: the requests laid out as the Modbus/TCP
 * spec says (the relay tests then send them to a libmodbus server), and
 * parsers that refuse every answer that is not exactly the one asked for. */

#include <check.h>
#include <errno.h>
#include <string.h>

#include "drivers/relay/modbus-tcp-frame.h"

START_TEST(test_encode_layout) {
        uint8_t ours[MBTCP_REQUEST_SIZE];

        /* tid, protocol 0, length 6, unit, function, address, value */
        mbtcp_encode_write_coil(ours, 0x1234, 7, 0x0011, true);
        ck_assert_mem_eq(ours, ((uint8_t[]) { 0x12, 0x34, 0, 0, 0, 6, 7, 0x05, 0x00, 0x11, 0xFF, 0x00 }), 12);
        mbtcp_encode_write_coil(ours, 1, 0xFF, 3, false);
        ck_assert_mem_eq(ours, ((uint8_t[]) { 0, 1, 0, 0, 0, 6, 0xFF, 0x05, 0, 3, 0, 0 }), 12);
        mbtcp_encode_read_coils(ours, 2, 1, 5, 1);
        ck_assert_mem_eq(ours, ((uint8_t[]) { 0, 2, 0, 0, 0, 6, 1, 0x01, 0, 5, 0, 1 }), 12);
}
END_TEST

START_TEST(test_frame_size) {
        uint8_t h[7] = { 0, 1, 0, 0, 0, 6, 1 };

        ck_assert_int_eq(mbtcp_frame_size(h, 6), -EAGAIN);
        ck_assert_int_eq(mbtcp_frame_size(h, 7), 12);
        h[2] = 1;                                       /* protocol id not Modbus */
        ck_assert_int_eq(mbtcp_frame_size(h, 7), -EBADMSG);
        h[2] = 0;
        h[4] = 1;                                       /* length 262: beyond a PDU */
        ck_assert_int_eq(mbtcp_frame_size(h, 7), -EBADMSG);
        h[4] = 0;
        h[5] = 1;                                       /* unit byte only, no function */
        ck_assert_int_eq(mbtcp_frame_size(h, 7), -EBADMSG);
}
END_TEST

START_TEST(test_parse_write_reply) {
        uint8_t ok[] = { 0, 9, 0, 0, 0, 6, 1, 0x05, 0, 4, 0xFF, 0 };
        uint8_t exc[] = { 0, 9, 0, 0, 0, 3, 1, 0x85, 0x02 };

        ck_assert_int_eq(mbtcp_parse_write_coil(ok, sizeof(ok), 9, 1, 4, true), 0);
        ck_assert_int_eq(mbtcp_parse_write_coil(ok, sizeof(ok), 8, 1, 4, true), -EBADMSG);   /* tid */
        ck_assert_int_eq(mbtcp_parse_write_coil(ok, sizeof(ok), 9, 2, 4, true), -EBADMSG);   /* unit */
        ck_assert_int_eq(mbtcp_parse_write_coil(ok, sizeof(ok), 9, 1, 5, true), -EBADMSG);   /* addr */
        ck_assert_int_eq(mbtcp_parse_write_coil(ok, sizeof(ok), 9, 1, 4, false), -EBADMSG);  /* value */
        ck_assert_int_eq(mbtcp_parse_write_coil(ok, sizeof(ok) - 1, 9, 1, 4, true), -EBADMSG); /* short */
        ck_assert_int_eq(mbtcp_parse_write_coil(exc, sizeof(exc), 9, 1, 4, true), -ERANGE);
        exc[8] = 0x04;
        ck_assert_int_eq(mbtcp_parse_write_coil(exc, sizeof(exc), 9, 1, 4, true), -EIO);
        exc[7] = 0x81;                                  /* exception for another function */
        ck_assert_int_eq(mbtcp_parse_write_coil(exc, sizeof(exc), 9, 1, 4, true), -EBADMSG);
}
END_TEST

START_TEST(test_parse_read_reply) {
        uint8_t on[] = { 0, 10, 0, 0, 0, 4, 1, 0x01, 1, 0x01 };
        uint8_t off[] = { 0, 10, 0, 0, 0, 4, 1, 0x01, 1, 0xFE };
        uint8_t badcount[] = { 0, 10, 0, 0, 0, 4, 1, 0x01, 2, 0x01 };
        bool v = false;

        ck_assert_int_eq(mbtcp_parse_read_coil(on, sizeof(on), 10, 1, &v), 0);
        ck_assert(v);
        ck_assert_int_eq(mbtcp_parse_read_coil(off, sizeof(off), 10, 1, &v), 0);
        ck_assert(!v);
        ck_assert_int_eq(mbtcp_parse_read_coil(badcount, sizeof(badcount), 10, 1, &v), -EBADMSG);
        ck_assert_int_eq(mbtcp_parse_read_coil(on, 7, 10, 1, &v), -EBADMSG);
        ck_assert_int_eq(mbtcp_parse_read_coil(on, 0, 10, 1, &v), -EBADMSG);
}
END_TEST

int main(void) {
        Suite *s = suite_create("modbus-tcp-frame");
        TCase *tc = tcase_create("core");
        SRunner *sr;
        int failed;

        tcase_add_test(tc, test_encode_layout);
        tcase_add_test(tc, test_frame_size);
        tcase_add_test(tc, test_parse_write_reply);
        tcase_add_test(tc, test_parse_read_reply);
        suite_add_tcase(s, tc);
        sr = srunner_create(s);
        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed ? 1 : 0;
}
