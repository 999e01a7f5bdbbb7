/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* certbench usb-audit: the D-6 decoding without a fixture, for a technician
 * at a bench, on a saved descriptor dump. The same decoder and classifier
 * as the usb.exposure case (lib/usbdesc); docs/usb.md. */

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "drivers/usb/usb.h"
#include "lib/fixture/fixture.h"
#include "lib/usbdesc/usbdesc.h"
#include "lib/usbdump/usbdump.h"

int cmd_usb_audit(struct cli *cli, int argc, char **argv);

DEFINE_TRIVIAL_CLEANUP_FUNC(struct usbdump *, usbdump_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct dut_profile *, profile_free);

static const char help[] =
        "Usage: certbench usb-audit [--json] [--profile PROFILE] [--format FORMAT] FILE\n"
        "       certbench usb-audit [--json] [--profile PROFILE] VID:PID|BUS-PORT[.PORT...]\n\n"
        "Decode every USB descriptor in a saved dump and name the function of each\n"
        "interface (hid-keyboard, cdc-acm, rndis, mass-storage, dfu, adb, ...),\n"
        "grouping interfaces by their IADs and CDC Union descriptors (docs/usb.md).\n"
        "FILE is raw descriptor bytes (device + configurations, as sysfs and\n"
        "usbguard keep them), `lsusb -v` text, a umockdev recording or fwupd device\n"
        "JSON; the format is detected from the content. A connected device is named\n"
        "by VID:PID (the first match) or its port path (\"1-2.3\"): the device and\n"
        "configuration descriptors come from sysfs (the kernel's copy), the BOS and\n"
        "strings through libusb control requests, each bounded by 1 s. Needs no daemon.\n\n"
        "Options:\n"
        "  --json             one JSON document: per device, configuration, interface\n"
        "                     and alternate setting the class, subclass, protocol,\n"
        "                     our function name and the endpoints; the IADs; the\n"
        "                     functions; BOS capabilities\n"
        "  --profile PROFILE  add the D-6 verdict: every function must be declared\n"
        "                     in the DUT profile's usb.classes\n"
        "  --format FORMAT    raw, lsusb, umockdev or fwupd instead of detecting\n"
        "  -h, --help         show this help\n\n"
        "Exit status: 0 decoded (and PASS), 1 FAIL verdict or the dump could not be\n"
        "read or decoded, 2 usage error.\n";

struct audit {
        struct dut_profile *profile;
        unsigned n_functions, n_undeclared, n_errors;
        json_t *undeclared;             /* JSON array of {device, configuration, function, interfaces} */
};

static const char *flag_names[] = {
        "endpoint-count", "interface-count", "trailing-bytes", "iad-range", "configuration-count",
};

static json_t *flags_json(unsigned flags) {
        json_t *a = json_array();

        for (unsigned i = 0; a && i < ELEMENTSOF(flag_names); i++)
                if (flags & (1u << i))
                        json_array_append_new(a, json_string(flag_names[i]));
        return a;
}

static void flags_print(unsigned flags) {
        for (unsigned i = 0; i < ELEMENTSOF(flag_names); i++)
                if (flags & (1u << i))
                        printf(" [%s]", flag_names[i]);
}

static json_t *hex_json(const uint8_t *p, size_t n) {
        char *s = malloc(n * 2 + 1);
        json_t *j;

        if (!s)
                return NULL;
        for (size_t i = 0; i < n; i++)
                snprintf(s + 2 * i, 3, "%02x", p[i]);
        s[2 * n] = 0;
        j = json_string(s);
        free(s);
        return j;
}

static json_t *opt_string(const struct usbdesc_device *d, uint8_t index) {
        const char *s = usbdesc_device_string(d, index);
        return s ? json_string(s) : json_null();
}

static json_t *endpoint_json(const struct usbdesc_endpoint *e) {
        char addr[8];
        json_t *extra = json_array();

        snprintf(addr, sizeof(addr), "0x%02x", e->address);
        for (size_t i = 0; extra && i < e->n_extra; i++)
                json_array_append_new(extra, hex_json(e->extra[i].data, e->extra[i].len));
        return json_pack("{s:s, s:i, s:s, s:s, s:i, s:i, s:o}", "address", addr, "number", e->address & 0x0f,
                         "direction", (e->address & 0x80) ? "in" : "out",
                         "type", usbdesc_transfer_type_name(e->attributes),
                         "max_packet_size", e->max_packet_size & 0x7ff, "interval", e->interval,
                         "extra", extra ? extra : json_array());
}

static const char *class_name(uint8_t c) {
        const char *n = usbdesc_class_name(c);
        return n ? n : "reserved";
}

static json_t *config_json(const struct usbdesc_device *d, const struct usbdesc_config *c) {
        json_t *ifs = json_array(), *iads = json_array(), *fns = json_array();

        if (!ifs || !iads || !fns)
                goto fail;
        for (size_t i = 0; i < c->n_alts; i++) {
                const struct usbdesc_altsetting *a = &c->alts[i];
                json_t *intf = NULL, *alts, *eps = json_array(), *extra = json_array();
                size_t k;

                if (!eps || !extra) {
                        json_decref(eps);
                        json_decref(extra);
                        goto fail;
                }
                /* find or create the interface entry for this number */
                json_array_foreach(ifs, k, intf)
                        if (json_integer_value(json_object_get(intf, "number")) == a->number)
                                break;
                if (k == json_array_size(ifs)) {
                        intf = json_pack("{s:i, s:[]}", "number", a->number, "alternate_settings");
                        json_array_append_new(ifs, intf);
                }
                alts = json_object_get(intf, "alternate_settings");
                for (size_t e = 0; e < a->n_endpoints; e++)
                        json_array_append_new(eps, endpoint_json(&a->endpoints[e]));
                for (size_t e = 0; e < a->n_extra; e++)
                        json_array_append_new(extra, hex_json(a->extra[e].data, a->extra[e].len));
                json_array_append_new(alts, json_pack(
                        "{s:i, s:i, s:i, s:i, s:s, s:s, s:s, s:o, s:i, s:o, s:o}",
                        "alternate_setting", a->alt, "class", a->class, "subclass", a->subclass,
                        "protocol", a->protocol, "class_name", class_name(a->class),
                        "kind", usbdesc_function_name(a->kind),
                        "function", usbdesc_function_name(c->functions[a->function].kind),
                        "string", opt_string(d, a->string_index), "num_endpoints", a->num_endpoints,
                        "endpoints", eps, "class_specific", extra));
        }
        for (size_t i = 0; i < c->n_iads; i++) {
                const struct usbdesc_iad *iad = &c->iads[i];
                const char *f = NULL;
                for (size_t j = 0; j < c->n_functions; j++)
                        if (c->functions[j].iad == (int) i)
                                f = usbdesc_function_name(c->functions[j].kind);
                json_array_append_new(iads, json_pack(
                        "{s:i, s:i, s:i, s:i, s:i, s:s, s:o, s:o}", "first_interface", iad->first_interface,
                        "interface_count", iad->interface_count, "class", iad->class,
                        "subclass", iad->subclass, "protocol", iad->protocol, "class_name", class_name(iad->class),
                        "function", f ? json_string(f) : json_null(), "string", opt_string(d, iad->string_index)));
        }
        for (size_t i = 0; i < c->n_functions; i++) {
                const struct usbdesc_func *f = &c->functions[i];
                json_t *nums = json_array();
                for (size_t j = 0; nums && j < f->n_interfaces; j++)
                        json_array_append_new(nums, json_integer(f->interfaces[j]));
                json_array_append_new(fns, json_pack("{s:s, s:o, s:b}", "name", usbdesc_function_name(f->kind),
                                                     "interfaces", nums ? nums : json_array(), "iad", f->iad >= 0));
        }
        return json_pack("{s:i, s:i, s:i, s:i, s:o, s:o, s:o, s:o, s:o}", "value", c->value,
                         "num_interfaces", c->num_interfaces, "attributes", c->attributes,
                         "max_power", c->max_power, "string", opt_string(d, c->string_index),
                         "flags", flags_json(c->flags), "interfaces", ifs, "iads", iads, "functions", fns);
fail:
        json_decref(ifs);
        json_decref(iads);
        json_decref(fns);
        return NULL;
}

static json_t *bos_json(const struct usbdesc_device *d) {
        json_t *caps = json_array(), *ms = json_array();

        for (size_t i = 0; caps && i < d->n_caps; i++) {
                const struct usbdesc_capability *c = &d->caps[i];
                json_t *o = json_pack("{s:i, s:o}", "type", c->type, "raw", hex_json(c->raw.data, c->raw.len));
                if (o && c->has_uuid) {
                        const uint8_t *u = c->uuid;
                        char s[40];
                        /* wire order is little-endian for the first three fields */
                        snprintf(s, sizeof(s), "%02X%02X%02X%02X-%02X%02X-%02X%02X-%02X%02X-%02X%02X%02X%02X%02X%02X",
                                 u[3], u[2], u[1], u[0], u[5], u[4], u[7], u[6], u[8], u[9], u[10], u[11], u[12],
                                 u[13], u[14], u[15]);
                        json_object_set_new(o, "uuid", json_string(s));
                }
                json_array_append_new(caps, o);
        }
        for (size_t i = 0; ms && i < d->n_msos20; i++)
                json_array_append_new(ms, json_pack("{s:I, s:i, s:i, s:i}", "windows_version",
                                                    (json_int_t) d->msos20[i].windows_version, "total_length",
                                                    d->msos20[i].total_length, "vendor_code", d->msos20[i].vendor_code,
                                                    "alt_enum_code", d->msos20[i].alt_enum_code));
        return json_pack("{s:o, s:o}", "capabilities", caps ? caps : json_array(), "msos20", ms ? ms : json_array());
}

static json_t *device_json(const struct usbdump_device *dd, const struct usbdesc_device *d) {
        json_t *cfgs = json_array();
        char vid[8], pid[8], bcd[8], rel[8];

        snprintf(vid, sizeof(vid), "%04x", d->vendor_id);
        snprintf(pid, sizeof(pid), "%04x", d->product_id);
        snprintf(bcd, sizeof(bcd), "%x.%02x", d->bcd_usb >> 8, d->bcd_usb & 0xff);
        snprintf(rel, sizeof(rel), "%x.%02x", d->bcd_device >> 8, d->bcd_device & 0xff);
        for (size_t i = 0; cfgs && i < d->n_configs; i++)
                json_array_append_new(cfgs, config_json(d, &d->configs[i]));
        return json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:i, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
                         "name", dd->name, "vendor_id", vid, "product_id", pid, "usb", bcd, "release", rel,
                         "class", d->class, "subclass", d->subclass, "protocol", d->protocol,
                         "class_name", class_name(d->class),
                         "manufacturer", opt_string(d, d->manufacturer_index),
                         "product", opt_string(d, d->product_index), "serial", opt_string(d, d->serial_index),
                         "flags", flags_json(d->flags), "configurations", cfgs ? cfgs : json_array(),
                         "bos", d->has_bos ? bos_json(d) : json_null(),
                         "descriptors", hex_json(dd->bytes, dd->n_bytes));
}

static void device_print(const struct usbdump_device *dd, const struct usbdesc_device *d) {
        const char *m = usbdesc_device_string(d, d->manufacturer_index), *p = usbdesc_device_string(d, d->product_index);

        printf("Device %04x:%04x  USB %x.%02x  class %02x/%02x/%02x %s  %s%s%s\n  (%s)",
               d->vendor_id, d->product_id, d->bcd_usb >> 8, d->bcd_usb & 0xff, d->class, d->subclass,
               d->protocol, class_name(d->class), m ? m : "", m && p ? " " : "", p ? p : "", dd->name);
        flags_print(d->flags);
        putchar('\n');
        for (size_t i = 0; i < d->n_configs; i++) {
                const struct usbdesc_config *c = &d->configs[i];
                printf("  Configuration %u: %u interface(s)", c->value, c->num_interfaces);
                flags_print(c->flags);
                putchar('\n');
                for (size_t j = 0; j < c->n_iads; j++)
                        printf("    IAD interfaces %u-%u: %02x/%02x/%02x %s\n", c->iads[j].first_interface,
                               c->iads[j].first_interface + c->iads[j].interface_count - 1, c->iads[j].class,
                               c->iads[j].subclass, c->iads[j].protocol, class_name(c->iads[j].class));
                for (size_t j = 0; j < c->n_alts; j++) {
                        const struct usbdesc_altsetting *a = &c->alts[j];
                        const char *s = usbdesc_device_string(d, a->string_index);
                        printf("    Interface %u alt %u: %02x/%02x/%02x %-20s %-13s", a->number, a->alt, a->class,
                               a->subclass, a->protocol, class_name(a->class), usbdesc_function_name(a->kind));
                        for (size_t e = 0; e < a->n_endpoints; e++)
                                printf(" %02x:%s", a->endpoints[e].address,
                                       usbdesc_transfer_type_name(a->endpoints[e].attributes));
                        if (s)
                                printf("  \"%s\"", s);
                        putchar('\n');
                }
                printf("    Functions:");
                for (size_t j = 0; j < c->n_functions; j++) {
                        const struct usbdesc_func *f = &c->functions[j];
                        printf(" %s(", usbdesc_function_name(f->kind));
                        for (size_t k = 0; k < f->n_interfaces; k++)
                                printf("%s%u", k ? "," : "", f->interfaces[k]);
                        printf(")%s", f->iad >= 0 ? "[iad]" : "");
                }
                putchar('\n');
        }
        for (size_t i = 0; i < d->n_caps; i++)
                printf("  BOS capability type 0x%02x, %zu bytes%s\n", d->caps[i].type, d->caps[i].raw.len,
                       d->caps[i].has_uuid ? " (platform)" : "");
        for (size_t i = 0; i < d->n_msos20; i++)
                printf("  MS OS 2.0: Windows 0x%08" PRIx32 ", set %u bytes, vendor code 0x%02x\n",
                       d->msos20[i].windows_version, d->msos20[i].total_length, d->msos20[i].vendor_code);
}

/* The D-6 check of one device against the profile. */
static void device_verdict(struct audit *a, const struct usbdump_device *dd, const struct usbdesc_device *d) {
        for (size_t i = 0; i < d->n_configs; i++) {
                const struct usbdesc_config *c = &d->configs[i];
                for (size_t j = 0; j < c->n_functions; j++) {
                        const struct usbdesc_func *f = &c->functions[j];
                        json_t *nums;

                        a->n_functions++;
                        if (usbdesc_function_declared(f->kind, (const char *const *) a->profile->usb_classes,
                                                      a->profile->n_usb_classes))
                                continue;
                        a->n_undeclared++;
                        nums = json_array();
                        for (size_t k = 0; nums && k < f->n_interfaces; k++)
                                json_array_append_new(nums, json_integer(f->interfaces[k]));
                        json_array_append_new(a->undeclared, json_pack(
                                "{s:s, s:i, s:s, s:o}", "device", dd->name, "configuration", c->value,
                                "function", usbdesc_function_name(f->kind), "interfaces", nums ? nums : json_array()));
                }
        }
}

static int decode(const struct usbdump_device *dd, struct usbdesc_device **ret) {
        struct usbdesc_device *d = NULL;
        int r = usbdesc_device_parse(dd->bytes, dd->n_bytes, &d);

        if (r < 0)
                return r;
        for (size_t i = 0; i < dd->n_strings; i++) {
                r = usbdesc_device_string_set(d, dd->strings[i].index, dd->strings[i].text);
                if (r < 0)
                        goto fail;
        }
        if (dd->bos) {
                r = usbdesc_device_bos_set(d, dd->bos, dd->n_bos);
                if (r < 0)
                        goto fail;
        }
        *ret = d;
        return 0;
fail:
        usbdesc_device_free(d);
        return r;
}

/* ---- live mode: a connected device by VID:PID or bus-port path ---- */

#define LIVE_TIMEOUT_MS 1000

static void live_error(char **ret, const char *fmt, ...) _printf_(2, 3);
static void live_error(char **ret, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(ret, fmt, ap) < 0)
                *ret = NULL;
        va_end(ap);
}

static bool is_vid_pid(const char *s, uint16_t *vid, uint16_t *pid) {
        unsigned v, p;
        int n = 0;

        if (strlen(s) != 9 || sscanf(s, "%4x:%4x%n", &v, &p, &n) != 2 || n != 9)
                return false;
        *vid = (uint16_t) v;
        *pid = (uint16_t) p;
        return true;
}

/* "1-2.3": bus 1, ports 2 then 3 (the sysfs name). */
static bool is_bus_port(const char *s) {
        const char *p = s;
        bool dash = false;

        if (!(*p >= '0' && *p <= '9'))
                return false;
        for (; *p; p++) {
                if (*p == '-' && !dash && p[1] >= '0' && p[1] <= '9')
                        dash = true;
                else if (*p == '.' && dash && p[1] >= '0' && p[1] <= '9')
                        continue;
                else if (!(*p >= '0' && *p <= '9'))
                        return false;
        }
        return dash;
}

/* Finds the device named by spec (VID:PID or bus-port) through drivers/usb
 * (no waiting: one scan) and reads it into a one-device dump. */
static int live_load(const char *spec, struct usbdump **ret, char **ret_error) {
        _cleanup_(usb_device_freep) struct usb_device *dev = NULL;
        _cleanup_(usb_descriptors_freep) struct usb_descriptors *ds = NULL;
        struct usbdump_device *dd;
        struct usbdump *d;
        struct usb_match m;
        int r;

        if (usb_match_parse(spec, &m) < 0) {
                live_error(ret_error, "%s: expected VID:PID or BUS-PORT[.PORT...]", spec);
                return -EINVAL;
        }
        r = usb_device_find(&m, mono_now(), &dev);
        if (r == -ETIMEDOUT) {
                live_error(ret_error, "%s: no such USB device connected", spec);
                return -ENODEV;
        }
        if (r < 0) {
                live_error(ret_error, "libusb: cannot initialise");
                return r;
        }
        r = usb_device_descriptors(dev, deadline_in(10 * LIVE_TIMEOUT_MS * USEC_PER_MSEC), &ds);
        if (r == -EACCES) {
                live_error(ret_error, "%s: no sysfs descriptors and cannot open the device "
                           "(permissions? see udev/)", usb_device_port_path(dev));
                return r;
        }
        if (r < 0) {
                live_error(ret_error, "%s: reading the descriptors failed: %s", usb_device_port_path(dev),
                           strerror(-r));
                return r;
        }
        d = calloc(1, sizeof(*d));
        if (!d)
                return -ENOMEM;
        d->format = USBDUMP_RAW;
        d->devices = dd = calloc(1, sizeof(*dd));
        if (!dd || !(dd->name = strdup(usb_device_port_path(dev))))
                goto fail;
        d->n_devices = 1;
        dd->bytes = TAKE_PTR(ds->bytes);
        dd->n_bytes = ds->n_bytes;
        dd->bos = TAKE_PTR(ds->bos);
        dd->n_bos = ds->n_bos;
        if (ds->n_strings) {
                dd->strings = calloc(ds->n_strings, sizeof(*dd->strings));
                if (!dd->strings)
                        goto fail;
                for (size_t i = 0; i < ds->n_strings; i++, dd->n_strings++)
                        dd->strings[i] = (struct usbdump_string) { ds->strings[i].index,
                                                                   TAKE_PTR(ds->strings[i].text) };
        }
        *ret = d;
        return 0;
fail:
        usbdump_free(d);
        return -ENOMEM;
}

int cmd_usb_audit(struct cli *cli, int argc, char **argv) {
        enum { ARG_JSON = CLI_ARG_FIRST_LOCAL, ARG_PROFILE, ARG_FORMAT };
        static const struct option options[] = {
                { "json", no_argument, NULL, ARG_JSON },
                { "profile", required_argument, NULL, ARG_PROFILE },
                { "format", required_argument, NULL, ARG_FORMAT },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        _cleanup_(usbdump_freep) struct usbdump *dump = NULL;
        _cleanup_(profile_freep) struct dut_profile *profile = NULL;
        _cleanup_(json_decrefp) json_t *root = NULL, *devices = NULL, *undeclared = NULL;
        _cleanup_free_ char *error = NULL;
        const char *profile_path = NULL;
        struct audit a = {};
        bool json = false;
        int c, r, format = -1, status = CLI_EXIT_OK;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                switch (c) {
                case 'h':
                        fputs(help, stdout);
                        return CLI_EXIT_OK;
                case ARG_JSON:
                        json = true;
                        break;
                case ARG_PROFILE:
                        profile_path = optarg;
                        break;
                case ARG_FORMAT:
                        format = -1;
                        for (int f = 0; f < _USBDUMP_FORMAT_MAX; f++)
                                if (strcmp(optarg, usbdump_format_name(f)) == 0)
                                        format = f;
                        if (format < 0) {
                                cli_usage_error("usb-audit: --format: expected raw, lsusb, umockdev or fwupd, got '%s'",
                                                optarg);
                                return cli_usage_hint(cli);
                        }
                        break;
                default:
                        return cli_usage_hint(cli);
                }
        }
        if (optind + 1 != argc) {
                cli_usage_error("usb-audit: expected exactly one FILE, VID:PID or BUS-PORT");
                return cli_usage_hint(cli);
        }

        if (profile_path) {
                r = profile_load(profile_path, &profile, &error);
                if (r < 0) {
                        fprintf(stderr, "certbench: --profile: %s\n", error ? error : strerror(-r));
                        return CLI_EXIT_FAIL;
                }
                free(error);
                error = NULL;
        }

        uint16_t vid, pid;
        struct stat st;
        if (stat(argv[optind], &st) < 0 && (is_vid_pid(argv[optind], &vid, &pid) || is_bus_port(argv[optind])))
                r = live_load(argv[optind], &dump, &error);
        else
                r = usbdump_load(argv[optind], format, &dump, &error);
        if (r < 0) {
                fprintf(stderr, "certbench: %s\n", error ? error : strerror(-r));
                return CLI_EXIT_FAIL;
        }

        devices = json_array();
        undeclared = json_array();
        if (!devices || !undeclared)
                return CLI_EXIT_ERROR;
        a.profile = profile;
        a.undeclared = undeclared;
        if (!json)
                printf("%s: %s, %zu device(s)\n", argv[optind], usbdump_format_name(dump->format), dump->n_devices);
        for (size_t i = 0; i < dump->n_devices; i++) {
                const struct usbdump_device *dd = &dump->devices[i];
                struct usbdesc_device *d = NULL;

                r = decode(dd, &d);
                if (r < 0) {
                        a.n_errors++;
                        if (json)
                                json_array_append_new(devices, json_pack("{s:s, s:s}", "name", dd->name, "error",
                                                                         strerror(-r)));
                        else
                                fprintf(stderr, "certbench: %s: %s: cannot decode the descriptors: %s\n",
                                        argv[optind], dd->name, strerror(-r));
                        continue;
                }
                if (json)
                        json_array_append_new(devices, device_json(dd, d));
                else
                        device_print(dd, d);
                if (profile)
                        device_verdict(&a, dd, d);
                usbdesc_device_free(d);
        }
        if (a.n_errors)
                status = CLI_EXIT_FAIL;

        const char *verdict = NULL, *reason = NULL;
        _cleanup_free_ char *why = NULL;
        if (profile) {
                if (a.n_errors) {
                        verdict = "ERROR";
                        reason = "some descriptors could not be decoded";
                } else if (a.n_undeclared) {
                        verdict = "FAIL";
                        if (asprintf(&why, "%u of %u function(s) not declared in %s", a.n_undeclared,
                                     a.n_functions, profile_path) < 0)
                                return CLI_EXIT_ERROR;
                        reason = why;
                        status = CLI_EXIT_FAIL;
                } else {
                        verdict = "PASS";
                        reason = "every function the device exposes is declared";
                }
        }

        if (json) {
                root = json_pack("{s:s, s:s, s:O}", "file", argv[optind], "format", usbdump_format_name(dump->format),
                                 "devices", devices);
                if (root && profile) {
                        json_t *decl = json_array();
                        for (size_t i = 0; decl && i < profile->n_usb_classes; i++)
                                json_array_append_new(decl, json_string(profile->usb_classes[i]));
                        json_object_set_new(root, "verdict", json_pack("{s:s, s:s, s:s, s:o, s:O}",
                                "requirement", "D-6", "result", verdict, "reason", reason,
                                "declared", decl ? decl : json_array(), "undeclared", undeclared));
                }
                if (!root || json_dumpf(root, stdout, JSON_INDENT(2)) < 0) {
                        fprintf(stderr, "certbench: cannot write JSON\n");
                        return CLI_EXIT_ERROR;
                }
                putchar('\n');
        } else if (profile) {
                size_t i;
                json_t *u;
                printf("D-6 %s: %s\n", verdict, reason);
                json_array_foreach(undeclared, i, u) {
                        _cleanup_free_ char *nums = json_dumps(json_object_get(u, "interfaces"), JSON_COMPACT);
                        printf("  undeclared: %s (configuration %d, interfaces %s) on %s\n",
                               json_string_value(json_object_get(u, "function")),
                               (int) json_integer_value(json_object_get(u, "configuration")), nums ? nums : "?",
                               json_string_value(json_object_get(u, "device")));
                }
        }
        if (fflush(stdout) != 0)
                return CLI_EXIT_ERROR;
        return status;
}
