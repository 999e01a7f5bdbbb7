/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: the D-7 probe decoders (drivers/usb/decode-*.c), i.e. every
 * byte a DUT sends back to a probe. The first byte picks the decoder; the
 * rest is the input. Invariants, not only crashes: a decoder that fails
 * leaves its out-parameter alone; decoded values stay in their ranges. */

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "drivers/usb/probe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x) do { if (!(x)) __builtin_trap(); } while (0)

static void untouched(const void *p, size_t n) {
        const uint8_t *b = p;

        for (size_t i = 0; i < n; i++)
                CHECK(b[i] == 0xa5);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const uint8_t *p = data + 1;
        size_t n;
        int r;

        if (size < 1)
                return 0;
        n = size - 1;
        switch (data[0] % 8) {
        case 0: {
                struct usbprobe_adb_msg m;
                uint8_t again[USBPROBE_ADB_HEADER_SIZE];

                memset(&m, 0xa5, sizeof(m));
                r = usbprobe_adb_header_parse(p, n, &m);
                CHECK(r == 0 || r == -EBADMSG);
                if (r < 0) {
                        untouched(&m, sizeof(m));
                        break;
                }
                CHECK(n >= USBPROBE_ADB_HEADER_SIZE && m.magic == (m.command ^ 0xffffffffu));
                CHECK(usbprobe_adb_classify(&m) < _USBPROBE_ADB_ANSWER_MAX);
                /* Rebuilding the header from its fields gives the same first 16 bytes. */
                usbprobe_adb_header_build(m.command, m.arg0, m.arg1, NULL, m.data_length, again);
                CHECK(memcmp(again, p, 16) == 0);
                break;
        }
        case 1: {
                struct usbprobe_csw c;

                memset(&c, 0xa5, sizeof(c));
                r = usbprobe_csw_parse(p, n, &c);
                CHECK(r == 0 || r == -EBADMSG);
                if (r < 0)
                        untouched(&c, sizeof(c));
                else
                        CHECK(n == USBPROBE_CSW_SIZE && c.status <= 2);
                break;
        }
        case 2: {
                struct usbprobe_inquiry q;

                memset(&q, 0xa5, sizeof(q));
                r = usbprobe_inquiry_parse(p, n, &q);
                CHECK(r == 0 || r == -EBADMSG);
                if (r < 0)
                        untouched(&q, sizeof(q));
                else {
                        CHECK(strlen(q.vendor) <= 8 && strlen(q.product) <= 16 && strlen(q.revision) <= 4);
                        for (const char *s = q.product; *s; s++)
                                CHECK(*s >= 0x20 && *s < 0x7f);
                }
                break;
        }
        case 3: {
                struct usbprobe_capacity c;
                struct usbprobe_mode_sense m;

                memset(&c, 0xa5, sizeof(c));
                if (usbprobe_read_capacity10_parse(p, n, &c) == 0)
                        CHECK(c.bytes == ((uint64_t) c.last_lba + 1) * c.block_length);
                else
                        untouched(&c, sizeof(c));
                memset(&m, 0xa5, sizeof(m));
                if (usbprobe_mode_sense6_parse(p, n, &m) < 0)
                        untouched(&m, sizeof(m));
                break;
        }
        case 4: {
                struct usbprobe_dfu_status s;
                struct usbprobe_dfu_functional f;

                memset(&s, 0xa5, sizeof(s));
                if (usbprobe_dfu_status_parse(p, n, &s) == 0)
                        CHECK(usbprobe_dfu_state_name(s.state) && s.poll_timeout_ms < (1u << 24));
                else
                        untouched(&s, sizeof(s));
                memset(&f, 0xa5, sizeof(f));
                if (usbprobe_dfu_functional_parse(p, n, &f) < 0)
                        untouched(&f, sizeof(f));
                break;
        }
        case 5:
        case 6: {
                struct usbprobe_hid_summary s;

                memset(&s, 0xa5, sizeof(s));
                r = usbprobe_hid_summarize(p, n, &s);
                CHECK(r == 0 || r == -EBADMSG);
                if (r < 0)
                        untouched(&s, sizeof(s));
                else
                        CHECK(s.n_items <= n && s.n_report_ids <= 256 &&
                              s.n_input + s.n_output + s.n_feature <= s.n_items);
                break;
        }
        case 7:
                CHECK(usbprobe_banner_name(usbprobe_banner_classify(p, n)));
                break;
        }
        return 0;
}
