/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "usbdesc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/macros.h"

static uint16_t le16(const uint8_t *p) {
        return (uint16_t) (p[0] | (p[1] << 8));
}

static uint32_t le32(const uint8_t *p) {
        return (uint32_t) p[0] | ((uint32_t) p[1] << 8) | ((uint32_t) p[2] << 16) | ((uint32_t) p[3] << 24);
}

/* Grows *array (of *n items of size sz) by one zeroed item; returns it. */
static void *array_append(void *array_p, size_t *n, size_t sz) {
        void **array = array_p;
        void *p;

        if (*n >= SIZE_MAX / sz - 1)
                return NULL;
        p = realloc(*array, (*n + 1) * sz);
        if (!p)
                return NULL;
        *array = p;
        memset((uint8_t *) p + *n * sz, 0, sz);
        return (uint8_t *) p + (*n)++ * sz;
}

static int span_append(struct usbdesc_span **a, size_t *n, const uint8_t *d, size_t len) {
        struct usbdesc_span *s = array_append(a, n, sizeof(**a));

        if (!s)
                return -ENOMEM;
        *s = (struct usbdesc_span) { d, len };
        return 0;
}

static const char *const function_names[_USBDESC_FN_MAX] = {
        [USBDESC_FN_UNKNOWN] = "unknown",
        [USBDESC_FN_HID_KEYBOARD] = "hid-keyboard",
        [USBDESC_FN_HID_MOUSE] = "hid-mouse",
        [USBDESC_FN_HID] = "hid",
        [USBDESC_FN_CDC_ACM] = "cdc-acm",
        [USBDESC_FN_CDC_ECM] = "cdc-ecm",
        [USBDESC_FN_CDC_NCM] = "cdc-ncm",
        [USBDESC_FN_CDC_EEM] = "cdc-eem",
        [USBDESC_FN_CDC_MBIM] = "cdc-mbim",
        [USBDESC_FN_CDC] = "cdc",
        [USBDESC_FN_CDC_DATA] = "cdc-data",
        [USBDESC_FN_RNDIS] = "rndis",
        [USBDESC_FN_MASS_STORAGE] = "mass-storage",
        [USBDESC_FN_MTP] = "mtp",
        [USBDESC_FN_PTP] = "ptp",
        [USBDESC_FN_STILL_IMAGE] = "still-image",
        [USBDESC_FN_PRINTER] = "printer",
        [USBDESC_FN_AUDIO] = "audio",
        [USBDESC_FN_MIDI] = "midi",
        [USBDESC_FN_VIDEO] = "video",
        [USBDESC_FN_AUDIO_VIDEO] = "audio-video",
        [USBDESC_FN_HUB] = "hub",
        [USBDESC_FN_CCID] = "ccid",
        [USBDESC_FN_DFU_RUNTIME] = "dfu-runtime",
        [USBDESC_FN_DFU] = "dfu",
        [USBDESC_FN_IRDA] = "irda",
        [USBDESC_FN_USBTMC] = "usbtmc",
        [USBDESC_FN_APP_SPECIFIC] = "app-specific",
        [USBDESC_FN_BLUETOOTH] = "bluetooth",
        [USBDESC_FN_WIRELESS] = "wireless",
        [USBDESC_FN_ADB] = "adb",
        [USBDESC_FN_FASTBOOT] = "fastboot",
        [USBDESC_FN_VENDOR] = "vendor",
        [USBDESC_FN_BILLBOARD] = "billboard",
        [USBDESC_FN_DIAGNOSTIC] = "diagnostic",
        [USBDESC_FN_PHYSICAL] = "physical",
        [USBDESC_FN_CONTENT_SECURITY] = "content-security",
        [USBDESC_FN_HEALTHCARE] = "healthcare",
        [USBDESC_FN_USB_C_BRIDGE] = "usb-c-bridge",
        [USBDESC_FN_MISC] = "misc",
};

const char *usbdesc_function_name(enum usbdesc_function f) {
        if ((unsigned) f >= _USBDESC_FN_MAX)
                return NULL;
        return function_names[f];
}

int usbdesc_function_from_name(const char *name) {
        if (!name)
                return -EINVAL;
        for (unsigned i = 0; i < _USBDESC_FN_MAX; i++)
                if (strcmp(function_names[i], name) == 0)
                        return (int) i;
        return -EINVAL;
}

const char *usbdesc_function_profile_name(enum usbdesc_function f) {
        switch (f) {
        case USBDESC_FN_HID_KEYBOARD:
        case USBDESC_FN_HID_MOUSE:
        case USBDESC_FN_HID:
                return "hid";
        case USBDESC_FN_DFU_RUNTIME:
        case USBDESC_FN_DFU:
                return "dfu";
        case USBDESC_FN_MTP:
        case USBDESC_FN_PTP:
                return "mtp";
        case USBDESC_FN_CDC_ACM:
        case USBDESC_FN_CDC_ECM:
        case USBDESC_FN_CDC_NCM:
        case USBDESC_FN_RNDIS:
        case USBDESC_FN_MASS_STORAGE:
        case USBDESC_FN_PRINTER:
        case USBDESC_FN_AUDIO:
        case USBDESC_FN_MIDI:
        case USBDESC_FN_VIDEO:
        case USBDESC_FN_HUB:
        case USBDESC_FN_CCID:
        case USBDESC_FN_ADB:
        case USBDESC_FN_FASTBOOT:
        case USBDESC_FN_VENDOR:
                return function_names[f];
        case USBDESC_FN_UNKNOWN:
        case USBDESC_FN_CDC_EEM:
        case USBDESC_FN_CDC_MBIM:
        case USBDESC_FN_CDC:
        case USBDESC_FN_CDC_DATA:
        case USBDESC_FN_STILL_IMAGE:
        case USBDESC_FN_AUDIO_VIDEO:
        case USBDESC_FN_IRDA:
        case USBDESC_FN_USBTMC:
        case USBDESC_FN_APP_SPECIFIC:
        case USBDESC_FN_BLUETOOTH:
        case USBDESC_FN_WIRELESS:
        case USBDESC_FN_BILLBOARD:
        case USBDESC_FN_DIAGNOSTIC:
        case USBDESC_FN_PHYSICAL:
        case USBDESC_FN_CONTENT_SECURITY:
        case USBDESC_FN_HEALTHCARE:
        case USBDESC_FN_USB_C_BRIDGE:
        case USBDESC_FN_MISC:
        case _USBDESC_FN_MAX:
                return NULL;
        }
        return NULL;
}

bool usbdesc_function_declared(enum usbdesc_function f, const char *const *declared, size_t n_declared) {
        const char *name = usbdesc_function_name(f), *pname = usbdesc_function_profile_name(f);

        if (!name)
                return false;
        for (size_t i = 0; i < n_declared; i++) {
                if (!declared[i])
                        continue;
                if (strcmp(declared[i], name) == 0 || (pname && strcmp(declared[i], pname) == 0))
                        return true;
        }
        return false;
}

const char *usbdesc_class_name(uint8_t class) {
        switch (class) {
        case 0x00: return "per-interface";
        case 0x01: return "audio";
        case 0x02: return "communications";
        case 0x03: return "hid";
        case 0x05: return "physical";
        case 0x06: return "imaging";
        case 0x07: return "printer";
        case 0x08: return "mass-storage";
        case 0x09: return "hub";
        case 0x0a: return "cdc-data";
        case 0x0b: return "smart-card";
        case 0x0d: return "content-security";
        case 0x0e: return "video";
        case 0x0f: return "personal-healthcare";
        case 0x10: return "audio-video";
        case 0x11: return "billboard";
        case 0x12: return "usb-c-bridge";
        case 0xdc: return "diagnostic";
        case 0xe0: return "wireless";
        case 0xef: return "misc";
        case 0xfe: return "application-specific";
        case 0xff: return "vendor-specific";
        default: return NULL;
        }
}

const char *usbdesc_transfer_type_name(uint8_t attributes) {
        static const char *const names[4] = { "control", "isochronous", "bulk", "interrupt" };
        return names[attributes & 3];
}

/* An exact word match: "MTP" alone or as a whole word ("MTP Interface"),
 * not inside another word. */
static bool string_says_mtp(const char *s) {
        if (!s)
                return false;
        for (const char *p = s; (p = strstr(p, "MTP")); p += 3) {
                bool start = p == s || !((p[-1] >= 'A' && p[-1] <= 'Z') || (p[-1] >= 'a' && p[-1] <= 'z'));
                bool end = !((p[3] >= 'A' && p[3] <= 'Z') || (p[3] >= 'a' && p[3] <= 'z'));
                if (start && end)
                        return true;
        }
        return false;
}

enum usbdesc_function usbdesc_interface_classify(uint8_t class, uint8_t subclass, uint8_t protocol,
                                                 const char *interface_string) {
        switch (class) {
        case 0x01:
                return subclass == 0x03 ? USBDESC_FN_MIDI : USBDESC_FN_AUDIO;
        case 0x02:
                switch (subclass) {
                case 0x02:
                        /* Microsoft's RNDIS control interface: ACM with the
                         * vendor-specific protocol. */
                        return protocol == 0xff ? USBDESC_FN_RNDIS : USBDESC_FN_CDC_ACM;
                case 0x06: return USBDESC_FN_CDC_ECM;
                case 0x0c: return USBDESC_FN_CDC_EEM;
                case 0x0d: return USBDESC_FN_CDC_NCM;
                case 0x0e: return USBDESC_FN_CDC_MBIM;
                default: return USBDESC_FN_CDC;
                }
        case 0x03:
                if (subclass == 0x01 && protocol == 0x01)
                        return USBDESC_FN_HID_KEYBOARD;
                if (subclass == 0x01 && protocol == 0x02)
                        return USBDESC_FN_HID_MOUSE;
                return USBDESC_FN_HID;
        case 0x05: return USBDESC_FN_PHYSICAL;
        case 0x06:
                /* MTP reuses the PTP triple; only the interface string (or
                 * MS OS descriptors) tell them apart. */
                if (subclass == 0x01 && protocol == 0x01)
                        return string_says_mtp(interface_string) ? USBDESC_FN_MTP : USBDESC_FN_PTP;
                return USBDESC_FN_STILL_IMAGE;
        case 0x07: return USBDESC_FN_PRINTER;
        case 0x08: return USBDESC_FN_MASS_STORAGE;
        case 0x09: return USBDESC_FN_HUB;
        case 0x0a: return USBDESC_FN_CDC_DATA;
        case 0x0b: return USBDESC_FN_CCID;
        case 0x0d: return USBDESC_FN_CONTENT_SECURITY;
        case 0x0e: return USBDESC_FN_VIDEO;
        case 0x0f: return USBDESC_FN_HEALTHCARE;
        case 0x10: return USBDESC_FN_AUDIO_VIDEO;
        case 0x11: return USBDESC_FN_BILLBOARD;
        case 0x12: return USBDESC_FN_USB_C_BRIDGE;
        case 0xdc: return USBDESC_FN_DIAGNOSTIC;
        case 0xe0:
                if (subclass == 0x01 && protocol == 0x01)
                        return USBDESC_FN_BLUETOOTH;
                if (subclass == 0x01 && protocol == 0x03)
                        return USBDESC_FN_RNDIS;
                return USBDESC_FN_WIRELESS;
        case 0xef:
                if (subclass == 0x04 && protocol == 0x01)
                        return USBDESC_FN_RNDIS;
                return USBDESC_FN_MISC;
        case 0xfe:
                if (subclass == 0x01 && protocol == 0x01)
                        return USBDESC_FN_DFU_RUNTIME;
                if (subclass == 0x01 && protocol == 0x02)
                        return USBDESC_FN_DFU;
                if (subclass == 0x02)
                        return USBDESC_FN_IRDA;
                if (subclass == 0x03)
                        return USBDESC_FN_USBTMC;
                return USBDESC_FN_APP_SPECIFIC;
        case 0xff:
                if (subclass == 0x42 && protocol == 0x01)
                        return USBDESC_FN_ADB;
                if (subclass == 0x42 && protocol == 0x03)
                        return USBDESC_FN_FASTBOOT;
                /* Android's MTP gadget: ff/ff/00 named "MTP". */
                if (string_says_mtp(interface_string))
                        return USBDESC_FN_MTP;
                return USBDESC_FN_VENDOR;
        default:
                return USBDESC_FN_UNKNOWN;
        }
}

const char *usbdesc_device_string(const struct usbdesc_device *d, uint8_t index) {
        if (!d)
                return NULL;
        for (size_t i = 0; i < d->n_strings; i++)
                if (d->strings[i].index == index)
                        return d->strings[i].text;
        return NULL;
}

static void config_free(struct usbdesc_config *c) {
        for (size_t i = 0; i < c->n_alts; i++) {
                for (size_t j = 0; j < c->alts[i].n_endpoints; j++)
                        free(c->alts[i].endpoints[j].extra);
                free(c->alts[i].endpoints);
                free(c->alts[i].extra);
        }
        free(c->alts);
        free(c->iads);
        for (size_t i = 0; i < c->n_functions; i++)
                free(c->functions[i].interfaces);
        free(c->functions);
        free(c->extra);
}

static void functions_clear(struct usbdesc_config *c) {
        for (size_t i = 0; i < c->n_functions; i++)
                free(c->functions[i].interfaces);
        free(c->functions);
        c->functions = NULL;
        c->n_functions = 0;
}

struct usbdesc_device *usbdesc_device_free(struct usbdesc_device *d) {
        if (!d)
                return NULL;
        for (size_t i = 0; i < d->n_configs; i++)
                config_free(&d->configs[i]);
        free(d->configs);
        free(d->caps);
        free(d->msos20);
        for (size_t i = 0; i < d->n_strings; i++)
                free(d->strings[i].text);
        free(d->strings);
        free(d->bytes);
        free(d->bos_bytes);
        free(d);
        return NULL;
}

/* The alt setting 0 of interface number n (or its first alt when 0 is
 * missing), or NULL. */
static struct usbdesc_altsetting *config_primary_alt(struct usbdesc_config *c, unsigned n) {
        struct usbdesc_altsetting *first = NULL;

        for (size_t i = 0; i < c->n_alts; i++) {
                if (c->alts[i].number != n)
                        continue;
                if (c->alts[i].alt == 0)
                        return &c->alts[i];
                if (!first)
                        first = &c->alts[i];
        }
        return first;
}

static int func_add_interface(struct usbdesc_func *f, uint8_t n) {
        uint8_t *p = array_append(&f->interfaces, &f->n_interfaces, 1);

        if (!p)
                return -ENOMEM;
        *p = n;
        return 0;
}

static int func_cmp(const void *a, const void *b) {
        const struct usbdesc_func *x = a, *y = b;
        return (int) x->first_interface - (int) y->first_interface;
}

/* The kind an IAD gives its group: its own triple, unless that is generic
 * (misc, reserved, CDC data, unknown), then the first interface's. */
static enum usbdesc_function iad_kind(const struct usbdesc_device *d, const struct usbdesc_iad *iad,
                                      const struct usbdesc_altsetting *first) {
        enum usbdesc_function k = usbdesc_interface_classify(iad->class, iad->subclass, iad->protocol,
                                                             usbdesc_device_string(d, iad->string_index));

        if (first && (k == USBDESC_FN_UNKNOWN || k == USBDESC_FN_MISC || k == USBDESC_FN_CDC_DATA))
                return first->kind;
        /* An IAD with a broad CDC/vendor triple around a specific control
         * interface (RNDIS as 02/02/ff or e0/01/03, ADB...): the interface
         * is the more precise witness. */
        if (first && (k == USBDESC_FN_CDC || k == USBDESC_FN_VENDOR || k == USBDESC_FN_WIRELESS) &&
            first->kind != USBDESC_FN_CDC_DATA && first->kind != USBDESC_FN_UNKNOWN)
                return first->kind;
        return k;
}

static int config_classify(const struct usbdesc_device *d, struct usbdesc_config *c) {
        int assigned[256];
        bool present[256] = {};
        int r;

        functions_clear(c);
        for (size_t i = 0; i < 256; i++)
                assigned[i] = -1;
        for (size_t i = 0; i < c->n_alts; i++) {
                struct usbdesc_altsetting *a = &c->alts[i];
                a->kind = usbdesc_interface_classify(a->class, a->subclass, a->protocol,
                                                     usbdesc_device_string(d, a->string_index));
                present[a->number] = true;
        }

        c->flags &= ~USBDESC_FLAG_IAD_RANGE;
        for (size_t i = 0; i < c->n_iads; i++) {
                const struct usbdesc_iad *iad = &c->iads[i];
                unsigned lo = iad->first_interface, hi = lo + iad->interface_count;
                struct usbdesc_func *f = NULL;

                if (iad->interface_count == 0 || hi > 256) {
                        c->flags |= USBDESC_FLAG_IAD_RANGE;
                        hi = iad->interface_count == 0 ? lo : 256;
                }
                for (unsigned n = lo; n < hi; n++) {
                        if (!present[n]) {
                                c->flags |= USBDESC_FLAG_IAD_RANGE;
                                continue;
                        }
                        if (assigned[n] >= 0)
                                continue;  /* overlapping IADs: the first wins */
                        if (!f) {
                                f = array_append(&c->functions, &c->n_functions, sizeof(*f));
                                if (!f)
                                        return -ENOMEM;
                                f->first_interface = (uint8_t) n;
                                f->iad = (int) i;
                                f->kind = iad_kind(d, iad, config_primary_alt(c, n));
                        }
                        r = func_add_interface(f, (uint8_t) n);
                        if (r < 0)
                                return r;
                        assigned[n] = (int) (c->n_functions - 1);
                }
        }

        for (unsigned n = 0; n < 256; n++) {
                struct usbdesc_altsetting *a;
                struct usbdesc_func *f;
                int idx;

                if (!present[n] || assigned[n] >= 0)
                        continue;
                a = config_primary_alt(c, n);
                f = array_append(&c->functions, &c->n_functions, sizeof(*f));
                if (!f)
                        return -ENOMEM;
                idx = (int) (c->n_functions - 1);
                f->first_interface = (uint8_t) n;
                f->iad = -1;
                f->kind = a->kind;
                r = func_add_interface(f, (uint8_t) n);
                if (r < 0)
                        return r;
                assigned[n] = idx;

                /* A CDC control interface without an IAD names its data
                 * interfaces in its Union descriptor (CDC 1.2 5.2.3.2). */
                if (a->class != 0x02 && !(a->class == 0xe0 && a->kind == USBDESC_FN_RNDIS))
                        continue;
                bool have_union = false;
                for (size_t e = 0; e < a->n_extra; e++) {
                        const struct usbdesc_span *s = &a->extra[e];
                        if (s->len < 5 || s->data[1] != USBDESC_TYPE_CS_INTERFACE || s->data[2] != 0x06)
                                continue;
                        have_union = true;
                        for (size_t k = 4; k < s->len; k++) {
                                uint8_t m = s->data[k];
                                if (!present[m] || assigned[m] >= 0)
                                        continue;
                                r = func_add_interface(&c->functions[idx], m);
                                if (r < 0)
                                        return r;
                                assigned[m] = idx;
                        }
                }
                /* No Union (dumps that drop class-specific descriptors, sloppy
                 * firmware): the next interface, when it is CDC data, is the
                 * data interface, as Linux's cdc_acm assumes too. */
                if (!have_union && n + 1 < 256 && present[n + 1] && assigned[n + 1] < 0 &&
                    config_primary_alt(c, n + 1)->class == 0x0a) {
                        r = func_add_interface(&c->functions[idx], (uint8_t) (n + 1));
                        if (r < 0)
                                return r;
                        assigned[n + 1] = idx;
                }
        }

        /* Sort by first interface, then point every alt at its function. */
        if (c->n_functions > 1)
                qsort(c->functions, c->n_functions, sizeof(*c->functions), func_cmp);
        for (size_t i = 0; i < c->n_functions; i++)
                for (size_t j = 0; j < c->functions[i].n_interfaces; j++)
                        assigned[c->functions[i].interfaces[j]] = (int) i;
        for (size_t i = 0; i < c->n_alts; i++)
                c->alts[i].function = (size_t) assigned[c->alts[i].number];
        return 0;
}

static int config_parse(const uint8_t *set, size_t len, struct usbdesc_config *c) {
        bool numbers[256] = {};
        unsigned n_numbers = 0;
        long cur_alt = -1, cur_ep = -1;
        int r;

        /* The caller checked len >= 9, set[1] == CONFIG, wTotalLength == len. */
        *c = (struct usbdesc_config) {
                .total_length = le16(set + 2),
                .num_interfaces = set[4],
                .value = set[5],
                .string_index = set[6],
                .attributes = set[7],
                .max_power = set[8],
                .raw = { set, len },
        };

        /* Invariant: off <= len; a descriptor is used only once
         * off + bLength <= len is known. */
        for (size_t off = set[0]; off < len;) {
                const uint8_t *p = set + off;
                size_t dlen;

                if (len - off < 2)
                        return -EBADMSG;
                dlen = p[0];
                if (dlen < 2 || dlen > len - off)
                        return -EBADMSG;

                switch (p[1]) {
                case USBDESC_TYPE_IAD: {
                        struct usbdesc_iad *iad;
                        if (dlen < 8)
                                return -EBADMSG;
                        iad = array_append(&c->iads, &c->n_iads, sizeof(*iad));
                        if (!iad)
                                return -ENOMEM;
                        *iad = (struct usbdesc_iad) {
                                .first_interface = p[2],
                                .interface_count = p[3],
                                .class = p[4],
                                .subclass = p[5],
                                .protocol = p[6],
                                .string_index = p[7],
                                .raw = { p, dlen },
                        };
                        cur_alt = -1;
                        cur_ep = -1;
                        break;
                }
                case USBDESC_TYPE_INTERFACE: {
                        struct usbdesc_altsetting *a;
                        if (dlen < 9)
                                return -EBADMSG;
                        a = array_append(&c->alts, &c->n_alts, sizeof(*a));
                        if (!a)
                                return -ENOMEM;
                        *a = (struct usbdesc_altsetting) {
                                .number = p[2],
                                .alt = p[3],
                                .num_endpoints = p[4],
                                .class = p[5],
                                .subclass = p[6],
                                .protocol = p[7],
                                .string_index = p[8],
                                .raw = { p, dlen },
                        };
                        if (!numbers[p[2]]) {
                                numbers[p[2]] = true;
                                n_numbers++;
                        }
                        cur_alt = (long) c->n_alts - 1;
                        cur_ep = -1;
                        break;
                }
                case USBDESC_TYPE_ENDPOINT: {
                        struct usbdesc_altsetting *a;
                        struct usbdesc_endpoint *e;
                        if (dlen < 7 || cur_alt < 0)
                                return -EBADMSG;
                        a = &c->alts[cur_alt];
                        e = array_append(&a->endpoints, &a->n_endpoints, sizeof(*e));
                        if (!e)
                                return -ENOMEM;
                        *e = (struct usbdesc_endpoint) {
                                .address = p[2],
                                .attributes = p[3],
                                .max_packet_size = le16(p + 4),
                                .interval = p[6],
                                .raw = { p, dlen },
                        };
                        cur_ep = (long) a->n_endpoints - 1;
                        break;
                }
                default:
                        if (cur_alt >= 0 && cur_ep >= 0) {
                                struct usbdesc_endpoint *e = &c->alts[cur_alt].endpoints[cur_ep];
                                r = span_append(&e->extra, &e->n_extra, p, dlen);
                        } else if (cur_alt >= 0) {
                                struct usbdesc_altsetting *a = &c->alts[cur_alt];
                                r = span_append(&a->extra, &a->n_extra, p, dlen);
                        } else
                                r = span_append(&c->extra, &c->n_extra, p, dlen);
                        if (r < 0)
                                return r;
                        break;
                }
                off += dlen;
        }

        for (size_t i = 0; i < c->n_alts; i++)
                if (c->alts[i].n_endpoints != c->alts[i].num_endpoints)
                        c->flags |= USBDESC_FLAG_ENDPOINT_COUNT;
        if (n_numbers != c->num_interfaces)
                c->flags |= USBDESC_FLAG_INTERFACE_COUNT;
        return 0;
}

int usbdesc_device_parse(const uint8_t *buf, size_t len, struct usbdesc_device **ret) {
        struct usbdesc_device *d;
        const uint8_t *b;
        size_t off;
        int r;

        if ((!buf && len > 0) || !ret)
                return -EINVAL;
        if (len < 18 || buf[0] != 18 || buf[1] != USBDESC_TYPE_DEVICE)
                return -EBADMSG;

        d = calloc(1, sizeof(*d));
        if (!d)
                return -ENOMEM;
        d->bytes = malloc(len);
        if (!d->bytes) {
                free(d);
                return -ENOMEM;
        }
        memcpy(d->bytes, buf, len);
        d->n_bytes = len;
        b = d->bytes;

        d->bcd_usb = le16(b + 2);
        d->class = b[4];
        d->subclass = b[5];
        d->protocol = b[6];
        d->max_packet_size0 = b[7];
        d->vendor_id = le16(b + 8);
        d->product_id = le16(b + 10);
        d->bcd_device = le16(b + 12);
        d->manufacturer_index = b[14];
        d->product_index = b[15];
        d->serial_index = b[16];
        d->num_configurations = b[17];

        for (off = 18; len - off >= 9;) {
                const uint8_t *set = b + off;
                struct usbdesc_config *c;
                size_t total = le16(set + 2);

                if (set[0] < 9 || set[1] != USBDESC_TYPE_CONFIG || total < set[0] || total > len - off) {
                        r = -EBADMSG;
                        goto fail;
                }
                c = array_append(&d->configs, &d->n_configs, sizeof(*c));
                if (!c) {
                        r = -ENOMEM;
                        goto fail;
                }
                r = config_parse(set, total, c);
                if (r < 0)
                        goto fail;
                r = config_classify(d, c);
                if (r < 0)
                        goto fail;
                off += total;
        }
        if (off < len)
                d->flags |= USBDESC_FLAG_TRAILING;
        if (d->n_configs != d->num_configurations)
                d->flags |= USBDESC_FLAG_CONFIG_COUNT;
        *ret = d;
        return 0;

fail:
        usbdesc_device_free(d);
        return r;
}

static const uint8_t msos20_uuid[16] = {
        0xdf, 0x60, 0xdd, 0xd8, 0x89, 0x45, 0xc7, 0x4c,
        0x9c, 0xd2, 0x65, 0x9d, 0x9e, 0x64, 0x8a, 0x9f,
};

int usbdesc_device_bos_set(struct usbdesc_device *d, const uint8_t *buf, size_t len) {
        struct usbdesc_capability *caps = NULL;
        struct usbdesc_msos20 *ms = NULL;
        size_t n_caps = 0, n_ms = 0, total;
        uint8_t *copy;
        int r = -EBADMSG;

        if (!d || (!buf && len > 0))
                return -EINVAL;
        if (len < 5 || buf[0] < 5 || buf[1] != USBDESC_TYPE_BOS)
                return -EBADMSG;
        total = le16(buf + 2);
        if (total < buf[0] || total > len)
                return -EBADMSG;
        copy = malloc(total);
        if (!copy)
                return -ENOMEM;
        memcpy(copy, buf, total);

        for (size_t off = copy[0]; off < total;) {
                const uint8_t *p = copy + off;
                struct usbdesc_capability *cap;
                size_t dlen;

                if (total - off < 2)
                        goto fail;
                dlen = p[0];
                if (dlen < 2 || dlen > total - off)
                        goto fail;
                if (p[1] != USBDESC_TYPE_DEVCAP) {
                        off += dlen;    /* not a capability: skipped, as hosts do */
                        continue;
                }
                if (dlen < 3)
                        goto fail;
                cap = array_append(&caps, &n_caps, sizeof(*cap));
                if (!cap) {
                        r = -ENOMEM;
                        goto fail;
                }
                cap->type = p[2];
                cap->raw = (struct usbdesc_span) { p, dlen };
                if (p[2] == USBDESC_DEVCAP_PLATFORM) {
                        if (dlen < 20)
                                goto fail;
                        cap->has_uuid = true;
                        memcpy(cap->uuid, p + 4, 16);
                        if (memcmp(cap->uuid, msos20_uuid, 16) == 0) {
                                if ((dlen - 20) % 8 != 0)
                                        goto fail;
                                for (size_t e = 20; e < dlen; e += 8) {
                                        struct usbdesc_msos20 *m = array_append(&ms, &n_ms, sizeof(*m));
                                        if (!m) {
                                                r = -ENOMEM;
                                                goto fail;
                                        }
                                        *m = (struct usbdesc_msos20) {
                                                .windows_version = le32(p + e),
                                                .total_length = le16(p + e + 4),
                                                .vendor_code = p[e + 6],
                                                .alt_enum_code = p[e + 7],
                                        };
                                }
                        }
                }
                off += dlen;
        }

        free(d->caps);
        free(d->msos20);
        free(d->bos_bytes);
        d->caps = caps;
        d->n_caps = n_caps;
        d->msos20 = ms;
        d->n_msos20 = n_ms;
        d->bos_bytes = copy;
        d->n_bos_bytes = total;
        d->has_bos = true;
        return 0;

fail:
        free(caps);
        free(ms);
        free(copy);
        return r;
}

int usbdesc_device_string_set(struct usbdesc_device *d, uint8_t index, const char *text) {
        struct usbdesc_string *s = NULL;
        char *copy;
        int r;

        if (!d || index == 0 || !text)
                return -EINVAL;
        copy = strdup(text);
        if (!copy)
                return -ENOMEM;
        for (size_t i = 0; i < d->n_strings; i++)
                if (d->strings[i].index == index)
                        s = &d->strings[i];
        if (!s) {
                s = array_append(&d->strings, &d->n_strings, sizeof(*s));
                if (!s) {
                        free(copy);
                        return -ENOMEM;
                }
                s->index = index;
        }
        free(s->text);
        s->text = copy;
        for (size_t i = 0; i < d->n_configs; i++) {
                r = config_classify(d, &d->configs[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Appends the UTF-8 (or escape) of one code point; out has room for 12. */
static size_t utf8_put(char *out, uint32_t cp) {
        if (cp == '\\') {
                out[0] = '\\';
                out[1] = '\\';
                return 2;
        }
        if (cp < 0x20 || cp == 0x7f)
                return (size_t) snprintf(out, 12, "\\x%02x", (unsigned) cp);
        if (cp >= 0xd800 && cp <= 0xdfff)  /* an unpaired surrogate */
                return (size_t) snprintf(out, 12, "\\u%04x", (unsigned) cp);
        if (cp < 0x80) {
                out[0] = (char) cp;
                return 1;
        }
        if (cp < 0x800) {
                out[0] = (char) (0xc0 | (cp >> 6));
                out[1] = (char) (0x80 | (cp & 0x3f));
                return 2;
        }
        if (cp < 0x10000) {
                out[0] = (char) (0xe0 | (cp >> 12));
                out[1] = (char) (0x80 | ((cp >> 6) & 0x3f));
                out[2] = (char) (0x80 | (cp & 0x3f));
                return 3;
        }
        out[0] = (char) (0xf0 | (cp >> 18));
        out[1] = (char) (0x80 | ((cp >> 12) & 0x3f));
        out[2] = (char) (0x80 | ((cp >> 6) & 0x3f));
        out[3] = (char) (0x80 | (cp & 0x3f));
        return 4;
}

int usbdesc_string_decode(const uint8_t *buf, size_t len, char **ret) {
        size_t n_units, o = 0;
        char *out;

        if ((!buf && len > 0) || !ret)
                return -EINVAL;
        if (len < 2 || buf[0] < 2 || buf[0] > len || buf[1] != USBDESC_TYPE_STRING)
                return -EBADMSG;
        n_units = (size_t) (buf[0] - 2) / 2;
        /* Worst case 6 bytes of escape per unit ("\uXXXX"), plus NUL. */
        out = malloc(n_units * 6 + 1);
        if (!out)
                return -ENOMEM;
        for (size_t i = 0; i < n_units; i++) {
                uint32_t u = le16(buf + 2 + 2 * i);

                if (u >= 0xd800 && u <= 0xdbff && i + 1 < n_units) {
                        uint32_t lo = le16(buf + 2 + 2 * (i + 1));
                        if (lo >= 0xdc00 && lo <= 0xdfff) {
                                u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
                                i++;
                        }
                }
                o += utf8_put(out + o, u);
        }
        out[o] = 0;
        *ret = out;
        return 0;
}

int usbdesc_msos10_parse(struct usbdesc_device *d, const uint8_t *buf, size_t len, uint8_t *ret_vendor_code) {
        static const uint8_t sig[14] = { 'M', 0, 'S', 0, 'F', 0, 'T', 0, '1', 0, '0', 0, '0', 0 };

        if (!buf || !ret_vendor_code)
                return -EINVAL;
        /* bLength 0x12, type 3, qwSignature "MSFT100", bMS_VendorCode, bPad. */
        if (len < 18 || buf[0] < 18 || buf[1] != USBDESC_TYPE_STRING || memcmp(buf + 2, sig, 14) != 0)
                return -EBADMSG;
        *ret_vendor_code = buf[16];
        if (d) {
                d->msos10 = true;
                d->msos10_vendor_code = buf[16];
        }
        return 0;
}

const struct usbdesc_altsetting *usbdesc_config_altsetting(const struct usbdesc_config *c, uint8_t number,
                                                           uint8_t alt) {
        if (!c)
                return NULL;
        for (size_t i = 0; i < c->n_alts; i++)
                if (c->alts[i].number == number && c->alts[i].alt == alt)
                        return &c->alts[i];
        return NULL;
}
