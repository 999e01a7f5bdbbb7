/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The D-7 probe decoders on hand-made bytes: ADB headers, BOT CSW, SCSI
 * replies, DFU status and functional descriptors, HID report descriptors,
 * serial banners. Every truncation of each valid input must be refused. */

#include <check.h>
#include <errno.h>
#include <string.h>

#include "drivers/usb/probe.h"

#define STR(s) ((const uint8_t *) (s)), (sizeof(s) - 1)

START_TEST(test_adb_roundtrip) {
        const uint8_t payload[] = "host::certbench";
        uint8_t h[24];
        struct usbprobe_adb_msg m = { .command = 7 };

        usbprobe_adb_header_build(USBPROBE_ADB_CNXN, USBPROBE_ADB_VERSION, USBPROBE_ADB_MAXDATA, payload,
                                  sizeof(payload), h);
        ck_assert_mem_eq(h, "CNXN", 4);
        ck_assert_int_eq(usbprobe_adb_header_parse(h, sizeof(h), &m), 0);
        ck_assert_uint_eq(m.command, USBPROBE_ADB_CNXN);
        ck_assert_uint_eq(m.arg0, 0x01000001);
        ck_assert_uint_eq(m.arg1, 256 * 1024);
        ck_assert_uint_eq(m.data_length, sizeof(payload));
        ck_assert_uint_eq(m.data_check, usbprobe_adb_checksum(payload, sizeof(payload)));
        ck_assert_uint_eq(m.magic, 0xb1a7b1bc);
        ck_assert_int_eq(usbprobe_adb_classify(&m), USBPROBE_ADB_ANSWER_CONNECTED);
        for (size_t n = 0; n < sizeof(h); n++) {
                struct usbprobe_adb_msg x = { .command = 42 };
                ck_assert_int_eq(usbprobe_adb_header_parse(h, n, &x), -EBADMSG);
                ck_assert_uint_eq(x.command, 42);   /* untouched */
        }
        h[20] ^= 1;   /* magic no longer the complement */
        ck_assert_int_eq(usbprobe_adb_header_parse(h, sizeof(h), &m), -EBADMSG);
        ck_assert_int_eq(usbprobe_adb_header_parse(NULL, 24, &m), -EINVAL);
}
END_TEST

START_TEST(test_adb_auth) {
        /* A real device's AUTH TOKEN header: token of 20 bytes. */
        const uint8_t h[24] = { 'A', 'U', 'T', 'H', 1, 0, 0, 0, 0, 0, 0, 0, 20, 0, 0, 0,
                                0x10, 0x08, 0, 0, 0xbe, 0xaa, 0xab, 0xb7 };
        struct usbprobe_adb_msg m;

        ck_assert_int_eq(usbprobe_adb_header_parse(h, sizeof(h), &m), 0);
        ck_assert_uint_eq(m.command, USBPROBE_ADB_AUTH);
        ck_assert_int_eq(usbprobe_adb_classify(&m), USBPROBE_ADB_ANSWER_AUTH);
        m.arg0 = 2;   /* SIGNATURE is not what a device sends first */
        ck_assert_int_eq(usbprobe_adb_classify(&m), USBPROBE_ADB_ANSWER_OTHER);
        m.command = USBPROBE_ADB_OKAY;
        ck_assert_int_eq(usbprobe_adb_classify(&m), USBPROBE_ADB_ANSWER_OTHER);
}
END_TEST

START_TEST(test_cbw_csw) {
        const uint8_t cdb[6] = { 0x12, 0, 0, 0, 36, 0 };
        uint8_t cbw[31];
        const uint8_t csw[13] = { 'U', 'S', 'B', 'S', 0x78, 0x56, 0x34, 0x12, 4, 0, 0, 0, 1 };
        struct usbprobe_csw s = { .tag = 9 };

        ck_assert_int_eq(usbprobe_cbw_build(0x12345678, 36, true, 0, cdb, sizeof(cdb), cbw), 0);
        ck_assert_mem_eq(cbw, "USBC", 4);
        ck_assert_uint_eq(cbw[4], 0x78);
        ck_assert_uint_eq(cbw[8], 36);
        ck_assert_uint_eq(cbw[12], 0x80);
        ck_assert_uint_eq(cbw[14], 6);
        ck_assert_uint_eq(cbw[15], 0x12);
        ck_assert_int_eq(usbprobe_cbw_build(1, 0, false, 0, cdb, 0, cbw), -EINVAL);
        ck_assert_int_eq(usbprobe_cbw_build(1, 0, false, 0, cdb, 17, cbw), -EINVAL);
        ck_assert_int_eq(usbprobe_cbw_build(1, 0, false, 16, cdb, 6, cbw), -EINVAL);

        ck_assert_int_eq(usbprobe_csw_parse(csw, sizeof(csw), &s), 0);
        ck_assert_uint_eq(s.tag, 0x12345678);
        ck_assert_uint_eq(s.residue, 4);
        ck_assert_uint_eq(s.status, USBPROBE_CSW_FAILED);
        for (size_t n = 0; n < 13; n++)
                ck_assert_int_eq(usbprobe_csw_parse(csw, n, &s), -EBADMSG);
        {
                uint8_t x[14];
                memcpy(x, csw, 13);
                x[13] = 0;
                ck_assert_int_eq(usbprobe_csw_parse(x, 14, &s), -EBADMSG);   /* not exactly 13 */
                x[12] = 3;
                ck_assert_int_eq(usbprobe_csw_parse(x, 13, &s), -EBADMSG);   /* status */
                x[12] = 0, x[0] = 'u';
                ck_assert_int_eq(usbprobe_csw_parse(x, 13, &s), -EBADMSG);   /* signature */
        }
}
END_TEST

START_TEST(test_scsi_replies) {
        /* The Linux mass_storage gadget's INQUIRY answer. */
        const uint8_t inq[36] = { 0x00, 0x80, 0x02, 0x02, 31, 0, 0, 0,
                                  'L', 'i', 'n', 'u', 'x', ' ', ' ', ' ',
                                  'F', 'i', 'l', 'e', '-', 'S', 't', 'o', 'r', 'a', 'g', 'e', ' ', 'G', 'a', 'd',
                                  '0', '6', '0', '1' };
        const uint8_t cap[8] = { 0, 0, 0x07, 0xff, 0, 0, 0x02, 0 };
        const uint8_t ms_wp[4] = { 3, 0, 0x80, 0 }, ms_rw[4] = { 3, 0, 0x00, 0 }, ms_bad[4] = { 2, 0, 0, 0 };
        struct usbprobe_inquiry q;
        struct usbprobe_capacity c;
        struct usbprobe_mode_sense m;
        uint8_t odd[36];

        ck_assert_int_eq(usbprobe_inquiry_parse(inq, sizeof(inq), &q), 0);
        ck_assert_uint_eq(q.peripheral_type, 0);
        ck_assert(q.removable);
        ck_assert_str_eq(q.vendor, "Linux");
        ck_assert_str_eq(q.product, "File-Storage Gad");
        ck_assert_str_eq(q.revision, "0601");
        ck_assert_int_eq(usbprobe_inquiry_parse(inq, 35, &q), -EBADMSG);
        memcpy(odd, inq, sizeof(odd));
        odd[8] = 0x07, odd[9] = 0xff, odd[15] = 0;
        ck_assert_int_eq(usbprobe_inquiry_parse(odd, sizeof(odd), &q), 0);
        ck_assert_str_eq(q.vendor, "??nux");

        ck_assert_int_eq(usbprobe_read_capacity10_parse(cap, sizeof(cap), &c), 0);
        ck_assert_uint_eq(c.last_lba, 2047);
        ck_assert_uint_eq(c.block_length, 512);
        ck_assert_uint_eq(c.bytes, 1024 * 1024);
        ck_assert_int_eq(usbprobe_read_capacity10_parse(cap, 7, &c), -EBADMSG);
        {
                const uint8_t big[8] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
                ck_assert_int_eq(usbprobe_read_capacity10_parse(big, 8, &c), 0);
                ck_assert_uint_eq(c.bytes, (uint64_t) 0x100000000ULL * 0xffffffffULL);   /* no overflow */
        }

        ck_assert_int_eq(usbprobe_mode_sense6_parse(ms_wp, 4, &m), 0);
        ck_assert(m.write_protected);
        ck_assert_int_eq(usbprobe_mode_sense6_parse(ms_rw, 4, &m), 0);
        ck_assert(!m.write_protected);
        ck_assert_int_eq(usbprobe_mode_sense6_parse(ms_rw, 3, &m), -EBADMSG);
        ck_assert_int_eq(usbprobe_mode_sense6_parse(ms_bad, 4, &m), -EBADMSG);
}
END_TEST

START_TEST(test_dfu) {
        const uint8_t st[6] = { 0, 0x10, 0x27, 0x00, 2, 0 };   /* OK, 10000 ms, dfuIDLE */
        const uint8_t fd9[9] = { 9, 0x21, 0x0b, 0xff, 0x00, 0x00, 0x04, 0x10, 0x01 };
        const uint8_t fd7[7] = { 7, 0x21, 0x01, 0x64, 0x00, 0x40, 0x00 };
        struct usbprobe_dfu_status s;
        struct usbprobe_dfu_functional f;
        uint8_t bad[6];

        ck_assert_int_eq(usbprobe_dfu_status_parse(st, 6, &s), 0);
        ck_assert_uint_eq(s.poll_timeout_ms, 10000);
        ck_assert_str_eq(usbprobe_dfu_state_name(s.state), "dfuIDLE");
        ck_assert_int_eq(usbprobe_dfu_status_parse(st, 5, &s), -EBADMSG);
        memcpy(bad, st, 6);
        bad[4] = 11;
        ck_assert_int_eq(usbprobe_dfu_status_parse(bad, 6, &s), -EBADMSG);
        ck_assert_ptr_null(usbprobe_dfu_state_name(11));
        ck_assert_str_eq(usbprobe_dfu_state_name(0), "appIDLE");
        ck_assert_str_eq(usbprobe_dfu_state_name(10), "dfuERROR");

        ck_assert_int_eq(usbprobe_dfu_functional_parse(fd9, 9, &f), 0);
        ck_assert(f.attributes & USBPROBE_DFU_CAN_UPLOAD);
        ck_assert_uint_eq(f.detach_timeout_ms, 255);
        ck_assert_uint_eq(f.transfer_size, 1024);
        ck_assert_uint_eq(f.bcd_dfu, 0x0110);
        ck_assert_int_eq(usbprobe_dfu_functional_parse(fd7, 7, &f), 0);
        ck_assert(!(f.attributes & USBPROBE_DFU_CAN_UPLOAD));
        ck_assert_uint_eq(f.transfer_size, 64);
        ck_assert_uint_eq(f.bcd_dfu, 0);
        ck_assert_int_eq(usbprobe_dfu_functional_parse(fd9, 8, &f), -EBADMSG);   /* bLength past end */
        ck_assert_int_eq(usbprobe_dfu_functional_parse(fd7, 6, &f), -EBADMSG);
        ck_assert_int_eq(usbprobe_dfu_functional_parse(st, 6, &f), -EBADMSG);
}
END_TEST

/* HID 1.11 appendix B.1, the boot keyboard. */
static const uint8_t kbd[] = {
        0x05, 0x01, 0x09, 0x06, 0xa1, 0x01, 0x05, 0x07, 0x19, 0xe0, 0x29, 0xe7, 0x15, 0x00, 0x25, 0x01,
        0x75, 0x01, 0x95, 0x08, 0x81, 0x02, 0x95, 0x01, 0x75, 0x08, 0x81, 0x03, 0x95, 0x05, 0x75, 0x01,
        0x05, 0x08, 0x19, 0x01, 0x29, 0x05, 0x91, 0x02, 0x95, 0x01, 0x75, 0x03, 0x91, 0x03, 0x95, 0x06,
        0x75, 0x08, 0x15, 0x00, 0x25, 0x65, 0x05, 0x07, 0x19, 0x00, 0x29, 0x65, 0x81, 0x00, 0xc0,
};

START_TEST(test_hid_keyboard) {
        struct usbprobe_hid_summary s;

        ck_assert_int_eq(usbprobe_hid_summarize(kbd, sizeof(kbd), &s), 0);
        ck_assert(s.keyboard);
        ck_assert(!s.mouse);
        ck_assert(!s.vendor);
        ck_assert_uint_eq(s.n_application, 1);
        ck_assert_uint_eq(s.n_input, 3);
        ck_assert_uint_eq(s.n_output, 2);
        /* Every cut inside an item is refused; cuts between items decode. */
        for (size_t n = 0; n < sizeof(kbd); n++) {
                int r = usbprobe_hid_summarize(kbd, n, &s);
                ck_assert(r == 0 || r == -EBADMSG);
        }
        ck_assert_int_eq(usbprobe_hid_summarize(kbd, 1, &s), -EBADMSG);
        ck_assert_int_eq(usbprobe_hid_summarize(NULL, 0, &s), 0);
        ck_assert_uint_eq(s.n_items, 0);
}
END_TEST

START_TEST(test_hid_not_keyboard) {
        /* A mouse; a vendor page (CP2112 style); a keyboard collection whose
         * inputs are on another page; a stray End Collection. */
        const uint8_t mouse[] = { 0x05, 0x01, 0x09, 0x02, 0xa1, 0x01, 0x09, 0x01, 0xa1, 0x00, 0x05, 0x09,
                                  0x19, 0x01, 0x29, 0x03, 0x81, 0x02, 0xc0, 0xc0 };
        const uint8_t vendor[] = { 0x06, 0x00, 0xff, 0x09, 0x01, 0xa1, 0x01, 0x85, 0x01, 0x95, 0x01,
                                   0x09, 0x01, 0xb1, 0x02, 0x85, 0x02, 0x09, 0x01, 0xb1, 0x02, 0xc0 };
        const uint8_t fake[] = { 0x05, 0x01, 0x09, 0x06, 0xa1, 0x01, 0x05, 0x0c, 0x09, 0xe9, 0x81, 0x02, 0xc0 };
        const uint8_t stray[] = { 0x05, 0x01, 0xc0 };
        const uint8_t long_item[] = { 0xfe, 0x02, 0x10, 0xaa, 0xbb, 0x05, 0x01 };
        struct usbprobe_hid_summary s;

        ck_assert_int_eq(usbprobe_hid_summarize(mouse, sizeof(mouse), &s), 0);
        ck_assert(s.mouse && !s.keyboard);
        ck_assert_int_eq(usbprobe_hid_summarize(vendor, sizeof(vendor), &s), 0);
        ck_assert(s.vendor && !s.keyboard);
        ck_assert_uint_eq(s.n_report_ids, 2);
        ck_assert_uint_eq(s.n_feature, 2);
        ck_assert_int_eq(usbprobe_hid_summarize(fake, sizeof(fake), &s), 0);
        ck_assert(!s.keyboard);
        ck_assert_int_eq(usbprobe_hid_summarize(stray, sizeof(stray), &s), -EBADMSG);
        ck_assert_int_eq(usbprobe_hid_summarize(long_item, sizeof(long_item), &s), 0);
        ck_assert_uint_eq(s.n_items, 2);
        ck_assert_int_eq(usbprobe_hid_summarize(long_item, 4, &s), -EBADMSG);
        {
                uint8_t deep[2 * 40];
                for (size_t i = 0; i < 40; i++)
                        deep[2 * i] = 0xa1, deep[2 * i + 1] = 0x00;
                ck_assert_int_eq(usbprobe_hid_summarize(deep, sizeof(deep), &s), -EBADMSG);
        }
}
END_TEST

START_TEST(test_banner) {
        ck_assert_int_eq(usbprobe_banner_classify(NULL, 0), USBPROBE_BANNER_NONE);
        ck_assert_int_eq(usbprobe_banner_classify(STR("\r\n\r\n  ")), USBPROBE_BANNER_NONE);
        ck_assert_int_eq(usbprobe_banner_classify(STR("\r\n# ")), USBPROBE_BANNER_SHELL);
        ck_assert_int_eq(usbprobe_banner_classify(STR("\r\n$ ")), USBPROBE_BANNER_SHELL);
        ck_assert_int_eq(usbprobe_banner_classify(STR("root@OpenWrt:/# ")), USBPROBE_BANNER_SHELL);
        ck_assert_int_eq(usbprobe_banner_classify(STR("sh-5.1# ")), USBPROBE_BANNER_SHELL);
        ck_assert_int_eq(usbprobe_banner_classify(STR("\x1b[1;32mroot@dut\x1b[0m:~# ")), USBPROBE_BANNER_SHELL);
        ck_assert_int_eq(usbprobe_banner_classify(STR("Debian GNU/Linux 12 dut ttyGS0\r\n\r\ndut login: ")),
                         USBPROBE_BANNER_LOGIN);
        ck_assert_int_eq(usbprobe_banner_classify(STR("Password: ")), USBPROBE_BANNER_LOGIN);
        /* A prompt after the login banner: the console is open. */
        ck_assert_int_eq(usbprobe_banner_classify(STR("dut login: \r\n/ # ")), USBPROBE_BANNER_SHELL);
        ck_assert_int_eq(usbprobe_banner_classify(STR("U-Boot 2023.01\r\nHit any key")), USBPROBE_BANNER_OTHER);
        ck_assert_int_eq(usbprobe_banner_classify(STR("\0\0\0")), USBPROBE_BANNER_NONE);
        ck_assert_str_eq(usbprobe_banner_name(USBPROBE_BANNER_SHELL), "shell");
        ck_assert_ptr_null(usbprobe_banner_name(_USBPROBE_BANNER_MAX));
        {
                uint8_t big[4096];
                memset(big, 'x', sizeof(big));
                memcpy(big + sizeof(big) - 3, "\n# ", 3);
                ck_assert_int_eq(usbprobe_banner_classify(big, sizeof(big)), USBPROBE_BANNER_SHELL);
                memset(big, 'x', sizeof(big));
                memcpy(big + sizeof(big) - 8, " login: ", 8);   /* one long line */
                ck_assert_int_eq(usbprobe_banner_classify(big, sizeof(big)), USBPROBE_BANNER_LOGIN);
        }
}
END_TEST

int main(void) {
        Suite *s = suite_create("usbprobe");
        TCase *tc = tcase_create("decoders");
        SRunner *sr;
        int failed;

        tcase_add_test(tc, test_adb_roundtrip);
        tcase_add_test(tc, test_adb_auth);
        tcase_add_test(tc, test_cbw_csw);
        tcase_add_test(tc, test_scsi_replies);
        tcase_add_test(tc, test_dfu);
        tcase_add_test(tc, test_hid_keyboard);
        tcase_add_test(tc, test_hid_not_keyboard);
        tcase_add_test(tc, test_banner);
        suite_add_tcase(s, tc);
        sr = srunner_create(s);
        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed ? 1 : 0;
}
