/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* HID report descriptor summary (pure; see probe.h). Only what D-7 asks:
 * could this interface type keystrokes into the host it is plugged in to. */
#include <errno.h>
#include <string.h>

#include "probe.h"

#define HID_DEPTH_MAX 32
#define HID_STACK_MAX 8

enum { ITEM_MAIN = 0, ITEM_GLOBAL = 1, ITEM_LOCAL = 2 };
enum { MAIN_INPUT = 0x8, MAIN_OUTPUT = 0x9, MAIN_COLLECTION = 0xa, MAIN_FEATURE = 0xb, MAIN_END = 0xc };
enum { GLOBAL_USAGE_PAGE = 0x0, GLOBAL_REPORT_ID = 0x8, GLOBAL_PUSH = 0xa, GLOBAL_POP = 0xb };
enum { LOCAL_USAGE = 0x0 };

#define PAGE_GENERIC_DESKTOP 0x01
#define PAGE_KEYBOARD 0x07
#define PAGE_CONSUMER 0x0c

int usbprobe_hid_summarize(const uint8_t *buf, size_t len, struct usbprobe_hid_summary *ret) {
        struct usbprobe_hid_summary s = {};
        uint32_t page = 0, stack[HID_STACK_MAX];
        uint32_t usage = 0;           /* last local usage, page in the high 16 bits */
        bool have_usage = false;
        bool kbd_app[HID_DEPTH_MAX] = {};   /* collection at depth i sits in a keyboard app */
        uint8_t ids[32] = {};
        size_t depth = 0, sp = 0, i = 0;

        if (!buf && len > 0)
                return -EINVAL;
        if (!ret)
                return -EINVAL;
        while (i < len) {
                uint8_t prefix = buf[i];
                uint32_t v = 0;
                size_t size;
                unsigned type, tag;

                if (prefix == 0xfe) {   /* long item: no defined meaning, skip it */
                        if (len - i < 3 || len - i - 3 < buf[i + 1])
                                return -EBADMSG;
                        i += 3 + (size_t) buf[i + 1];
                        s.n_items++;
                        continue;
                }
                size = prefix & 3;
                if (size == 3)
                        size = 4;
                if (len - i - 1 < size)
                        return -EBADMSG;
                for (size_t k = 0; k < size; k++)
                        v |= (uint32_t) buf[i + 1 + k] << (8 * k);
                type = (prefix >> 2) & 3;
                tag = prefix >> 4;
                i += 1 + size;
                s.n_items++;

                switch (type) {
                case ITEM_MAIN: {
                        bool in_kbd = depth > 0 && kbd_app[depth - 1];

                        switch (tag) {
                        case MAIN_INPUT:
                                s.n_input++;
                                if (in_kbd && page == PAGE_KEYBOARD)
                                        s.keyboard = true;
                                break;
                        case MAIN_OUTPUT:
                                s.n_output++;
                                break;
                        case MAIN_FEATURE:
                                s.n_feature++;
                                break;
                        case MAIN_COLLECTION: {
                                uint32_t up = have_usage ? (usage >> 16 ? usage >> 16 : page) : page;
                                uint32_t u = usage & 0xffff;
                                bool app = (v & 0xff) == 0x01;

                                if (depth >= HID_DEPTH_MAX)
                                        return -EBADMSG;
                                if (app && depth == 0)
                                        s.n_application++;
                                if (app && have_usage && up == PAGE_GENERIC_DESKTOP && (u == 0x06 || u == 0x07)) {
                                        kbd_app[depth] = true;
                                } else
                                        kbd_app[depth] = in_kbd;
                                if (app && have_usage && up == PAGE_GENERIC_DESKTOP && (u == 0x01 || u == 0x02))
                                        s.mouse = true;
                                if (app && have_usage && up == PAGE_CONSUMER && u == 0x01)
                                        s.consumer = true;
                                depth++;
                                break;
                        }
                        case MAIN_END:
                                if (depth == 0)
                                        return -EBADMSG;
                                depth--;
                                break;
                        default:
                                break;
                        }
                        have_usage = false;   /* locals end with each main item */
                        usage = 0;
                        break;
                }
                case ITEM_GLOBAL:
                        switch (tag) {
                        case GLOBAL_USAGE_PAGE:
                                page = v & 0xffff;
                                if (page >= 0xff00)
                                        s.vendor = true;
                                break;
                        case GLOBAL_REPORT_ID:
                                if (v <= 0xff && !(ids[v / 8] & (1u << (v % 8)))) {
                                        ids[v / 8] |= (uint8_t) (1u << (v % 8));
                                        s.n_report_ids++;
                                }
                                break;
                        case GLOBAL_PUSH:
                                if (sp < HID_STACK_MAX)
                                        stack[sp++] = page;
                                break;
                        case GLOBAL_POP:
                                if (sp > 0)
                                        page = stack[--sp];
                                break;
                        default:
                                break;
                        }
                        break;
                case ITEM_LOCAL:
                        if (tag == LOCAL_USAGE && !have_usage) {
                                /* The first usage names the collection. */
                                usage = size == 4 ? v : (v & 0xffff);
                                have_usage = true;
                        }
                        if (size == 4 && (v >> 16) >= 0xff00)
                                s.vendor = true;
                        break;
                default:
                        break;
                }
        }
        *ret = s;
        return 0;
}
