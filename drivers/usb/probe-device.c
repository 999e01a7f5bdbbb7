/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Every probe-able interface of a device, each with its own budget. */
#include <errno.h>
#include <libusb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/macros.h"
#include "probe.h"

static int port_path_of(libusb_device *dev, char *buf, size_t size) {
        uint8_t ports[8];
        int n = libusb_get_port_numbers(dev, ports, sizeof(ports));
        size_t k;

        if (n <= 0)
                return -ENOENT;
        k = (size_t) snprintf(buf, size, "%u-%u", libusb_get_bus_number(dev), ports[0]);
        for (int i = 1; i < n && k < size; i++)
                k += (size_t) snprintf(buf + k, size - k, ".%u", ports[i]);
        return k < size ? 0 : -ENAMETOOLONG;
}

static int probe_one(struct libusb_device_handle *h, const struct usbprobe_opts *o, uint8_t config,
                     enum usbdesc_function kind, uint8_t ifnum, usec_t deadline, struct usbprobe_report **ret) {
        /* Not a switch: only a handful of the function kinds have a probe. */
        if (kind == USBDESC_FN_CDC_ACM) {
                _cleanup_free_ char *tty = NULL;
                char port[64];
                int r = port_path_of(libusb_get_device(h), port, sizeof(port));

                if (r >= 0)
                        r = usbprobe_acm_tty_find(o->sysfs, port, config, ifnum, deadline, &tty);
                if (r >= 0)
                        r = usbprobe_acm(tty, o->banner_usec, deadline, ret);
                if (r >= 0)
                        (*ret)->interface = ifnum;
                return r;
        }
        if (kind == USBDESC_FN_ADB)
                return usbprobe_adb(h, ifnum, deadline, ret);
        if (kind == USBDESC_FN_MASS_STORAGE)
                return usbprobe_msc(h, ifnum, usbdesc_function_declared(kind, o->declared, o->n_declared),
                                    deadline, ret);
        if (kind == USBDESC_FN_DFU || kind == USBDESC_FN_DFU_RUNTIME)
                return usbprobe_dfu(h, ifnum, deadline, ret);
        if (kind == USBDESC_FN_HID || kind == USBDESC_FN_HID_KEYBOARD || kind == USBDESC_FN_HID_MOUSE)
                return usbprobe_hid(h, ifnum, deadline, ret);
        return -EOPNOTSUPP;   /* nothing to probe on this one */
}

int usbprobe_device(struct libusb_device_handle *h, const struct usbprobe_opts *opts, usec_t deadline,
                    struct usbprobe_report ***ret, size_t *ret_n) {
        static const struct usbprobe_opts defaults = {};
        const struct usbprobe_opts *o = opts ?: &defaults;
        struct libusb_config_descriptor *cfg = NULL;
        struct usbprobe_report **list = NULL;
        size_t n = 0;
        int r;

        if (!h || !ret || !ret_n || deadline == USEC_INFINITY)
                return -EINVAL;
        r = libusb_get_active_config_descriptor(libusb_get_device(h), &cfg);
        if (r < 0)
                return usbprobe_errno(r);
        list = calloc(cfg->bNumInterfaces + 1u, sizeof(*list));
        if (!list) {
                libusb_free_config_descriptor(cfg);
                return -ENOMEM;
        }
        for (int i = 0; i < cfg->bNumInterfaces; i++) {
                const struct libusb_interface_descriptor *a;
                struct usbprobe_report *rep = NULL;
                enum usbdesc_function kind;
                usec_t until = deadline_in(o->per_probe_usec ?: 5 * USEC_PER_SEC);

                if (cfg->interface[i].num_altsetting < 1)
                        continue;
                a = &cfg->interface[i].altsetting[0];
                kind = usbdesc_interface_classify(a->bInterfaceClass, a->bInterfaceSubClass,
                                                  a->bInterfaceProtocol, NULL);
                if (until > deadline)
                        until = deadline;
                r = probe_one(h, o, cfg->bConfigurationValue, kind, a->bInterfaceNumber, until, &rep);
                if (r == -EOPNOTSUPP)
                        continue;
                if (r == -ENOMEM)
                        goto fail;
                if (r < 0) {
                        /* A bench fault on one interface: ERROR for it, go on. */
                        rep = usbprobe_report_new(kind, a->bInterfaceNumber);
                        if (!rep || usbprobe_report_verdict(rep, USBPROBE_ERROR, "%s probe failed: %s",
                                                            usbdesc_function_name(kind), strerror(-r)) < 0) {
                                usbprobe_report_free(rep);
                                r = -ENOMEM;
                                goto fail;
                        }
                }
                rep->kind = kind;
                list[n++] = rep;
        }
        libusb_free_config_descriptor(cfg);
        *ret = list;
        *ret_n = n;
        return 0;

fail:
        libusb_free_config_descriptor(cfg);
        for (size_t k = 0; k < n; k++)
                usbprobe_report_free(list[k]);
        free(list);
        return r;
}
