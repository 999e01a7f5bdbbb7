/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* DFU probe: does the device hand out its firmware (DFU_UPLOAD)? Read-only:
 * no DNLOAD, no DETACH; an ABORT returns a device we moved to dfuIDLE. */
#include <errno.h>
#include <libusb.h>
#include <string.h>

#include "common/macros.h"
#include "probe.h"

#define UPLOAD_MAX 4096u
#define UPLOAD_DEFAULT 1024u
#define DFU_IN (LIBUSB_ENDPOINT_IN | LIBUSB_REQUEST_TYPE_CLASS | LIBUSB_RECIPIENT_INTERFACE)
#define DFU_OUT (LIBUSB_ENDPOINT_OUT | LIBUSB_REQUEST_TYPE_CLASS | LIBUSB_RECIPIENT_INTERFACE)

struct claim {
        struct libusb_device_handle *h;
        int ifnum;
};

static void claim_release(struct claim *c) {
        if (c->h && c->ifnum >= 0)
                (void) libusb_release_interface(c->h, c->ifnum);
}

/* The functional descriptor among the interface's extra bytes, and the
 * interface protocol (1 runtime, 2 DFU mode). */
static int dfu_functional(struct libusb_device_handle *h, uint8_t ifnum, struct usbprobe_dfu_functional *ret,
                          uint8_t *ret_protocol) {
        struct libusb_config_descriptor *cfg = NULL;
        int r = -ENOENT;

        if (libusb_get_active_config_descriptor(libusb_get_device(h), &cfg) < 0)
                return -EIO;
        for (int i = 0; i < cfg->bNumInterfaces; i++) {
                const struct libusb_interface_descriptor *a;

                if (cfg->interface[i].num_altsetting < 1)
                        continue;
                a = &cfg->interface[i].altsetting[0];
                if (a->bInterfaceNumber != ifnum)
                        continue;
                *ret_protocol = a->bInterfaceProtocol;
                for (int off = 0; off + 2 <= a->extra_length;) {
                        uint8_t l = a->extra[off];

                        if (l < 2 || l > a->extra_length - off)
                                break;
                        if (a->extra[off + 1] == USBPROBE_DFU_FUNCTIONAL_TYPE &&
                            usbprobe_dfu_functional_parse(a->extra + off, l, ret) == 0) {
                                r = 0;
                                break;
                        }
                        off += l;
                }
        }
        libusb_free_config_descriptor(cfg);
        return r;
}

int usbprobe_dfu(struct libusb_device_handle *h, uint8_t ifnum, usec_t deadline,
                 struct usbprobe_report **ret) {
        _cleanup_(usbprobe_report_freep) struct usbprobe_report *rep = NULL;
        _cleanup_(claim_release) struct claim cl = { .h = h, .ifnum = -1 };
        struct usbprobe_dfu_functional fd = {};
        struct usbprobe_dfu_status st;
        uint8_t buf[UPLOAD_MAX], protocol = 0;
        unsigned ms;
        uint16_t want = UPLOAD_DEFAULT;
        bool have_fd;
        int r;

        if (!h || !ret || deadline == USEC_INFINITY)
                return -EINVAL;
        rep = usbprobe_report_new(USBDESC_FN_DFU, ifnum);
        if (!rep)
                return -ENOMEM;
        have_fd = dfu_functional(h, ifnum, &fd, &protocol) == 0;
        if (protocol == 1)
                rep->kind = USBDESC_FN_DFU_RUNTIME;
        if (have_fd) {
                if (usbprobe_report_detail(rep, "can_upload=%s",
                                           fd.attributes & USBPROBE_DFU_CAN_UPLOAD ? "yes" : "no") < 0 ||
                    usbprobe_report_detail(rep, "transfer_size=%u", fd.transfer_size) < 0)
                        return -ENOMEM;
                if (fd.transfer_size > 0)
                        want = fd.transfer_size < UPLOAD_MAX ? fd.transfer_size : UPLOAD_MAX;
        }

        (void) libusb_set_auto_detach_kernel_driver(h, 1);
        r = libusb_claim_interface(h, ifnum);
        if (r < 0)
                return usbprobe_errno(r);
        cl.ifnum = ifnum;
        ms = usbprobe_timeout_ms(deadline, 1000);
        if (ms == 0)
                return -ETIMEDOUT;
        r = libusb_control_transfer(h, DFU_IN, USBPROBE_DFU_GETSTATUS, 0, ifnum, buf, 6, ms);
        if (r >= 0) {
                (void) usbprobe_report_raw(rep, buf, (size_t) r);
                if (usbprobe_dfu_status_parse(buf, (size_t) r, &st) == 0) {
                        if (usbprobe_report_detail(rep, "status=%u", st.status) < 0 ||
                            usbprobe_report_detail(rep, "state=%s", usbprobe_dfu_state_name(st.state)) < 0)
                                return -ENOMEM;
                } else if (usbprobe_report_detail(rep, "getstatus=malformed (%d bytes)", r) < 0)
                        return -ENOMEM;
        } else if (usbprobe_report_detail(rep, "getstatus=%s", libusb_error_name(r)) < 0)
                return -ENOMEM;

        ms = usbprobe_timeout_ms(deadline, 5000);
        if (ms == 0)
                return -ETIMEDOUT;
        r = libusb_control_transfer(h, DFU_IN, USBPROBE_DFU_UPLOAD, 0, ifnum, buf, want, ms);
        if (r > 0) {
                (void) usbprobe_report_raw(rep, buf, (size_t) r);
                if (usbprobe_report_detail(rep, "upload_bytes=%d", r) < 0)
                        return -ENOMEM;
                /* Leave it as we found it: dfuUPLOAD-IDLE → dfuIDLE. */
                ms = usbprobe_timeout_ms(deadline, 1000);
                if (ms > 0)
                        (void) libusb_control_transfer(h, DFU_OUT, USBPROBE_DFU_ABORT, 0, ifnum, NULL, 0, ms);
                r = usbprobe_report_verdict(rep, USBPROBE_FAIL,
                                            "DFU UPLOAD returned %d bytes: firmware readout is allowed", r);
        } else if (r == 0)
                r = usbprobe_report_verdict(rep, USBPROBE_PASS, "DFU UPLOAD returned no data");
        else if (r == LIBUSB_ERROR_PIPE)
                r = usbprobe_report_verdict(rep, USBPROBE_PASS, "DFU UPLOAD was refused (stall)");
        else if (r == LIBUSB_ERROR_NO_DEVICE)
                return -ENODEV;
        else
                r = usbprobe_report_verdict(rep, USBPROBE_ERROR, "DFU UPLOAD failed: %s",
                                            strerror(-usbprobe_errno(r)));
        if (r < 0)
                return r;
        *ret = TAKE_PTR(rep);
        return 0;
}
