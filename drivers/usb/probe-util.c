/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reports, error mapping and libusb helpers for the D-7 probes. */
#include <errno.h>
#include <libusb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/macros.h"
#include "probe.h"

#define RAW_MAX (64u * 1024u)

static const char *const verdict_names[_USBPROBE_VERDICT_MAX] = {
        [USBPROBE_PASS] = "PASS",
        [USBPROBE_FAIL] = "FAIL",
        [USBPROBE_INFO] = "INFO",
        [USBPROBE_ERROR] = "ERROR",
};

const char *usbprobe_verdict_name(enum usbprobe_verdict v) {
        return (unsigned) v < _USBPROBE_VERDICT_MAX ? verdict_names[v] : NULL;
}

int usbprobe_errno(int e) {
        if (e >= 0)
                return e;
        switch (e) {
        case LIBUSB_ERROR_IO: return -EIO;
        case LIBUSB_ERROR_INVALID_PARAM: return -EINVAL;
        case LIBUSB_ERROR_ACCESS: return -EACCES;
        case LIBUSB_ERROR_NO_DEVICE: return -ENODEV;
        case LIBUSB_ERROR_NOT_FOUND: return -ENOENT;
        case LIBUSB_ERROR_BUSY: return -EBUSY;
        case LIBUSB_ERROR_TIMEOUT: return -ETIMEDOUT;
        case LIBUSB_ERROR_OVERFLOW: return -EOVERFLOW;
        case LIBUSB_ERROR_PIPE: return -EPIPE;
        case LIBUSB_ERROR_INTERRUPTED: return -EINTR;
        case LIBUSB_ERROR_NO_MEM: return -ENOMEM;
        case LIBUSB_ERROR_NOT_SUPPORTED: return -EOPNOTSUPP;
        default: return -EIO;
        }
}

struct usbprobe_report *usbprobe_report_free(struct usbprobe_report *r) {
        if (!r)
                return NULL;
        free(r->reason);
        free(r->details);
        free(r->raw);
        free(r);
        return NULL;
}

struct usbprobe_report *usbprobe_report_new(enum usbdesc_function kind, uint8_t ifnum) {
        struct usbprobe_report *r = calloc(1, sizeof(*r));

        if (!r)
                return NULL;
        r->kind = kind;
        r->interface = ifnum;
        r->verdict = USBPROBE_ERROR;
        return r;
}

int usbprobe_report_verdict(struct usbprobe_report *r, enum usbprobe_verdict v, const char *fmt, ...) {
        char *s;
        va_list ap;
        int n;

        va_start(ap, fmt);
        n = vasprintf(&s, fmt, ap);
        va_end(ap);
        if (n < 0)
                return -ENOMEM;
        free(r->reason);
        r->reason = s;
        r->verdict = v;
        return 0;
}

int usbprobe_report_detail(struct usbprobe_report *r, const char *fmt, ...) {
        _cleanup_free_ char *line = NULL;
        size_t old = r->details ? strlen(r->details) : 0, add;
        char *d;
        va_list ap;
        int n;

        va_start(ap, fmt);
        n = vasprintf(&line, fmt, ap);
        va_end(ap);
        if (n < 0)
                return -ENOMEM;
        add = (size_t) n;
        d = realloc(r->details, old + add + 2);
        if (!d)
                return -ENOMEM;
        memcpy(d + old, line, add);
        d[old + add] = '\n';
        d[old + add + 1] = 0;
        r->details = d;
        return 0;
}

int usbprobe_report_raw(struct usbprobe_report *r, const void *data, size_t len) {
        uint8_t *p;

        if (len == 0 || r->n_raw >= RAW_MAX)
                return 0;
        if (len > RAW_MAX - r->n_raw)
                len = RAW_MAX - r->n_raw;
        p = realloc(r->raw, r->n_raw + len);
        if (!p)
                return -ENOMEM;
        memcpy(p + r->n_raw, data, len);
        r->raw = p;
        r->n_raw += len;
        return 0;
}

unsigned usbprobe_timeout_ms(usec_t deadline, unsigned max_ms) {
        int ms = deadline_poll_ms(deadline);

        if (ms == 0)
                return 0;
        if (ms < 0 || (unsigned) ms > max_ms)
                return max_ms ? max_ms : 1;
        return (unsigned) ms;
}

int usbprobe_bulk_endpoints(struct libusb_device_handle *h, uint8_t ifnum, uint8_t *ret_in,
                            uint8_t *ret_out, uint16_t *ret_max_packet) {
        struct libusb_config_descriptor *cfg = NULL;
        uint8_t in = 0, out = 0;
        uint16_t mps = 0;
        int r;

        r = libusb_get_active_config_descriptor(libusb_get_device(h), &cfg);
        if (r < 0)
                return usbprobe_errno(r);
        for (int i = 0; i < cfg->bNumInterfaces; i++) {
                const struct libusb_interface *itf = &cfg->interface[i];

                if (itf->num_altsetting < 1 || itf->altsetting[0].bInterfaceNumber != ifnum)
                        continue;
                for (int e = 0; e < itf->altsetting[0].bNumEndpoints; e++) {
                        const struct libusb_endpoint_descriptor *ep = &itf->altsetting[0].endpoint[e];

                        if ((ep->bmAttributes & 3) != LIBUSB_TRANSFER_TYPE_BULK)
                                continue;
                        if ((ep->bEndpointAddress & LIBUSB_ENDPOINT_IN) && !in)
                                in = ep->bEndpointAddress, mps = ep->wMaxPacketSize;
                        else if (!(ep->bEndpointAddress & LIBUSB_ENDPOINT_IN) && !out)
                                out = ep->bEndpointAddress;
                }
        }
        libusb_free_config_descriptor(cfg);
        if (!in || !out)
                return -ENOENT;
        *ret_in = in;
        *ret_out = out;
        if (ret_max_packet)
                *ret_max_packet = mps;
        return 0;
}
