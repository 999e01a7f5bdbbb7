/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lib/usbdesc on hand-made descriptor sets: layout, every truncation,
 * IAD and Union grouping, the classifier's hard cases, BOS, strings. */

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/usbdesc/usbdesc.h"

/* A tiny builder: device descriptor, then configuration sets whose
 * wTotalLength is patched when the set ends. */
struct bld {
        uint8_t b[2048];
        size_t n;
        size_t cfg;   /* offset of the open configuration descriptor */
};

static void put(struct bld *x, const uint8_t *p, size_t n) {
        ck_assert_uint_le(x->n + n, sizeof(x->b));
        memcpy(x->b + x->n, p, n);
        x->n += n;
}

static void dev(struct bld *x, uint8_t cls, uint8_t sub, uint8_t proto, uint8_t n_cfg) {
        const uint8_t d[18] = { 18, 1, 0x00, 0x02, cls, sub, proto, 64, 0x6b, 0x1d, 0x04, 0x01,
                                0x00, 0x01, 1, 2, 3, n_cfg };
        x->n = 0;
        put(x, d, sizeof(d));
}

static void cfg(struct bld *x, uint8_t n_if, uint8_t value) {
        const uint8_t d[9] = { 9, 2, 0, 0, n_if, value, 0, 0x80, 250 };
        x->cfg = x->n;
        put(x, d, sizeof(d));
}

static void cfg_end(struct bld *x) {
        size_t total = x->n - x->cfg;
        x->b[x->cfg + 2] = (uint8_t) total;
        x->b[x->cfg + 3] = (uint8_t) (total >> 8);
}

static void intf(struct bld *x, uint8_t num, uint8_t alt, uint8_t n_ep, uint8_t cls, uint8_t sub,
                 uint8_t proto, uint8_t istr) {
        const uint8_t d[9] = { 9, 4, num, alt, n_ep, cls, sub, proto, istr };
        put(x, d, sizeof(d));
}

static void ep(struct bld *x, uint8_t addr, uint8_t attr) {
        const uint8_t d[7] = { 7, 5, addr, attr, 0x40, 0x00, 1 };
        put(x, d, sizeof(d));
}

static void iad(struct bld *x, uint8_t first, uint8_t count, uint8_t cls, uint8_t sub, uint8_t proto) {
        const uint8_t d[8] = { 8, 0x0b, first, count, cls, sub, proto, 0 };
        put(x, d, sizeof(d));
}

static void cdc_union(struct bld *x, uint8_t master, uint8_t slave) {
        const uint8_t d[5] = { 5, 0x24, 0x06, master, slave };
        put(x, d, sizeof(d));
}

static struct usbdesc_device *parse_ok(const struct bld *x) {
        struct usbdesc_device *d = NULL;
        int r = usbdesc_device_parse(x->b, x->n, &d);
        ck_assert_int_eq(r, 0);
        ck_assert_ptr_nonnull(d);
        return d;
}

static const char *fn(const struct usbdesc_config *c, size_t i) {
        ck_assert_uint_lt(i, c->n_functions);
        return usbdesc_function_name(c->functions[i].kind);
}

/* An Espressif-like composite: IAD CDC-ACM (0, 1) + vendor (2). */
static void build_acm_vendor(struct bld *x) {
        dev(x, 0xef, 0x02, 0x01, 1);
        cfg(x, 3, 1);
        iad(x, 0, 2, 0x02, 0x02, 0x00);
        intf(x, 0, 0, 1, 0x02, 0x02, 0x00, 0);
        { const uint8_t hdr[5] = { 5, 0x24, 0x00, 0x10, 0x01 }; put(x, hdr, 5); }
        cdc_union(x, 0, 1);
        ep(x, 0x82, 3);
        intf(x, 1, 0, 2, 0x0a, 0x02, 0x00, 0);
        ep(x, 0x01, 2);
        ep(x, 0x81, 2);
        intf(x, 2, 0, 2, 0xff, 0xff, 0x01, 0);
        ep(x, 0x02, 2);
        ep(x, 0x83, 2);
        cfg_end(x);
}

START_TEST(test_layout) {
        struct bld x;
        struct usbdesc_device *d;
        const struct usbdesc_config *c;

        build_acm_vendor(&x);
        d = parse_ok(&x);
        ck_assert_uint_eq(d->vendor_id, 0x1d6b);
        ck_assert_uint_eq(d->product_id, 0x0104);
        ck_assert_uint_eq(d->bcd_usb, 0x0200);
        ck_assert_uint_eq(d->class, 0xef);
        ck_assert_uint_eq(d->n_configs, 1);
        ck_assert_uint_eq(d->flags, 0);
        c = &d->configs[0];
        ck_assert_uint_eq(c->total_length, x.n - 18);
        ck_assert_uint_eq(c->n_alts, 3);
        ck_assert_uint_eq(c->n_iads, 1);
        ck_assert_uint_eq(c->alts[0].n_endpoints, 1);
        ck_assert_uint_eq(c->alts[0].n_extra, 2);       /* header + union, raw */
        ck_assert_uint_eq(c->alts[0].extra[1].data[2], 0x06);
        ck_assert_uint_eq(c->alts[1].endpoints[1].address, 0x81);
        ck_assert_str_eq(usbdesc_transfer_type_name(c->alts[1].endpoints[1].attributes), "bulk");
        ck_assert_uint_eq(c->flags, 0);
        ck_assert_uint_eq(c->n_functions, 2);
        ck_assert_str_eq(fn(c, 0), "cdc-acm");
        ck_assert_int_eq(c->functions[0].iad, 0);
        ck_assert_uint_eq(c->functions[0].n_interfaces, 2);
        ck_assert_str_eq(fn(c, 1), "vendor");
        ck_assert_int_eq(c->functions[1].iad, -1);
        ck_assert_uint_eq(c->alts[1].function, 0);
        ck_assert_uint_eq(c->alts[2].function, 1);
        ck_assert_str_eq(usbdesc_function_name(c->alts[1].kind), "cdc-data");
        ck_assert_str_eq(usbdesc_class_name(c->alts[1].class), "cdc-data");
        usbdesc_device_free(d);
}
END_TEST

/* Every prefix of a valid set that cuts into a descriptor is refused,
 * and never read past (ASan build). Prefixes ending exactly on a config
 * boundary are valid (fewer configs). */
START_TEST(test_truncation) {
        struct bld x;

        build_acm_vendor(&x);
        for (size_t len = 0; len < x.n; len++) {
                struct usbdesc_device *d = NULL;
                uint8_t *copy = malloc(len ? len : 1);
                int r;

                ck_assert_ptr_nonnull(copy);
                memcpy(copy, x.b, len);
                r = usbdesc_device_parse(len ? copy : NULL, len, &d);
                if (len == 18) {
                        ck_assert_int_eq(r, 0);
                        ck_assert_uint_eq(d->n_configs, 0);
                        ck_assert(d->flags & USBDESC_FLAG_CONFIG_COUNT);
                } else if (len > 18 && len < 27) {
                        ck_assert_int_eq(r, 0);   /* too short for a config: trailing */
                        ck_assert(d->flags & USBDESC_FLAG_TRAILING);
                } else
                        ck_assert_msg(r == -EBADMSG, "len %zu: %d", len, r);
                if (r < 0)
                        ck_assert_ptr_null(d);
                usbdesc_device_free(d);
                free(copy);
        }
}
END_TEST

/* wTotalLength kept, but each inner descriptor cut short in turn. */
START_TEST(test_inner_truncation) {
        struct bld x;
        struct usbdesc_device *d = NULL;

        build_acm_vendor(&x);
        for (size_t cut = 27; cut < x.n; cut++) {
                uint8_t *copy = malloc(cut);
                ck_assert_ptr_nonnull(copy);
                memcpy(copy, x.b, cut);
                /* claim the set ends here */
                copy[18 + 2] = (uint8_t) (cut - 18);
                copy[18 + 3] = (uint8_t) ((cut - 18) >> 8);
                int r = usbdesc_device_parse(copy, cut, &d);
                ck_assert(r == 0 || r == -EBADMSG);
                d = usbdesc_device_free(d);
                free(copy);
        }

        /* bLength 0, an endpoint before any interface, a short interface */
        dev(&x, 0, 0, 0, 1);
        cfg(&x, 1, 1);
        { const uint8_t z[2] = { 0, 0x24 }; put(&x, z, 2); }
        cfg_end(&x);
        ck_assert_int_eq(usbdesc_device_parse(x.b, x.n, &d), -EBADMSG);
        dev(&x, 0, 0, 0, 1);
        cfg(&x, 1, 1);
        ep(&x, 0x81, 2);
        cfg_end(&x);
        ck_assert_int_eq(usbdesc_device_parse(x.b, x.n, &d), -EBADMSG);
        dev(&x, 0, 0, 0, 1);
        cfg(&x, 1, 1);
        { const uint8_t s[5] = { 5, 4, 0, 0, 0 }; put(&x, s, 5); }
        cfg_end(&x);
        ck_assert_int_eq(usbdesc_device_parse(x.b, x.n, &d), -EBADMSG);
        dev(&x, 0, 0, 0, 1);
        cfg(&x, 1, 1);
        { const uint8_t s[5] = { 5, 0x0b, 0, 1, 2 }; put(&x, s, 5); }
        cfg_end(&x);
        ck_assert_int_eq(usbdesc_device_parse(x.b, x.n, &d), -EBADMSG);
        /* wTotalLength below 9 */
        dev(&x, 0, 0, 0, 1);
        cfg(&x, 0, 1);
        x.b[x.cfg + 2] = 4;
        ck_assert_int_eq(usbdesc_device_parse(x.b, x.n, &d), -EBADMSG);
        /* not a device descriptor */
        dev(&x, 0, 0, 0, 0);
        x.b[1] = 2;
        ck_assert_int_eq(usbdesc_device_parse(x.b, x.n, &d), -EBADMSG);
        ck_assert_int_eq(usbdesc_device_parse(NULL, 5, &d), -EINVAL);
        ck_assert_ptr_null(d);
}
END_TEST

START_TEST(test_counts_flagged) {
        struct bld x;
        struct usbdesc_device *d;

        dev(&x, 0, 0, 0, 2);
        cfg(&x, 2, 1);
        intf(&x, 0, 0, 2, 0x08, 0x06, 0x50, 0);
        ep(&x, 0x81, 2);
        cfg_end(&x);
        d = parse_ok(&x);
        ck_assert(d->configs[0].flags & USBDESC_FLAG_ENDPOINT_COUNT);
        ck_assert(d->configs[0].flags & USBDESC_FLAG_INTERFACE_COUNT);
        ck_assert(d->flags & USBDESC_FLAG_CONFIG_COUNT);
        ck_assert_str_eq(fn(&d->configs[0], 0), "mass-storage");
        usbdesc_device_free(d);
}
END_TEST

START_TEST(test_two_configs_and_alts) {
        struct bld x;
        struct usbdesc_device *d;
        const struct usbdesc_config *c;

        /* config 1: ECM with data alt 0 (no endpoints) and alt 1 (bulk);
         * config 2: RNDIS as Microsoft's 02/02/ff + data, no IAD, Union. */
        dev(&x, 0x02, 0, 0, 2);
        cfg(&x, 2, 1);
        intf(&x, 0, 0, 1, 0x02, 0x06, 0x00, 0);
        cdc_union(&x, 0, 1);
        ep(&x, 0x83, 3);
        intf(&x, 1, 0, 0, 0x0a, 0x00, 0x00, 0);
        intf(&x, 1, 1, 2, 0x0a, 0x00, 0x00, 0);
        ep(&x, 0x81, 2);
        ep(&x, 0x02, 2);
        cfg_end(&x);
        cfg(&x, 2, 2);
        intf(&x, 0, 0, 1, 0x02, 0x02, 0xff, 0);
        cdc_union(&x, 0, 1);
        ep(&x, 0x83, 3);
        intf(&x, 1, 0, 2, 0x0a, 0x00, 0x00, 0);
        ep(&x, 0x81, 2);
        ep(&x, 0x02, 2);
        cfg_end(&x);
        d = parse_ok(&x);
        ck_assert_uint_eq(d->n_configs, 2);
        c = &d->configs[0];
        ck_assert_uint_eq(c->n_alts, 3);
        ck_assert_uint_eq(c->n_functions, 1);
        ck_assert_str_eq(fn(c, 0), "cdc-ecm");
        ck_assert_uint_eq(c->functions[0].n_interfaces, 2);
        ck_assert_ptr_nonnull(usbdesc_config_altsetting(c, 1, 1));
        ck_assert_ptr_null(usbdesc_config_altsetting(c, 1, 2));
        ck_assert_uint_eq(usbdesc_config_altsetting(c, 1, 1)->n_endpoints, 2);
        ck_assert_uint_eq(c->flags, 0);
        c = &d->configs[1];
        ck_assert_uint_eq(c->value, 2);
        ck_assert_uint_eq(c->n_functions, 1);
        ck_assert_str_eq(fn(c, 0), "rndis");
        usbdesc_device_free(d);
}
END_TEST

/* The Android RNDIS gadget: IAD e0/01/03 around control e0/01/03 (or the
 * Windows 02/02/ff control) and CDC data; then ADB; then fastboot. */
START_TEST(test_rndis_iad_adb) {
        struct bld x;
        struct usbdesc_device *d;
        const struct usbdesc_config *c;

        for (int variant = 0; variant < 2; variant++) {
                dev(&x, 0, 0, 0, 1);
                cfg(&x, 4, 1);
                iad(&x, 0, 2, 0xe0, 0x01, 0x03);
                if (variant == 0)
                        intf(&x, 0, 0, 1, 0xe0, 0x01, 0x03, 0);
                else
                        intf(&x, 0, 0, 1, 0x02, 0x02, 0xff, 0);
                ep(&x, 0x82, 3);
                intf(&x, 1, 0, 2, 0x0a, 0x00, 0x00, 0);
                ep(&x, 0x81, 2);
                ep(&x, 0x01, 2);
                intf(&x, 2, 0, 2, 0xff, 0x42, 0x01, 0);
                ep(&x, 0x83, 2);
                ep(&x, 0x03, 2);
                intf(&x, 3, 0, 2, 0xff, 0x42, 0x03, 0);
                ep(&x, 0x84, 2);
                ep(&x, 0x04, 2);
                cfg_end(&x);
                d = parse_ok(&x);
                c = &d->configs[0];
                ck_assert_uint_eq(c->n_functions, 3);
                ck_assert_str_eq(fn(c, 0), "rndis");
                ck_assert_uint_eq(c->functions[0].n_interfaces, 2);
                ck_assert_str_eq(fn(c, 1), "adb");
                ck_assert_str_eq(fn(c, 2), "fastboot");
                usbdesc_device_free(d);
        }
        /* The IAD with a generic CDC triple around the 02/02/ff control. */
        dev(&x, 0, 0, 0, 1);
        cfg(&x, 2, 1);
        iad(&x, 0, 2, 0x02, 0x02, 0xff);
        intf(&x, 0, 0, 0, 0x02, 0x02, 0xff, 0);
        intf(&x, 1, 0, 0, 0x0a, 0x00, 0x00, 0);
        cfg_end(&x);
        d = parse_ok(&x);
        ck_assert_str_eq(fn(&d->configs[0], 0), "rndis");
        usbdesc_device_free(d);
}
END_TEST

START_TEST(test_dfu_modes) {
        struct bld x;
        struct usbdesc_device *d;
        const uint8_t func[9] = { 9, 0x21, 0x0b, 0xff, 0x00, 0x00, 0x08, 0x1a, 0x01 };

        dev(&x, 0, 0, 0, 1);
        cfg(&x, 2, 1);
        intf(&x, 0, 0, 1, 0x03, 0x01, 0x01, 0);
        ep(&x, 0x81, 3);
        intf(&x, 1, 0, 0, 0xfe, 0x01, 0x01, 0);
        put(&x, func, sizeof(func));
        cfg_end(&x);
        d = parse_ok(&x);
        ck_assert_uint_eq(d->configs[0].n_functions, 2);
        ck_assert_str_eq(fn(&d->configs[0], 0), "hid-keyboard");
        ck_assert_str_eq(fn(&d->configs[0], 1), "dfu-runtime");
        ck_assert_uint_eq(d->configs[0].alts[1].n_extra, 1);
        ck_assert_uint_eq(d->configs[0].alts[1].extra[0].len, 9);
        usbdesc_device_free(d);

        /* DFU mode: several alt settings (one per memory), protocol 2. */
        dev(&x, 0, 0, 0, 1);
        cfg(&x, 1, 1);
        intf(&x, 0, 0, 0, 0xfe, 0x01, 0x02, 4);
        intf(&x, 0, 1, 0, 0xfe, 0x01, 0x02, 5);
        put(&x, func, sizeof(func));
        cfg_end(&x);
        d = parse_ok(&x);
        ck_assert_uint_eq(d->configs[0].n_alts, 2);
        ck_assert_uint_eq(d->configs[0].n_functions, 1);
        ck_assert_str_eq(fn(&d->configs[0], 0), "dfu");
        ck_assert_uint_eq(d->configs[0].flags, 0);
        usbdesc_device_free(d);
}
END_TEST

START_TEST(test_classifier) {
        static const struct {
                uint8_t c, s, p;
                const char *str, *name;
        } t[] = {
                { 0x03, 0x01, 0x01, NULL, "hid-keyboard" },
                { 0x03, 0x01, 0x02, NULL, "hid-mouse" },
                { 0x03, 0x00, 0x00, NULL, "hid" },
                { 0x03, 0x00, 0x01, NULL, "hid" },
                { 0x02, 0x02, 0x01, NULL, "cdc-acm" },
                { 0x02, 0x02, 0xff, NULL, "rndis" },
                { 0x02, 0x06, 0x00, NULL, "cdc-ecm" },
                { 0x02, 0x0d, 0x00, NULL, "cdc-ncm" },
                { 0x02, 0x0e, 0x00, NULL, "cdc-mbim" },
                { 0x02, 0x0b, 0x00, NULL, "cdc" },
                { 0x0a, 0x00, 0x00, NULL, "cdc-data" },
                { 0xe0, 0x01, 0x03, NULL, "rndis" },
                { 0xef, 0x04, 0x01, NULL, "rndis" },
                { 0xe0, 0x01, 0x01, NULL, "bluetooth" },
                { 0x08, 0x06, 0x50, NULL, "mass-storage" },
                { 0x06, 0x01, 0x01, NULL, "ptp" },
                { 0x06, 0x01, 0x01, "MTP", "mtp" },
                { 0x06, 0x01, 0x01, "SMTP-ish", "ptp" },
                { 0xff, 0xff, 0x00, "MTP", "mtp" },
                { 0x07, 0x01, 0x02, NULL, "printer" },
                { 0x01, 0x01, 0x00, NULL, "audio" },
                { 0x01, 0x03, 0x00, NULL, "midi" },
                { 0x0e, 0x01, 0x00, NULL, "video" },
                { 0xfe, 0x01, 0x01, NULL, "dfu-runtime" },
                { 0xfe, 0x01, 0x02, NULL, "dfu" },
                { 0xfe, 0x03, 0x01, NULL, "usbtmc" },
                { 0xff, 0x42, 0x01, NULL, "adb" },
                { 0xff, 0x42, 0x03, NULL, "fastboot" },
                { 0xff, 0x42, 0x02, NULL, "vendor" },
                { 0xff, 0xff, 0xff, NULL, "vendor" },
                { 0x0b, 0x00, 0x00, NULL, "ccid" },
                { 0x09, 0x00, 0x00, NULL, "hub" },
                { 0x00, 0x00, 0x00, NULL, "unknown" },
                { 0x42, 0x00, 0x00, NULL, "unknown" },
        };
        for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
                enum usbdesc_function f = usbdesc_interface_classify(t[i].c, t[i].s, t[i].p, t[i].str);
                ck_assert_msg(strcmp(usbdesc_function_name(f), t[i].name) == 0, "%02x/%02x/%02x: %s, expected %s",
                              t[i].c, t[i].s, t[i].p, usbdesc_function_name(f), t[i].name);
                ck_assert_int_eq(usbdesc_function_from_name(t[i].name), (int) f);
        }
        ck_assert_ptr_null(usbdesc_function_name(_USBDESC_FN_MAX));
        ck_assert_int_eq(usbdesc_function_from_name("nope"), -EINVAL);

        const char *decl[] = { "hid", "dfu", "cdc-acm" };
        ck_assert(usbdesc_function_declared(USBDESC_FN_HID_KEYBOARD, decl, 3));
        ck_assert(usbdesc_function_declared(USBDESC_FN_DFU_RUNTIME, decl, 3));
        ck_assert(usbdesc_function_declared(USBDESC_FN_CDC_ACM, decl, 3));
        ck_assert(!usbdesc_function_declared(USBDESC_FN_ADB, decl, 3));
        ck_assert(!usbdesc_function_declared(USBDESC_FN_CDC_DATA, decl, 3));
        ck_assert(!usbdesc_function_declared(USBDESC_FN_RNDIS, decl, 3));
        for (unsigned i = 0; i < _USBDESC_FN_MAX; i++)
                ck_assert_ptr_nonnull(usbdesc_function_name(i));
        ck_assert_str_eq(usbdesc_class_name(0xff), "vendor-specific");
        ck_assert_ptr_null(usbdesc_class_name(0x04));
}
END_TEST

/* An interface string set after parsing re-runs the classifier. */
START_TEST(test_mtp_by_string) {
        struct bld x;
        struct usbdesc_device *d;

        dev(&x, 0, 0, 0, 1);
        cfg(&x, 1, 1);
        intf(&x, 0, 0, 0, 0x06, 0x01, 0x01, 5);
        cfg_end(&x);
        d = parse_ok(&x);
        ck_assert_str_eq(fn(&d->configs[0], 0), "ptp");
        ck_assert_int_eq(usbdesc_device_string_set(d, 5, "MTP"), 0);
        ck_assert_str_eq(fn(&d->configs[0], 0), "mtp");
        ck_assert_str_eq(usbdesc_device_string(d, 5), "MTP");
        ck_assert_int_eq(usbdesc_device_string_set(d, 0, "x"), -EINVAL);
        usbdesc_device_free(d);
}
END_TEST

/* IADs: overlapping (first wins), naming missing interfaces (flagged),
 * count 0; UVC camera IAD 0e/03 with control + streaming alts. */
START_TEST(test_iad_edge) {
        struct bld x;
        struct usbdesc_device *d;
        const struct usbdesc_config *c;

        dev(&x, 0xef, 0x02, 0x01, 1);
        cfg(&x, 3, 1);
        iad(&x, 0, 2, 0x0e, 0x03, 0x00);
        intf(&x, 0, 0, 1, 0x0e, 0x01, 0x00, 0);
        ep(&x, 0x83, 3);
        intf(&x, 1, 0, 0, 0x0e, 0x02, 0x00, 0);
        intf(&x, 1, 1, 1, 0x0e, 0x02, 0x00, 0);
        ep(&x, 0x81, 5);
        iad(&x, 1, 3, 0x01, 0x00, 0x00);     /* overlaps 1, names 3 absent */
        intf(&x, 2, 0, 0, 0x01, 0x01, 0x00, 0);
        iad(&x, 9, 0, 0x02, 0x02, 0x00);     /* count 0 */
        cfg_end(&x);
        d = parse_ok(&x);
        c = &d->configs[0];
        ck_assert_uint_eq(c->n_iads, 3);
        ck_assert_uint_eq(c->n_functions, 2);
        ck_assert_str_eq(fn(c, 0), "video");
        ck_assert_uint_eq(c->functions[0].n_interfaces, 2);
        ck_assert_str_eq(fn(c, 1), "audio");
        ck_assert_int_eq(c->functions[1].iad, 1);
        ck_assert_uint_eq(c->functions[1].n_interfaces, 1);
        ck_assert(c->flags & USBDESC_FLAG_IAD_RANGE);
        usbdesc_device_free(d);

        /* IAD ef/02/01 (generic) takes its first interface's function. */
        dev(&x, 0xef, 0x02, 0x01, 1);
        cfg(&x, 2, 1);
        iad(&x, 0, 2, 0xef, 0x02, 0x01);
        intf(&x, 0, 0, 0, 0x02, 0x0d, 0x00, 0);
        intf(&x, 1, 0, 0, 0x0a, 0x00, 0x01, 0);
        cfg_end(&x);
        d = parse_ok(&x);
        ck_assert_str_eq(fn(&d->configs[0], 0), "cdc-ncm");
        usbdesc_device_free(d);
}
END_TEST

START_TEST(test_bos) {
        struct bld x;
        struct usbdesc_device *d;
        /* BOS: USB 2.0 extension + MS OS 2.0 platform capability (one entry)
         * + a platform cap with another UUID. */
        uint8_t bos[] = {
                5, 0x0f, 0, 0, 3,
                7, 0x10, 0x02, 0x06, 0, 0, 0,
                28, 0x10, 0x05, 0x00,
                0xdf, 0x60, 0xdd, 0xd8, 0x89, 0x45, 0xc7, 0x4c, 0x9c, 0xd2, 0x65, 0x9d, 0x9e, 0x64, 0x8a, 0x9f,
                0x00, 0x00, 0x03, 0x06, 0xb2, 0x00, 0x21, 0x00,
                24, 0x10, 0x05, 0x00,
                0x38, 0xb6, 0x08, 0x34, 0xa9, 0x09, 0xa0, 0x47, 0x8b, 0xfd, 0xa0, 0x76, 0x88, 0x15, 0xb6, 0x65,
                0x00, 0x01, 0x01, 0x01,
        };
        bos[2] = sizeof(bos);

        dev(&x, 0, 0, 0, 0);
        d = parse_ok(&x);
        ck_assert_int_eq(usbdesc_device_bos_set(d, bos, sizeof(bos)), 0);
        ck_assert(d->has_bos);
        ck_assert_uint_eq(d->n_caps, 3);
        ck_assert_uint_eq(d->caps[0].type, 0x02);
        ck_assert(d->caps[1].has_uuid);
        ck_assert_uint_eq(d->n_msos20, 1);
        ck_assert_uint_eq(d->msos20[0].windows_version, 0x06030000);
        ck_assert_uint_eq(d->msos20[0].total_length, 0xb2);
        ck_assert_uint_eq(d->msos20[0].vendor_code, 0x21);

        /* every truncation refused, the device unchanged */
        for (size_t len = 0; len < sizeof(bos); len++) {
                uint8_t *copy = malloc(len ? len : 1);
                memcpy(copy, bos, len);
                ck_assert_int_eq(usbdesc_device_bos_set(d, len ? copy : NULL, len),
                                 len ? -EBADMSG : -EBADMSG);
                free(copy);
        }
        ck_assert_uint_eq(d->n_caps, 3);
        /* wTotalLength cutting into the MS OS 2.0 entry list */
        bos[2] = 5 + 7 + 27;
        ck_assert_int_eq(usbdesc_device_bos_set(d, bos, sizeof(bos)), -EBADMSG);
        bos[2] = sizeof(bos);
        bos[12] = 27;      /* MS OS 2.0 cap not a whole number of entries */
        ck_assert_int_eq(usbdesc_device_bos_set(d, bos, sizeof(bos)), -EBADMSG);
        usbdesc_device_free(d);
}
END_TEST

START_TEST(test_strings) {
        char *s = NULL;
        const uint8_t ascii[] = { 10, 3, 'A', 0, 'D', 0, 'B', 0, '\\', 0 };
        const uint8_t ctrl[] = { 6, 3, 0x0a, 0, 0x7f, 0 };
        /* "é" (U+00E9), "€" (U+20AC), U+1F600 as a pair, a lone surrogate */
        const uint8_t uni[] = { 12, 3, 0xe9, 0, 0xac, 0x20, 0x3d, 0xd8, 0x00, 0xde, 0x00, 0xd8 };
        const uint8_t odd[] = { 5, 3, 'x', 0, 'y' };
        const uint8_t ms[] = { 18, 3, 'M', 0, 'S', 0, 'F', 0, 'T', 0, '1', 0, '0', 0, '0', 0, 0x20, 0 };
        uint8_t code = 0;

        ck_assert_int_eq(usbdesc_string_decode(ascii, sizeof(ascii), &s), 0);
        ck_assert_str_eq(s, "ADB\\\\");
        free(s);
        ck_assert_int_eq(usbdesc_string_decode(ctrl, sizeof(ctrl), &s), 0);
        ck_assert_str_eq(s, "\\x0a\\x7f");
        free(s);
        ck_assert_int_eq(usbdesc_string_decode(uni, sizeof(uni), &s), 0);
        ck_assert_str_eq(s, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\\ud800");
        free(s);
        ck_assert_int_eq(usbdesc_string_decode(odd, sizeof(odd), &s), 0);
        ck_assert_str_eq(s, "x");
        free(s);
        s = NULL;
        ck_assert_int_eq(usbdesc_string_decode(ascii, 5, &s), -EBADMSG);  /* bLength > len */
        ck_assert_int_eq(usbdesc_string_decode(ascii, 1, &s), -EBADMSG);
        ck_assert_int_eq(usbdesc_string_decode(ms + 1, 10, &s), -EBADMSG);
        ck_assert_ptr_null(s);

        ck_assert_int_eq(usbdesc_msos10_parse(NULL, ms, sizeof(ms), &code), 0);
        ck_assert_uint_eq(code, 0x20);
        ck_assert_int_eq(usbdesc_msos10_parse(NULL, ms, sizeof(ms) - 1, &code), -EBADMSG);
        ck_assert_int_eq(usbdesc_msos10_parse(NULL, ascii, sizeof(ascii), &code), -EBADMSG);
}
END_TEST

static Suite *suite(void) {
        Suite *s = suite_create("usbdesc");
        TCase *tc = tcase_create("core");

        tcase_add_test(tc, test_layout);
        tcase_add_test(tc, test_truncation);
        tcase_add_test(tc, test_inner_truncation);
        tcase_add_test(tc, test_counts_flagged);
        tcase_add_test(tc, test_two_configs_and_alts);
        tcase_add_test(tc, test_rndis_iad_adb);
        tcase_add_test(tc, test_dfu_modes);
        tcase_add_test(tc, test_classifier);
        tcase_add_test(tc, test_mtp_by_string);
        tcase_add_test(tc, test_iad_edge);
        tcase_add_test(tc, test_bos);
        tcase_add_test(tc, test_strings);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        SRunner *sr = srunner_create(suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
