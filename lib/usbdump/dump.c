/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/macros.h"
#include "internal.h"

#define USBDUMP_MAX_FILE (64u << 20)

int bytebuf_put(struct bytebuf *b, const void *p, size_t n) {
        if (n == 0)
                return 0;
        if (n > SIZE_MAX / 2 - b->n)
                return -ENOMEM;
        if (b->n + n > b->cap) {
                size_t cap = b->cap ? b->cap : 64;
                uint8_t *q;
                while (cap < b->n + n)
                        cap *= 2;
                q = realloc(b->data, cap);
                if (!q)
                        return -ENOMEM;
                b->data = q;
                b->cap = cap;
        }
        memcpy(b->data + b->n, p, n);
        b->n += n;
        return 0;
}

int bytebuf_put_u8(struct bytebuf *b, uint8_t v) {
        return bytebuf_put(b, &v, 1);
}

int bytebuf_put_le16(struct bytebuf *b, uint16_t v) {
        uint8_t p[2] = { (uint8_t) v, (uint8_t) (v >> 8) };
        return bytebuf_put(b, p, 2);
}

void bytebuf_done(struct bytebuf *b) {
        free(b->data);
        *b = (struct bytebuf) {};
}

int usbdump_error(char **ret_error, int r, const char *fmt, ...) {
        va_list ap;

        if (ret_error) {
                va_start(ap, fmt);
                if (vasprintf(ret_error, fmt, ap) < 0)
                        *ret_error = NULL;
                va_end(ap);
        }
        return r;
}

const char *usbdump_format_name(enum usbdump_format f) {
        static const char *const names[_USBDUMP_FORMAT_MAX] = {
                [USBDUMP_RAW] = "raw",
                [USBDUMP_LSUSB] = "lsusb",
                [USBDUMP_UMOCKDEV] = "umockdev",
                [USBDUMP_FWUPD] = "fwupd",
        };
        if ((unsigned) f >= _USBDUMP_FORMAT_MAX)
                return NULL;
        return names[f];
}

struct usbdump *usbdump_new(enum usbdump_format f) {
        struct usbdump *d = calloc(1, sizeof(*d));
        if (d)
                d->format = f;
        return d;
}

struct usbdump_device *usbdump_device_add(struct usbdump *d, const char *name, struct bytebuf *bytes) {
        struct usbdump_device *p, *dev;
        char *n = strdup(name ? name : "");

        if (!n)
                return NULL;
        p = realloc(d->devices, (d->n_devices + 1) * sizeof(*p));
        if (!p) {
                free(n);
                return NULL;
        }
        d->devices = p;
        dev = &p[d->n_devices++];
        *dev = (struct usbdump_device) { .name = n, .bytes = bytes->data, .n_bytes = bytes->n };
        *bytes = (struct bytebuf) {};
        return dev;
}

int usbdump_device_string_add(struct usbdump_device *dev, uint8_t index, const char *text, size_t len) {
        struct usbdump_string *p;
        char *t;

        if (index == 0)
                return 0;
        t = strndup(text, len);
        if (!t)
                return -ENOMEM;
        for (size_t i = 0; i < dev->n_strings; i++)
                if (dev->strings[i].index == index) {
                        free(dev->strings[i].text);
                        dev->strings[i].text = t;
                        return 0;
                }
        p = realloc(dev->strings, (dev->n_strings + 1) * sizeof(*p));
        if (!p) {
                free(t);
                return -ENOMEM;
        }
        dev->strings = p;
        p[dev->n_strings++] = (struct usbdump_string) { index, t };
        return 0;
}

struct usbdump *usbdump_free(struct usbdump *d) {
        if (!d)
                return NULL;
        for (size_t i = 0; i < d->n_devices; i++) {
                struct usbdump_device *dev = &d->devices[i];
                free(dev->name);
                free(dev->bytes);
                free(dev->bos);
                for (size_t j = 0; j < dev->n_strings; j++)
                        free(dev->strings[j].text);
                free(dev->strings);
        }
        free(d->devices);
        free(d);
        return NULL;
}

static bool has_line(const uint8_t *buf, size_t len, const char *prefix, bool trim) {
        size_t pl = strlen(prefix);

        for (size_t off = 0; off < len;) {
                const uint8_t *nl = memchr(buf + off, '\n', len - off);
                size_t end = nl ? (size_t) (nl - buf) : len, s = off;

                if (trim)
                        while (s < end && (buf[s] == ' ' || buf[s] == '\t'))
                                s++;
                if (end - s >= pl && memcmp(buf + s, prefix, pl) == 0)
                        return true;
                off = end + 1;
        }
        return false;
}

int usbdump_detect(const uint8_t *buf, size_t len) {
        size_t i = 0;

        if (!buf && len > 0)
                return -EINVAL;
        if (len >= 2 && buf[0] == 18 && buf[1] == 1)
                return USBDUMP_RAW;
        while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n' || buf[i] == '\r'))
                i++;
        if (i < len && buf[i] == '{')
                return USBDUMP_FWUPD;
        if (has_line(buf, len, "P: ", false))
                return USBDUMP_UMOCKDEV;
        if (has_line(buf, len, "Device Descriptor:", true))
                return USBDUMP_LSUSB;
        return -EBADMSG;
}

int usbdump_parse(const uint8_t *buf, size_t len, int format, struct usbdump **ret, char **ret_error) {
        if ((!buf && len > 0) || !ret)
                return -EINVAL;
        if (format < 0) {
                format = usbdump_detect(buf, len);
                if (format < 0)
                        return usbdump_error(ret_error, -EBADMSG,
                                             "not a USB descriptor dump: expected raw descriptors, "
                                             "lsusb -v text, a umockdev recording or fwupd JSON");
        }
        switch (format) {
        case USBDUMP_RAW: {
                struct usbdump *d = usbdump_new(USBDUMP_RAW);
                struct bytebuf b = {};
                if (!d)
                        return -ENOMEM;
                if (len < 18 || buf[0] != 18 || buf[1] != 1) {
                        usbdump_free(d);
                        return usbdump_error(ret_error, -EBADMSG,
                                             "offset 0: expected a device descriptor (12 01 ...), %zu bytes", len);
                }
                if (bytebuf_put(&b, buf, len) < 0 || !usbdump_device_add(d, "raw", &b)) {
                        bytebuf_done(&b);
                        usbdump_free(d);
                        return -ENOMEM;
                }
                *ret = d;
                return 0;
        }
        case USBDUMP_LSUSB:
                return usbdump_lsusb_parse((const char *) buf, len, ret, ret_error);
        case USBDUMP_UMOCKDEV:
                return usbdump_umockdev_parse((const char *) buf, len, ret, ret_error);
        case USBDUMP_FWUPD:
                return usbdump_fwupd_parse((const char *) buf, len, ret, ret_error);
        default:
                return -EINVAL;
        }
}

int usbdump_load(const char *path, int format, struct usbdump **ret, char **ret_error) {
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ uint8_t *buf = NULL;
        _cleanup_free_ char *err = NULL;
        size_t n = 0, cap = 0;
        int r;

        if (!path || !ret)
                return -EINVAL;
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return usbdump_error(ret_error, -errno, "%s: %s", path, strerror(errno));
        for (;;) {
                ssize_t k;
                if (n == cap) {
                        uint8_t *p;
                        if (cap >= USBDUMP_MAX_FILE)
                                return usbdump_error(ret_error, -EFBIG, "%s: larger than 64 MiB", path);
                        cap = cap ? cap * 2 : 65536;
                        p = realloc(buf, cap + 1);
                        if (!p)
                                return -ENOMEM;
                        buf = p;
                }
                k = read(fd, buf + n, cap - n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return usbdump_error(ret_error, -errno, "%s: %s", path, strerror(errno));
                }
                if (k == 0)
                        break;
                n += (size_t) k;
        }
        if (n == 0)
                return usbdump_error(ret_error, -EBADMSG, "%s: empty file", path);
        r = usbdump_parse(buf, n, format, ret, &err);
        if (r < 0)
                return usbdump_error(ret_error, r, "%s: %s", path, err ? err : strerror(-r));
        return 0;
}
