/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* usb.exposure (D-6, the DUT as a USB device): power the DUT up through its
 * relay channel, wait for it to enumerate on its USB port, read every
 * descriptor and compare the functions it exposes with the ones its
 * profile declares (usb.classes). docs/usb-cases.md. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/usb/usb.h"
#include "lib/usbdesc/usbdesc.h"
#include "testcase.h"

#define streq(a, b) (strcmp((a), (b)) == 0)

static const char *const usb_exposure_requirements[] = { "D-6", NULL };

static const struct case_param usb_exposure_params[] = {
        { .name = "power_cycle", .type = CASE_PARAM_INT, .min = 0, .max = 1,
          .help = "switch the DUT off and on before looking (default 1)" },
        { .name = "off_ms", .type = CASE_PARAM_INT, .min = 0, .max = 600000,
          .help = "how long the DUT stays unpowered (default 1000)" },
        { .name = "enumerate_s", .type = CASE_PARAM_INT, .min = 1, .max = 600,
          .help = "how long after power-on the DUT may take to enumerate (default 30)" },
        { .name = "read_s", .type = CASE_PARAM_INT, .min = 1, .max = 60,
          .help = "deadline for reading all descriptors (default 5)" },
        { .name = "port", .type = CASE_PARAM_STRING,
          .help = "USB port path \"1-1.2\" (default: the slot's usb port in the fixture)" },
        {}
};

/* Slices of a wait that is not itself abortable: usb_device_find() in
 * steps of this, with the abort checked in between. */
#define FIND_STEP_USEC (250 * USEC_PER_MSEC)

static json_t *profile_usb(struct case_ctx *ctx) {
        const struct dut_profile *p = case_ctx_profile(ctx);
        return p && p->json ? json_object_get(p->json, "usb") : NULL;
}

/* How to find the DUT: the param, the slot's fixture port, else the
 * profile's VID:PID. Writes a description of it into what. */
static int exposure_match(struct case_ctx *ctx, struct usb_match *m, char *what, size_t size) {
        const struct fx_slot *slot = case_ctx_slot(ctx);
        const char *port = case_ctx_param_string(ctx, "port", NULL);
        json_t *usb = profile_usb(ctx);
        json_t *vid = json_object_get(usb, "vendor_id"), *pid = json_object_get(usb, "product_id");

        if (!port && slot->usb) {
                const struct fx_usb_port *p = fixture_find_usb_port(case_ctx_fixture(ctx), slot->usb);
                if (p)
                        port = p->path;
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
        if (json_is_integer(vid) && json_is_integer(pid) && json_integer_value(vid) > 0 && json_integer_value(pid) > 0) {
                *m = (struct usb_match) { .vendor_id = (uint16_t) json_integer_value(vid),
                                          .product_id = (uint16_t) json_integer_value(pid) };
                snprintf(what, size, "%04x:%04x", m->vendor_id, m->product_id);
                return 0;
        }
        case_ctx_reason(ctx, "slot %s has no usb port in the fixture and the profile declares no usb.vendor_id/product_id: "
                        "nothing tells where the DUT enumerates", slot->name);
        return -EINVAL;
}

/* Is a device matching m enumerated right now (one scan)? */
static bool present_now(const struct usb_match *m) {
        struct usb_device *d = NULL;

        if (usb_device_find(m, mono_now(), &d) < 0)
                return false;
        usb_device_free(d);
        return true;
}

/* usb_device_find() until deadline, abortable. */
static int find_abortable(struct case_ctx *ctx, const struct usb_match *m, usec_t deadline, struct usb_device **ret) {
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

static char *hex_triple(char *buf, size_t size, uint8_t c, uint8_t s, uint8_t p) {
        snprintf(buf, size, "%02x/%02x/%02x", c, s, p);
        return buf;
}

/* The class triple a function is known by: its IAD's, else its first
 * interface's (alternate setting 0). */
static void function_triple(const struct usbdesc_config *c, const struct usbdesc_func *f, uint8_t t[3]) {
        const struct usbdesc_altsetting *a = usbdesc_config_altsetting(c, f->first_interface, 0);

        if (f->iad >= 0 && (size_t) f->iad < c->n_iads) {
                t[0] = c->iads[f->iad].class;
                t[1] = c->iads[f->iad].subclass;
                t[2] = c->iads[f->iad].protocol;
        } else if (a) {
                t[0] = a->class;
                t[1] = a->subclass;
                t[2] = a->protocol;
        } else
                t[0] = t[1] = t[2] = 0;
}

static json_t *interfaces_json(const struct usbdesc_func *f) {
        json_t *a = json_array();
        for (size_t k = 0; a && k < f->n_interfaces; k++)
                json_array_append_new(a, json_integer(f->interfaces[k]));
        return a;
}

/* The decoded descriptors as evidence: device, and per configuration its
 * interfaces (every alternate setting) and functions with their verdict. */
static json_t *decoded_json(const struct usb_device *dev, const struct usbdesc_device *u, const struct dut_profile *p) {
        json_t *configs = json_array();
        char t[16];

        for (size_t i = 0; configs && i < u->n_configs; i++) {
                const struct usbdesc_config *c = &u->configs[i];
                json_t *alts = json_array(), *fns = json_array();

                for (size_t j = 0; alts && j < c->n_alts; j++) {
                        const struct usbdesc_altsetting *a = &c->alts[j];
                        const char *s = usbdesc_device_string(u, a->string_index);
                        json_array_append_new(alts, json_pack("{s:i, s:i, s:s, s:s, s:i, s:s*}", "interface", a->number,
                                "alternate", a->alt, "class", hex_triple(t, sizeof(t), a->class, a->subclass, a->protocol),
                                "function", usbdesc_function_name(a->kind), "endpoints", (int) a->n_endpoints,
                                "string", s));
                }
                for (size_t j = 0; fns && j < c->n_functions; j++) {
                        const struct usbdesc_func *f = &c->functions[j];
                        uint8_t tr[3];

                        function_triple(c, f, tr);
                        json_array_append_new(fns, json_pack("{s:s, s:s*, s:s, s:o, s:b, s:b}",
                                "function", usbdesc_function_name(f->kind),
                                "profile_name", usbdesc_function_profile_name(f->kind),
                                "class", hex_triple(t, sizeof(t), tr[0], tr[1], tr[2]),
                                "interfaces", interfaces_json(f), "iad", f->iad >= 0,
                                "declared", usbdesc_function_declared(f->kind, (const char *const *) p->usb_classes,
                                                                      p->n_usb_classes)));
                }
                json_array_append_new(configs, json_pack("{s:i, s:i, s:o, s:o}", "value", c->value,
                                                         "num_interfaces", c->num_interfaces,
                                                         "interfaces", alts ? alts : json_array(),
                                                         "functions", fns ? fns : json_array()));
        }
        char id[16];
        snprintf(id, sizeof(id), "%04x:%04x", u->vendor_id, u->product_id);
        return json_pack("{s:s, s:s, s:i, s:i, s:s, s:s*, s:s*, s:s*, s:b, s:o}",
                         "port", usb_device_port_path(dev), "id", id,
                         "bus", usb_device_bus(dev), "address", usb_device_address(dev),
                         "class", hex_triple(t, sizeof(t), u->class, u->subclass, u->protocol),
                         "manufacturer", usbdesc_device_string(u, u->manufacturer_index),
                         "product", usbdesc_device_string(u, u->product_index),
                         "serial", usbdesc_device_string(u, u->serial_index),
                         "bos", u->has_bos, "configurations", configs ? configs : json_array());
}

static enum case_outcome usb_exposure_run(struct case_ctx *ctx) {
        const struct fx_slot *slot = case_ctx_slot(ctx);
        const struct dut_profile *p = case_ctx_profile(ctx);
        json_t *usb = profile_usb(ctx);
        const char *role = json_string_value(json_object_get(usb, "role"));
        bool power_cycle = case_ctx_param_int(ctx, "power_cycle", 1);
        usec_t off = (usec_t) case_ctx_param_int(ctx, "off_ms", 1000) * USEC_PER_MSEC;
        usec_t enumerate = (usec_t) case_ctx_param_int(ctx, "enumerate_s", 30) * USEC_PER_SEC;
        usec_t read = (usec_t) case_ctx_param_int(ctx, "read_s", 5) * USEC_PER_SEC;
        _cleanup_(usb_device_freep) struct usb_device *dev = NULL;
        _cleanup_(usb_descriptors_freep) struct usb_descriptors *ds = NULL;
        _cleanup_free_ char *decoded = NULL;
        struct usb_match m;
        char what[80], list[1024] = "", declared[512] = "";
        size_t n_list = 0, n_decl = 0;
        unsigned n_functions = 0, n_undeclared = 0;
        usec_t t_on;
        bool was_present_off = false;
        enum case_outcome o;
        int r;

        if (!p || !usb || !role) {
                case_ctx_reason(ctx, "the profile declares no USB (usb.role): nothing to check");
                return CASE_SKIPPED;
        }
        if (!streq(role, "device") && !streq(role, "dual")) {
                case_ctx_reason(ctx, "the profile declares usb.role %s: the DUT exposes no USB device functions", role);
                return CASE_SKIPPED;
        }
        if (exposure_match(ctx, &m, what, sizeof(what)) < 0)
                return CASE_ERROR;

        if (power_cycle) {
                struct relay_result rr;
                usec_t off_end;

                o = case_power_set(ctx, slot->power, false, &rr);
                if (o != CASE_PASS)
                        return o;
                off_end = rr.t_start + off;
                /* The DUT should leave the bus while it is off; look every
                 * 50 ms during the off time. */
                case_ctx_progress(ctx, "DUT off for %llu ms, watching %s leave the bus",
                                  (unsigned long long) (off / USEC_PER_MSEC), what);
                for (;;) {
                        was_present_off = present_now(&m);
                        if (!was_present_off || mono_now() >= off_end)
                                break;
                        usec_t next = mono_now() + 50 * USEC_PER_MSEC;
                        if (case_ctx_wait(ctx, next < off_end ? next : off_end) < 0)
                                return CASE_ABORTED;
                }
                if (case_ctx_wait(ctx, off_end) < 0)
                        return CASE_ABORTED;
                if (was_present_off)
                        case_ctx_progress(ctx, "%s still enumerated after %llu ms off (powered from the bus?)", what,
                                          (unsigned long long) (off / USEC_PER_MSEC));
                o = case_power_set(ctx, slot->power, true, &rr);
                if (o != CASE_PASS)
                        return o;
                t_on = rr.t_start;
        } else
                t_on = mono_now();

        case_ctx_progress(ctx, "waiting up to %llu s for the DUT to enumerate on %s",
                          (unsigned long long) (enumerate / USEC_PER_SEC), what);
        r = find_abortable(ctx, &m, t_on + enumerate, &dev);
        if (r == -ECANCELED)
                return CASE_ABORTED;
        if (r < 0) {
                case_ctx_reason(ctx, "the DUT did not enumerate on %s within %llu s of power-on%s%s", what,
                                (unsigned long long) (enumerate / USEC_PER_SEC), r == -ETIMEDOUT ? "" : ": ",
                                r == -ETIMEDOUT ? "" : strerror(-r));
                return CASE_ERROR;
        }
        if (power_cycle && !was_present_off)
                case_ctx_measure(ctx, "enumeration_time", (double) (usb_device_seen_usec(dev) - t_on) / 1000.0, "ms");
        case_ctx_progress(ctx, "%04x:%04x enumerated at %s, reading descriptors", usb_device_vendor_id(dev),
                          usb_device_product_id(dev), usb_device_port_path(dev));

        r = usb_device_descriptors(dev, deadline_in(read), &ds);
        if (r < 0) {
                case_ctx_reason(ctx, "cannot read the descriptors of %04x:%04x at %s: %s", usb_device_vendor_id(dev),
                                usb_device_product_id(dev), usb_device_port_path(dev),
                                r == -EBADMSG ? "malformed descriptors" : strerror(-r));
                return CASE_ERROR;
        }
        case_ctx_evidence(ctx, "usb-descriptors.bin", "application/octet-stream", ds->bytes, ds->n_bytes);
        if (ds->bos)
                case_ctx_evidence(ctx, "usb-bos.bin", "application/octet-stream", ds->bos, ds->n_bos);
        {
                _cleanup_(json_decrefp) json_t *j = decoded_json(dev, ds->decoded, p);
                decoded = j ? json_dumps(j, JSON_INDENT(2)) : NULL;
        }
        if (decoded)
                case_ctx_evidence(ctx, "usb-decoded.json", "application/json", decoded, strlen(decoded));

        for (size_t i = 0; i < p->n_usb_classes && n_decl < sizeof(declared); i++)
                n_decl += (size_t) snprintf(declared + n_decl, sizeof(declared) - n_decl, "%s%s", i ? ", " : "",
                                            p->usb_classes[i]);
        for (size_t i = 0; i < ds->decoded->n_configs; i++) {
                const struct usbdesc_config *c = &ds->decoded->configs[i];

                for (size_t j = 0; j < c->n_functions; j++) {
                        const struct usbdesc_func *f = &c->functions[j];
                        uint8_t tr[3];
                        char nums[128] = "";
                        size_t n = 0;

                        n_functions++;
                        if (usbdesc_function_declared(f->kind, (const char *const *) p->usb_classes, p->n_usb_classes))
                                continue;
                        n_undeclared++;
                        function_triple(c, f, tr);
                        for (size_t k = 0; k < f->n_interfaces && n < sizeof(nums); k++)
                                n += (size_t) snprintf(nums + n, sizeof(nums) - n, "%s%u", k ? "," : "",
                                                       f->interfaces[k]);
                        char conf[32] = "";
                        if (ds->decoded->n_configs > 1)
                                snprintf(conf, sizeof(conf), ", configuration %u", c->value);
                        if (n_list < sizeof(list))
                                n_list += (size_t) snprintf(list + n_list, sizeof(list) - n_list,
                                                            "%s%s (%02x/%02x/%02x, interface%s %s%s)",
                                                            n_undeclared > 1 ? ", " : "",
                                                            usbdesc_function_name(f->kind), tr[0], tr[1], tr[2],
                                                            f->n_interfaces > 1 ? "s" : "", nums, conf);
                }
        }
        case_ctx_measure(ctx, "functions_exposed", n_functions, "count");
        case_ctx_measure(ctx, "functions_undeclared", n_undeclared, "count");
        if (n_undeclared) {
                case_ctx_reason(ctx, "%04x:%04x at %s exposes %u undeclared USB function%s: %s; declared: %s",
                                ds->decoded->vendor_id, ds->decoded->product_id, usb_device_port_path(dev), n_undeclared,
                                n_undeclared > 1 ? "s" : "", list, n_decl ? declared : "none");
                return CASE_FAIL;
        }
        case_ctx_reason(ctx, "%04x:%04x at %s exposes %u function%s, all declared (%s)", ds->decoded->vendor_id,
                        ds->decoded->product_id, usb_device_port_path(dev), n_functions, n_functions == 1 ? "" : "s",
                        n_decl ? declared : "none");
        return CASE_PASS;
}

const struct case_def case_usb_exposure = {
        .id = "usb.exposure",
        .summary = "Power the DUT up, enumerate it and compare the USB functions it exposes with those declared",
        .requirements = usb_exposure_requirements,
        .params = usb_exposure_params,
        .run = usb_exposure_run,
};
