/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `lsusb -v` text back into descriptor bytes. lsusb prints every field of
 * the standard descriptors, so those come back exact; sections we do not
 * rebuild are skipped whole, so their field names cannot leak into ours. */

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/hex.h"
#include "internal.h"

enum section {
        SEC_NONE,
        SEC_DEVICE,
        SEC_CONFIG,
        SEC_IAD,
        SEC_INTERFACE,
        SEC_ENDPOINT,
        SEC_UNION,
        SEC_OTHER,
};

/* Field tables in wire order after bLength/bDescriptorType. */
static const char *const device_keys[] = {
        "bcdUSB", "bDeviceClass", "bDeviceSubClass", "bDeviceProtocol", "bMaxPacketSize0", "idVendor",
        "idProduct", "bcdDevice", "iManufacturer", "iProduct", "iSerial", "bNumConfigurations", NULL
};
static const char *const config_keys[] = {
        "wTotalLength", "bNumInterfaces", "bConfigurationValue", "iConfiguration", "bmAttributes",
        "MaxPower", NULL
};
static const char *const iad_keys[] = {
        "bFirstInterface", "bInterfaceCount", "bFunctionClass", "bFunctionSubClass", "bFunctionProtocol",
        "iFunction", NULL
};
static const char *const interface_keys[] = {
        "bInterfaceNumber", "bAlternateSetting", "bNumEndpoints", "bInterfaceClass", "bInterfaceSubClass",
        "bInterfaceProtocol", "iInterface", NULL
};
static const char *const endpoint_keys[] = {
        "bEndpointAddress", "bmAttributes", "wMaxPacketSize", "bInterval", "bRefresh", "bSynchAddress", NULL
};

#define MAX_KEYS 12
#define MAX_SLAVES 32

struct pending {
        enum section sec;
        unsigned line;
        unsigned length;           /* bLength as printed, 0 if absent */
        uint32_t v[MAX_KEYS];
        uint8_t slaves[MAX_SLAVES];
        unsigned n_slaves;
        bool have_master;
        uint8_t master;
};

struct state {
        struct usbdump *dump;
        struct usbdump_device *dev;   /* the device being read, in dump */
        char *name;                   /* its "Bus ..." line, pending */
        struct bytebuf devbytes;      /* device descriptor + finished configs */
        struct bytebuf cfg;           /* the open configuration set */
        bool have_device, have_config;
        uint16_t bcd_usb;
        struct pending p;
        /* strings seen before the device exists */
        struct { uint8_t index; char *text; } strs[64];
        unsigned n_strs;
        char **ret_error;
};

static const char *const *section_keys(enum section s) {
        switch (s) {
        case SEC_DEVICE: return device_keys;
        case SEC_CONFIG: return config_keys;
        case SEC_IAD: return iad_keys;
        case SEC_INTERFACE: return interface_keys;
        case SEC_ENDPOINT: return endpoint_keys;
        case SEC_NONE:
        case SEC_UNION:
        case SEC_OTHER:
                return NULL;
        }
        return NULL;
}

static unsigned key_width(const char *k) {
        if (k[0] == 'w' || strncmp(k, "id", 2) == 0 || strncmp(k, "bcd", 3) == 0)
                return 2;
        return 1;
}

static int put_fields(struct bytebuf *b, const struct pending *p, const char *const *keys, unsigned min_len,
                      uint8_t type) {
        unsigned len = p->length >= min_len ? p->length : min_len, written = 2;
        int r;

        if (len > 255)
                len = 255;
        r = bytebuf_put_u8(b, (uint8_t) len);
        if (r < 0)
                return r;
        r = bytebuf_put_u8(b, type);
        for (unsigned i = 0; r >= 0 && keys[i] && written < len; i++) {
                if (key_width(keys[i]) == 2) {
                        r = bytebuf_put_le16(b, (uint16_t) p->v[i]);
                        written += 2;
                } else {
                        r = bytebuf_put_u8(b, (uint8_t) p->v[i]);
                        written++;
                }
        }
        for (; r >= 0 && written < len; written++)
                r = bytebuf_put_u8(b, 0);
        return r;
}

static int config_close(struct state *s) {
        int r;

        if (!s->have_config)
                return 0;
        s->have_config = false;
        if (s->cfg.n < 9) {
                bytebuf_done(&s->cfg);
                return 0;
        }
        if (s->cfg.n > 0xffff)
                return usbdump_error(s->ret_error, -EBADMSG, "configuration longer than 65535 bytes");
        /* lsusb's wTotalLength counted descriptors we could not rebuild. */
        s->cfg.data[2] = (uint8_t) s->cfg.n;
        s->cfg.data[3] = (uint8_t) (s->cfg.n >> 8);
        r = bytebuf_put(&s->devbytes, s->cfg.data, s->cfg.n);
        bytebuf_done(&s->cfg);
        return r;
}

static int pending_flush(struct state *s) {
        struct pending *p = &s->p;
        int r = 0;

        switch (p->sec) {
        case SEC_DEVICE:
                r = put_fields(&s->devbytes, p, device_keys, 18, 0x01);
                if (r >= 0 && s->devbytes.n >= 18) {
                        s->devbytes.data[0] = 18;   /* the decoder and every host insist */
                        s->bcd_usb = (uint16_t) p->v[0];
                }
                break;
        case SEC_CONFIG:
                /* MaxPower printed in mA: back to 2 mA (USB 2) or 8 mA units. */
                p->v[5] = s->bcd_usb >= 0x0300 ? p->v[5] / 8 : p->v[5] / 2;
                if (p->v[5] > 255)
                        return usbdump_error(s->ret_error, -EBADMSG, "line %u: MaxPower out of range", p->line);
                r = put_fields(&s->cfg, p, config_keys, 9, 0x02);
                break;
        case SEC_IAD:
                r = put_fields(&s->cfg, p, iad_keys, 8, 0x0b);
                break;
        case SEC_INTERFACE:
                r = put_fields(&s->cfg, p, interface_keys, 9, 0x04);
                break;
        case SEC_ENDPOINT:
                r = put_fields(&s->cfg, p, endpoint_keys, 7, 0x05);
                break;
        case SEC_UNION:
                if (!p->have_master || !s->have_config)
                        break;
                r = bytebuf_put_u8(&s->cfg, (uint8_t) (4 + p->n_slaves));
                if (r >= 0)
                        r = bytebuf_put_u8(&s->cfg, 0x24);
                if (r >= 0)
                        r = bytebuf_put_u8(&s->cfg, 0x06);
                if (r >= 0)
                        r = bytebuf_put_u8(&s->cfg, p->master);
                if (r >= 0)
                        r = bytebuf_put(&s->cfg, p->slaves, p->n_slaves);
                break;
        case SEC_NONE:
        case SEC_OTHER:
                break;
        }
        *p = (struct pending) { .sec = SEC_NONE };
        return r;
}

static int device_close(struct state *s) {
        struct usbdump_device *dev;
        int r;

        r = pending_flush(s);
        if (r < 0)
                return r;
        r = config_close(s);
        if (r < 0)
                return r;
        if (!s->have_device) {
                free(s->name);
                s->name = NULL;
                goto strings_done;
        }
        s->have_device = false;
        dev = usbdump_device_add(s->dump, s->name ? s->name : "lsusb", &s->devbytes);
        free(s->name);
        s->name = NULL;
        if (!dev)
                return -ENOMEM;
        for (unsigned i = 0; i < s->n_strs; i++) {
                r = usbdump_device_string_add(dev, s->strs[i].index, s->strs[i].text, strlen(s->strs[i].text));
                if (r < 0)
                        return r;
        }
strings_done:
        for (unsigned i = 0; i < s->n_strs; i++)
                free(s->strs[i].text);
        s->n_strs = 0;
        bytebuf_done(&s->devbytes);
        return 0;
}

static bool is_bcd_key(const char *k, size_t kl) {
        return kl >= 3 && strncmp(k, "bcd", 3) == 0;
}

/* Parses the value token: decimal, 0x hex, bcd "2.00" (hex digits), or
 * "500mA". */
static int value_parse(const char *t, size_t tl, bool bcd, uint32_t *ret) {
        uint32_t v = 0;
        size_t i = 0;

        if (tl == 0)
                return -EBADMSG;
        if (bcd) {
                const char *dot = memchr(t, '.', tl);
                uint32_t hi = 0, lo = 0;
                if (!dot || dot == t || (size_t) (t + tl - dot - 1) != 2)
                        return -EBADMSG;
                for (const char *c = t; c < dot; c++) {
                        if (unhexchar(*c) < 0 || hi > 0xff)
                                return -EBADMSG;
                        hi = hi * 16 + (uint32_t) unhexchar(*c);
                }
                for (const char *c = dot + 1; c < t + tl; c++) {
                        if (unhexchar(*c) < 0)
                                return -EBADMSG;
                        lo = lo * 16 + (uint32_t) unhexchar(*c);
                }
                if (hi > 0xff)
                        return -EBADMSG;
                *ret = hi << 8 | lo;
                return 0;
        }
        if (tl > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
                for (i = 2; i < tl; i++) {
                        if (unhexchar(t[i]) < 0 || v > 0xffffff)
                                return -EBADMSG;
                        v = v * 16 + (uint32_t) unhexchar(t[i]);
                }
                *ret = v;
                return 0;
        }
        if (tl > 2 && strncmp(t + tl - 2, "mA", 2) == 0)
                tl -= 2;
        for (i = 0; i < tl; i++) {
                if (t[i] < '0' || t[i] > '9' || v > 9999999)
                        return -EBADMSG;
                v = v * 10 + (uint32_t) (t[i] - '0');
        }
        if (i == 0)
                return -EBADMSG;
        *ret = v;
        return 0;
}

static int string_note(struct state *s, uint32_t index, const char *text, size_t len) {
        if (index == 0 || index > 255 || len == 0 || s->n_strs >= 64)
                return 0;
        for (unsigned i = 0; i < s->n_strs; i++)
                if (s->strs[i].index == index)
                        return 0;
        s->strs[s->n_strs].text = strndup(text, len);
        if (!s->strs[s->n_strs].text)
                return -ENOMEM;
        s->strs[s->n_strs++].index = (uint8_t) index;
        return 0;
}

static int section_start(struct state *s, enum section sec, unsigned line) {
        int r = pending_flush(s);

        if (r < 0)
                return r;
        switch (sec) {
        case SEC_DEVICE:
                if (s->have_device) {
                        /* a second device without a "Bus" line */
                        r = device_close(s);
                        if (r < 0)
                                return r;
                }
                s->have_device = true;
                break;
        case SEC_CONFIG:
                if (!s->have_device || s->devbytes.n < 18)
                        return usbdump_error(s->ret_error, -EBADMSG,
                                             "line %u: Configuration Descriptor before a Device Descriptor", line);
                r = config_close(s);
                if (r < 0)
                        return r;
                s->have_config = true;
                break;
        case SEC_IAD:
        case SEC_INTERFACE:
        case SEC_ENDPOINT:
        case SEC_UNION:
                if (!s->have_config) {
                        sec = SEC_OTHER;   /* e.g. inside a Device Qualifier */
                        break;
                }
                break;
        case SEC_NONE:
        case SEC_OTHER:
                break;
        }
        s->p = (struct pending) { .sec = sec, .line = line };
        return 0;
}

static int field(struct state *s, const char *k, size_t kl, const char *rest, size_t rl, unsigned line) {
        const char *const *keys = section_keys(s->p.sec);
        const char *t = rest;
        size_t tl = 0;
        uint32_t v;
        int idx = -1, r;

        if (s->p.sec == SEC_UNION) {
                if (!((kl == 16 && memcmp(k, "bMasterInterface", 16) == 0) ||
                      (kl == 15 && memcmp(k, "bSlaveInterface", 15) == 0)))
                        return 0;
        } else if (kl == 7 && memcmp(k, "bLength", 7) == 0) {
                if (!keys)
                        return 0;
        } else {
                if (!keys)
                        return 0;
                for (int i = 0; keys[i]; i++)
                        if (strlen(keys[i]) == kl && memcmp(keys[i], k, kl) == 0)
                                idx = i;
                if (idx < 0)
                        return 0;
        }

        while (tl < rl && rest[tl] != ' ' && rest[tl] != '\t')
                tl++;
        r = value_parse(t, tl, is_bcd_key(k, kl), &v);
        if (r < 0)
                return usbdump_error(s->ret_error, -EBADMSG, "line %u: %.*s: expected a number, got '%.*s'",
                                     line, (int) kl, k, (int) (tl > 32 ? 32 : tl), t);

        if (s->p.sec == SEC_UNION) {
                if (v > 255)
                        return usbdump_error(s->ret_error, -EBADMSG, "line %u: %.*s: expected 0..255, got %u",
                                             line, (int) kl, k, v);
                if (k[1] == 'M') {
                        s->p.master = (uint8_t) v;
                        s->p.have_master = true;
                } else if (s->p.n_slaves < MAX_SLAVES)
                        s->p.slaves[s->p.n_slaves++] = (uint8_t) v;
                return 0;
        }
        if (idx < 0) {
                if (v > 255)
                        return usbdump_error(s->ret_error, -EBADMSG, "line %u: bLength: expected 0..255, got %u",
                                             line, v);
                s->p.length = v;
                return 0;
        }
        if (!(s->p.sec == SEC_CONFIG && idx == 5)) {  /* MaxPower is checked once converted */
                uint32_t max = key_width(keys[idx]) == 2 ? 0xffff : 0xff;
                if (v > max)
                        return usbdump_error(s->ret_error, -EBADMSG, "line %u: %.*s: expected 0..%u, got %u",
                                             line, (int) kl, k, max, v);
        }
        s->p.v[idx] = v;

        if (k[0] == 'i' && k[1] >= 'A' && k[1] <= 'Z' && kl > 2 && strncmp(k, "id", 2) != 0) {
                /* "iProduct 2 DAPLink CMSIS-DAP": the text after the index */
                const char *x = rest + tl;
                size_t xl = rl - tl;
                while (xl > 0 && (*x == ' ' || *x == '\t')) {
                        x++;
                        xl--;
                }
                return string_note(s, v, x, xl);
        }
        return 0;
}

static int hexline(struct state *s, const char *p, size_t n, unsigned line) {
        uint8_t bytes[256];
        size_t nb = 0;
        int r;

        r = pending_flush(s);
        if (r < 0)
                return r;
        s->p = (struct pending) { .sec = SEC_OTHER, .line = line };
        for (size_t i = 0; i < n;) {
                if (p[i] == ' ' || p[i] == '\t') {
                        i++;
                        continue;
                }
                if (i + 1 >= n || unhexchar(p[i]) < 0 || unhexchar(p[i + 1]) < 0 ||
                    (i + 2 < n && p[i + 2] != ' ' && p[i + 2] != '\t') || nb >= sizeof(bytes))
                        return usbdump_error(s->ret_error, -EBADMSG,
                                             "line %u: UNRECOGNIZED: expected hex bytes \"05 24 00 ...\"", line);
                bytes[nb++] = (uint8_t) (unhexchar(p[i]) << 4 | unhexchar(p[i + 1]));
                i += 2;
        }
        if (!s->have_config || nb == 0)
                return 0;
        return bytebuf_put(&s->cfg, bytes, nb);
}

static const struct {
        const char *text;
        enum section sec;
} headers[] = {
        { "Device Descriptor:", SEC_DEVICE },
        { "Configuration Descriptor:", SEC_CONFIG },
        { "Interface Association:", SEC_IAD },
        { "Interface Descriptor:", SEC_INTERFACE },
        { "Endpoint Descriptor:", SEC_ENDPOINT },
        { "CDC Union:", SEC_UNION },
};

static int line_handle(struct state *s, const char *l, size_t n, unsigned line) {
        size_t i = 0;
        const char *k;
        size_t kl;

        while (n > 0 && (l[n - 1] == '\r' || l[n - 1] == ' ' || l[n - 1] == '\t'))
                n--;
        if (n >= 4 && memcmp(l, "Bus ", 4) == 0) {
                int r = device_close(s);
                if (r < 0)
                        return r;
                s->name = strndup(l, n);
                return s->name ? 0 : -ENOMEM;
        }
        while (i < n && (l[i] == ' ' || l[i] == '\t'))
                i++;
        l += i;
        n -= i;
        if (n == 0)
                return 0;
        if (n >= 16 && memcmp(l, "** UNRECOGNIZED:", 16) == 0)
                return hexline(s, l + 16, n - 16, line);
        for (size_t h = 0; h < sizeof(headers) / sizeof(headers[0]); h++)
                if (strlen(headers[h].text) == n && memcmp(headers[h].text, l, n) == 0)
                        return section_start(s, headers[h].sec, line);
        if (l[n - 1] == ':')
                return section_start(s, SEC_OTHER, line);

        /* "key   value [text]" */
        k = l;
        for (kl = 0; kl < n && l[kl] != ' ' && l[kl] != '\t'; kl++)
                ;
        i = kl;
        while (i < n && (l[i] == ' ' || l[i] == '\t'))
                i++;
        if (i == kl || i >= n)
                return 0;
        return field(s, k, kl, l + i, n - i, line);
}

static void state_done(struct state *s) {
        free(s->name);
        bytebuf_done(&s->devbytes);
        bytebuf_done(&s->cfg);
        for (unsigned i = 0; i < s->n_strs; i++)
                free(s->strs[i].text);
}

int usbdump_lsusb_parse(const char *text, size_t len, struct usbdump **ret, char **ret_error) {
        struct state s = { .ret_error = ret_error };
        unsigned line = 0;
        int r = 0;

        if ((!text && len > 0) || !ret)
                return -EINVAL;
        s.dump = usbdump_new(USBDUMP_LSUSB);
        if (!s.dump)
                return -ENOMEM;
        for (size_t off = 0; off < len && r >= 0;) {
                const char *nl = memchr(text + off, '\n', len - off);
                size_t end = nl ? (size_t) (nl - text) : len;

                line++;
                r = line_handle(&s, text + off, end - off, line);
                off = end + 1;
        }
        if (r >= 0)
                r = device_close(&s);
        if (r >= 0 && s.dump->n_devices == 0)
                r = usbdump_error(ret_error, -ENODATA, "no \"Device Descriptor:\" found");
        state_done(&s);
        if (r < 0) {
                usbdump_free(s.dump);
                return r;
        }
        *ret = s.dump;
        return 0;
}
