/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The D-7 probes of drivers/usb (usbprobe_device() and through it the ACM,
 * ADB, mass-storage and DFU probes) against a programmable USB device built
 * with libumockdev (issue 5, "Host" tests; docs/usb-access.md).
 *
 * The testbed holds one composite device 1209:cb01 at 1-1 (bus 1, address
 * 2) with a CDC-ACM function (IAD, interfaces 0 and 1), an ADB interface
 * ff/42/01 (2), a mass-storage BOT/SCSI interface 08/06/50 (3) and a DFU
 * runtime interface fe/01/01 (4). libusb sees it from the sysfs
 * "descriptors" attribute; its usbfs node is served by an ioctl handler
 * (UMockdevIoctlBase "handle-ioctl") that models the device: control
 * requests, bulk URBs for ADB and BOT, DFU GETSTATUS/UPLOAD. The ACM
 * interface's tty is a umockdev pty; a thread on the master side answers
 * the probe's line break with a prompt.
 *
 * Variants (argv[1]):
 *   open     root shell, CNXN without AUTH, writable undeclared storage,
 *            UPLOAD returns data: every probe must say FAIL.
 *   locked   login prompt, AUTH TOKEN, write-protected declared storage,
 *            UPLOAD stalls: every probe must say PASS.
 *   flipped  the open device judged against the locked expectations, and
 *   flipped-locked  the locked device against the open ones: both must
 *            exit 1 with all 4 reports and failed assertions (CTest checks
 *            the summary line), proving the assertions bite.
 *
 * Must run with libumockdev-preload in LD_PRELOAD (run.sh: umockdev-wrapper,
 * or libasan first and then the preload for a sanitizer build) and under
 * timeout; exits 77 (skip) when the preload is not loaded.
 */

#include <errno.h>
#include <fcntl.h>
#include <libusb.h>
#include <linux/ioctl.h>
#include <linux/usbdevice_fs.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <umockdev.h>

#include "common/timeutil.h"
#include "drivers/usb/probe.h"

#define VID 0x1209
#define PID 0xcb01
#define DEVNODE "/dev/bus/usb/001/002"
#define TTYNODE "/dev/ttyACM0"

#define IF_ACM 0
#define IF_ADB 2
#define IF_MSC 3
#define IF_DFU 4
#define EP_ADB 0x02
#define EP_MSC 0x04

#define MSC_BLOCKS 2048u
#define MSC_BLOCK 512u
#define DFU_FIRMWARE 256u

/* ---- The device's descriptors ------------------------------------------- */

static const uint8_t dev_desc[18] = {
        0x12, 0x01, 0x00, 0x02, 0xef, 0x02, 0x01, 0x40,   /* USB 2.0, IAD class triple, ep0 64 */
        VID & 0xff, VID >> 8, PID & 0xff, PID >> 8,
        0x00, 0x01, 0x01, 0x02, 0x03, 0x01,               /* bcdDevice 1.00, strings 1-3, 1 config */
};

#define BULK_EP(a) 0x07, 0x05, (a), 0x02, 0x00, 0x02, 0x00   /* bulk, 512 bytes */
static uint8_t cfg_desc[] = {
        0x09, 0x02, 0x00, 0x00, 0x05, 0x01, 0x00, 0x80, 0x32,   /* wTotalLength set at start */
        /* IAD: interfaces 0-1 are one CDC-ACM function */
        0x08, 0x0b, 0x00, 0x02, 0x02, 0x02, 0x01, 0x00,
        /* 0: CDC communication, ACM, AT commands */
        0x09, 0x04, IF_ACM, 0x00, 0x01, 0x02, 0x02, 0x01, 0x00,
        0x05, 0x24, 0x00, 0x10, 0x01,                   /* header 1.10 */
        0x05, 0x24, 0x01, 0x00, 0x01,                   /* call management */
        0x04, 0x24, 0x02, 0x02,                         /* ACM */
        0x05, 0x24, 0x06, 0x00, 0x01,                   /* union 0 → 1 */
        0x07, 0x05, 0x83, 0x03, 0x10, 0x00, 0x10,       /* interrupt IN */
        /* 1: CDC data */
        0x09, 0x04, 0x01, 0x00, 0x02, 0x0a, 0x00, 0x00, 0x00,
        BULK_EP(0x81), BULK_EP(0x01),
        /* 2: ADB */
        0x09, 0x04, IF_ADB, 0x00, 0x02, 0xff, 0x42, 0x01, 0x00,
        BULK_EP(0x80 | EP_ADB), BULK_EP(EP_ADB),
        /* 3: mass storage, SCSI transparent, bulk-only */
        0x09, 0x04, IF_MSC, 0x00, 0x02, 0x08, 0x06, 0x50, 0x00,
        BULK_EP(0x80 | EP_MSC), BULK_EP(EP_MSC),
        /* 4: DFU runtime + functional descriptor (download, upload, will
         * detach; detach 1000 ms; wTransferSize 1024; DFU 1.1) */
        0x09, 0x04, IF_DFU, 0x00, 0x00, 0xfe, 0x01, 0x01, 0x00,
        0x09, 0x21, 0x0b, 0xe8, 0x03, 0x00, 0x04, 0x10, 0x01,
};

static const char *const strings[] = { NULL, "certbench", "umockdev composite DUT", "CB0001" };

/* ---- The device model (runs in umockdev's ioctl thread) ----------------- */

struct packet {
        size_t len;
        int status;                 /* 0, or -EPIPE for a stall */
        uint8_t data[];
};

struct model {
        bool locked;
        GQueue done;                /* URBs to reap (UMockdevIoctlData, owned) */
        GQueue waiting[16];         /* IN URBs per endpoint number */
        GQueue tx[16];              /* packets per IN endpoint number */
        GPtrArray *keep;            /* URBs handed to the client (kept alive) */
        /* ADB: a header whose payload is still to come */
        bool adb_want_payload;
        uint32_t adb_command, adb_payload_left;
        uint8_t dfu_state, dfu_status;
        /* what the device saw (read by the test thread after the probes) */
        atomic_uint n_cnxn, n_cbw, n_getstatus, n_upload, n_unknown_ioctl;
};

static void queue_packet(struct model *m, uint8_t epnum, const void *data, size_t len, int status) {
        struct packet *p = g_malloc0(sizeof(*p) + len);

        p->len = len;
        p->status = status;
        if (len)
                memcpy(p->data, data, len);
        g_queue_push_tail(&m->tx[epnum & 0x0f], p);
}

static void urb_finish(struct model *m, UMockdevIoctlData *urb, int actual, int status) {
        struct usbdevfs_urb *u = (struct usbdevfs_urb *) urb->data;

        u->actual_length = actual;
        u->status = status;
        g_queue_push_tail(&m->done, urb);
}

/* Hands queued packets to waiting IN URBs of the endpoint. */
static void deliver(struct model *m, uint8_t epnum) {
        GQueue *w = &m->waiting[epnum & 0x0f], *t = &m->tx[epnum & 0x0f];

        while (!g_queue_is_empty(w) && !g_queue_is_empty(t)) {
                UMockdevIoctlData *urb = g_queue_pop_head(w);
                struct packet *p = g_queue_pop_head(t);
                struct usbdevfs_urb *u = (struct usbdevfs_urb *) urb->data;
                size_t n = p->len < (size_t) u->buffer_length ? p->len : (size_t) u->buffer_length;

                if (p->status == 0 && n > 0)
                        memcpy(u->buffer, p->data, n);   /* the resolved local copy */
                urb_finish(m, urb, p->status ? 0 : (int) n, p->status);
                g_free(p);
        }
}

static void put_le32(uint8_t *b, uint32_t v) {
        b[0] = v & 0xff;
        b[1] = (v >> 8) & 0xff;
        b[2] = (v >> 16) & 0xff;
        b[3] = v >> 24;
}

static uint32_t get_le32(const uint8_t *b) {
        return b[0] | (uint32_t) b[1] << 8 | (uint32_t) b[2] << 16 | (uint32_t) b[3] << 24;
}

/* An ADB message (header, then payload as its own transfer, as adbd does). */
static void adb_send(struct model *m, uint32_t cmd, uint32_t arg0, uint32_t arg1, const uint8_t *payload,
                     size_t len) {
        uint8_t h[24];
        uint32_t sum = 0;

        for (size_t i = 0; i < len; i++)
                sum += payload[i];
        put_le32(h, cmd);
        put_le32(h + 4, arg0);
        put_le32(h + 8, arg1);
        put_le32(h + 12, (uint32_t) len);
        put_le32(h + 16, sum);
        put_le32(h + 20, cmd ^ 0xffffffffu);
        queue_packet(m, EP_ADB, h, sizeof(h), 0);
        if (len)
                queue_packet(m, EP_ADB, payload, len, 0);
}

static void adb_answer(struct model *m) {
        if (m->adb_command != USBPROBE_ADB_CNXN)
                return;   /* the probe sends nothing else */
        atomic_fetch_add(&m->n_cnxn, 1);
        if (m->locked) {
                uint8_t token[20];

                for (size_t i = 0; i < sizeof(token); i++)
                        token[i] = (uint8_t) (0x5a ^ i * 7);
                adb_send(m, USBPROBE_ADB_AUTH, USBPROBE_ADB_AUTH_TOKEN, 0, token, sizeof(token));
        } else {
                static const char banner[] = "device::ro.product.name=cbdut;ro.product.model=umock;";

                adb_send(m, USBPROBE_ADB_CNXN, USBPROBE_ADB_VERSION, 256 * 1024, (const uint8_t *) banner,
                         sizeof(banner) - 1);
        }
}

static void adb_out(struct model *m, const uint8_t *b, size_t len) {
        if (m->adb_want_payload) {
                m->adb_payload_left = len >= m->adb_payload_left ? 0 : m->adb_payload_left - (uint32_t) len;
                if (m->adb_payload_left == 0) {
                        m->adb_want_payload = false;
                        adb_answer(m);
                }
                return;
        }
        if (len != 24 || (get_le32(b) ^ 0xffffffffu) != get_le32(b + 20))
                return;   /* not a header: adbd drops it */
        m->adb_command = get_le32(b);
        m->adb_payload_left = get_le32(b + 12);
        if (m->adb_payload_left > 0)
                m->adb_want_payload = true;
        else
                adb_answer(m);
}

/* One SCSI command: its data-in bytes (*ret_len) or false (unsupported). */
static bool scsi(struct model *m, const uint8_t *cdb, uint32_t want, uint8_t **ret, size_t *ret_len) {
        uint8_t *d = NULL;
        size_t n = 0;

        switch (cdb[0]) {
        case 0x00:   /* TEST UNIT READY */
                break;
        case 0x03:   /* REQUEST SENSE: no sense */
                n = 18;
                d = g_malloc0(n);
                d[0] = 0x70;
                d[7] = 10;
                break;
        case 0x12:   /* INQUIRY */
                n = 36;
                d = g_malloc0(n);
                d[1] = 0x80;   /* removable */
                d[2] = 0x06;
                d[3] = 0x02;
                d[4] = 31;
                memcpy(d + 8, "CERTBNCH", 8);
                memcpy(d + 16, "UMOCK DISK      ", 16);
                memcpy(d + 32, "0001", 4);
                break;
        case 0x25:   /* READ CAPACITY(10) */
                n = 8;
                d = g_malloc0(n);
                d[2] = (MSC_BLOCKS - 1) >> 8;
                d[3] = (MSC_BLOCKS - 1) & 0xff;
                d[6] = MSC_BLOCK >> 8;
                d[7] = MSC_BLOCK & 0xff;
                break;
        case 0x1a:   /* MODE SENSE(6): header only, WP in byte 2 bit 7 */
                n = 4;
                d = g_malloc0(n);
                d[0] = 3;
                d[2] = m->locked ? 0x80 : 0x00;
                break;
        case 0x28: { /* READ(10) */
                uint32_t count = (uint32_t) cdb[7] << 8 | cdb[8];

                n = (size_t) count * MSC_BLOCK;
                d = g_malloc0(n ? n : 1);
                for (size_t i = 0; i < n; i++)
                        d[i] = (uint8_t) i;
                if (n >= MSC_BLOCK) {
                        d[510] = 0x55;   /* an MBR signature */
                        d[511] = 0xaa;
                }
                break;
        }
        default:
                return false;
        }
        if (n > want)
                n = want;
        *ret = d;
        *ret_len = n;
        return true;
}

static void bot_out(struct model *m, const uint8_t *b, size_t len) {
        uint8_t csw[13], *data = NULL;
        uint32_t tag, want;
        size_t n = 0;
        uint8_t status = 0;

        if (len != 31 || get_le32(b) != 0x43425355u)
                return;   /* not a CBW: a real device would stall; the probe never sends one */
        atomic_fetch_add(&m->n_cbw, 1);
        tag = get_le32(b + 4);
        want = get_le32(b + 8);
        if (!scsi(m, b + 15, want, &data, &n)) {
                status = 1;
                if (want > 0)
                        queue_packet(m, EP_MSC, NULL, 0, -EPIPE);   /* BOT 6.7.2: stall data-in */
        } else if (want > 0)
                queue_packet(m, EP_MSC, data, n, 0);
        g_free(data);
        put_le32(csw, 0x53425355u);
        put_le32(csw + 4, tag);
        put_le32(csw + 8, want - (uint32_t) n);
        csw[12] = status;
        queue_packet(m, EP_MSC, csw, sizeof(csw), 0);
}

/* A control request; returns the data-in length or -EPIPE (stall). */
static int control(struct model *m, const uint8_t *setup, uint8_t *data, size_t room) {
        uint8_t rt = setup[0], req = setup[1];
        uint16_t val = setup[2] | setup[3] << 8, idx = setup[4] | setup[5] << 8, wlen = setup[6] | setup[7] << 8;
        size_t n = 0;

        if (room > wlen)
                room = wlen;
        if (rt == 0x80 && req == 0x06) {   /* GET_DESCRIPTOR */
                uint8_t type = val >> 8, index = val & 0xff;
                uint8_t sbuf[128];
                const uint8_t *src = NULL;

                if (type == 1) {
                        src = dev_desc;
                        n = sizeof(dev_desc);
                } else if (type == 2 && index == 0) {
                        src = cfg_desc;
                        n = sizeof(cfg_desc);
                } else if (type == 3 && index == 0) {
                        static const uint8_t langs[] = { 4, 3, 0x09, 0x04 };

                        src = langs;
                        n = sizeof(langs);
                } else if (type == 3 && index < G_N_ELEMENTS(strings)) {
                        size_t l = strlen(strings[index]);

                        sbuf[0] = (uint8_t) (2 + 2 * l);
                        sbuf[1] = 3;
                        for (size_t i = 0; i < l; i++) {
                                sbuf[2 + 2 * i] = (uint8_t) strings[index][i];
                                sbuf[3 + 2 * i] = 0;
                        }
                        src = sbuf;
                        n = sbuf[0];
                } else
                        return -EPIPE;
                if (n > room)
                        n = room;
                memcpy(data, src, n);
                return (int) n;
        }
        if (rt == 0x00 && req == 0x09)   /* SET_CONFIGURATION */
                return 0;
        if (rt == 0x21 && req == 0xff && idx == IF_MSC)   /* BOT reset */
                return 0;
        if ((rt & 0x7f) == 0x21 && idx == IF_DFU) {
                switch (req) {
                case USBPROBE_DFU_GETSTATUS:
                        atomic_fetch_add(&m->n_getstatus, 1);
                        if (room < 6)
                                return -EPIPE;
                        memset(data, 0, 6);
                        data[0] = m->dfu_status;
                        data[4] = m->dfu_state;
                        return 6;
                case USBPROBE_DFU_GETSTATE:
                        if (room < 1)
                                return -EPIPE;
                        data[0] = m->dfu_state;
                        return 1;
                case USBPROBE_DFU_UPLOAD:
                        atomic_fetch_add(&m->n_upload, 1);
                        if (m->locked) {
                                m->dfu_state = 10;    /* dfuERROR */
                                m->dfu_status = 0x0f; /* errSTALLEDPKT */
                                return -EPIPE;
                        }
                        n = room < DFU_FIRMWARE ? room : DFU_FIRMWARE;
                        for (size_t i = 0; i < n; i++)
                                data[i] = (uint8_t) (0xa5 ^ i);
                        m->dfu_state = 2;   /* a short frame ends the upload: dfuIDLE */
                        return (int) n;
                case USBPROBE_DFU_ABORT:
                case USBPROBE_DFU_CLRSTATUS:
                        m->dfu_state = 0;
                        m->dfu_status = 0;
                        return 0;
                default:
                        return -EPIPE;
                }
        }
        return -EPIPE;
}

static void submit(struct model *m, UMockdevIoctlClient *client, UMockdevIoctlData *arg) {
        UMockdevIoctlData *urb, *buf = NULL;
        struct usbdevfs_urb *u;
        GError *err = NULL;

        urb = umockdev_ioctl_data_resolve(arg, 0, sizeof(struct usbdevfs_urb), &err);
        if (!urb) {
                fprintf(stderr, "resolving the URB failed: %s\n", err ? err->message : "?");
                g_clear_error(&err);
                umockdev_ioctl_client_complete(client, -1, EFAULT);
                return;
        }
        u = (struct usbdevfs_urb *) urb->data;
        if (u->buffer_length > 0) {
                /* Makes u->buffer point to a local copy that is synced back
                 * to the client when a reap hands this URB out. */
                buf = umockdev_ioctl_data_resolve(urb, offsetof(struct usbdevfs_urb, buffer),
                                                  (gsize) u->buffer_length, &err);
                if (!buf) {
                        fprintf(stderr, "resolving the URB buffer failed: %s\n", err ? err->message : "?");
                        g_clear_error(&err);
                        umockdev_ioctl_client_complete(client, -1, EFAULT);
                        return;
                }
        }
        g_object_ref(urb);
        switch (u->type) {
        case USBDEVFS_URB_TYPE_CONTROL: {
                int r = u->buffer_length >= 8 ? control(m, u->buffer, (uint8_t *) u->buffer + 8,
                                                        (size_t) u->buffer_length - 8)
                                              : -EPIPE;

                urb_finish(m, urb, r < 0 ? 0 : r, r < 0 ? r : 0);
                break;
        }
        case USBDEVFS_URB_TYPE_BULK:
                if (u->endpoint & 0x80) {
                        g_queue_push_tail(&m->waiting[u->endpoint & 0x0f], urb);
                        deliver(m, u->endpoint);
                        break;
                }
                if (u->endpoint == EP_ADB)
                        adb_out(m, u->buffer, (size_t) u->buffer_length);
                else if (u->endpoint == EP_MSC)
                        bot_out(m, u->buffer, (size_t) u->buffer_length);
                urb_finish(m, urb, u->buffer_length, 0);
                deliver(m, u->endpoint | 0x80);
                break;
        default:
                urb_finish(m, urb, 0, -EPIPE);
                break;
        }
        umockdev_ioctl_client_complete(client, 0, 0);
}

static void reap(struct model *m, UMockdevIoctlClient *client, UMockdevIoctlData *arg) {
        UMockdevIoctlData *urb = g_queue_pop_head(&m->done), *slot;
        GError *err = NULL;

        if (!urb) {
                umockdev_ioctl_client_complete(client, -1, EAGAIN);
                return;
        }
        slot = umockdev_ioctl_data_resolve(arg, 0, sizeof(void *), &err);
        if (!slot) {
                fprintf(stderr, "resolving the reap pointer failed: %s\n", err ? err->message : "?");
                g_clear_error(&err);
                g_queue_push_head(&m->done, urb);
                umockdev_ioctl_client_complete(client, -1, EFAULT);
                return;
        }
        /* The client's pointer now names its URB; status, length and (for
         * IN) the data are written back when the reap completes. */
        umockdev_ioctl_data_set_ptr(slot, 0, urb);
        g_ptr_array_add(m->keep, urb);
        umockdev_ioctl_client_complete(client, 0, 0);
}

static void discard(struct model *m, UMockdevIoctlClient *client, UMockdevIoctlData *arg) {
        gulong addr = *(gulong *) arg->data;

        for (size_t e = 0; e < G_N_ELEMENTS(m->waiting); e++)
                for (GList *l = m->waiting[e].head; l; l = l->next) {
                        UMockdevIoctlData *urb = l->data;

                        if (urb->client_addr != addr)
                                continue;
                        g_queue_delete_link(&m->waiting[e], l);
                        urb_finish(m, urb, 0, -ENOENT);
                        umockdev_ioctl_client_complete(client, 0, 0);
                        return;
                }
        umockdev_ioctl_client_complete(client, -1, EINVAL);
}

static gboolean on_ioctl(UMockdevIoctlBase *handler, UMockdevIoctlClient *client, gpointer userdata) {
        struct model *m = userdata;
        gulong request = umockdev_ioctl_client_get_request(client);
        UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(client);

        switch (request) {
        case USBDEVFS_GET_CAPABILITIES: {
                GError *err = NULL;
                UMockdevIoctlData *d = umockdev_ioctl_data_resolve(arg, 0, sizeof(uint32_t), &err);

                if (!d) {
                        g_clear_error(&err);
                        umockdev_ioctl_client_complete(client, -1, EFAULT);
                        return TRUE;
                }
                *(uint32_t *) d->data = USBDEVFS_CAP_BULK_CONTINUATION | USBDEVFS_CAP_NO_PACKET_SIZE_LIM |
                                        USBDEVFS_CAP_REAP_AFTER_DISCONNECT | USBDEVFS_CAP_ZERO_PACKET;
                umockdev_ioctl_client_complete(client, 0, 0);
                return TRUE;
        }
        case USBDEVFS_CLAIMINTERFACE:
        case USBDEVFS_RELEASEINTERFACE:
        case USBDEVFS_DISCONNECT_CLAIM:
        case USBDEVFS_CLEAR_HALT:
        case USBDEVFS_RESETEP:
        case USBDEVFS_RESET:
        case USBDEVFS_SETINTERFACE:
        case USBDEVFS_SETCONFIGURATION:
                umockdev_ioctl_client_complete(client, 0, 0);
                return TRUE;
        case USBDEVFS_GETDRIVER:
        case USBDEVFS_IOCTL:
                umockdev_ioctl_client_complete(client, -1, ENODATA);   /* no kernel driver bound */
                return TRUE;
        case USBDEVFS_SUBMITURB:
                submit(m, client, arg);
                return TRUE;
        case USBDEVFS_REAPURB:
        case USBDEVFS_REAPURBNDELAY:
                reap(m, client, arg);
                return TRUE;
        case USBDEVFS_DISCARDURB:
                discard(m, client, arg);
                return TRUE;
        default:
                atomic_fetch_add(&m->n_unknown_ioctl, 1);
                fprintf(stderr, "device: unhandled ioctl 0x%lx\n", (unsigned long) request);
                umockdev_ioctl_client_complete(client, -1, ENOTTY);
                return TRUE;
        }
}

static void model_clear(struct model *m) {
        UMockdevIoctlData *urb;
        struct packet *p;

        while ((urb = g_queue_pop_head(&m->done)))
                g_object_unref(urb);
        for (size_t e = 0; e < G_N_ELEMENTS(m->waiting); e++) {
                while ((urb = g_queue_pop_head(&m->waiting[e])))
                        g_object_unref(urb);
                while ((p = g_queue_pop_head(&m->tx[e])))
                        g_free(p);
        }
        g_ptr_array_free(m->keep, TRUE);
}

/* ---- The serial console behind the ACM tty ------------------------------ */

struct console {
        int fd;                     /* pty master (owned by the testbed) */
        bool root;
        atomic_bool stop;
        atomic_uint n_breaks;
        pthread_t thread;
};

static void *console_run(void *userdata) {
        struct console *c = userdata;
        const char *banner = c->root ? "\r\nBusyBox v1.36.1 built-in shell (ash)\r\n\r\nroot@dut:~# "
                                     : "\r\n\r\ndut login: ";

        while (!atomic_load(&c->stop)) {
                struct pollfd p = { .fd = c->fd, .events = POLLIN };
                uint8_t buf[256];
                ssize_t k;

                if (poll(&p, 1, 50) <= 0)
                        continue;
                k = read(c->fd, buf, sizeof(buf));
                if (k <= 0)
                        continue;
                if (memchr(buf, '\r', (size_t) k) || memchr(buf, '\n', (size_t) k)) {
                        atomic_fetch_add(&c->n_breaks, 1);
                        if (write(c->fd, banner, strlen(banner)) < 0)
                                fprintf(stderr, "console: write: %m\n");
                }
        }
        return NULL;
}

/* ---- The testbed ----------------------------------------------------------- */

static char *sysfs_description(void) {
        GString *s = g_string_new(NULL);

        g_string_append(s,
                        "P: /devices/platform/cb-hcd/usb1/1-1\n"
                        "N: bus/usb/001/002\n"
                        "E: SUBSYSTEM=usb\n"
                        "E: DEVTYPE=usb_device\n"
                        "E: DRIVER=usb\n"
                        "E: BUSNUM=001\n"
                        "E: DEVNUM=002\n"
                        "E: DEVNAME=/dev/bus/usb/001/002\n"
                        "E: PRODUCT=1209/cb01/100\n"
                        "A: busnum=1\\n\n"
                        "A: devnum=2\\n\n"
                        "A: devpath=1\\n\n"
                        "A: speed=480\\n\n"
                        "A: bConfigurationValue=1\\n\n"
                        "A: bNumConfigurations=1\\n\n"
                        "A: bNumInterfaces= 5\\n\n"
                        "A: idVendor=1209\\n\n"
                        "A: idProduct=cb01\\n\n"
                        "A: manufacturer=certbench\\n\n"
                        "A: product=umockdev composite DUT\\n\n"
                        "A: serial=CB0001\\n\n"
                        "H: descriptors=");
        for (size_t i = 0; i < sizeof(dev_desc); i++)
                g_string_append_printf(s, "%02x", dev_desc[i]);
        for (size_t i = 0; i < sizeof(cfg_desc); i++)
                g_string_append_printf(s, "%02x", cfg_desc[i]);
        g_string_append(s,
                        "\n\n"
                        "P: /devices/platform/cb-hcd/usb1/1-1/1-1:1.0\n"
                        "E: SUBSYSTEM=usb\n"
                        "E: DEVTYPE=usb_interface\n"
                        "E: DRIVER=cdc_acm\n"
                        "A: bInterfaceNumber=00\\n\n"
                        "A: bInterfaceClass=02\\n\n"
                        "A: bInterfaceSubClass=02\\n\n"
                        "A: bInterfaceProtocol=01\\n\n"
                        "\n"
                        "P: /devices/platform/cb-hcd/usb1/1-1/1-1:1.0/tty/ttyACM0\n"
                        "N: ttyACM0\n"
                        "E: SUBSYSTEM=tty\n"
                        "E: DEVNAME=/dev/ttyACM0\n"
                        "E: MAJOR=166\n"
                        "E: MINOR=0\n"
                        "A: dev=166:0\\n\n");
        return g_string_free(s, FALSE);
}

/* ---- Expectations ------------------------------------------------------------ */

static int failures;
static size_t n_reports;   /* of the last run, for the summary line */

#define EXPECT(cond, ...)                                                       \
        do {                                                                    \
                if (!(cond)) {                                                  \
                        failures++;                                             \
                        fprintf(stderr, "FAILED %s:%d: %s: ", __FILE__, __LINE__, #cond); \
                        fprintf(stderr, __VA_ARGS__);                           \
                        fputc('\n', stderr);                                    \
                }                                                               \
        } while (0)

static const struct usbprobe_report *report_for(struct usbprobe_report **reps, size_t n, uint8_t ifnum) {
        for (size_t i = 0; i < n; i++)
                if (reps[i]->interface == ifnum)
                        return reps[i];
        return NULL;
}

static bool has_detail(const struct usbprobe_report *r, const char *kv) {
        size_t l = strlen(kv);

        for (const char *p = r->details; p && *p;) {
                const char *nl = strchr(p, '\n');
                size_t n = nl ? (size_t) (nl - p) : strlen(p);

                if (n == l && memcmp(p, kv, l) == 0)
                        return true;
                if (!nl)
                        break;
                p = nl + 1;
        }
        return false;
}

static void expect_report(struct usbprobe_report **reps, size_t n, uint8_t ifnum, enum usbprobe_verdict v,
                          const char *const *details) {
        const struct usbprobe_report *r = report_for(reps, n, ifnum);

        EXPECT(r, "no report for interface %u", ifnum);
        if (!r)
                return;
        EXPECT(r->verdict == v, "interface %u (%s): %s, expected %s: %s", ifnum, usbdesc_function_name(r->kind),
               usbprobe_verdict_name(r->verdict), usbprobe_verdict_name(v), r->reason ?: "");
        for (; details && *details; details++)
                EXPECT(has_detail(r, *details), "interface %u: no \"%s\" in details:\n%s", ifnum, *details,
                       r->details ?: "");
}

/* ---- One run --------------------------------------------------------------- */

static libusb_device_handle *open_dut(libusb_context *ctx) {
        libusb_device **list = NULL;
        libusb_device_handle *h = NULL;
        ssize_t n = libusb_get_device_list(ctx, &list);

        for (ssize_t i = 0; i < n && !h; i++) {
                struct libusb_device_descriptor d;

                if (libusb_get_device_descriptor(list[i], &d) == 0 && d.idVendor == VID && d.idProduct == PID) {
                        int r = libusb_open(list[i], &h);

                        EXPECT(r == 0, "libusb_open: %s", libusb_error_name(r));
                }
        }
        if (n >= 0)
                libusb_free_device_list(list, 1);
        EXPECT(n > 0, "libusb sees %zd devices", n);
        return h;
}

static int run(bool device_locked, bool expect_locked) {
        static const char *const declared_open[] = { "cdc-acm", "adb", "dfu" };
        static const char *const declared_locked[] = { "cdc-acm", "adb", "dfu", "mass-storage" };
        struct model m = { .locked = device_locked, .keep = g_ptr_array_new_with_free_func(g_object_unref) };
        struct console con = { .root = !device_locked };
        UMockdevTestbed *tb = NULL;
        UMockdevIoctlBase *handler = NULL;
        libusb_context *ctx = NULL;
        libusb_device_handle *h = NULL;
        struct usbprobe_report **reps = NULL;
        size_t n = 0;
        GError *err = NULL;
        char *desc = NULL;
        bool console_started = false;
        int r;

        for (size_t e = 0; e < G_N_ELEMENTS(m.waiting); e++) {
                g_queue_init(&m.waiting[e]);
                g_queue_init(&m.tx[e]);
        }
        g_queue_init(&m.done);

        tb = umockdev_testbed_new();
        handler = umockdev_ioctl_base_new();
        g_signal_connect(handler, "handle-ioctl", G_CALLBACK(on_ioctl), &m);
        /* The handler first: libusb may open the node as soon as it exists. */
        if (!umockdev_testbed_attach_ioctl(tb, DEVNODE, handler, &err)) {
                EXPECT(false, "attach_ioctl: %s", err ? err->message : "?");
                goto out;
        }
        desc = sysfs_description();
        if (!umockdev_testbed_add_from_string(tb, desc, &err)) {
                EXPECT(false, "add_from_string: %s", err ? err->message : "?");
                goto out;
        }
        con.fd = umockdev_testbed_get_dev_fd(tb, TTYNODE);
        EXPECT(con.fd >= 0, "no pty behind %s", TTYNODE);
        if (con.fd >= 0 && pthread_create(&con.thread, NULL, console_run, &con) == 0)
                console_started = true;

        r = libusb_init(&ctx);
        EXPECT(r == 0, "libusb_init: %s", libusb_error_name(r));
        if (r != 0)
                goto out;
        h = open_dut(ctx);
        if (!h)
                goto out;

        {
                struct usbprobe_opts o = {
                        .declared = expect_locked ? declared_locked : declared_open,
                        .n_declared = expect_locked ? G_N_ELEMENTS(declared_locked) : G_N_ELEMENTS(declared_open),
                        .banner_usec = USEC_PER_SEC,
                        .per_probe_usec = 8 * USEC_PER_SEC,
                };

                r = usbprobe_device(h, &o, deadline_in(45 * USEC_PER_SEC), &reps, &n);
        }
        EXPECT(r == 0, "usbprobe_device: %s", strerror(-r));
        for (size_t i = 0; i < n; i++)
                printf("if%u %-12s %-5s %s\n%s", reps[i]->interface, usbdesc_function_name(reps[i]->kind),
                       usbprobe_verdict_name(reps[i]->verdict), reps[i]->reason ?: "",
                       reps[i]->details ?: "");
        n_reports = n;
        EXPECT(n == 4, "%zu reports, expected 4 (acm, adb, mass storage, dfu)", n);

        if (!expect_locked) {
                static const char *const acm[] = { "banner=shell", NULL };
                static const char *const adb[] = { "command=CNXN", "data_length=53", NULL };
                static const char *const msc[] = { "write_protected=no", "block0_readable=yes",
                                                   "capacity_bytes=1048576", "inquiry_vendor=CERTBNCH", NULL };
                static const char *const dfu[] = { "can_upload=yes", "upload_bytes=256", "state=appIDLE", NULL };

                expect_report(reps, n, IF_ACM, USBPROBE_FAIL, acm);
                expect_report(reps, n, IF_ADB, USBPROBE_FAIL, adb);
                expect_report(reps, n, IF_MSC, USBPROBE_FAIL, msc);
                expect_report(reps, n, IF_DFU, USBPROBE_FAIL, dfu);
        } else {
                static const char *const acm[] = { "banner=login", NULL };
                static const char *const adb[] = { "command=AUTH", "arg0=0x00000001", NULL };
                static const char *const msc[] = { "write_protected=yes", "block0_readable=yes", NULL };
                static const char *const dfu[] = { "can_upload=yes", "state=appIDLE", NULL };
                const struct usbprobe_report *d = report_for(reps, n, IF_DFU);

                expect_report(reps, n, IF_ACM, USBPROBE_PASS, acm);
                expect_report(reps, n, IF_ADB, USBPROBE_PASS, adb);
                expect_report(reps, n, IF_MSC, USBPROBE_PASS, msc);
                expect_report(reps, n, IF_DFU, USBPROBE_PASS, dfu);
                EXPECT(!d || (d->reason && strstr(d->reason, "stall")), "DFU reason: %s",
                       d && d->reason ? d->reason : "");
        }
        /* The verdicts came from this device, not from timeouts. */
        EXPECT(atomic_load(&con.n_breaks) >= 1, "the console never saw a line break");
        EXPECT(atomic_load(&m.n_cnxn) == 1, "ADB CNXN seen %u times", atomic_load(&m.n_cnxn));
        EXPECT(atomic_load(&m.n_cbw) >= 5, "%u CBWs seen", atomic_load(&m.n_cbw));
        EXPECT(atomic_load(&m.n_getstatus) == 1, "DFU GETSTATUS seen %u times", atomic_load(&m.n_getstatus));
        EXPECT(atomic_load(&m.n_upload) == 1, "DFU UPLOAD seen %u times", atomic_load(&m.n_upload));

out:
        g_clear_error(&err);
        for (size_t i = 0; i < n; i++)
                usbprobe_report_free(reps[i]);
        free(reps);
        if (h)
                libusb_close(h);
        if (ctx)
                libusb_exit(ctx);
        if (console_started) {
                atomic_store(&con.stop, true);
                pthread_join(con.thread, NULL);
        }
        if (tb)
                umockdev_testbed_detach_ioctl(tb, DEVNODE, NULL);
        g_clear_object(&handler);
        g_clear_object(&tb);
        model_clear(&m);
        g_free(desc);
        return failures;
}

int main(int argc, char **argv) {
        const char *v = argc > 1 ? argv[1] : "open";
        uint16_t total = sizeof(cfg_desc);

        const char *preload = getenv("LD_PRELOAD");

        /* umockdev_in_mock_environment() only says whether a testbed exists
         * yet; what matters here is that the preload library is loaded. */
        if (!preload || !strstr(preload, "libumockdev-preload")) {
                printf("SKIP: not running under umockdev-wrapper (LD_PRELOAD=libumockdev-preload.so.0)\n");
                return 77;
        }
        cfg_desc[2] = total & 0xff;
        cfg_desc[3] = total >> 8;

        if (strcmp(v, "open") == 0)
                run(false, false);
        else if (strcmp(v, "locked") == 0)
                run(true, true);
        else if (strcmp(v, "flipped") == 0)
                run(false, true);
        else if (strcmp(v, "flipped-locked") == 0)
                run(true, false);
        else {
                fprintf(stderr, "usage: %s open|locked|flipped|flipped-locked\n", argv[0]);
                return 2;
        }
        /* The flipped variants are judged by CTest on this line: reports
         * from every probe, and assertions that failed. */
        printf("%s: %zu reports, %d failure(s)\n", v, n_reports, failures);
        return failures ? 1 : 0;
}
