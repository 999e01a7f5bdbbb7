/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Mass-storage probe: SCSI over Bulk-Only Transport from userspace, read
 * only (the bench never writes to a DUT's store; writability is what MODE
 * SENSE's write-protect bit says). */
#include <errno.h>
#include <libusb.h>
#include <stdio.h>
#include <string.h>

#include "common/macros.h"
#include "probe.h"

#define READ_MAX 4096u
#define BOT_RESET 0xff

struct bot {
        struct libusb_device_handle *h;
        uint8_t ifnum, in, out;
        uint32_t tag;
        usec_t deadline;
        struct usbprobe_report *rep;
        int claimed;
};

static void bot_release(struct bot *b) {
        if (b->claimed)
                (void) libusb_release_interface(b->h, b->ifnum);
}

static int xfer(struct bot *b, uint8_t ep, uint8_t *buf, size_t len, int *ret_done) {
        unsigned ms = usbprobe_timeout_ms(b->deadline, 5000);
        int r;

        *ret_done = 0;
        if (ms == 0)
                return -ETIMEDOUT;
        r = libusb_bulk_transfer(b->h, ep, buf, (int) len, ret_done, ms);
        return r < 0 ? usbprobe_errno(r) : 0;
}

/* BOT 5.3.4 reset recovery: after a phase error or a bad CSW. */
static void bot_reset(struct bot *b) {
        unsigned ms = usbprobe_timeout_ms(b->deadline, 1000);

        if (ms == 0)
                return;
        (void) libusb_control_transfer(b->h, LIBUSB_REQUEST_TYPE_CLASS | LIBUSB_RECIPIENT_INTERFACE, BOT_RESET,
                                       0, b->ifnum, NULL, 0, ms);
        (void) libusb_clear_halt(b->h, b->in);
        (void) libusb_clear_halt(b->h, b->out);
}

/* One command, data phase IN (or none). Returns the CSW status (0..2) with
 * *ret_got bytes of data, or -errno for a transport failure. */
static int bot_command(struct bot *b, const uint8_t *cdb, size_t cdb_len, uint8_t *data, size_t len,
                       size_t *ret_got) {
        uint8_t cbw[USBPROBE_CBW_SIZE], cswb[USBPROBE_CSW_SIZE + 1];
        struct usbprobe_csw csw;
        int r, done = 0;

        *ret_got = 0;
        b->tag++;
        r = usbprobe_cbw_build(b->tag, (uint32_t) len, true, 0, cdb, cdb_len, cbw);
        if (r < 0)
                return r;
        r = xfer(b, b->out, cbw, sizeof(cbw), &done);
        if (r < 0)
                return r;
        if (len > 0) {
                r = xfer(b, b->in, data, len, &done);
                if (r == -EPIPE)
                        (void) libusb_clear_halt(b->h, b->in);   /* BOT 6.7.2: CSW follows */
                else if (r < 0)
                        return r;
                else {
                        *ret_got = (size_t) done;
                        (void) usbprobe_report_raw(b->rep, data, (size_t) done);
                }
        }
        r = xfer(b, b->in, cswb, sizeof(cswb), &done);
        if (r == -EPIPE) {
                (void) libusb_clear_halt(b->h, b->in);
                r = xfer(b, b->in, cswb, sizeof(cswb), &done);
        }
        if (r < 0)
                return r;
        (void) usbprobe_report_raw(b->rep, cswb, (size_t) done);
        if (usbprobe_csw_parse(cswb, (size_t) done, &csw) < 0 || csw.tag != b->tag ||
            csw.status == USBPROBE_CSW_PHASE_ERROR) {
                bot_reset(b);
                return -EPROTO;
        }
        return csw.status;
}

int usbprobe_msc(struct libusb_device_handle *h, uint8_t ifnum, bool declared, usec_t deadline,
                 struct usbprobe_report **ret) {
        _cleanup_(usbprobe_report_freep) struct usbprobe_report *rep = NULL;
        _cleanup_(bot_release) struct bot b = { .h = h, .ifnum = ifnum, .deadline = deadline, .tag = 0x4342 };
        static const uint8_t tur[6] = { 0x00 }, sense[6] = { 0x03, 0, 0, 0, 18, 0 },
                             inquiry[6] = { 0x12, 0, 0, 0, 36, 0 },
                             capacity[10] = { 0x25 }, mode_sense[6] = { 0x1a, 0, 0x3f, 0, 0xc0, 0 };
        uint8_t buf[READ_MAX];
        struct usbprobe_inquiry q;
        struct usbprobe_capacity cap = {};
        struct usbprobe_mode_sense ms = {};
        bool have_cap = false, have_ms = false, readable = false;
        size_t got;
        int r;

        if (!h || !ret || deadline == USEC_INFINITY)
                return -EINVAL;
        rep = usbprobe_report_new(USBDESC_FN_MASS_STORAGE, ifnum);
        if (!rep)
                return -ENOMEM;
        b.rep = rep;
        r = usbprobe_bulk_endpoints(h, ifnum, &b.in, &b.out, NULL);
        if (r < 0)
                return r;
        (void) libusb_set_auto_detach_kernel_driver(h, 1);
        r = libusb_claim_interface(h, ifnum);
        if (r < 0)
                return usbprobe_errno(r);
        b.claimed = 1;

        /* A pending UNIT ATTENTION (after a reset or a media change) fails
         * the first command: TEST UNIT READY, REQUEST SENSE, once more. */
        for (int i = 0; i < 2; i++) {
                r = bot_command(&b, tur, sizeof(tur), NULL, 0, &got);
                if (r != USBPROBE_CSW_FAILED)
                        break;
                r = bot_command(&b, sense, sizeof(sense), buf, 18, &got);
                if (r < 0)
                        break;
        }
        if (r < 0)
                goto transport;

        r = bot_command(&b, inquiry, sizeof(inquiry), buf, 36, &got);
        if (r < 0)
                goto transport;
        if (r == USBPROBE_CSW_PASSED && usbprobe_inquiry_parse(buf, got, &q) == 0) {
                if (usbprobe_report_detail(rep, "inquiry_vendor=%s", q.vendor) < 0 ||
                    usbprobe_report_detail(rep, "inquiry_product=%s", q.product) < 0 ||
                    usbprobe_report_detail(rep, "inquiry_revision=%s", q.revision) < 0 ||
                    usbprobe_report_detail(rep, "peripheral_type=%u", q.peripheral_type) < 0 ||
                    usbprobe_report_detail(rep, "removable=%s", q.removable ? "yes" : "no") < 0)
                        return -ENOMEM;
        }
        r = bot_command(&b, capacity, sizeof(capacity), buf, 8, &got);
        if (r < 0)
                goto transport;
        if (r == USBPROBE_CSW_PASSED && usbprobe_read_capacity10_parse(buf, got, &cap) == 0) {
                have_cap = true;
                if (usbprobe_report_detail(rep, "capacity_bytes=%llu", (unsigned long long) cap.bytes) < 0 ||
                    usbprobe_report_detail(rep, "block_length=%u", cap.block_length) < 0)
                        return -ENOMEM;
        }
        r = bot_command(&b, mode_sense, sizeof(mode_sense), buf, 0xc0, &got);
        if (r < 0)
                goto transport;
        if (r == USBPROBE_CSW_PASSED && usbprobe_mode_sense6_parse(buf, got, &ms) == 0) {
                have_ms = true;
                if (usbprobe_report_detail(rep, "write_protected=%s", ms.write_protected ? "yes" : "no") < 0)
                        return -ENOMEM;
        }
        if (have_cap && cap.block_length > 0 && cap.block_length <= READ_MAX) {
                const uint8_t read10[10] = { 0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0 };

                r = bot_command(&b, read10, sizeof(read10), buf, cap.block_length, &got);
                if (r < 0)
                        goto transport;
                readable = r == USBPROBE_CSW_PASSED && got == cap.block_length;
                if (usbprobe_report_detail(rep, "block0_readable=%s", readable ? "yes" : "no") < 0)
                        return -ENOMEM;
        }

        if (readable && !declared)
                r = usbprobe_report_verdict(rep, USBPROBE_FAIL,
                                            "undeclared mass storage is readable (%llu bytes, %s)",
                                            (unsigned long long) cap.bytes,
                                            !have_ms ? "write protection unknown"
                                            : ms.write_protected ? "write-protected" : "writable");
        else if (readable)
                r = usbprobe_report_verdict(rep, USBPROBE_PASS, "declared mass storage, %llu bytes, %s",
                                            (unsigned long long) cap.bytes,
                                            !have_ms ? "write protection unknown"
                                            : ms.write_protected ? "write-protected" : "writable");
        else
                r = usbprobe_report_verdict(rep, USBPROBE_PASS, "mass storage does not give its first block");
        if (r < 0)
                return r;
        *ret = TAKE_PTR(rep);
        return 0;

transport:
        if (r == -ENOMEM)
                return r;
        if (usbprobe_report_verdict(rep, USBPROBE_ERROR, "bulk-only transport failed: %s", strerror(-r)) < 0)
                return -ENOMEM;
        *ret = TAKE_PTR(rep);
        return 0;
}
