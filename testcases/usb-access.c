/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* usb.access (D-7, proper access rights on the USB classes in use): with
 * the DUT powered and enumerated, try each exposed function the way an
 * attacker with a cable would (drivers/usb/probe.h): a line break on the
 * serial console, the ADB CNXN handshake, SCSI reads over bulk-only
 * transport, DFU UPLOAD, the HID report descriptor. Every probe records
 * what the DUT sent. docs/usb-access.md. */

#include <errno.h>
#include <libusb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/usb/probe.h"
#include "drivers/usb/usb.h"
#include "testcase.h"

static const char *const usb_access_requirements[] = { "D-7", NULL };

static const struct case_param usb_access_params[] = {
        { .name = "power_on", .type = CASE_PARAM_INT, .min = 0, .max = 1,
          .help = "switch the DUT's power channel on first (default 1)" },
        { .name = "enumerate_s", .type = CASE_PARAM_INT, .min = 1, .max = 600,
          .help = "how long the DUT may take to enumerate (default 30)" },
        { .name = "probe_s", .type = CASE_PARAM_INT, .min = 1, .max = 120,
          .help = "budget of each probe (default 5)" },
        { .name = "banner_ms", .type = CASE_PARAM_INT, .min = 100, .max = 60000,
          .help = "how long to collect the serial console's answer to a line break (default 1500)" },
        { .name = "port", .type = CASE_PARAM_STRING,
          .help = "USB port path \"1-1.2\" (default: the slot's usb port in the fixture)" },
        {}
};

#define FIND_STEP_USEC (250 * USEC_PER_MSEC)

/* The slot's port (param, fixture) or the profile's VID:PID. */
static int access_match(struct case_ctx *ctx, struct usb_match *m, char *what, size_t size) {
        const struct fx_slot *slot = case_ctx_slot(ctx);
        const struct dut_profile *p = case_ctx_profile(ctx);
        const char *port = case_ctx_param_string(ctx, "port", NULL);
        json_t *usb = p && p->json ? json_object_get(p->json, "usb") : NULL;
        json_t *vid = json_object_get(usb, "vendor_id"), *pid = json_object_get(usb, "product_id");

        if (!port && slot && slot->usb) {
                const struct fx_usb_port *fp = fixture_find_usb_port(case_ctx_fixture(ctx), slot->usb);
                if (fp)
                        port = fp->path;
        }
        if (port) {
                if (!usb_port_path_valid(port)) {
                        case_ctx_reason(ctx, "USB port path \"%s\" is not BUS-PORT[.PORT...] like 1-1.2", port);
                        return -EINVAL;
                }
                *m = (struct usb_match) { .port_path = port };
                snprintf(what, size, "port %s", port);
                return 0;
        }
        if (json_is_integer(vid) && json_is_integer(pid) && json_integer_value(vid) > 0 &&
            json_integer_value(pid) > 0) {
                *m = (struct usb_match) { .vendor_id = (uint16_t) json_integer_value(vid),
                                          .product_id = (uint16_t) json_integer_value(pid) };
                snprintf(what, size, "%04x:%04x", m->vendor_id, m->product_id);
                return 0;
        }
        case_ctx_reason(ctx, "no usb port for the slot in the fixture and no usb.vendor_id/product_id in the "
                        "profile: nothing tells where the DUT enumerates");
        return -EINVAL;
}

static int find_abortable(struct case_ctx *ctx, const struct usb_match *m, usec_t deadline,
                          struct usb_device **ret) {
        for (;;) {
                usec_t now = mono_now(), step = deadline - now < FIND_STEP_USEC ? deadline : now + FIND_STEP_USEC;
                int r;

                if (now >= deadline)
                        step = now;
                r = usb_device_find(m, step, ret);
                if (r != -ETIMEDOUT)
                        return r;
                if (case_ctx_aborted(ctx))
                        return -ECANCELED;
                if (mono_now() >= deadline)
                        return -ETIMEDOUT;
        }
}

/* Opens the device at port_path in a fresh libusb context (the probes need
 * a handle; drivers/usb keeps its own). */
static int open_by_port(const char *port_path, libusb_context **ret_ctx, libusb_device_handle **ret_h) {
        libusb_context *c = NULL;
        libusb_device **list = NULL;
        libusb_device_handle *h = NULL;
        ssize_t n;
        int r = -ENODEV;

        if (libusb_init(&c) < 0)
                return -EIO;
        n = libusb_get_device_list(c, &list);
        for (ssize_t i = 0; i < n && !h; i++) {
                uint8_t ports[8];
                int k = libusb_get_port_numbers(list[i], ports, sizeof(ports));
                char name[64];
                size_t len;

                if (k <= 0)
                        continue;
                len = (size_t) snprintf(name, sizeof(name), "%u-%u", libusb_get_bus_number(list[i]), ports[0]);
                for (int j = 1; j < k && len < sizeof(name); j++)
                        len += (size_t) snprintf(name + len, sizeof(name) - len, ".%u", ports[j]);
                if (strcmp(name, port_path) != 0)
                        continue;
                r = usbprobe_errno(libusb_open(list[i], &h));
        }
        if (n >= 0)
                libusb_free_device_list(list, 1);
        if (!h) {
                libusb_exit(c);
                return r < 0 ? r : -ENODEV;
        }
        *ret_ctx = c;
        *ret_h = h;
        return 0;
}

static enum case_outcome usb_access_run(struct case_ctx *ctx) {
        const struct fx_slot *slot = case_ctx_slot(ctx);
        const struct dut_profile *p = case_ctx_profile(ctx);
        usec_t enumerate = (usec_t) case_ctx_param_int(ctx, "enumerate_s", 30) * USEC_PER_SEC;
        usec_t per_probe = (usec_t) case_ctx_param_int(ctx, "probe_s", 5) * USEC_PER_SEC;
        _cleanup_(usb_device_freep) struct usb_device *dev = NULL;
        _cleanup_(json_decrefp) json_t *summary = json_array();
        struct usbprobe_report **reps = NULL;
        libusb_context *uctx = NULL;
        libusb_device_handle *h = NULL;
        struct usbprobe_opts o = {
                .declared = p ? (const char *const *) p->usb_classes : NULL,
                .n_declared = p ? p->n_usb_classes : 0,
                .banner_usec = (usec_t) case_ctx_param_int(ctx, "banner_ms", 1500) * USEC_PER_MSEC,
                .per_probe_usec = per_probe,
        };
        char what[80], failed[1024] = "", errors[1024] = "";
        size_t n = 0, nf = 0, ne = 0;
        unsigned n_fail = 0, n_error = 0;
        struct usb_match m;
        enum case_outcome out;
        int r;

        if (!summary)
                return CASE_ERROR;
        if (access_match(ctx, &m, what, sizeof(what)) < 0)
                return CASE_ERROR;
        if (case_ctx_param_int(ctx, "power_on", 1) && slot && slot->power) {
                struct relay_result rr = {};

                case_ctx_progress(ctx, "power on %s", slot->power);
                r = case_ctx_relay(ctx, RELAY_OP_SET, slot->power, true, 0, deadline_in(5 * USEC_PER_SEC), &rr);
                if (r == -ECANCELED)
                        return CASE_ABORTED;
                if (r < 0) {
                        case_ctx_reason(ctx, "could not switch %s on: %s (%s)", slot->power,
                                        rr.reason ? rr.reason : "relay error", strerror(-r));
                        return CASE_ERROR;
                }
        }
        case_ctx_progress(ctx, "waiting up to %llu s for the DUT on %s", (unsigned long long) (enumerate / USEC_PER_SEC),
                          what);
        r = find_abortable(ctx, &m, deadline_in(enumerate), &dev);
        if (r == -ECANCELED)
                return CASE_ABORTED;
        if (r < 0) {
                case_ctx_reason(ctx, "the DUT did not enumerate on %s within %llu s%s%s", what,
                                (unsigned long long) (enumerate / USEC_PER_SEC), r == -ETIMEDOUT ? "" : ": ",
                                r == -ETIMEDOUT ? "" : strerror(-r));
                return CASE_ERROR;
        }
        r = open_by_port(usb_device_port_path(dev), &uctx, &h);
        if (r < 0) {
                case_ctx_reason(ctx, "cannot open %04x:%04x at %s: %s", usb_device_vendor_id(dev),
                                usb_device_product_id(dev), usb_device_port_path(dev), strerror(-r));
                return CASE_ERROR;
        }
        case_ctx_progress(ctx, "probing the functions of %04x:%04x at %s", usb_device_vendor_id(dev),
                          usb_device_product_id(dev), usb_device_port_path(dev));
        /* Each probe is bounded by its budget; the whole by one per interface. */
        r = usbprobe_device(h, &o, deadline_in(per_probe * 33), &reps, &n);
        libusb_close(h);
        libusb_exit(uctx);
        if (r < 0) {
                case_ctx_reason(ctx, "cannot probe %04x:%04x at %s: %s", usb_device_vendor_id(dev),
                                usb_device_product_id(dev), usb_device_port_path(dev), strerror(-r));
                return CASE_ERROR;
        }
        for (size_t i = 0; i < n; i++) {
                struct usbprobe_report *rep = reps[i];
                const char *kind = usbdesc_function_name(rep->kind) ?: "unknown";
                char name[96];

                snprintf(name, sizeof(name), "usb-access-if%u-%s.bin", rep->interface, kind);
                if (rep->n_raw > 0)
                        case_ctx_evidence(ctx, name, "application/octet-stream", rep->raw, rep->n_raw);
                json_array_append_new(summary,
                                      json_pack("{s:i, s:s, s:s, s:s?, s:s?, s:i}", "interface", rep->interface,
                                                "function", kind, "verdict", usbprobe_verdict_name(rep->verdict),
                                                "reason", rep->reason, "details", rep->details, "raw_bytes",
                                                (int) rep->n_raw));
                case_ctx_progress(ctx, "interface %u (%s): %s: %s", rep->interface, kind,
                                  usbprobe_verdict_name(rep->verdict), strna(rep->reason));
                if (rep->verdict == USBPROBE_FAIL && nf < sizeof(failed)) {
                        n_fail++;
                        nf += (size_t) snprintf(failed + nf, sizeof(failed) - nf, "%s%s (interface %u): %s",
                                                nf ? "; " : "", kind, rep->interface, strna(rep->reason));
                } else if (rep->verdict == USBPROBE_ERROR && ne < sizeof(errors)) {
                        n_error++;
                        ne += (size_t) snprintf(errors + ne, sizeof(errors) - ne, "%s%s (interface %u): %s",
                                                ne ? "; " : "", kind, rep->interface, strna(rep->reason));
                }
                usbprobe_report_free(rep);
        }
        free(reps);
        {
                _cleanup_free_ char *s = json_dumps(summary, JSON_INDENT(2));
                if (s)
                        case_ctx_evidence(ctx, "usb-access.json", "application/json", s, strlen(s));
        }
        case_ctx_measure(ctx, "functions_probed", (double) n, "count");
        case_ctx_measure(ctx, "probes_failed", n_fail, "count");
        if (n_fail) {
                case_ctx_reason(ctx, "%u USB function%s open a way in: %s", n_fail, n_fail > 1 ? "s" : "", failed);
                out = CASE_FAIL;
        } else if (n_error) {
                case_ctx_reason(ctx, "the bench could not decide on %u function%s: %s", n_error,
                                n_error > 1 ? "s" : "", errors);
                out = CASE_ERROR;
        } else {
                case_ctx_reason(ctx, "%zu USB function%s probed, none gives access without credentials", n,
                                n == 1 ? "" : "s");
                out = CASE_PASS;
        }
        return out;
}

const struct case_def case_usb_access = {
        .id = "usb.access",
        .summary = "Probe each exposed USB function (serial console, ADB, mass storage, DFU, HID) for access "
                   "without credentials",
        .requirements = usb_access_requirements,
        .params = usb_access_params,
        .run = usb_access_run,
};
