/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cp2112-emu: a Silicon Labs CP2112 (USB HID to SMBus/GPIO bridge, VID
 * 10c4 PID ea90) emulated on a FunctionFS function, so the guest kernel's
 * hid-cp2112 driver creates a real gpiochip ("cp2112_gpio", 8 lines) that
 * libgpiod and our relay driver use like the real part. Rig only.
 *
 * Usage: cp2112-emu --ffs DIR --log FILE [--ctl FIFO] [--state FILE]
 *                   [--latch HEX] [--ext HEX]
 *   --ffs    the functionfs mount of the gadget's "ffs.*" function
 *   --log    every change the host makes, appended, CLOCK_MONOTONIC µs:
 *              "<usec> line=N value=V"    level of an output line changed
 *                                         (or the line became an output)
 *              "<usec> config line=N dir=out|in drive=push-pull|open-drain"
 *              "<usec> drive line=N value=V"   a --ctl "set" was applied
 *   --ctl    command FIFO the test writes lines to:
 *              "set N V"  external level on line N (what an input reads;
 *                         pulls an open-drain output low when 0)
 *              "stall-get N"  stall the next N GPIO_GET requests (the
 *                         host sees -EPIPE, as from a flaky cable)
 *              "quit"
 *   --state  rewritten (atomically) after every change:
 *              "dir=0xNN pp=0xNN latch=0xNN ext=0xNN pins=0xNN"
 *   --latch  output latch at power-up (default 0xff, the CP2112 factory
 *            default); --ext external levels (default 0xff: pull-ups)
 * Prints "READY" on stdout when the host has configured the device
 * (FUNCTIONFS_ENABLE). SIGTERM/SIGINT end it cleanly (exit 0).
 *
 * Report ids and layouts follow drivers/hid/hid-cp2112.c and AN495; all
 * requests it does not know are stalled, every length is checked. */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include <linux/usb/ch9.h>
#include <linux/usb/functionfs.h>

#define REPORT_MAX 64
#define NLINES 8

enum {
        CP2112_RESET = 0x01,
        CP2112_GPIO_CONFIG = 0x02,
        CP2112_GPIO_GET = 0x03,
        CP2112_GPIO_SET = 0x04,
        CP2112_GET_VERSION_INFO = 0x05,
        CP2112_SMBUS_CONFIG = 0x06,
        CP2112_DATA_READ_REQUEST = 0x10,
        CP2112_DATA_WRITE_READ_REQUEST = 0x11,
        CP2112_DATA_READ_FORCE_SEND = 0x12,
        CP2112_DATA_READ_RESPONSE = 0x13,
        CP2112_DATA_WRITE_REQUEST = 0x14,
        CP2112_TRANSFER_STATUS_REQUEST = 0x15,
        CP2112_TRANSFER_STATUS_RESPONSE = 0x16,
        CP2112_CANCEL_TRANSFER = 0x17,
        CP2112_LOCK_BYTE = 0x20,
        CP2112_USB_CONFIG = 0x21,
        CP2112_MANUFACTURER_STRING = 0x22,
        CP2112_PRODUCT_STRING = 0x23,
        CP2112_SERIAL_STRING = 0x24,
};

/* HID class requests and report types (HID 1.11, 7.2). */
#define HID_REQ_GET_REPORT 0x01
#define HID_REQ_GET_IDLE 0x02
#define HID_REQ_GET_PROTOCOL 0x03
#define HID_REQ_SET_REPORT 0x09
#define HID_REQ_SET_IDLE 0x0a
#define HID_REQ_SET_PROTOCOL 0x0b
#define HID_RT_INPUT 1
#define HID_RT_OUTPUT 2
#define HID_RT_FEATURE 3
#define HID_DT_HID 0x21
#define HID_DT_REPORT 0x22

/* Report id and payload size (without the id byte), per kind. */
struct report_def {
        uint8_t id;
        uint8_t size;
        uint8_t type;
};

static const struct report_def reports[] = {
        { CP2112_RESET, 1, HID_RT_FEATURE },
        { CP2112_GPIO_CONFIG, 4, HID_RT_FEATURE },
        { CP2112_GPIO_GET, 1, HID_RT_FEATURE },
        { CP2112_GPIO_SET, 2, HID_RT_FEATURE },
        { CP2112_GET_VERSION_INFO, 2, HID_RT_FEATURE },
        { CP2112_SMBUS_CONFIG, 13, HID_RT_FEATURE },
        { CP2112_DATA_READ_REQUEST, 3, HID_RT_OUTPUT },
        { CP2112_DATA_WRITE_READ_REQUEST, 20, HID_RT_OUTPUT },
        { CP2112_DATA_READ_FORCE_SEND, 2, HID_RT_OUTPUT },
        { CP2112_DATA_READ_RESPONSE, 63, HID_RT_INPUT },
        { CP2112_DATA_WRITE_REQUEST, 63, HID_RT_OUTPUT },
        { CP2112_TRANSFER_STATUS_REQUEST, 1, HID_RT_OUTPUT },
        { CP2112_TRANSFER_STATUS_RESPONSE, 6, HID_RT_INPUT },
        { CP2112_CANCEL_TRANSFER, 1, HID_RT_OUTPUT },
        { CP2112_LOCK_BYTE, 1, HID_RT_FEATURE },
        { CP2112_USB_CONFIG, 9, HID_RT_FEATURE },
        { CP2112_MANUFACTURER_STRING, 63, HID_RT_FEATURE },
        { CP2112_PRODUCT_STRING, 63, HID_RT_FEATURE },
        { CP2112_SERIAL_STRING, 63, HID_RT_FEATURE },
};

static const struct report_def *report_find(uint8_t id, uint8_t type) {
        for (size_t i = 0; i < sizeof(reports) / sizeof(reports[0]); i++)
                if (reports[i].id == id && reports[i].type == type)
                        return &reports[i];
        return NULL;
}

/* Vendor-defined collection with one 8-bit field array per report. */
static size_t report_descriptor(uint8_t *d, size_t size) {
        static const uint8_t main_item[] = {
                [HID_RT_INPUT] = 0x81, [HID_RT_OUTPUT] = 0x91, [HID_RT_FEATURE] = 0xb1,
        };
        size_t n = 0;
        const uint8_t head[] = { 0x06, 0x00, 0xff,   /* Usage Page (vendor 0xff00) */
                                 0x09, 0x01,         /* Usage (1) */
                                 0xa1, 0x01,         /* Collection (Application) */
                                 0x15, 0x00,         /* Logical Minimum (0) */
                                 0x26, 0xff, 0x00,   /* Logical Maximum (255) */
                                 0x75, 0x08 };       /* Report Size (8) */

        if (size < sizeof(head) + 1 + 9 * sizeof(reports) / sizeof(reports[0]))
                return 0;
        memcpy(d, head, sizeof(head));
        n = sizeof(head);
        for (size_t i = 0; i < sizeof(reports) / sizeof(reports[0]); i++) {
                const uint8_t item[] = { 0x85, reports[i].id,     /* Report ID */
                                         0x95, reports[i].size,   /* Report Count */
                                         0x09, 0x01,              /* Usage (1) */
                                         main_item[reports[i].type], 0x02 };  /* Data,Var,Abs */
                memcpy(d + n, item, sizeof(item));
                n += sizeof(item);
        }
        d[n++] = 0xc0;   /* End Collection */
        return n;
}

struct emu {
        int ep0, ctl, sfd, log_fd;
        const char *state_path;
        uint8_t dir, pp, latch, ext, special, clkdiv;
        int logged[NLINES];          /* last logged output level, -1: not an output */
        uint8_t smbus[13];
        uint8_t rdesc[256];
        size_t rdesc_len;
        char ctl_buf[128];
        size_t ctl_len;
        bool ctl_discard;
        bool enabled;
        unsigned stall_get;          /* GPIO_GET requests still to stall */
};

static uint64_t mono_usec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

static void emu_log(struct emu *e, uint64_t t, const char *fmt, ...) {
        char line[160];
        int n;
        va_list ap;

        n = snprintf(line, sizeof(line), "%llu ", (unsigned long long) t);
        va_start(ap, fmt);
        n += vsnprintf(line + n, sizeof(line) - (size_t) n - 1, fmt, ap);
        va_end(ap);
        if (n > (int) sizeof(line) - 2)
                n = (int) sizeof(line) - 2;
        line[n++] = '\n';
        /* One write on an O_APPEND fd: a reader never sees half a line. */
        if (write(e->log_fd, line, (size_t) n) != n)
                fprintf(stderr, "cp2112-emu: log write: %m\n");
}

static uint8_t emu_pins(const struct emu *e) {
        uint8_t out = e->dir & ((e->pp & e->latch) | (~e->pp & e->latch & e->ext));

        return out | (~e->dir & e->ext);
}

static void emu_state(struct emu *e) {
        char tmp[4096];
        FILE *f;

        if (!e->state_path)
                return;
        if (snprintf(tmp, sizeof(tmp), "%s.tmp", e->state_path) >= (int) sizeof(tmp))
                return;
        f = fopen(tmp, "we");
        if (!f)
                return;
        fprintf(f, "dir=0x%02x pp=0x%02x latch=0x%02x ext=0x%02x pins=0x%02x\n",
                e->dir, e->pp, e->latch, e->ext, emu_pins(e));
        if (fclose(f) == 0)
                rename(tmp, e->state_path);
}

/* After a host request: log output lines whose level changed. */
static void emu_outputs_changed(struct emu *e, uint64_t t) {
        uint8_t pins = emu_pins(e);

        for (int i = 0; i < NLINES; i++) {
                int v = (pins >> i) & 1;

                if (!(e->dir & (1u << i))) {
                        e->logged[i] = -1;
                        continue;
                }
                if (e->logged[i] != v) {
                        emu_log(e, t, "line=%d value=%d", i, v);
                        e->logged[i] = v;
                }
        }
        emu_state(e);
}

static void emu_set_config(struct emu *e, uint64_t t, uint8_t dir, uint8_t pp) {
        for (int i = 0; i < NLINES; i++) {
                uint8_t m = (uint8_t) (1u << i);

                if (((e->dir ^ dir) | (e->pp ^ pp)) & m)
                        emu_log(e, t, "config line=%d dir=%s drive=%s", i, dir & m ? "out" : "in",
                                pp & m ? "push-pull" : "open-drain");
        }
        e->dir = dir;
        e->pp = pp;
        emu_outputs_changed(e, t);
}

/* Builds a feature report for GET_REPORT; returns its length with the id
 * byte, 0 for a report that cannot be read. */
static size_t emu_get_feature(struct emu *e, uint8_t id, uint8_t *buf) {
        static const char *const strings[] = { "Silicon Labs", "CP2112 HID USB-to-SMBus Bridge",
                                               "CERTBENCH-EMU" };
        const struct report_def *def = report_find(id, HID_RT_FEATURE);
        const char *s;
        size_t len;

        if (!def)
                return 0;
        memset(buf, 0, REPORT_MAX);
        buf[0] = id;
        switch (id) {
        case CP2112_GPIO_CONFIG:
                buf[1] = e->dir;
                buf[2] = e->pp;
                buf[3] = e->special;
                buf[4] = e->clkdiv;
                break;
        case CP2112_GPIO_GET:
                buf[1] = emu_pins(e);
                break;
        case CP2112_GET_VERSION_INFO:
                buf[1] = 0x0c;   /* part number: CP2112 */
                buf[2] = 0x02;   /* device version */
                break;
        case CP2112_SMBUS_CONFIG:
                memcpy(buf + 1, e->smbus, sizeof(e->smbus));
                break;
        case CP2112_LOCK_BYTE:
                buf[1] = 0xff;   /* nothing locked */
                break;
        case CP2112_USB_CONFIG:
                buf[1] = 0xc4, buf[2] = 0x10;   /* VID, little endian */
                buf[3] = 0x90, buf[4] = 0xea;   /* PID */
                buf[5] = 50;                    /* 100 mA */
                buf[7] = 1;                     /* release 1.0 */
                break;
        case CP2112_MANUFACTURER_STRING:
        case CP2112_PRODUCT_STRING:
        case CP2112_SERIAL_STRING:
                s = strings[id - CP2112_MANUFACTURER_STRING];
                /* [id, length of type + text, USB_DT_STRING, UTF-16LE text] */
                for (len = 0; s[len] && 3 + 2 * len + 1 < REPORT_MAX; len++)
                        buf[3 + 2 * len] = (uint8_t) s[len];
                buf[1] = (uint8_t) (2 + 2 * len);
                buf[2] = USB_DT_STRING;
                break;
        default:
                break;
        }
        return 1 + (size_t) def->size;
}

static void emu_set_report(struct emu *e, uint8_t type, uint8_t id, const uint8_t *buf, size_t len,
                           uint64_t t) {
        const struct report_def *def = report_find(id, type);

        if (!def || len < 1 || buf[0] != id || len < 1 + (size_t) def->size) {
                fprintf(stderr, "cp2112-emu: ignored SET_REPORT type %u id 0x%02x len %zu\n", type, id,
                        len);
                return;
        }
        if (type != HID_RT_FEATURE)
                return;   /* SMBus transfers: no slave on this bus; hid-cp2112 times out */
        switch (id) {
        case CP2112_GPIO_CONFIG:
                e->special = buf[3];
                e->clkdiv = buf[4];
                emu_set_config(e, t, buf[1], buf[2]);
                break;
        case CP2112_GPIO_SET:
                e->latch = (uint8_t) ((e->latch & ~buf[2]) | (buf[1] & buf[2]));
                emu_outputs_changed(e, t);
                break;
        case CP2112_SMBUS_CONFIG:
                memcpy(e->smbus, buf + 1, sizeof(e->smbus));
                break;
        default:
                break;
        }
}

/* A stall is signalled by transferring in the wrong direction. */
static void ep0_stall(struct emu *e, const struct usb_ctrlrequest *c) {
        uint8_t dummy;
        ssize_t n;

        if (c->bRequestType & USB_DIR_IN)
                n = read(e->ep0, &dummy, 0);
        else
                n = write(e->ep0, &dummy, 0);
        if (n < 0 && errno != EL2HLT && errno != EIDRM)
                fprintf(stderr, "cp2112-emu: stall: %m\n");
}

static void ep0_reply(struct emu *e, const struct usb_ctrlrequest *c, const void *data, size_t len) {
        size_t wlength = le16toh(c->wLength);

        if (len > wlength)
                len = wlength;
        if (write(e->ep0, data, len) < 0 && errno != EIDRM)
                fprintf(stderr, "cp2112-emu: ep0 reply: %m\n");
}

/* OUT data stage: reads exactly wLength (at most size); returns the
 * length read or -1 (setup cancelled, error, too long). */
static ssize_t ep0_read_data(struct emu *e, const struct usb_ctrlrequest *c, uint8_t *buf, size_t size) {
        size_t wlength = le16toh(c->wLength);
        ssize_t n;

        if (wlength > size) {
                ep0_stall(e, c);
                return -1;
        }
        n = read(e->ep0, buf, wlength);
        if (n < 0) {
                if (errno != EIDRM)
                        fprintf(stderr, "cp2112-emu: ep0 data: %m\n");
                return -1;
        }
        return n;
}

static void emu_setup(struct emu *e, const struct usb_ctrlrequest *c) {
        uint8_t buf[REPORT_MAX];
        uint16_t wvalue = le16toh(c->wValue), wlength = le16toh(c->wLength);
        uint8_t type = wvalue >> 8, id = wvalue & 0xff;
        bool in = c->bRequestType & USB_DIR_IN;
        uint64_t t;
        ssize_t n;
        size_t len;

        if ((c->bRequestType & USB_RECIP_MASK) != USB_RECIP_INTERFACE) {
                ep0_stall(e, c);
                return;
        }
        if ((c->bRequestType & USB_TYPE_MASK) == USB_TYPE_STANDARD) {
                if (c->bRequest == USB_REQ_GET_DESCRIPTOR && in && type == HID_DT_REPORT) {
                        ep0_reply(e, c, e->rdesc, e->rdesc_len);
                        return;
                }
                if (c->bRequest == USB_REQ_GET_DESCRIPTOR && in && type == HID_DT_HID) {
                        const uint8_t hid[9] = { 9, HID_DT_HID, 0x11, 0x01, 0, 1, HID_DT_REPORT,
                                                 (uint8_t) e->rdesc_len, (uint8_t) (e->rdesc_len >> 8) };
                        ep0_reply(e, c, hid, sizeof(hid));
                        return;
                }
                ep0_stall(e, c);
                return;
        }
        if ((c->bRequestType & USB_TYPE_MASK) != USB_TYPE_CLASS) {
                ep0_stall(e, c);
                return;
        }
        switch (c->bRequest) {
        case HID_REQ_GET_REPORT:
                if (!in || wlength == 0 || type != HID_RT_FEATURE) {
                        ep0_stall(e, c);
                        return;
                }
                len = emu_get_feature(e, id, buf);
                if (len != 0 && id == CP2112_GPIO_GET && e->stall_get > 0) {
                        e->stall_get--;
                        emu_log(e, mono_usec(), "stalled GPIO_GET");
                        len = 0;
                }
                if (len == 0) {
                        ep0_stall(e, c);
                        return;
                }
                ep0_reply(e, c, buf, len);
                return;
        case HID_REQ_SET_REPORT:
                if (in || wlength == 0 || (type != HID_RT_FEATURE && type != HID_RT_OUTPUT)) {
                        ep0_stall(e, c);
                        return;
                }
                n = ep0_read_data(e, c, buf, sizeof(buf));
                if (n < 0)
                        return;
                /* The data stage is in: the host sees the change from now on. */
                t = mono_usec();
                emu_set_report(e, type, id, buf, (size_t) n, t);
                return;
        case HID_REQ_SET_IDLE:
        case HID_REQ_SET_PROTOCOL:
                if (in || wlength != 0) {
                        ep0_stall(e, c);
                        return;
                }
                (void) ep0_read_data(e, c, buf, 0);   /* status stage */
                return;
        case HID_REQ_GET_IDLE:
        case HID_REQ_GET_PROTOCOL:
                if (!in || wlength == 0) {
                        ep0_stall(e, c);
                        return;
                }
                buf[0] = c->bRequest == HID_REQ_GET_PROTOCOL ? 1 : 0;   /* report protocol */
                ep0_reply(e, c, buf, 1);
                return;
        default:
                ep0_stall(e, c);
                return;
        }
}

/* Returns 1 when the program should end, 0 to go on, -1 on a fatal error. */
static int emu_ep0_event(struct emu *e) {
        struct usb_functionfs_event ev;
        ssize_t n;

        n = read(e->ep0, &ev, sizeof(ev));
        if (n < 0) {
                if (errno == EINTR || errno == EAGAIN || errno == EIDRM)
                        return 0;
                fprintf(stderr, "cp2112-emu: ep0 read: %m\n");
                return -1;
        }
        if ((size_t) n != sizeof(ev)) {
                fprintf(stderr, "cp2112-emu: short ep0 event (%zd bytes)\n", n);
                return 0;
        }
        switch (ev.type) {
        case FUNCTIONFS_BIND:
                fprintf(stderr, "cp2112-emu: bound\n");
                break;
        case FUNCTIONFS_UNBIND:
                fprintf(stderr, "cp2112-emu: unbound\n");
                e->enabled = false;
                break;
        case FUNCTIONFS_ENABLE:
                if (!e->enabled) {
                        e->enabled = true;
                        printf("READY\n");
                        fflush(stdout);
                }
                break;
        case FUNCTIONFS_DISABLE:
                e->enabled = false;
                break;
        case FUNCTIONFS_SETUP:
                emu_setup(e, &ev.u.setup);
                break;
        case FUNCTIONFS_SUSPEND:
        case FUNCTIONFS_RESUME:
                break;
        default:
                fprintf(stderr, "cp2112-emu: unknown ep0 event %u\n", ev.type);
                break;
        }
        return 0;
}

/* One command line from the FIFO; returns 1 for "quit". */
static int emu_command(struct emu *e, const char *line) {
        unsigned n, v;
        char extra;

        if (strcmp(line, "quit") == 0)
                return 1;
        if (sscanf(line, "set %u %u %c", &n, &v, &extra) == 2 && n < NLINES && v <= 1) {
                e->ext = (uint8_t) ((e->ext & ~(1u << n)) | (v << n));
                emu_log(e, mono_usec(), "drive line=%u value=%u", n, v);
                emu_state(e);
                return 0;
        }
        if (sscanf(line, "stall-get %u %c", &n, &extra) == 1 && n <= 1000) {
                e->stall_get = n;
                emu_log(e, mono_usec(), "stall-get %u", n);
                return 0;
        }
        if (line[0])
                fprintf(stderr, "cp2112-emu: bad command '%s' (expected 'set LINE 0|1', 'stall-get N' or "
                        "'quit')\n", line);
        return 0;
}

static int emu_ctl_input(struct emu *e) {
        char chunk[256];
        ssize_t n = read(e->ctl, chunk, sizeof(chunk));

        if (n <= 0)
                return 0;   /* EAGAIN; the FIFO is open O_RDWR, so never EOF */
        for (ssize_t i = 0; i < n; i++) {
                char c = chunk[i];

                if (c == '\n') {
                        int r = 0;

                        e->ctl_buf[e->ctl_len] = 0;
                        if (!e->ctl_discard)
                                r = emu_command(e, e->ctl_buf);
                        else
                                fprintf(stderr, "cp2112-emu: command too long, ignored\n");
                        e->ctl_len = 0;
                        e->ctl_discard = false;
                        if (r)
                                return r;
                } else if (e->ctl_len + 1 < sizeof(e->ctl_buf))
                        e->ctl_buf[e->ctl_len++] = c;
                else
                        e->ctl_discard = true;
        }
        return 0;
}

static int ffs_write_descriptors(struct emu *e) {
        uint8_t d[256], s[128];
        size_t n = 0, sn = 0;
        const char iface_name[] = "CP2112 HID USB-to-SMBus Bridge";

        /* header v2: magic, length, flags, fs_count, hs_count */
        uint32_t head[5] = { htole32(FUNCTIONFS_DESCRIPTORS_MAGIC_V2), 0,
                             htole32(FUNCTIONFS_HAS_FS_DESC | FUNCTIONFS_HAS_HS_DESC),
                             htole32(3), htole32(3) };
        memcpy(d, head, sizeof(head));
        n = sizeof(head);
        for (int speed = 0; speed < 2; speed++) {
                const uint8_t intf[9] = { 9, USB_DT_INTERFACE, 0, 0, 1, USB_CLASS_HID, 0, 0, 1 };
                const uint8_t hid[9] = { 9, HID_DT_HID, 0x11, 0x01, 0, 1, HID_DT_REPORT,
                                         (uint8_t) e->rdesc_len, (uint8_t) (e->rdesc_len >> 8) };
                /* interrupt IN, 64 bytes, 1 ms (full speed: frames; high: 2^(4-1) µframes) */
                const uint8_t ep[7] = { 7, USB_DT_ENDPOINT, USB_DIR_IN | 1, USB_ENDPOINT_XFER_INT, 64, 0,
                                        speed == 0 ? 1 : 4 };
                memcpy(d + n, intf, sizeof(intf)), n += sizeof(intf);
                memcpy(d + n, hid, sizeof(hid)), n += sizeof(hid);
                memcpy(d + n, ep, sizeof(ep)), n += sizeof(ep);
        }
        head[1] = htole32((uint32_t) n);
        memcpy(d, head, sizeof(head));

        /* strings: magic, length, str_count, lang_count; then lang + strings */
        uint32_t shead[4] = { htole32(FUNCTIONFS_STRINGS_MAGIC), 0, htole32(1), htole32(1) };
        sn = sizeof(shead);
        s[sn++] = 0x09, s[sn++] = 0x04;   /* en-US */
        memcpy(s + sn, iface_name, sizeof(iface_name)), sn += sizeof(iface_name);
        shead[1] = htole32((uint32_t) sn);
        memcpy(s, shead, sizeof(shead));

        if (write(e->ep0, d, n) != (ssize_t) n) {
                fprintf(stderr, "cp2112-emu: writing descriptors: %m\n");
                return -1;
        }
        if (write(e->ep0, s, sn) != (ssize_t) sn) {
                fprintf(stderr, "cp2112-emu: writing strings: %m\n");
                return -1;
        }
        return 0;
}

static int parse_hex8(const char *s, uint8_t *ret) {
        char *end;
        unsigned long v;

        errno = 0;
        v = strtoul(s, &end, 16);
        if (errno || end == s || *end || v > 0xff)
                return -1;
        *ret = (uint8_t) v;
        return 0;
}

static void usage(void) {
        fprintf(stderr, "usage: cp2112-emu --ffs DIR --log FILE [--ctl FIFO] [--state FILE] "
                        "[--latch HEX] [--ext HEX]\n");
        exit(2);
}

int main(int argc, char **argv) {
        static const struct option opts[] = {
                { "ffs", required_argument, NULL, 'f' },   { "log", required_argument, NULL, 'l' },
                { "ctl", required_argument, NULL, 'c' },   { "state", required_argument, NULL, 's' },
                { "latch", required_argument, NULL, 'L' }, { "ext", required_argument, NULL, 'E' },
                {}
        };
        struct emu e = { .ep0 = -1, .ctl = -1, .sfd = -1, .log_fd = -1, .latch = 0xff, .ext = 0xff,
                         .pp = 0xff };
        const char *ffs = NULL, *log_path = NULL, *ctl_path = NULL;
        char ep0_path[4096];
        sigset_t mask;
        int c, r = 0;

        while ((c = getopt_long(argc, argv, "", opts, NULL)) >= 0)
                switch (c) {
                case 'f': ffs = optarg; break;
                case 'l': log_path = optarg; break;
                case 'c': ctl_path = optarg; break;
                case 's': e.state_path = optarg; break;
                case 'L': if (parse_hex8(optarg, &e.latch) < 0) usage(); break;
                case 'E': if (parse_hex8(optarg, &e.ext) < 0) usage(); break;
                default: usage();
                }
        if (!ffs || !log_path || optind != argc)
                usage();
        for (int i = 0; i < NLINES; i++)
                e.logged[i] = -1;
        /* SMBus config power-up values: 100 kHz, address 0x02, no timeouts */
        e.smbus[0] = 0x00, e.smbus[1] = 0x01, e.smbus[2] = 0x86, e.smbus[3] = 0xa0;
        e.smbus[4] = 0x02;
        e.rdesc_len = report_descriptor(e.rdesc, sizeof(e.rdesc));
        if (!e.rdesc_len)
                return 1;

        e.log_fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (e.log_fd < 0) {
                fprintf(stderr, "cp2112-emu: %s: %m\n", log_path);
                return 1;
        }
        if (ctl_path) {
                /* O_RDWR: the FIFO never reports EOF between writers. */
                e.ctl = open(ctl_path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
                if (e.ctl < 0) {
                        fprintf(stderr, "cp2112-emu: %s: %m\n", ctl_path);
                        return 1;
                }
        }
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        e.sfd = signalfd(-1, &mask, SFD_CLOEXEC);
        if (e.sfd < 0)
                return 1;
        if (snprintf(ep0_path, sizeof(ep0_path), "%s/ep0", ffs) >= (int) sizeof(ep0_path))
                usage();
        e.ep0 = open(ep0_path, O_RDWR | O_CLOEXEC);
        if (e.ep0 < 0) {
                fprintf(stderr, "cp2112-emu: %s: %m\n", ep0_path);
                return 1;
        }
        if (ffs_write_descriptors(&e) < 0)
                return 1;
        emu_state(&e);
        fprintf(stderr, "cp2112-emu: descriptors written, waiting for the host\n");

        for (;;) {
                struct pollfd p[3] = {
                        { .fd = e.ep0, .events = POLLIN },
                        { .fd = e.sfd, .events = POLLIN },
                        { .fd = e.ctl, .events = POLLIN },
                };

                if (poll(p, e.ctl >= 0 ? 3 : 2, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        r = 1;
                        break;
                }
                if (p[1].revents)
                        break;
                if (p[0].revents & (POLLERR | POLLHUP)) {
                        fprintf(stderr, "cp2112-emu: ep0 hung up\n");
                        r = 1;
                        break;
                }
                if (p[0].revents & POLLIN) {
                        int k = emu_ep0_event(&e);
                        if (k < 0) {
                                r = 1;
                                break;
                        }
                }
                if (e.ctl >= 0 && (p[2].revents & POLLIN) && emu_ctl_input(&e))
                        break;
        }
        close(e.ep0);
        if (e.ctl >= 0)
                close(e.ctl);
        close(e.sfd);
        close(e.log_fd);
        return r;
}
