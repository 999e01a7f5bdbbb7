/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ADB probe: send CNXN as the adb host does and see whether the device
 * connects at once (no authentication) or demands AUTH. */
#include <errno.h>
#include <libusb.h>
#include <string.h>

#include "common/macros.h"
#include "probe.h"

#define ADB_BANNER "host::certbench"
#define ADB_PAYLOAD_MAX 4096

/* The interface is released (and the kernel driver reattached) on every path. */
struct claim {
        struct libusb_device_handle *h;
        int ifnum;
};

static void claim_release(struct claim *c) {
        if (c->h && c->ifnum >= 0)
                (void) libusb_release_interface(c->h, c->ifnum);
}

static int bulk(struct libusb_device_handle *h, uint8_t ep, uint8_t *buf, int len, usec_t deadline,
                int *ret_done) {
        unsigned ms = usbprobe_timeout_ms(deadline, 5000);
        int r;

        if (ms == 0)
                return -ETIMEDOUT;
        r = libusb_bulk_transfer(h, ep, buf, len, ret_done, ms);
        return r < 0 ? usbprobe_errno(r) : 0;
}

int usbprobe_adb(struct libusb_device_handle *h, uint8_t ifnum, usec_t deadline,
                 struct usbprobe_report **ret) {
        _cleanup_(usbprobe_report_freep) struct usbprobe_report *rep = NULL;
        _cleanup_(claim_release) struct claim cl = { .h = h, .ifnum = -1 };
        const uint8_t payload[] = ADB_BANNER;
        uint8_t hdr[USBPROBE_ADB_HEADER_SIZE], in_buf[512], data[ADB_PAYLOAD_MAX];
        struct usbprobe_adb_msg m;
        uint8_t ep_in, ep_out;
        uint16_t mps;
        int r, done = 0;

        if (!h || !ret || deadline == USEC_INFINITY)
                return -EINVAL;
        rep = usbprobe_report_new(USBDESC_FN_ADB, ifnum);
        if (!rep)
                return -ENOMEM;
        r = usbprobe_bulk_endpoints(h, ifnum, &ep_in, &ep_out, &mps);
        if (r < 0)
                return r;
        (void) libusb_set_auto_detach_kernel_driver(h, 1);
        r = libusb_claim_interface(h, ifnum);
        if (r < 0)
                return usbprobe_errno(r);
        cl.ifnum = ifnum;

        usbprobe_adb_header_build(USBPROBE_ADB_CNXN, USBPROBE_ADB_VERSION, USBPROBE_ADB_MAXDATA, payload,
                                  sizeof(payload), hdr);
        r = bulk(h, ep_out, hdr, sizeof(hdr), deadline, &done);
        if (r >= 0)
                r = bulk(h, ep_out, (uint8_t *) payload, sizeof(payload), deadline, &done);
        if (r < 0) {
                if (usbprobe_report_verdict(rep, USBPROBE_ERROR, "sending ADB CNXN failed: %s",
                                            strerror(-r)) < 0)
                        return -ENOMEM;
                *ret = TAKE_PTR(rep);
                return 0;
        }
        /* A whole packet's room: the header arrives as one short transfer. */
        r = bulk(h, ep_in, in_buf, sizeof(in_buf), deadline, &done);
        if (r >= 0 && usbprobe_report_raw(rep, in_buf, (size_t) done) < 0)
                return -ENOMEM;
        if (r == -ETIMEDOUT) {
                if (usbprobe_report_verdict(rep, USBPROBE_PASS,
                                            "no answer to ADB CNXN before the deadline (not an open adbd)") < 0)
                        return -ENOMEM;
                *ret = TAKE_PTR(rep);
                return 0;
        }
        if (r < 0) {
                if (usbprobe_report_verdict(rep, USBPROBE_ERROR, "reading the ADB answer failed: %s",
                                            strerror(-r)) < 0)
                        return -ENOMEM;
                *ret = TAKE_PTR(rep);
                return 0;
        }
        if (usbprobe_adb_header_parse(in_buf, (size_t) done, &m) < 0) {
                if (usbprobe_report_verdict(rep, USBPROBE_PASS,
                                            "the answer to ADB CNXN is not an ADB message (%d bytes)", done) < 0)
                        return -ENOMEM;
                *ret = TAKE_PTR(rep);
                return 0;
        }
        if (m.data_length > 0 && (size_t) done == USBPROBE_ADB_HEADER_SIZE) {
                int got = 0;
                size_t want = m.data_length < sizeof(data) ? m.data_length : sizeof(data);

                if (bulk(h, ep_in, data, (int) want, deadline, &got) >= 0 &&
                    usbprobe_report_raw(rep, data, (size_t) got) < 0)
                        return -ENOMEM;
        }
        if (usbprobe_report_detail(rep, "command=%.4s", (const char *) in_buf) < 0 ||
            usbprobe_report_detail(rep, "arg0=0x%08x", m.arg0) < 0 ||
            usbprobe_report_detail(rep, "arg1=0x%08x", m.arg1) < 0 ||
            usbprobe_report_detail(rep, "data_length=%u", m.data_length) < 0)
                return -ENOMEM;
        switch (usbprobe_adb_classify(&m)) {
        case USBPROBE_ADB_ANSWER_CONNECTED:
                r = usbprobe_report_verdict(rep, USBPROBE_FAIL,
                                            "adb answered CNXN with CNXN: open without authentication");
                break;
        case USBPROBE_ADB_ANSWER_AUTH:
                r = usbprobe_report_verdict(rep, USBPROBE_PASS, "adb requires authentication (AUTH TOKEN)");
                break;
        case USBPROBE_ADB_ANSWER_OTHER:
                r = usbprobe_report_verdict(rep, USBPROBE_PASS,
                                            "adb answered CNXN with %.4s, not a connection", (const char *) in_buf);
                break;
        case _USBPROBE_ADB_ANSWER_MAX:
                r = -EINVAL;
                break;
        }
        if (r < 0)
                return r;
        *ret = TAKE_PTR(rep);
        return 0;
}
