/* SPDX-License-Identifier: MIT */
#include "usb-desc.h"

#include <errno.h>
#include <stdbool.h>

static uint16_t le16(const uint8_t *p) {
        return (uint16_t) (p[0] | (p[1] << 8));
}

/* The pending interface is reported when its block ends, so its endpoint
 * count is known and can be checked against bNumEndpoints. */
static int interface_flush(struct usb_desc_interface *cur, bool *have, const struct usb_desc_visitor *v,
                           void *userdata) {
        if (!*have)
                return 0;
        *have = false;
        if (cur->endpoints_seen != cur->num_endpoints)
                return -EBADMSG;
        return v->interface ? v->interface(cur, userdata) : 0;
}

int usb_desc_config_walk(const uint8_t *buf, size_t len, const struct usb_desc_visitor *v,
                         void *userdata) {
        struct usb_desc_interface cur = { 0 };
        bool have = false;
        size_t end, off;
        int r;

        if ((!buf && len > 0) || !v)
                return -EINVAL;
        if (len < 9 || buf[0] < 9 || buf[1] != USB_DESC_TYPE_CONFIG)
                return -EBADMSG;

        struct usb_desc_config c = {
                .total_length = le16(buf + 2),
                .num_interfaces = buf[4],
                .value = buf[5],
                .attributes = buf[7],
                .max_power = buf[8],
        };
        if (c.total_length < buf[0] || c.total_length > len)
                return -EBADMSG;
        end = c.total_length;
        if (v->config) {
                r = v->config(&c, userdata);
                if (r < 0)
                        return r;
        }

        /* Invariant: off <= end <= len; a descriptor is used only once
         * off + bLength <= end is known. */
        for (off = buf[0]; off < end;) {
                const uint8_t *d = buf + off;
                size_t dlen;

                if (end - off < 2)
                        return -EBADMSG;
                dlen = d[0];
                if (dlen < 2 || dlen > end - off)
                        return -EBADMSG;

                switch (d[1]) {
                case USB_DESC_TYPE_IAD: {
                        if (dlen < 8)
                                return -EBADMSG;
                        r = interface_flush(&cur, &have, v, userdata);
                        if (r < 0)
                                return r;
                        struct usb_desc_iad iad = {
                                .first_interface = d[2],
                                .interface_count = d[3],
                                .class = d[4],
                                .subclass = d[5],
                                .protocol = d[6],
                                .function_string = d[7],
                        };
                        if (v->iad) {
                                r = v->iad(&iad, userdata);
                                if (r < 0)
                                        return r;
                        }
                        break;
                }
                case USB_DESC_TYPE_INTERFACE:
                        if (dlen < 9)
                                return -EBADMSG;
                        r = interface_flush(&cur, &have, v, userdata);
                        if (r < 0)
                                return r;
                        cur = (struct usb_desc_interface) {
                                .number = d[2],
                                .alt = d[3],
                                .num_endpoints = d[4],
                                .class = d[5],
                                .subclass = d[6],
                                .protocol = d[7],
                                .interface_string = d[8],
                        };
                        have = true;
                        break;
                case USB_DESC_TYPE_ENDPOINT: {
                        if (dlen < 7 || !have)
                                return -EBADMSG;
                        struct usb_desc_endpoint e = {
                                .address = d[2],
                                .attributes = d[3],
                                .max_packet_size = le16(d + 4),
                                .interval = d[6],
                        };
                        cur.endpoints_seen++;
                        if (v->endpoint) {
                                r = v->endpoint(&cur, &e, userdata);
                                if (r < 0)
                                        return r;
                        }
                        break;
                }
                default:
                        if (v->other) {
                                r = v->other(d[1], d, dlen, userdata);
                                if (r < 0)
                                        return r;
                        }
                        break;
                }
                off += dlen;
        }
        return interface_flush(&cur, &have, v, userdata);
}
