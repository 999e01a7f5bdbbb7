/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* umockdev recordings: "P:" starts a sysfs node; "H: descriptors=" holds
 * the device's descriptors in hex (an "A:" attribute with C escapes is
 * accepted too). String attributes give the device's strings. */

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/hex.h"
#include "internal.h"
#include "lib/usbdesc/usbdesc.h"

struct node {
        char *path;
        struct bytebuf desc;
        bool has_desc;
        char *manufacturer, *product, *serial, *interface;
        int if_number, if_alt;
};

static void node_done(struct node *n) {
        free(n->path);
        bytebuf_done(&n->desc);
        free(n->manufacturer);
        free(n->product);
        free(n->serial);
        free(n->interface);
}

/* Unescapes an "A:" value (\n, \t, \\, \xNN) into out, dropping one
 * trailing newline. */
static int unescape(const char *v, size_t n, struct bytebuf *out) {
        int r = 0;

        for (size_t i = 0; i < n && r >= 0; i++) {
                uint8_t c = (uint8_t) v[i];
                if (c == '\\' && i + 1 < n) {
                        char e = v[++i];
                        if (e == 'n')
                                c = '\n';
                        else if (e == 't')
                                c = '\t';
                        else if (e == 'x' && i + 2 < n && unhexchar(v[i + 1]) >= 0 && unhexchar(v[i + 2]) >= 0) {
                                c = (uint8_t) (unhexchar(v[i + 1]) << 4 | unhexchar(v[i + 2]));
                                i += 2;
                        } else
                                c = (uint8_t) e;
                }
                r = bytebuf_put_u8(out, c);
        }
        if (r >= 0 && out->n > 0 && out->data[out->n - 1] == '\n')
                out->n--;
        return r;
}

static int hex_decode(const char *v, size_t n, struct bytebuf *out, unsigned line, char **ret_error) {
        while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\r'))
                n--;
        if (n % 2)
                return usbdump_error(ret_error, -EBADMSG, "line %u: descriptors: odd number of hex digits", line);
        for (size_t i = 0; i < n; i += 2) {
                int hi = unhexchar(v[i]), lo = unhexchar(v[i + 1]), r;
                if (hi < 0 || lo < 0)
                        return usbdump_error(ret_error, -EBADMSG,
                                             "line %u: descriptors: expected hex digits at column %zu", line, i + 1);
                r = bytebuf_put_u8(out, (uint8_t) (hi << 4 | lo));
                if (r < 0)
                        return r;
        }
        return 0;
}

static int str_take(char **dst, struct bytebuf *b) {
        char *s = strndup(b->data ? (const char *) b->data : "", b->n);
        if (!s)
                return -ENOMEM;
        free(*dst);
        *dst = s;
        return 0;
}

static int dec(const char *v, size_t n) {
        int x = 0;
        size_t i = 0;
        while (i < n && v[i] == ' ')
                i++;
        if (i == n)
                return -1;
        for (; i < n && v[i] >= '0' && v[i] <= '9'; i++)
                if ((x = x * 10 + (v[i] - '0')) > 255)
                        return -1;
        return x;
}

static int attribute(struct node *nd, const char *kv, size_t n, bool hex, unsigned line, char **ret_error) {
        const char *eq = memchr(kv, '=', n);
        struct bytebuf val = {};
        size_t kl, vl;
        const char *v;
        int r;

        if (!eq)
                return 0;
        kl = (size_t) (eq - kv);
        v = eq + 1;
        vl = n - kl - 1;
#define KEY(s) (kl == strlen(s) && memcmp(kv, s, kl) == 0)
        if (KEY("descriptors")) {
                bytebuf_done(&nd->desc);
                nd->has_desc = true;
                return hex ? hex_decode(v, vl, &nd->desc, line, ret_error) : unescape(v, vl, &nd->desc);
        }
        if (hex)
                return 0;
        if (!(KEY("manufacturer") || KEY("product") || KEY("serial") || KEY("interface") ||
              KEY("bInterfaceNumber") || KEY("bAlternateSetting")))
                return 0;
        r = unescape(v, vl, &val);
        if (r >= 0) {
                if (KEY("manufacturer"))
                        r = str_take(&nd->manufacturer, &val);
                else if (KEY("product"))
                        r = str_take(&nd->product, &val);
                else if (KEY("serial"))
                        r = str_take(&nd->serial, &val);
                else if (KEY("interface"))
                        r = str_take(&nd->interface, &val);
                else if (KEY("bInterfaceNumber"))
                        nd->if_number = dec((const char *) val.data, val.n);   /* "00" */
                else
                        nd->if_alt = dec((const char *) val.data, val.n);      /* " 0" */
        }
#undef KEY
        bytebuf_done(&val);
        return r;
}

static int string_from(struct usbdump_device *dev, uint8_t index, const char *s) {
        if (!s || index == 0)
                return 0;
        return usbdump_device_string_add(dev, index, s, strlen(s));
}

/* Is child's path directly below parent's ("/a/1-2" and "/a/1-2/1-2:1.0")? */
static bool child_of(const char *child, const char *parent) {
        size_t pl = strlen(parent);
        return strncmp(child, parent, pl) == 0 && child[pl] == '/' && !strchr(child + pl + 1, '/');
}

static int finish(struct usbdump *d, struct node *nodes, size_t n) {
        for (size_t i = 0; i < n; i++) {
                struct usbdump_device *dev;
                const uint8_t *b;
                int r;

                if (!nodes[i].has_desc)
                        continue;
                dev = usbdump_device_add(d, nodes[i].path, &nodes[i].desc);
                if (!dev)
                        return -ENOMEM;
                if (dev->n_bytes < 18)
                        continue;   /* the decoder will say what is wrong */
                b = dev->bytes;
                if ((r = string_from(dev, b[14], nodes[i].manufacturer)) < 0 ||
                    (r = string_from(dev, b[15], nodes[i].product)) < 0 ||
                    (r = string_from(dev, b[16], nodes[i].serial)) < 0)
                        return r;

                /* Interface strings: find the interface's iInterface. */
                struct usbdesc_device *u = NULL;
                if (usbdesc_device_parse(dev->bytes, dev->n_bytes, &u) < 0)
                        continue;
                for (size_t j = 0; j < n; j++) {
                        if (!nodes[j].interface || nodes[j].if_number < 0 || !child_of(nodes[j].path, nodes[i].path))
                                continue;
                        for (size_t c = 0; c < u->n_configs; c++) {
                                const struct usbdesc_altsetting *a = usbdesc_config_altsetting(
                                        &u->configs[c], (uint8_t) nodes[j].if_number,
                                        (uint8_t) (nodes[j].if_alt < 0 ? 0 : nodes[j].if_alt));
                                if (a && (r = string_from(dev, a->string_index, nodes[j].interface)) < 0) {
                                        usbdesc_device_free(u);
                                        return r;
                                }
                        }
                }
                usbdesc_device_free(u);
        }
        return 0;
}

int usbdump_umockdev_parse(const char *text, size_t len, struct usbdump **ret, char **ret_error) {
        struct node *nodes = NULL;
        size_t n_nodes = 0;
        struct usbdump *d;
        unsigned line = 0;
        int r = 0;

        if ((!text && len > 0) || !ret)
                return -EINVAL;
        d = usbdump_new(USBDUMP_UMOCKDEV);
        if (!d)
                return -ENOMEM;
        for (size_t off = 0; off < len && r >= 0;) {
                const char *l = text + off, *nl = memchr(l, '\n', len - off);
                size_t n = nl ? (size_t) (nl - l) : len - off;

                off += n + 1;
                line++;
                if (n >= 3 && memcmp(l, "P: ", 3) == 0) {
                        struct node *p = realloc(nodes, (n_nodes + 1) * sizeof(*p));
                        if (!p) {
                                r = -ENOMEM;
                                break;
                        }
                        nodes = p;
                        nodes[n_nodes] = (struct node) { .if_number = -1, .if_alt = -1 };
                        nodes[n_nodes].path = strndup(l + 3, n - 3);
                        if (!nodes[n_nodes++].path)
                                r = -ENOMEM;
                        continue;
                }
                if (n < 3 || l[1] != ':' || l[2] != ' ' || (l[0] != 'A' && l[0] != 'H'))
                        continue;
                if (n_nodes == 0) {
                        r = usbdump_error(ret_error, -EBADMSG, "line %u: attribute before any \"P:\" line", line);
                        break;
                }
                r = attribute(&nodes[n_nodes - 1], l + 3, n - 3, l[0] == 'H', line, ret_error);
        }
        if (r >= 0)
                r = finish(d, nodes, n_nodes);
        if (r >= 0 && d->n_devices == 0)
                r = usbdump_error(ret_error, -ENODATA, "no node with a descriptors attribute");
        for (size_t i = 0; i < n_nodes; i++)
                node_done(&nodes[i]);
        free(nodes);
        if (r < 0) {
                usbdump_free(d);
                return r;
        }
        *ret = d;
        return 0;
}
