/* SPDX-License-Identifier: MIT */
/*
 * rig-usb-list VID:PID [--timeout SECONDS]
 *
 * Waits (up to the deadline) for a USB device with that VID:PID, reads each
 * configuration descriptor set from the device with GET_DESCRIPTOR on ep0,
 * walks it with the pure decoder (usb-desc.c) and prints, per configuration:
 *   device VVVV:PPPP bus=B addr=A class=XX/XX/XX configs=N
 *   config=V ifaces=N total=BYTES
 *   iad first=F count=C class=XX subclass=XX protocol=XX
 *   if=N alt=M class=XX subclass=XX protocol=XX eps=K
 * in wire order. The interface list is cross-checked against libusb's own
 * parse of the (kernel-cached) descriptors; a disagreement is an error.
 * Exit: 0 listed, 1 error (malformed descriptors, I/O, disagreement),
 * 2 usage, 3 not found before the deadline.
 */
#include <errno.h>
#include <inttypes.h>
#include <libusb.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/macros.h"
#include "common/timeutil.h"
#include "usb-desc.h"

#define RESCAN_USEC (50 * USEC_PER_MSEC)

DEFINE_TRIVIAL_CLEANUP_FUNC(libusb_context *, libusb_exit);
DEFINE_TRIVIAL_CLEANUP_FUNC(libusb_device *, libusb_unref_device);
DEFINE_TRIVIAL_CLEANUP_FUNC(libusb_device_handle *, libusb_close);

static int errno_from_libusb(int r) {
        switch (r) {
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
        default: return r < 0 ? -EIO : r;
        }
}

struct usb_match {
        uint16_t vid, pid;
        libusb_device *found; /* referenced; the caller unrefs */
};

static int LIBUSB_CALL usb_list_hotplug_cb(libusb_context *ctx, libusb_device *dev,
                                           libusb_hotplug_event event, void *userdata) {
        struct usb_match *m = userdata;

        if (event != LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED || m->found)
                return 0;
        m->found = libusb_ref_device(dev);
        return 1; /* deregister */
}

static libusb_device *usb_list_scan(libusb_context *ctx, uint16_t vid, uint16_t pid) {
        libusb_device **list = NULL;
        libusb_device *found = NULL;
        ssize_t n = libusb_get_device_list(ctx, &list);

        for (ssize_t i = 0; i < n && !found; i++) {
                struct libusb_device_descriptor dd;

                if (libusb_get_device_descriptor(list[i], &dd) == 0 && dd.idVendor == vid &&
                    dd.idProduct == pid)
                        found = libusb_ref_device(list[i]);
        }
        if (n >= 0)
                libusb_free_device_list(list, 1);
        return found;
}

/*
 * Without udevd (the rig's guest), libusb's hotplug monitor never hears of
 * new devices and its device list is frozen at init, so each round uses a
 * fresh context (init enumerates sysfs). Where hotplug is supported, the
 * round also waits for an arrival event for its 50 ms instead of idling.
 */
static int usb_list_find(uint16_t vid, uint16_t pid, usec_t deadline, libusb_context **ret_ctx,
                         libusb_device **ret_dev) {
        for (;;) {
                _cleanup_(libusb_exitp) libusb_context *ctx = NULL;
                struct usb_match m = { .vid = vid, .pid = pid };
                usec_t round_end = deadline_in(RESCAN_USEC);
                int r;

                if (round_end > deadline)
                        round_end = deadline;
                r = libusb_init(&ctx);
                if (r < 0)
                        return errno_from_libusb(r);

                if (libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG)) {
                        libusb_hotplug_callback_handle h;

                        r = libusb_hotplug_register_callback(
                                ctx, LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED, LIBUSB_HOTPLUG_ENUMERATE, vid,
                                pid, LIBUSB_HOTPLUG_MATCH_ANY, usb_list_hotplug_cb, &m, &h);
                        if (r < 0)
                                return errno_from_libusb(r);
                        while (!m.found && mono_now() < round_end) {
                                struct timeval tv;
                                usec_t left = round_end - mono_now();

                                tv.tv_sec = (time_t) (left / USEC_PER_SEC);
                                tv.tv_usec = (suseconds_t) (left % USEC_PER_SEC);
                                r = libusb_handle_events_timeout_completed(ctx, &tv, NULL);
                                if (r < 0 && r != LIBUSB_ERROR_INTERRUPTED)
                                        return errno_from_libusb(r);
                        }
                } else {
                        m.found = usb_list_scan(ctx, vid, pid);
                        if (!m.found)
                                (void) poll(NULL, 0, deadline_poll_ms(round_end));
                }
                if (m.found) {
                        *ret_dev = m.found;
                        *ret_ctx = TAKE_PTR(ctx);
                        return 0;
                }
                if (mono_now() >= deadline)
                        return -ETIMEDOUT;
        }
}

/* What we print and what libusb parsed, for the cross-check. */
struct usb_list_state {
        unsigned n_ifaces;
        struct usb_desc_interface seen[256];
        bool overflow;
};

static int on_config(const struct usb_desc_config *c, void *userdata) {
        printf("config=%u ifaces=%u total=%u\n", c->value, c->num_interfaces, c->total_length);
        return 0;
}

static int on_iad(const struct usb_desc_iad *iad, void *userdata) {
        printf("iad first=%u count=%u class=%02x subclass=%02x protocol=%02x\n", iad->first_interface,
               iad->interface_count, iad->class, iad->subclass, iad->protocol);
        return 0;
}

static int on_interface(const struct usb_desc_interface *i, void *userdata) {
        struct usb_list_state *s = userdata;

        printf("if=%u alt=%u class=%02x subclass=%02x protocol=%02x eps=%u\n", i->number, i->alt,
               i->class, i->subclass, i->protocol, i->endpoints_seen);
        if (s->n_ifaces < ELEMENTSOF(s->seen))
                s->seen[s->n_ifaces++] = *i;
        else
                s->overflow = true;
        return 0;
}

static int usb_list_crosscheck(libusb_device *dev, uint8_t index, const struct usb_list_state *s) {
        struct libusb_config_descriptor *cfg = NULL;
        unsigned k = 0;
        int r = libusb_get_config_descriptor(dev, index, &cfg);

        if (r < 0)
                return errno_from_libusb(r);
        if (s->overflow) {
                fprintf(stderr, "rig-usb-list: more than %zu interface settings, not cross-checked\n",
                        ELEMENTSOF(s->seen));
                libusb_free_config_descriptor(cfg);
                return -E2BIG;
        }
        for (unsigned i = 0; i < cfg->bNumInterfaces; i++)
                for (int a = 0; a < cfg->interface[i].num_altsetting; a++, k++) {
                        const struct libusb_interface_descriptor *d = &cfg->interface[i].altsetting[a];
                        const struct usb_desc_interface *o;
                        bool found = false;

                        /* libusb groups altsettings by interface; the wire
                         * order may differ, so look the pair up. */
                        for (unsigned j = 0; j < s->n_ifaces && !found; j++) {
                                o = &s->seen[j];
                                found = o->number == d->bInterfaceNumber &&
                                        o->alt == d->bAlternateSetting && o->class == d->bInterfaceClass &&
                                        o->subclass == d->bInterfaceSubClass &&
                                        o->protocol == d->bInterfaceProtocol &&
                                        o->endpoints_seen == d->bNumEndpoints;
                        }
                        if (!found) {
                                fprintf(stderr,
                                        "rig-usb-list: libusb sees if=%u alt=%u class=%02x/%02x/%02x eps=%u, "
                                        "the decoder does not\n",
                                        d->bInterfaceNumber, d->bAlternateSetting, d->bInterfaceClass,
                                        d->bInterfaceSubClass, d->bInterfaceProtocol, d->bNumEndpoints);
                                libusb_free_config_descriptor(cfg);
                                return -EPROTO;
                        }
                }
        libusb_free_config_descriptor(cfg);
        if (k != s->n_ifaces) {
                fprintf(stderr, "rig-usb-list: libusb sees %u interface settings, the decoder %u\n", k,
                        s->n_ifaces);
                return -EPROTO;
        }
        return 0;
}

static int usb_list_control_in(libusb_device_handle *h, uint8_t index, uint8_t *buf, uint16_t len,
                               usec_t deadline) {
        int ms = deadline_poll_ms(deadline);
        int r;

        if (ms <= 0)
                return -ETIMEDOUT;
        r = libusb_control_transfer(h, LIBUSB_ENDPOINT_IN | LIBUSB_REQUEST_TYPE_STANDARD |
                                            LIBUSB_RECIPIENT_DEVICE,
                                    LIBUSB_REQUEST_GET_DESCRIPTOR,
                                    (uint16_t) ((LIBUSB_DT_CONFIG << 8) | index), 0, buf, len,
                                    (unsigned) ms);
        return r < 0 ? errno_from_libusb(r) : r;
}

static int usb_list_config(libusb_device *dev, libusb_device_handle *h, uint8_t index, usec_t deadline) {
        struct usb_list_state s = { 0 };
        static const struct usb_desc_visitor visitor = {
                .config = on_config,
                .iad = on_iad,
                .interface = on_interface,
        };
        _cleanup_free_ uint8_t *buf = NULL;
        uint8_t head[9];
        uint16_t total;
        int r;

        r = usb_list_control_in(h, index, head, sizeof(head), deadline);
        if (r < 0)
                return r;
        if (r < 4)
                return -EBADMSG;
        total = (uint16_t) (head[2] | (head[3] << 8));
        if (total < 9)
                return -EBADMSG;
        buf = malloc(total);
        if (!buf)
                return -ENOMEM;
        r = usb_list_control_in(h, index, buf, total, deadline);
        if (r < 0)
                return r;
        r = usb_desc_config_walk(buf, (size_t) r, &visitor, &s);
        if (r < 0)
                return r;
        return usb_list_crosscheck(dev, index, &s);
}

static int parse_hex16(const char *s, size_t n, uint16_t *ret) {
        unsigned v = 0;

        if (n == 0 || n > 4)
                return -EINVAL;
        for (size_t i = 0; i < n; i++) {
                char c = s[i];
                unsigned d;

                if (c >= '0' && c <= '9')
                        d = (unsigned) (c - '0');
                else if (c >= 'a' && c <= 'f')
                        d = (unsigned) (c - 'a' + 10);
                else if (c >= 'A' && c <= 'F')
                        d = (unsigned) (c - 'A' + 10);
                else
                        return -EINVAL;
                v = v * 16 + d;
        }
        *ret = (uint16_t) v;
        return 0;
}

static _noreturn_ void usage(void) {
        fprintf(stderr, "usage: rig-usb-list VID:PID [--timeout SECONDS]\n");
        exit(2);
}

int main(int argc, char **argv) {
        _cleanup_(libusb_exitp) libusb_context *ctx = NULL;
        _cleanup_(libusb_unref_devicep) libusb_device *dev = NULL;
        _cleanup_(libusb_closep) libusb_device_handle *h = NULL;
        struct libusb_device_descriptor dd;
        double timeout = 10;
        uint16_t vid, pid;
        const char *colon;
        usec_t deadline, io_deadline;
        int r;

        if (argc != 2 && argc != 4)
                usage();
        colon = strchr(argv[1], ':');
        if (!colon || parse_hex16(argv[1], (size_t) (colon - argv[1]), &vid) < 0 ||
            parse_hex16(colon + 1, strlen(colon + 1), &pid) < 0)
                usage();
        if (argc == 4) {
                char *end;

                if (strcmp(argv[2], "--timeout") != 0)
                        usage();
                timeout = strtod(argv[3], &end);
                if (*end || !(timeout > 0 && timeout < 86400))
                        usage();
        }
        deadline = deadline_in((usec_t) (timeout * (double) USEC_PER_SEC));

        r = usb_list_find(vid, pid, deadline, &ctx, &dev);
        if (r == -ETIMEDOUT) {
                fprintf(stderr, "rig-usb-list: %04x:%04x not found within %.1f s\n", vid, pid, timeout);
                return 3;
        }
        if (r < 0) {
                fprintf(stderr, "rig-usb-list: libusb: %s\n", strerror(-r));
                return 1;
        }
        r = libusb_get_device_descriptor(dev, &dd);
        if (r < 0) {
                fprintf(stderr, "rig-usb-list: device descriptor: %s\n", strerror(-errno_from_libusb(r)));
                return 1;
        }
        printf("device %04x:%04x bus=%u addr=%u class=%02x/%02x/%02x configs=%u\n", dd.idVendor,
               dd.idProduct, libusb_get_bus_number(dev), libusb_get_device_address(dev),
               dd.bDeviceClass, dd.bDeviceSubClass, dd.bDeviceProtocol, dd.bNumConfigurations);
        /* Finding may have used the whole wait; the reads get their own. */
        io_deadline = deadline_in(5 * USEC_PER_SEC);
        r = libusb_open(dev, &h);
        if (r < 0) {
                fprintf(stderr, "rig-usb-list: open: %s\n", strerror(-errno_from_libusb(r)));
                return 1;
        }
        for (uint8_t i = 0; i < dd.bNumConfigurations; i++) {
                r = usb_list_config(dev, h, i, io_deadline);
                if (r < 0) {
                        fprintf(stderr, "rig-usb-list: configuration %u: %s\n", i, strerror(-r));
                        return 1;
                }
        }
        fflush(stdout);
        return ferror(stdout) ? 1 : 0;
}
