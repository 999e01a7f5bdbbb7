/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fwupd device JSON ("UsbDevices": [...]) back into descriptors. fwupd
 * omits fields that are zero, so an absent field is 0. */

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static int b64val(char c) {
        if (c >= 'A' && c <= 'Z')
                return c - 'A';
        if (c >= 'a' && c <= 'z')
                return c - 'a' + 26;
        if (c >= '0' && c <= '9')
                return c - '0' + 52;
        if (c == '+')
                return 62;
        if (c == '/')
                return 63;
        return -1;
}

static int base64_append(const char *s, struct bytebuf *out) {
        uint32_t acc = 0;
        int bits = 0, r;

        for (; *s && *s != '='; s++) {
                int v = b64val(*s);
                if (v < 0)
                        return -EBADMSG;
                acc = (acc << 6) | (uint32_t) v;
                bits += 6;
                if (bits >= 8) {
                        bits -= 8;
                        r = bytebuf_put_u8(out, (uint8_t) (acc >> bits));
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

/* An integer member in [0, max]; absent is 0. -1 when out of range or not
 * an integer. */
static long long num(json_t *o, const char *key, long long max) {
        json_t *v = json_object_get(o, key);
        long long x;

        if (!v)
                return 0;
        if (!json_is_integer(v))
                return -1;
        x = json_integer_value(v);
        return x < 0 || x > max ? -1 : x;
}

struct ctx {
        char **ret_error;
        const char *where;
};

static int get8(struct ctx *c, json_t *o, const char *key, uint8_t *ret) {
        long long x = num(o, key, 0xff);
        if (x < 0)
                return usbdump_error(c->ret_error, -EBADMSG, "%s.%s: expected an integer 0..255", c->where, key);
        *ret = (uint8_t) x;
        return 0;
}

static int get16(struct ctx *c, json_t *o, const char *key, uint16_t *ret) {
        long long x = num(o, key, 0xffff);
        if (x < 0)
                return usbdump_error(c->ret_error, -EBADMSG, "%s.%s: expected an integer 0..65535", c->where, key);
        *ret = (uint16_t) x;
        return 0;
}

static int extra(struct ctx *c, json_t *o, struct bytebuf *b) {
        json_t *e = json_object_get(o, "ExtraData");
        if (!e)
                return 0;
        if (!json_is_string(e) || base64_append(json_string_value(e), b) < 0)
                return usbdump_error(c->ret_error, -EBADMSG, "%s.ExtraData: expected base64", c->where);
        return 0;
}

static int put(struct bytebuf *b, const uint8_t *p, size_t n) {
        return bytebuf_put(b, p, n);
}

static int device_build(struct ctx *c, json_t *u, struct usbdump *d, size_t idx) {
        struct bytebuf dev = {}, cfg = {}, bos = {};
        json_t *configs = json_object_get(u, "UsbConfigDescriptors");
        json_t *ifs = json_object_get(u, "UsbInterfaces");
        json_t *caps = json_object_get(u, "UsbBosDescriptors");
        uint16_t usb = 0, vid = 0, pid = 0, rel = 0;
        uint8_t dc = 0, dsc = 0, dp = 0, im = 0, ip = 0, is = 0, cfg_value = 1, cfg_string = 0;
        uint8_t n_if = 0, seen[256] = {};
        size_t n_cfg = json_is_array(configs) ? json_array_size(configs) : 0;
        struct usbdump_device *out;
        const char *platform;
        char where[48];
        int r;

        snprintf(where, sizeof(where), "UsbDevices[%zu]", idx);
        c->where = where;
        if ((r = get16(c, u, "USB", &usb)) < 0 || (r = get16(c, u, "IdVendor", &vid)) < 0 ||
            (r = get16(c, u, "IdProduct", &pid)) < 0 || (r = get16(c, u, "Device", &rel)) < 0 ||
            (r = get8(c, u, "DeviceClass", &dc)) < 0 || (r = get8(c, u, "DeviceSubClass", &dsc)) < 0 ||
            (r = get8(c, u, "DeviceProtocol", &dp)) < 0 || (r = get8(c, u, "Manufacturer", &im)) < 0 ||
            (r = get8(c, u, "Product", &ip)) < 0 || (r = get8(c, u, "SerialNumber", &is)) < 0)
                return r;
        if (n_cfg > 0) {
                json_t *c0 = json_array_get(configs, 0);
                if ((r = get8(c, c0, "ConfigurationValue", &cfg_value)) < 0 ||
                    (r = get8(c, c0, "Configuration", &cfg_string)) < 0)
                        return r;
        }
        {
                /* fwupd keeps no bMaxPacketSize0: 64 (any full/high-speed value). */
                const uint8_t dd[18] = { 18, 1, (uint8_t) usb, (uint8_t) (usb >> 8), dc, dsc, dp, 64,
                                         (uint8_t) vid, (uint8_t) (vid >> 8), (uint8_t) pid, (uint8_t) (pid >> 8),
                                         (uint8_t) rel, (uint8_t) (rel >> 8), im, ip, is,
                                         (uint8_t) (n_cfg > 255 ? 255 : n_cfg) };
                if ((r = put(&dev, dd, sizeof(dd))) < 0)
                        goto out;
        }

        if (json_is_array(ifs)) {
                const uint8_t ch[9] = { 9, 2, 0, 0, 0, cfg_value, cfg_string, 0x80, 50 };
                json_t *it;
                size_t i;

                if ((r = put(&cfg, ch, sizeof(ch))) < 0)
                        goto out;
                json_array_foreach(ifs, i, it) {
                        json_t *eps = json_object_get(it, "UsbEndpoints"), *ep;
                        uint8_t num_, alt, cl, sc, pr, istr;
                        size_t j, n_eps = json_is_array(eps) ? json_array_size(eps) : 0;
                        char w[96];

                        snprintf(w, sizeof(w), "%s.UsbInterfaces[%zu]", where, i);
                        c->where = w;
                        if (!json_is_object(it)) {
                                r = usbdump_error(c->ret_error, -EBADMSG, "%s: expected an object", w);
                                goto out;
                        }
                        if ((r = get8(c, it, "InterfaceNumber", &num_)) < 0 ||
                            (r = get8(c, it, "AlternateSetting", &alt)) < 0 ||
                            (r = get8(c, it, "InterfaceClass", &cl)) < 0 ||
                            (r = get8(c, it, "InterfaceSubClass", &sc)) < 0 ||
                            (r = get8(c, it, "InterfaceProtocol", &pr)) < 0 ||
                            (r = get8(c, it, "Interface", &istr)) < 0)
                                goto out;
                        if (!seen[num_]) {
                                seen[num_] = 1;
                                n_if++;
                        }
                        const uint8_t id[9] = { 9, 4, num_, alt, (uint8_t) (n_eps > 255 ? 255 : n_eps), cl, sc, pr, istr };
                        if ((r = put(&cfg, id, sizeof(id))) < 0 || (r = extra(c, it, &cfg)) < 0)
                                goto out;
                        json_array_foreach(eps, j, ep) {
                                uint8_t addr = 0, interval = 0, refresh = 0, synch = 0, attr = 0;
                                uint16_t mps = 0;
                                char we[160];

                                snprintf(we, sizeof(we), "%s.UsbEndpoints[%zu]", w, j);
                                c->where = we;
                                if (!json_is_object(ep)) {
                                        r = usbdump_error(c->ret_error, -EBADMSG, "%s: expected an object", we);
                                        goto out;
                                }
                                if ((r = get8(c, ep, "EndpointAddress", &addr)) < 0 ||
                                    (r = get8(c, ep, "Interval", &interval)) < 0 ||
                                    (r = get8(c, ep, "Refresh", &refresh)) < 0 ||
                                    (r = get8(c, ep, "SynchAddress", &synch)) < 0 ||
                                    (r = get8(c, ep, "Attributes", &attr)) < 0 ||
                                    (r = get16(c, ep, "MaxPacketSize", &mps)) < 0)
                                        goto out;
                                const uint8_t ed[7] = { 7, 5, addr, attr, (uint8_t) mps, (uint8_t) (mps >> 8), interval };
                                if ((r = put(&cfg, ed, sizeof(ed))) < 0 || (r = extra(c, ep, &cfg)) < 0)
                                        goto out;
                        }
                        c->where = where;
                }
                if (cfg.n > 0xffff) {
                        r = usbdump_error(c->ret_error, -EBADMSG, "%s: configuration longer than 65535 bytes", where);
                        goto out;
                }
                cfg.data[2] = (uint8_t) cfg.n;
                cfg.data[3] = (uint8_t) (cfg.n >> 8);
                cfg.data[4] = n_if;
                if ((r = put(&dev, cfg.data, cfg.n)) < 0)
                        goto out;
        }

        if (json_is_array(caps) && json_array_size(caps) > 0) {
                const uint8_t bh[5] = { 5, 0x0f, 0, 0, 0 };
                json_t *cap;
                size_t i;

                if ((r = put(&bos, bh, sizeof(bh))) < 0)
                        goto out;
                json_array_foreach(caps, i, cap) {
                        size_t start = bos.n;
                        uint8_t type;
                        if ((r = get8(c, cap, "DevCapabilityType", &type)) < 0)
                                goto out;
                        const uint8_t h[3] = { 3, 0x10, type };
                        if ((r = put(&bos, h, 3)) < 0 || (r = extra(c, cap, &bos)) < 0)
                                goto out;
                        if (bos.n - start > 255) {
                                r = usbdump_error(c->ret_error, -EBADMSG, "%s.UsbBosDescriptors[%zu]: too long", where, i);
                                goto out;
                        }
                        bos.data[start] = (uint8_t) (bos.n - start);
                }
                if (bos.n > 0xffff || json_array_size(caps) > 255) {
                        r = usbdump_error(c->ret_error, -EBADMSG, "%s: BOS too long", where);
                        goto out;
                }
                bos.data[2] = (uint8_t) bos.n;
                bos.data[3] = (uint8_t) (bos.n >> 8);
                bos.data[4] = (uint8_t) json_array_size(caps);
        }

        platform = json_string_value(json_object_get(u, "PlatformId"));
        out = usbdump_device_add(d, platform ? platform : where, &dev);
        if (!out) {
                r = -ENOMEM;
                goto out;
        }
        if (bos.n) {
                out->bos = bos.data;
                out->n_bos = bos.n;
                bos = (struct bytebuf) {};
        }
        r = 0;
out:
        bytebuf_done(&dev);
        bytebuf_done(&cfg);
        bytebuf_done(&bos);
        return r;
}

int usbdump_fwupd_parse(const char *text, size_t len, struct usbdump **ret, char **ret_error) {
        struct ctx c = { .ret_error = ret_error };
        json_error_t jerr;
        json_t *root, *devs, *u;
        struct usbdump *d;
        size_t i;
        int r = 0;

        if ((!text && len > 0) || !ret)
                return -EINVAL;
        root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
        if (!root)
                return usbdump_error(ret_error, -EBADMSG, "line %d:%d: %s", jerr.line, jerr.column, jerr.text);
        devs = json_object_get(root, "UsbDevices");
        if (!json_is_array(devs)) {
                json_decref(root);
                return usbdump_error(ret_error, -EBADMSG, "expected an object with a \"UsbDevices\" array");
        }
        d = usbdump_new(USBDUMP_FWUPD);
        if (!d) {
                json_decref(root);
                return -ENOMEM;
        }
        json_array_foreach(devs, i, u) {
                if (!json_is_object(u)) {
                        r = usbdump_error(ret_error, -EBADMSG, "UsbDevices[%zu]: expected an object", i);
                        break;
                }
                r = device_build(&c, u, d, i);
                if (r < 0)
                        break;
        }
        if (r >= 0 && d->n_devices == 0)
                r = usbdump_error(ret_error, -ENODATA, "\"UsbDevices\" is empty");
        json_decref(root);
        if (r < 0) {
                usbdump_free(d);
                return r;
        }
        *ret = d;
        return 0;
}
