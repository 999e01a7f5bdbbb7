/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: lib/usbdesc (device + configuration sets, BOS, string and
 * MS OS 1.0 descriptors, the classifier) and the lib/usbdump readers that
 * feed it (lsusb -v text above all, umockdev, fwupd JSON). The first byte
 * picks the entry point; the rest is the input. Invariants are checked, not
 * only crashes: every span lies inside the object's own copy and every
 * interface points at an existing function that lists it. */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/usbdesc/usbdesc.h"
#include "lib/usbdump/usbdump.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void span_check(const struct usbdesc_span *s, const uint8_t *base, size_t n) {
        if (s->data < base || s->len > n || (size_t) (s->data - base) > n - s->len)
                __builtin_trap();
}

static void device_check(struct usbdesc_device *d) {
        for (size_t i = 0; i < d->n_configs; i++) {
                const struct usbdesc_config *c = &d->configs[i];
                span_check(&c->raw, d->bytes, d->n_bytes);
                for (size_t j = 0; j < c->n_alts; j++) {
                        const struct usbdesc_altsetting *a = &c->alts[j];
                        bool listed = false;
                        span_check(&a->raw, d->bytes, d->n_bytes);
                        for (size_t e = 0; e < a->n_extra; e++)
                                span_check(&a->extra[e], d->bytes, d->n_bytes);
                        for (size_t e = 0; e < a->n_endpoints; e++) {
                                span_check(&a->endpoints[e].raw, d->bytes, d->n_bytes);
                                for (size_t x = 0; x < a->endpoints[e].n_extra; x++)
                                        span_check(&a->endpoints[e].extra[x], d->bytes, d->n_bytes);
                        }
                        if (a->function >= c->n_functions || !usbdesc_function_name(a->kind))
                                __builtin_trap();
                        for (size_t k = 0; k < c->functions[a->function].n_interfaces; k++)
                                listed |= c->functions[a->function].interfaces[k] == a->number;
                        if (!listed)
                                __builtin_trap();
                }
                for (size_t j = 0; j < c->n_iads; j++)
                        span_check(&c->iads[j].raw, d->bytes, d->n_bytes);
        }
        for (size_t i = 0; i < d->n_caps; i++)
                span_check(&d->caps[i].raw, d->bos_bytes, d->n_bos_bytes);
}

static void decode(const uint8_t *p, size_t n, const uint8_t *bos, size_t n_bos) {
        struct usbdesc_device *d = NULL;

        if (usbdesc_device_parse(p, n, &d) < 0)
                return;
        if (bos)
                (void) usbdesc_device_bos_set(d, bos, n_bos);
        (void) usbdesc_device_string_set(d, 5, "MTP");
        device_check(d);
        usbdesc_device_free(d);
}

static void dump(const uint8_t *p, size_t n, int format) {
        struct usbdump *u = NULL;
        char *err = NULL;

        if (usbdump_parse(p, n, format, &u, &err) >= 0) {
                for (size_t i = 0; i < u->n_devices; i++)
                        decode(u->devices[i].bytes, u->devices[i].n_bytes, u->devices[i].bos,
                               u->devices[i].n_bos);
                usbdump_free(u);
        }
        free(err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        uint8_t mode;
        char *s = NULL;
        uint8_t code;

        if (size < 1)
                return 0;
        mode = data[0];
        data++;
        size--;
        switch (mode % 6) {
        case 0: {
                /* a copy of exactly size bytes, so ASan sees any overread */
                uint8_t *copy = malloc(size ? size : 1);
                if (!copy)
                        return 0;
                memcpy(copy, data, size);
                decode(copy, size, NULL, 0);
                free(copy);
                break;
        }
        case 1: {
                /* the tail after a device descriptor doubles as a BOS set */
                size_t split = size > 18 ? 18 + (data[0] % (size - 18 + 1)) : size;
                uint8_t *copy = malloc(size ? size : 1);
                if (!copy)
                        return 0;
                memcpy(copy, data, size);
                decode(copy, split, copy + split, size - split);
                free(copy);
                break;
        }
        case 2: {
                uint8_t *copy = malloc(size ? size : 1);
                if (!copy)
                        return 0;
                memcpy(copy, data, size);
                if (usbdesc_string_decode(copy, size, &s) >= 0)
                        free(s);
                (void) usbdesc_msos10_parse(NULL, copy, size, &code);
                free(copy);
                break;
        }
        case 3:
                dump(data, size, USBDUMP_LSUSB);
                break;
        case 4:
                dump(data, size, USBDUMP_UMOCKDEV);
                break;
        default:
                dump(data, size, mode & 0x80 ? USBDUMP_FWUPD : -1);
                break;
        }
        return 0;
}
