/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* usb.host-sweep (D-6, the DUT as a USB host): the bench is a USB device
 * (a configfs gadget on the UDC cabled to the DUT's host port) and
 * presents one function at a time: HID keyboard, mass storage, CDC-ECM,
 * CDC-NCM, RNDIS, CDC-ACM, printer, audio. For each it records whether the
 * DUT's host enumerated it and whether a class driver used it (seen from
 * the gadget side), and compares with the classes the profile declares.
 * docs/usb-host.md. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drivers/usbgadget/usbgadget.h"
#include "lib/usbdesc/usbdesc.h"
#include "testcase.h"

#define streq(a, b) (strcmp((a), (b)) == 0)

static const char *const usb_host_requirements[] = { "D-6", NULL };

static const struct case_param usb_host_params[] = {
        { .name = "udc", .type = CASE_PARAM_STRING,
          .help = "device-mode controller cabled to the DUT's host port (default: the first of /sys/class/udc)" },
        { .name = "functions", .type = CASE_PARAM_STRING,
          .help = "comma-separated gadget functions to present (default: hid,mass_storage,ecm,ncm,rndis,acm,printer,uac2)" },
        { .name = "power_cycle", .type = CASE_PARAM_INT, .min = 0, .max = 1,
          .help = "switch the DUT off and on before the sweep (default 1)" },
        { .name = "off_ms", .type = CASE_PARAM_INT, .min = 0, .max = 600000,
          .help = "how long the DUT stays unpowered (default 1000)" },
        { .name = "boot_s", .type = CASE_PARAM_INT, .min = 1, .max = 600,
          .help = "how long after power-on the DUT's host may take to enumerate the first function (default 60)" },
        { .name = "enumerate_s", .type = CASE_PARAM_INT, .min = 1, .max = 120,
          .help = "deadline for enumerating each further function (default 10)" },
        { .name = "observe_s", .type = CASE_PARAM_INT, .min = 1, .max = 120,
          .help = "how long to watch each enumerated function for use by a class driver (default 5)" },
        {}
};

/* The usbdesc kind each gadget function presents: how the profile names it. */
static const enum usbdesc_function function_kind[_USBGADGET_FUNCTION_MAX] = {
        [USBGADGET_HID] = USBDESC_FN_HID_KEYBOARD,
        [USBGADGET_MASS_STORAGE] = USBDESC_FN_MASS_STORAGE,
        [USBGADGET_ECM] = USBDESC_FN_CDC_ECM,
        [USBGADGET_NCM] = USBDESC_FN_CDC_NCM,
        [USBGADGET_RNDIS] = USBDESC_FN_RNDIS,
        [USBGADGET_ACM] = USBDESC_FN_CDC_ACM,
        [USBGADGET_PRINTER] = USBDESC_FN_PRINTER,
        [USBGADGET_UAC2] = USBDESC_FN_AUDIO,
};

/* The functions param into a list; -EINVAL names the bad entry. */
static int functions_parse(struct case_ctx *ctx, const char *s, int *list, size_t *n) {
        _cleanup_free_ char *copy = strdup(s);
        char *save = NULL;

        if (!copy)
                return -ENOMEM;
        *n = 0;
        for (char *t = strtok_r(copy, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
                int f = usbgadget_function_from_string(t);

                if (f < 0) {
                        case_ctx_reason(ctx, "params.usb.host-sweep.functions: unknown function \"%s\", expected "
                                        "hid, mass_storage, ecm, ncm, rndis, acm, printer or uac2", t);
                        return -EINVAL;
                }
                if (*n < _USBGADGET_FUNCTION_MAX)
                        list[(*n)++] = f;
        }
        if (*n == 0) {
                case_ctx_reason(ctx, "params.usb.host-sweep.functions: empty list");
                return -EINVAL;
        }
        return 0;
}

static void list_add(char *buf, size_t size, size_t *n, const char *s) {
        if (*n < size)
                *n += (size_t) snprintf(buf + *n, size - *n, "%s%s", *n ? ", " : "", s);
}

static enum case_outcome usb_host_run(struct case_ctx *ctx) {
        const struct fx_slot *slot = case_ctx_slot(ctx);
        const struct dut_profile *p = case_ctx_profile(ctx);
        json_t *usb = p && p->json ? json_object_get(p->json, "usb") : NULL;
        const char *role = json_string_value(json_object_get(usb, "role"));
        bool power_cycle = case_ctx_param_int(ctx, "power_cycle", 1);
        usec_t off = (usec_t) case_ctx_param_int(ctx, "off_ms", 1000) * USEC_PER_MSEC;
        usec_t boot = (usec_t) case_ctx_param_int(ctx, "boot_s", 60) * USEC_PER_SEC;
        usec_t enumerate = (usec_t) case_ctx_param_int(ctx, "enumerate_s", 10) * USEC_PER_SEC;
        usec_t observe = (usec_t) case_ctx_param_int(ctx, "observe_s", 5) * USEC_PER_SEC;
        const char *udc_param = case_ctx_param_string(ctx, "udc", NULL);
        _cleanup_free_ char *udc = NULL, *state = NULL, *dump = NULL;
        _cleanup_(json_decrefp) json_t *results = json_array();
        char workdir[] = "/tmp/cb-usbhost-XXXXXX";
        const char *tmp = getenv("TMPDIR");
        _cleanup_free_ char *wd = NULL;
        int funcs[_USBGADGET_FUNCTION_MAX];
        size_t n_funcs;
        char undeclared[512] = "", bound[512] = "", skipped[256] = "", declared[512] = "";
        size_t n_und = 0, n_bound = 0, n_skip = 0, n_decl = 0;
        unsigned n_presented = 0, n_enumerated = 0, n_used = 0, n_undeclared = 0;
        enum case_outcome o = CASE_PASS;
        bool first = true;
        usec_t t_on;
        int r;

        if (!p || !usb || !role) {
                case_ctx_reason(ctx, "the profile declares no USB (usb.role): nothing to check");
                return CASE_SKIPPED;
        }
        if (!streq(role, "host") && !streq(role, "dual")) {
                case_ctx_reason(ctx, "the profile declares usb.role %s: the DUT has no USB host port", role);
                return CASE_SKIPPED;
        }
        if (!results)
                return CASE_ERROR;
        if (functions_parse(ctx, case_ctx_param_string(ctx, "functions", "hid,mass_storage,ecm,ncm,rndis,acm,printer,uac2"),
                            funcs, &n_funcs) < 0)
                return CASE_ERROR;
        if (udc_param)
                udc = strdup(udc_param);
        else if (usbgadget_udc_default(&udc) < 0) {
                case_ctx_reason(ctx, "the bench has no USB device-mode controller (/sys/class/udc is empty or missing): "
                                "cannot present functions to the DUT's host");
                return CASE_ERROR;
        }
        if (!udc)
                return CASE_ERROR;
        r = usbgadget_udc_state(udc, &state);
        if (r < 0) {
                case_ctx_reason(ctx, "USB device controller %s: %s", udc, r == -ENOENT ? "no such UDC" : strerror(-r));
                return CASE_ERROR;
        }
        /* The backing file of the mass storage function lives here. */
        if (tmp && *tmp && asprintf(&wd, "%s/cb-usbhost-XXXXXX", tmp) < 0)
                return CASE_ERROR;
        if (!mkdtemp(wd ? wd : workdir)) {
                case_ctx_reason(ctx, "cannot create a temporary directory under %s: %m", wd ? tmp : "/tmp");
                return CASE_ERROR;
        }
        const char *dir = wd ? wd : workdir;
        /* One gadget per UDC: slots on different controllers do not meet. */
        char gname[128];
        snprintf(gname, sizeof(gname), "certbench-host-sweep-%s", udc);

        for (size_t i = 0; i < p->n_usb_classes; i++)
                list_add(declared, sizeof(declared), &n_decl, p->usb_classes[i]);

        if (power_cycle) {
                struct relay_result rr;

                o = case_power_set(ctx, slot->power, false, &rr);
                if (o == CASE_PASS && case_ctx_wait(ctx, rr.t_start + off) < 0)
                        o = CASE_ABORTED;
                if (o == CASE_PASS)
                        o = case_power_set(ctx, slot->power, true, &rr);
                if (o != CASE_PASS) {
                        (void) rmdir(dir);
                        return o;
                }
                t_on = rr.t_start;
        } else
                t_on = mono_now();

        for (size_t i = 0; i < n_funcs && o == CASE_PASS; i++) {
                enum usbgadget_function f = funcs[i];
                const char *type = usbgadget_function_to_string(f);
                enum usbdesc_function kind = function_kind[f];
                const char *cls = usbdesc_function_name(kind);
                bool is_declared = usbdesc_function_declared(kind, (const char *const *) p->usb_classes, p->n_usb_classes);
                _cleanup_(usbgadget_freep) struct usbgadget *g = NULL;
                struct usbgadget_use use = {};
                usec_t t0, deadline;
                json_t *e;

                e = json_pack("{s:s, s:s, s:b}", "function", type, "class", cls, "declared", is_declared);
                if (!e)
                        return CASE_ERROR;
                json_array_append_new(results, e);
                r = usbgadget_new(gname, f, dir, &g);
                if (r == -EOPNOTSUPP) {
                        case_ctx_progress(ctx, "%s: the bench kernel offers no such gadget function, skipped", type);
                        json_object_set_new(e, "result", json_string("SKIPPED"));
                        json_object_set_new(e, "reason", json_string("the bench kernel has no such gadget function"));
                        list_add(skipped, sizeof(skipped), &n_skip, type);
                        continue;
                }
                if (r < 0) {
                        case_ctx_reason(ctx, "cannot create the %s gadget in configfs: %s", type, strerror(-r));
                        o = CASE_ERROR;
                        break;
                }
                n_presented++;
                t0 = mono_now();
                r = usbgadget_bind(g, udc);
                if (r == -EOPNOTSUPP) {
                        case_ctx_progress(ctx, "%s: does not bind on %s (endpoints it lacks), skipped", type, udc);
                        json_object_set_new(e, "result", json_string("SKIPPED"));
                        json_object_set_new(e, "reason", json_string("the function does not bind on the bench's UDC"));
                        list_add(skipped, sizeof(skipped), &n_skip, type);
                        n_presented--;
                        continue;
                }
                if (r < 0) {
                        case_ctx_reason(ctx, "cannot bind the %s gadget to %s: %s", type, udc,
                                        r == -EBUSY ? "the controller serves another gadget" : strerror(-r));
                        o = CASE_ERROR;
                        break;
                }
                deadline = first ? (t_on + boot > t0 + enumerate ? t_on + boot : t0 + enumerate) : t0 + enumerate;
                case_ctx_progress(ctx, "%s (%s) presented on %s, waiting up to %llu s for the DUT's host to enumerate it",
                                  type, cls, udc, (unsigned long long) ((deadline - t0 + USEC_PER_SEC - 1) / USEC_PER_SEC));
                r = usbgadget_wait_configured(g, deadline, case_ctx_abort_fd(ctx));
                if (r == -ECANCELED) {
                        o = CASE_ABORTED;
                        break;
                }
                if (r == -ETIMEDOUT) {
                        _cleanup_free_ char *st = NULL;
                        (void) usbgadget_udc_state(udc, &st);
                        case_ctx_progress(ctx, "%s: not enumerated (UDC state \"%s\")", type, st ? st : "?");
                        json_object_set_new(e, "result", json_string("not-enumerated"));
                        json_object_set_new(e, "udc_state", json_string(st ? st : "?"));
                        continue;
                }
                if (r < 0) {
                        case_ctx_reason(ctx, "cannot read the state of %s: %s", udc, strerror(-r));
                        o = CASE_ERROR;
                        break;
                }
                first = false;
                n_enumerated++;
                json_object_set_new(e, "enumeration_ms", json_real((double) (mono_now() - t0) / 1000.0));
                r = usbgadget_observe(g, mono_now() + observe, case_ctx_abort_fd(ctx), &use);
                if (r == -ECANCELED) {
                        o = CASE_ABORTED;
                        break;
                }
                if (r < 0) {
                        case_ctx_reason(ctx, "cannot watch the gadget side of %s: %s", type, strerror(-r));
                        o = CASE_ERROR;
                        break;
                }
                json_object_set_new(e, "result", json_string(use.used ? "bound" : "enumerated"));
                json_object_set_new(e, "observable", json_boolean(use.observable));
                json_object_set_new(e, "signal", json_string(use.signal));
                if (use.detail)
                        json_object_set_new(e, "detail", json_string(use.detail));
                case_ctx_progress(ctx, "%s: enumerated; %s", type, use.signal);
                if (use.used) {
                        n_used++;
                        list_add(bound, sizeof(bound), &n_bound, cls);
                        if (!is_declared) {
                                n_undeclared++;
                                list_add(undeclared, sizeof(undeclared), &n_und, cls);
                        }
                }
                usbgadget_use_done(&use);
        }
        (void) rmdir(dir);

        dump = json_dumps(results, JSON_INDENT(2));
        if (dump)
                case_ctx_evidence(ctx, "usb-host-sweep.json", "application/json", dump, strlen(dump));
        case_ctx_measure(ctx, "functions_presented", n_presented, "count");
        case_ctx_measure(ctx, "functions_enumerated", n_enumerated, "count");
        case_ctx_measure(ctx, "functions_bound", n_used, "count");
        case_ctx_measure(ctx, "functions_undeclared_bound", n_undeclared, "count");
        if (o != CASE_PASS)
                return o;
        if (n_presented == 0) {
                case_ctx_reason(ctx, "the bench kernel offers none of the requested gadget functions (%s)", skipped);
                return CASE_ERROR;
        }
        if (n_enumerated == 0) {
                case_ctx_reason(ctx, "the DUT's host enumerated none of the %u functions presented on %s: "
                                "is the DUT's USB host port cabled to it and powered?", n_presented, udc);
                return CASE_ERROR;
        }
        if (n_undeclared) {
                case_ctx_reason(ctx, "the DUT's host bound %u USB function%s it does not declare: %s; declared: %s",
                                n_undeclared, n_undeclared > 1 ? "s" : "", undeclared, n_decl ? declared : "none");
                return CASE_FAIL;
        }
        case_ctx_reason(ctx, "the DUT's host bound %s of %u function%s presented (%u enumerated%s%s); declared: %s",
                        n_bound ? bound : "none", n_presented, n_presented == 1 ? "" : "s", n_enumerated,
                        n_skip ? "; skipped, the bench cannot present them: " : "", skipped, n_decl ? declared : "none");
        return CASE_PASS;
}

const struct case_def case_usb_host_sweep = {
        .id = "usb.host-sweep",
        .summary = "Present USB functions one at a time to the DUT's host (gadget mode) and compare what it binds with those declared",
        .requirements = usb_host_requirements,
        .params = usb_host_params,
        .run = usb_host_run,
};
