/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cb_usb: finding the DUT on the bus and reading its descriptors (usb.h). */

#include <errno.h>
#include <fcntl.h>
#include <libusb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/macros.h"
#include "drivers/usb/usb.h"
#include "lib/usbdesc/usbdesc.h"

#define SCAN_INTERVAL_USEC (50 * USEC_PER_MSEC)
#define TRANSFER_MAX_MS 1000
#define SYSFS_USB "/sys/bus/usb/devices"

struct usb_device {
        libusb_context *ctx;
        libusb_device *dev;       /* one reference, ours */
        char *port_path;
        uint16_t vendor_id, product_id;
        usec_t seen;
};

int usb_errno(int e) {
        if (e >= 0)
                return e;
        switch (e) {
        case LIBUSB_ERROR_IO: return -EIO;
        case LIBUSB_ERROR_INVALID_PARAM: return -EINVAL;
        case LIBUSB_ERROR_ACCESS: return -EACCES;
        case LIBUSB_ERROR_NO_DEVICE: return -ENODEV;
        case LIBUSB_ERROR_NOT_FOUND: return -ENOENT;
        case LIBUSB_ERROR_BUSY: return -EBUSY;
        case LIBUSB_ERROR_TIMEOUT: return -ETIMEDOUT;
        case LIBUSB_ERROR_OVERFLOW: return -EOVERFLOW;
        case LIBUSB_ERROR_PIPE: return -EPIPE;
        case LIBUSB_ERROR_INTERRUPTED: return -EINTR;
        case LIBUSB_ERROR_NO_MEM: return -ENOMEM;
        case LIBUSB_ERROR_NOT_SUPPORTED: return -EOPNOTSUPP;
        default: return -EIO;
        }
}

bool usb_port_path_valid(const char *s) {
        const char *p = s;
        unsigned ports = 0;

        if (!s || !(*p >= '0' && *p <= '9'))
                return false;
        while (*p >= '0' && *p <= '9')
                p++;
        if (*p != '-')
                return false;
        for (;;) {
                p++;
                if (!(*p >= '0' && *p <= '9'))
                        return false;
                while (*p >= '0' && *p <= '9')
                        p++;
                ports++;
                if (*p == 0)
                        return ports <= 7;
                if (*p != '.')
                        return false;
        }
}

int usb_match_parse(const char *spec, struct usb_match *ret) {
        unsigned v, p;
        int n = 0;

        if (!spec || !ret)
                return -EINVAL;
        if (usb_port_path_valid(spec)) {
                *ret = (struct usb_match) { .port_path = spec };
                return 0;
        }
        if (strlen(spec) < 9 || sscanf(spec, "%4x:%4x%n", &v, &p, &n) != 2 || n != 9 ||
            (spec[9] != 0 && spec[9] != '/') || (spec[9] == '/' && spec[10] == 0) || v == 0 || p == 0)
                return -EINVAL;
        *ret = (struct usb_match) { .vendor_id = (uint16_t) v, .product_id = (uint16_t) p,
                                    .serial = spec[9] == '/' ? spec + 10 : NULL };
        return 0;
}

/* The sysfs name of dev ("1-1.2"); root hubs have none (-ENODEV). */
static int port_path_of(libusb_device *dev, char *buf, size_t size) {
        uint8_t ports[8];
        int n = libusb_get_port_numbers(dev, ports, sizeof(ports));
        size_t o;

        if (n <= 0)
                return -ENODEV;
        o = (size_t) snprintf(buf, size, "%u-%u", libusb_get_bus_number(dev), ports[0]);
        for (int i = 1; i < n && o < size; i++)
                o += (size_t) snprintf(buf + o, size - o, ".%u", ports[i]);
        return o < size ? 0 : -ENAMETOOLONG;
}

static int transfer_ms(usec_t deadline) {
        int ms = deadline_poll_ms(deadline);
        if (ms < 0 || ms > TRANSFER_MAX_MS)
                ms = TRANSFER_MAX_MS;
        return ms;
}

static int get_descriptor(libusb_device_handle *h, uint8_t type, uint8_t index, uint16_t lang, uint8_t *buf,
                          uint16_t len, usec_t deadline) {
        int ms = transfer_ms(deadline);

        if (ms == 0)
                return -ETIMEDOUT;
        return usb_errno(libusb_control_transfer(h, LIBUSB_ENDPOINT_IN | LIBUSB_REQUEST_TYPE_STANDARD |
                                                 LIBUSB_RECIPIENT_DEVICE, LIBUSB_REQUEST_GET_DESCRIPTOR,
                                                 (uint16_t) (type << 8 | index), lang, buf, len,
                                                 (unsigned) ms));
}

/* GET_DESCRIPTOR of a set whose wTotalLength sits at offset 2. */
static int get_set(libusb_device_handle *h, uint8_t type, uint8_t index, usec_t deadline, uint8_t **ret,
                   size_t *ret_len) {
        uint8_t head[9];
        _cleanup_free_ uint8_t *buf = NULL;
        uint16_t total;
        int r = get_descriptor(h, type, index, 0, head, sizeof(head), deadline);

        if (r < 0)
                return r;
        if (r < 4 || head[1] != type)
                return -EBADMSG;
        total = (uint16_t) (head[2] | head[3] << 8);
        if (total < 4)
                return -EBADMSG;
        buf = malloc(total);
        if (!buf)
                return -ENOMEM;
        r = get_descriptor(h, type, index, 0, buf, total, deadline);
        if (r < 0)
                return r;
        if (r < total)
                return -EBADMSG;
        *ret = TAKE_PTR(buf);
        *ret_len = (size_t) r;
        return 0;
}

/* A whole sysfs attribute (at most 1 MiB). */
static int sysfs_read(const char *name, const char *attr, uint8_t **ret, size_t *ret_len) {
        _cleanup_free_ char *path = NULL;
        _cleanup_free_ uint8_t *buf = NULL;
        _cleanup_close_ int fd = -EBADF;
        size_t n = 0, cap = 4096;

        if (asprintf(&path, SYSFS_USB "/%s/%s", name, attr) < 0)
                return -ENOMEM;
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        buf = malloc(cap + 1);
        if (!buf)
                return -ENOMEM;
        for (;;) {
                ssize_t k;
                if (n == cap) {
                        uint8_t *p;
                        if (cap >= (1u << 20))
                                return -EFBIG;
                        p = realloc(buf, cap * 2 + 1);
                        if (!p)
                                return -ENOMEM;
                        buf = p;
                        cap *= 2;
                }
                k = read(fd, buf + n, cap - n);
                if (k < 0)
                        return -errno;
                if (k == 0)
                        break;
                n += (size_t) k;
        }
        buf[n] = 0;
        *ret = TAKE_PTR(buf);
        *ret_len = n;
        return 0;
}

/* The iSerialNumber text: sysfs `serial` (no traffic), else the string
 * descriptor. NULL when the device has none or does not answer. */
static char *serial_of(libusb_device *dev, const char *name, usec_t deadline) {
        struct libusb_device_descriptor desc;
        libusb_device_handle *h = NULL;
        uint8_t *raw = NULL, buf[255];
        size_t n = 0;
        char *text = NULL;
        int r;

        if (sysfs_read(name, "serial", &raw, &n) >= 0) {
                while (n > 0 && (raw[n - 1] == '\n' || raw[n - 1] == 0))
                        raw[--n] = 0;
                return (char *) raw;
        }
        if (libusb_get_device_descriptor(dev, &desc) < 0 || desc.iSerialNumber == 0)
                return NULL;
        if (libusb_open(dev, &h) < 0)
                return NULL;
        r = get_descriptor(h, LIBUSB_DT_STRING, 0, 0, buf, 4, deadline);
        if (r >= 4) {
                uint16_t lang = (uint16_t) (buf[2] | buf[3] << 8);
                r = get_descriptor(h, LIBUSB_DT_STRING, desc.iSerialNumber, lang, buf, sizeof(buf), deadline);
                if (r < 0 || usbdesc_string_decode(buf, (size_t) r, &text) < 0)
                        text = NULL;
        }
        libusb_close(h);
        return text;
}

static bool matches(const struct usb_match *m, libusb_device *dev, const char *name, usec_t deadline) {
        struct libusb_device_descriptor desc;
        _cleanup_free_ char *serial = NULL;

        if (m->port_path)
                return strcmp(m->port_path, name) == 0;
        if (libusb_get_device_descriptor(dev, &desc) < 0 || desc.idVendor != m->vendor_id ||
            desc.idProduct != m->product_id)
                return false;
        if (!m->serial)
                return true;
        serial = serial_of(dev, name, deadline);
        return serial && strcmp(serial, m->serial) == 0;
}

static int hotplug_arrived(libusb_context *ctx, libusb_device *dev, libusb_hotplug_event ev, void *userdata) {
        *(bool *) userdata = true;
        return 1;   /* deregister: one wake-up per round is enough */
}

/* One round: a fresh context, one scan; on a miss, wait for an arrival or
 * the next round (at most SCAN_INTERVAL_USEC, never past deadline). */
static int find_round(const struct usb_match *m, usec_t deadline, struct usb_device **ret) {
        libusb_context *ctx = NULL;
        libusb_device **list = NULL;
        ssize_t n;
        int r;

        r = libusb_init(&ctx);
        if (r < 0)
                return log_debug_errno(usb_errno(r), "usb: libusb_init failed");
        n = libusb_get_device_list(ctx, &list);
        for (ssize_t i = 0; i < n; i++) {
                char name[64];
                struct libusb_device_descriptor desc;
                struct usb_device *d;

                if (port_path_of(list[i], name, sizeof(name)) < 0 || !matches(m, list[i], name, deadline))
                        continue;
                d = calloc(1, sizeof(*d));
                if (!d || !(d->port_path = strdup(name))) {
                        free(d);
                        libusb_free_device_list(list, 1);
                        libusb_exit(ctx);
                        return -ENOMEM;
                }
                if (libusb_get_device_descriptor(list[i], &desc) >= 0) {
                        d->vendor_id = desc.idVendor;
                        d->product_id = desc.idProduct;
                }
                d->ctx = ctx;
                d->dev = libusb_ref_device(list[i]);
                d->seen = mono_now();
                libusb_free_device_list(list, 1);
                log_debug("usb: %s (%04x:%04x) found", name, d->vendor_id, d->product_id);
                *ret = d;
                return 1;
        }
        if (list)
                libusb_free_device_list(list, 1);

        usec_t now = mono_now();
        if (now < deadline) {
                usec_t wake = deadline - now < SCAN_INTERVAL_USEC ? deadline : now + SCAN_INTERVAL_USEC;
                bool arrived = false;
                libusb_hotplug_callback_handle cb;

                if (libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG) &&
                    libusb_hotplug_register_callback(ctx, LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED, 0,
                                                     LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY,
                                                     LIBUSB_HOTPLUG_MATCH_ANY, hotplug_arrived, &arrived,
                                                     &cb) == LIBUSB_SUCCESS) {
                        while (!arrived && (now = mono_now()) < wake) {
                                struct timeval tv = { .tv_sec = (time_t) ((wake - now) / USEC_PER_SEC),
                                                      .tv_usec = (suseconds_t) ((wake - now) % USEC_PER_SEC) };
                                if (libusb_handle_events_timeout_completed(ctx, &tv, NULL) < 0)
                                        break;
                        }
                        if (!arrived)
                                libusb_hotplug_deregister_callback(ctx, cb);
                }
                /* Without hotplug (or if it bailed out), a plain wait for the next round. */
                struct timespec ts;
                while (!arrived && mono_now() < wake &&
                       clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, timespec_store(&ts, wake), NULL) == EINTR)
                        ;
        }
        libusb_exit(ctx);
        return 0;
}

int usb_device_find(const struct usb_match *m, usec_t deadline, struct usb_device **ret) {
        if (!m || !ret || deadline == USEC_INFINITY)
                return -EINVAL;
        if (m->port_path ? !usb_port_path_valid(m->port_path) : (m->vendor_id == 0 || m->product_id == 0))
                return -EINVAL;
        for (;;) {
                int r = find_round(m, deadline, ret);
                if (r != 0)
                        return r < 0 ? r : 0;
                if (mono_now() >= deadline)
                        return -ETIMEDOUT;
        }
}

struct usb_device *usb_device_free(struct usb_device *d) {
        if (!d)
                return NULL;
        if (d->dev)
                libusb_unref_device(d->dev);
        if (d->ctx)
                libusb_exit(d->ctx);
        free(d->port_path);
        free(d);
        return NULL;
}

const char *usb_device_port_path(const struct usb_device *d) { return d->port_path; }
uint8_t usb_device_bus(const struct usb_device *d) { return libusb_get_bus_number(d->dev); }
uint8_t usb_device_address(const struct usb_device *d) { return libusb_get_device_address(d->dev); }
uint16_t usb_device_vendor_id(const struct usb_device *d) { return d->vendor_id; }
uint16_t usb_device_product_id(const struct usb_device *d) { return d->product_id; }
usec_t usb_device_seen_usec(const struct usb_device *d) { return d->seen; }

struct usb_descriptors *usb_descriptors_free(struct usb_descriptors *ds) {
        if (!ds)
                return NULL;
        free(ds->bytes);
        free(ds->bos);
        for (size_t i = 0; i < ds->n_strings; i++)
                free(ds->strings[i].text);
        free(ds->strings);
        usbdesc_device_free(ds->decoded);
        free(ds);
        return NULL;
}

/* GET_DESCRIPTOR(DEVICE) and every GET_DESCRIPTOR(CONFIGURATION, i). */
static int read_over_bus(libusb_device_handle *h, usec_t deadline, struct usb_descriptors *ds) {
        _cleanup_free_ uint8_t *all = malloc(18);
        size_t n = 18;
        int r;

        if (!all)
                return -ENOMEM;
        r = get_descriptor(h, LIBUSB_DT_DEVICE, 0, 0, all, 18, deadline);
        if (r < 0)
                return r;
        if (r != 18 || all[1] != LIBUSB_DT_DEVICE)
                return -EBADMSG;
        for (uint8_t c = 0; c < all[17]; c++) {
                _cleanup_free_ uint8_t *set = NULL;
                size_t k = 0;
                uint8_t *p;

                r = get_set(h, LIBUSB_DT_CONFIG, c, deadline, &set, &k);
                if (r < 0)
                        return r;
                p = realloc(all, n + k);
                if (!p)
                        return -ENOMEM;
                memcpy(p + n, set, k);
                all = p;
                n += k;
        }
        ds->bytes = TAKE_PTR(all);
        ds->n_bytes = n;
        return 0;
}

static int read_string(libusb_device_handle *h, uint16_t lang, uint8_t index, usec_t deadline,
                       struct usb_descriptors *ds) {
        uint8_t buf[255];
        char *text = NULL;
        struct usb_string *p;
        int r;

        if (index == 0)
                return 0;
        for (size_t i = 0; i < ds->n_strings; i++)
                if (ds->strings[i].index == index)
                        return 0;
        r = get_descriptor(h, LIBUSB_DT_STRING, index, lang, buf, sizeof(buf), deadline);
        if (r < 0 || usbdesc_string_decode(buf, (size_t) r, &text) < 0)
                return 0;   /* a string the device refuses is left out */
        p = realloc(ds->strings, (ds->n_strings + 1) * sizeof(*p));
        if (!p) {
                free(text);
                return -ENOMEM;
        }
        ds->strings = p;
        p[ds->n_strings++] = (struct usb_string) { index, text };
        return 0;
}

static int read_strings(libusb_device_handle *h, usec_t deadline, const struct usbdesc_device *u,
                        struct usb_descriptors *ds) {
        uint8_t langs[4];
        uint16_t lang = 0x0409;
        int r;

        if (get_descriptor(h, LIBUSB_DT_STRING, 0, 0, langs, sizeof(langs), deadline) < 4)
                return 0;   /* no string support (or no time): nothing to read */
        lang = (uint16_t) (langs[2] | langs[3] << 8);
        r = read_string(h, lang, u->manufacturer_index, deadline, ds);
        if (r >= 0)
                r = read_string(h, lang, u->product_index, deadline, ds);
        if (r >= 0)
                r = read_string(h, lang, u->serial_index, deadline, ds);
        for (size_t c = 0; r >= 0 && c < u->n_configs; c++) {
                r = read_string(h, lang, u->configs[c].string_index, deadline, ds);
                for (size_t a = 0; r >= 0 && a < u->configs[c].n_alts; a++)
                        r = read_string(h, lang, u->configs[c].alts[a].string_index, deadline, ds);
                for (size_t a = 0; r >= 0 && a < u->configs[c].n_iads; a++)
                        r = read_string(h, lang, u->configs[c].iads[a].string_index, deadline, ds);
        }
        return r;
}

static void handle_closep(libusb_device_handle **h) {
        if (*h)
                libusb_close(*h);
}

int usb_device_descriptors(struct usb_device *d, usec_t deadline, struct usb_descriptors **ret) {
        _cleanup_(usb_descriptors_freep) struct usb_descriptors *ds = NULL;
        _cleanup_(handle_closep) libusb_device_handle *h = NULL;
        int r, open_r;

        if (!d || !ret || deadline == USEC_INFINITY)
                return -EINVAL;
        ds = calloc(1, sizeof(*ds));
        if (!ds)
                return -ENOMEM;
        open_r = usb_errno(libusb_open(d->dev, &h));
        if (open_r < 0) {
                h = NULL;
                log_debug_errno(open_r, "usb: %s: cannot open: %m", d->port_path);
        }
        r = sysfs_read(d->port_path, "descriptors", &ds->bytes, &ds->n_bytes);
        if (r >= 0 && ds->n_bytes >= 18)
                ds->from_sysfs = true;
        else {
                free(ds->bytes);
                ds->bytes = NULL;
                ds->n_bytes = 0;
                if (!h)
                        return open_r == -ENODEV ? -ENODEV : -EACCES;
                r = read_over_bus(h, deadline, ds);
                if (r < 0)
                        return log_debug_errno(r, "usb: %s: reading descriptors: %m", d->port_path);
        }
        r = usbdesc_device_parse(ds->bytes, ds->n_bytes, &ds->decoded);
        if (r < 0)
                return log_debug_errno(r, "usb: %s: descriptors do not decode: %m", d->port_path);

        if (h) {
                if (ds->decoded->bcd_usb >= 0x0201 && get_set(h, LIBUSB_DT_BOS, 0, deadline, &ds->bos, &ds->n_bos) >= 0 &&
                    usbdesc_device_bos_set(ds->decoded, ds->bos, ds->n_bos) < 0)
                        log_debug("usb: %s: BOS does not decode, kept raw", d->port_path);
                r = read_strings(h, deadline, ds->decoded, ds);
                if (r < 0)
                        return r;
                for (size_t i = 0; i < ds->n_strings; i++) {
                        r = usbdesc_device_string_set(ds->decoded, ds->strings[i].index, ds->strings[i].text);
                        if (r < 0)
                                return r;
                }
        }
        *ret = TAKE_PTR(ds);
        return 0;
}

int usb_port_disable_path(const char *port_path, char **ret) {
        const char *dot, *dash;
        char *s;
        int r;

        if (!usb_port_path_valid(port_path) || !ret)
                return -EINVAL;
        dot = strrchr(port_path, '.');
        dash = strchr(port_path, '-');
        if (!dot) {
                /* a root-hub port: usbN/N-0:1.0/usbN-portK */
                int bus = (int) (dash - port_path);
                r = asprintf(&s, SYSFS_USB "/usb%.*s/%.*s-0:1.0/usb%.*s-port%s/disable", bus, port_path, bus, port_path,
                             bus, port_path, dash + 1);
        } else {
                int hub = (int) (dot - port_path);
                r = asprintf(&s, SYSFS_USB "/%.*s/%.*s:1.0/%.*s-port%s/disable", hub, port_path, hub, port_path, hub,
                             port_path, dot + 1);
        }
        if (r < 0)
                return -ENOMEM;
        *ret = s;
        return 0;
}

int usb_port_power(const char *port_path, bool on, usec_t deadline) {
        _cleanup_free_ char *path = NULL, *dev = NULL;
        _cleanup_close_ int fd = -EBADF;
        struct stat st;
        bool present;
        int r;

        if (deadline == USEC_INFINITY)
                return -EINVAL;
        r = usb_port_disable_path(port_path, &path);
        if (r < 0)
                return r;
        if (asprintf(&dev, SYSFS_USB "/%s", port_path) < 0)
                return -ENOMEM;
        present = stat(dev, &st) >= 0;
        fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return log_debug_errno(-errno, "usb: %s: %m", path);
        if (write(fd, on ? "0" : "1", 1) != 1)
                return log_debug_errno(errno > 0 ? -errno : -EIO, "usb: %s: write: %m", path);
        if (on || !present)
                return 0;
        /* Wait for the kernel to drop the device, checking every 10 ms. */
        for (;;) {
                struct timespec ts;
                usec_t now = mono_now(), wake;

                if (stat(dev, &st) < 0)
                        return 0;
                if (now >= deadline)
                        return -ETIMEDOUT;
                wake = deadline - now < 10 * USEC_PER_MSEC ? deadline : now + 10 * USEC_PER_MSEC;
                (void) clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, timespec_store(&ts, wake), NULL);
        }
}
