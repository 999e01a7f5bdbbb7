/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* HID probe: fetch the report descriptor and say whether the interface can
 * type (keystroke injection). Informational: no verdict of its own. */
#include <errno.h>
#include <libusb.h>

#include "common/macros.h"
#include "probe.h"

#define RDESC_MAX 4096

int usbprobe_hid(struct libusb_device_handle *h, uint8_t ifnum, usec_t deadline,
                 struct usbprobe_report **ret) {
        _cleanup_(usbprobe_report_freep) struct usbprobe_report *rep = NULL;
        _cleanup_free_ uint8_t *buf = NULL;
        struct usbprobe_hid_summary s;
        unsigned ms = usbprobe_timeout_ms(deadline, 1000);
        int r;

        if (!h || !ret || deadline == USEC_INFINITY)
                return -EINVAL;
        if (ms == 0)
                return -ETIMEDOUT;
        rep = usbprobe_report_new(USBDESC_FN_HID, ifnum);
        buf = malloc(RDESC_MAX);
        if (!rep || !buf)
                return -ENOMEM;
        /* usbfs only passes a request to an interface we hold: take it from
         * usbhid for the one transfer (auto-detach gives it back on release). */
        (void) libusb_set_auto_detach_kernel_driver(h, 1);
        r = libusb_claim_interface(h, ifnum);
        if (r < 0)
                return usbprobe_errno(r);
        /* Standard GET_DESCRIPTOR to the interface (HID 1.11 7.1.1). */
        r = libusb_control_transfer(h, LIBUSB_ENDPOINT_IN | LIBUSB_RECIPIENT_INTERFACE,
                                    LIBUSB_REQUEST_GET_DESCRIPTOR, LIBUSB_DT_REPORT << 8, ifnum, buf,
                                    RDESC_MAX, ms);
        (void) libusb_release_interface(h, ifnum);
        if (r == LIBUSB_ERROR_NO_DEVICE)
                return -ENODEV;
        if (r < 0) {
                if (usbprobe_report_verdict(rep, USBPROBE_INFO, "the report descriptor could not be read: %s",
                                            libusb_error_name(r)) < 0)
                        return -ENOMEM;
                *ret = TAKE_PTR(rep);
                return 0;
        }
        if (usbprobe_report_raw(rep, buf, (size_t) r) < 0 ||
            usbprobe_report_detail(rep, "report_descriptor_bytes=%d", r) < 0)
                return -ENOMEM;
        if (usbprobe_hid_summarize(buf, (size_t) r, &s) < 0)
                r = usbprobe_report_verdict(rep, USBPROBE_INFO, "the report descriptor is malformed");
        else if (usbprobe_report_detail(rep, "keyboard=%s", s.keyboard ? "yes" : "no") < 0 ||
                 usbprobe_report_detail(rep, "mouse=%s", s.mouse ? "yes" : "no") < 0 ||
                 usbprobe_report_detail(rep, "consumer=%s", s.consumer ? "yes" : "no") < 0 ||
                 usbprobe_report_detail(rep, "vendor=%s", s.vendor ? "yes" : "no") < 0)
                return -ENOMEM;
        else
                r = usbprobe_report_verdict(rep, USBPROBE_INFO, "%s",
                                            s.keyboard ? "HID keyboard: can inject keystrokes"
                                                       : "HID without a keyboard collection: no keystroke injection");
        if (r < 0)
                return r;
        *ret = TAKE_PTR(rep);
        return 0;
}
