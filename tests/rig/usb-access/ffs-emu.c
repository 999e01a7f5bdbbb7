/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rig-ffs-emu --ffs DIR --kind KIND [--timeout SECONDS]
 *
 * A DUT function on a FunctionFS instance, for the D-7 rig tests:
 *   adb-open     vendor interface ff/42/01, bulk IN + OUT; answers CNXN with
 *                CNXN (an adbd without authentication)
 *   adb-secure   the same, answering CNXN with AUTH TOKEN (20 random bytes)
 *   dfu-upload   DFU mode interface fe/01/02 with a DFU 1.1 functional
 *                descriptor (bitCanUpload); GETSTATUS, GETSTATE, ABORT,
 *                CLRSTATUS, and UPLOAD handing out 4 blocks of "firmware"
 *   dfu-stall    the same without bitCanUpload; UPLOAD is stalled
 *                (status errSTALLEDPKT, state dfuERROR, as DFU 1.1 says)
 * Writes descriptors and strings to DIR/ep0, prints "ready" (bind the
 * gadget now), logs each request on stderr, ends at the timeout or SIGTERM.
 * Every other request is stalled.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/usb/ch9.h>
#include <linux/usb/functionfs.h>

#include "common/timeutil.h"
#include "drivers/usb/probe.h"

enum kind { ADB_OPEN, ADB_SECURE, DFU_UPLOAD, DFU_STALL };

struct emu {
        enum kind kind;
        const char *dir;
        int ep0;
        uint8_t dfu_state, dfu_status;
        unsigned upload_block;
};

static bool is_adb(const struct emu *e) {
        return e->kind == ADB_OPEN || e->kind == ADB_SECURE;
}

static int write_descriptors(struct emu *e, bool functional) {
        uint8_t d[128], s[64];
        size_t n, sn;
        const char name[] = "certbench rig emulated function";
        uint32_t head[5] = { htole32(FUNCTIONFS_DESCRIPTORS_MAGIC_V2), 0,
                             htole32(FUNCTIONFS_HAS_FS_DESC | FUNCTIONFS_HAS_HS_DESC), 0, 0 };
        uint32_t shead[4] = { htole32(FUNCTIONFS_STRINGS_MAGIC), 0, htole32(1), htole32(1) };

        n = sizeof(head);
        for (int speed = 0; speed < 2; speed++) {
                if (is_adb(e)) {
                        const uint8_t intf[9] = { 9, USB_DT_INTERFACE, 0, 0, 2, 0xff, 0x42, 0x01, 1 };
                        const uint8_t mps_lo = speed ? 0x00 : 64, mps_hi = speed ? 0x02 : 0;
                        const uint8_t in[7] = { 7, USB_DT_ENDPOINT, USB_DIR_IN | 1, USB_ENDPOINT_XFER_BULK,
                                                mps_lo, mps_hi, 0 };
                        const uint8_t out[7] = { 7, USB_DT_ENDPOINT, USB_DIR_OUT | 2, USB_ENDPOINT_XFER_BULK,
                                                 mps_lo, mps_hi, 0 };
                        memcpy(d + n, intf, 9), n += 9;
                        memcpy(d + n, in, 7), n += 7;
                        memcpy(d + n, out, 7), n += 7;
                } else {
                        const uint8_t intf[9] = { 9, USB_DT_INTERFACE, 0, 0, 0, 0xfe, 0x01, 0x02, 1 };
                        /* DFU 1.1 functional: attributes, wDetachTimeOut 255 ms,
                         * wTransferSize 1024, bcdDFUVersion 1.10. 9 bytes, type
                         * 0x21: FunctionFS takes it as it takes a HID descriptor. */
                        const uint8_t func[9] = { 9, USBPROBE_DFU_FUNCTIONAL_TYPE,
                                                  e->kind == DFU_UPLOAD ? 0x0b : 0x09, 0xff, 0x00, 0x00, 0x04,
                                                  0x10, 0x01 };
                        memcpy(d + n, intf, 9), n += 9;
                        if (functional)
                                memcpy(d + n, func, 9), n += 9;
                }
        }
        head[1] = htole32((uint32_t) n);
        head[3] = head[4] = htole32(is_adb(e) ? 3 : functional ? 2 : 1);
        memcpy(d, head, sizeof(head));

        sn = sizeof(shead);
        s[sn++] = 0x09, s[sn++] = 0x04;
        memcpy(s + sn, name, sizeof(name)), sn += sizeof(name);
        shead[1] = htole32((uint32_t) sn);
        memcpy(s, shead, sizeof(shead));
        if (write(e->ep0, d, n) != (ssize_t) n)
                return -errno;
        if (write(e->ep0, s, sn) != (ssize_t) sn) {
                fprintf(stderr, "rig-ffs-emu: writing strings: %m\n");
                return -EIO;
        }
        return 0;
}

/* adbd: blocking reads on the OUT endpoint (ep2), answers on IN (ep1). */
static void *adb_thread(void *arg) {
        struct emu *e = arg;
        char path[4096];
        int in, out;

        snprintf(path, sizeof(path), "%s/ep1", e->dir);
        in = open(path, O_RDWR | O_CLOEXEC);
        snprintf(path, sizeof(path), "%s/ep2", e->dir);
        out = open(path, O_RDWR | O_CLOEXEC);
        if (in < 0 || out < 0) {
                fprintf(stderr, "rig-ffs-emu: opening endpoints: %m\n");
                return NULL;
        }
        for (;;) {
                uint8_t buf[512], hdr[USBPROBE_ADB_HEADER_SIZE];
                struct usbprobe_adb_msg m;
                ssize_t n = read(out, buf, sizeof(buf));

                if (n < 0 && (errno == EINTR || errno == ESHUTDOWN || errno == EAGAIN))
                        continue;   /* ESHUTDOWN: disabled for now (re-enumeration) */
                if (n < 0) {
                        fprintf(stderr, "rig-ffs-emu: adb read: %m\n");
                        return NULL;
                }
                if (usbprobe_adb_header_parse(buf, (size_t) n, &m) < 0)
                        continue;   /* a payload, or noise */
                fprintf(stderr, "rig-ffs-emu: adb %.4s arg0=0x%08x data_length=%u\n", (char *) buf, m.arg0,
                        m.data_length);
                if (m.command != USBPROBE_ADB_CNXN)
                        continue;
                if (m.data_length > 0 && (size_t) n == USBPROBE_ADB_HEADER_SIZE)
                        (void) read(out, buf, sizeof(buf));   /* the host banner */
                if (e->kind == ADB_OPEN) {
                        static const uint8_t banner[] = "device::ro.product.name=rig;ro.product.model=certbench;";

                        usbprobe_adb_header_build(USBPROBE_ADB_CNXN, USBPROBE_ADB_VERSION, USBPROBE_ADB_MAXDATA,
                                                  banner, sizeof(banner), hdr);
                        if (write(in, hdr, sizeof(hdr)) < 0 || write(in, banner, sizeof(banner)) < 0)
                                fprintf(stderr, "rig-ffs-emu: adb write: %m\n");
                } else {
                        uint8_t token[20];

                        for (size_t i = 0; i < sizeof(token); i++)
                                token[i] = (uint8_t) (mono_now() >> (i % 8));
                        usbprobe_adb_header_build(USBPROBE_ADB_AUTH, USBPROBE_ADB_AUTH_TOKEN, 0, token,
                                                  sizeof(token), hdr);
                        if (write(in, hdr, sizeof(hdr)) < 0 || write(in, token, sizeof(token)) < 0)
                                fprintf(stderr, "rig-ffs-emu: adb write: %m\n");
                }
        }
}

static void ep0_stall(struct emu *e, const struct usb_ctrlrequest *c) {
        uint8_t dummy;
        ssize_t n = c->bRequestType & USB_DIR_IN ? read(e->ep0, &dummy, 0) : write(e->ep0, &dummy, 0);

        if (n < 0 && errno != EL2HLT && errno != EIDRM)
                fprintf(stderr, "rig-ffs-emu: stall: %m\n");
}

static void ep0_in(struct emu *e, const struct usb_ctrlrequest *c, const void *data, size_t len) {
        if (len > le16toh(c->wLength))
                len = le16toh(c->wLength);
        if (write(e->ep0, data, len) < 0 && errno != EIDRM)
                fprintf(stderr, "rig-ffs-emu: ep0 reply: %m\n");
}

static void ep0_ack(struct emu *e) {
        uint8_t dummy;

        if (read(e->ep0, &dummy, 0) < 0 && errno != EIDRM)
                fprintf(stderr, "rig-ffs-emu: ep0 ack: %m\n");
}

static void dfu_setup(struct emu *e, const struct usb_ctrlrequest *c) {
        bool in = c->bRequestType & USB_DIR_IN;
        uint8_t buf[4096];

        if ((c->bRequestType & USB_TYPE_MASK) != USB_TYPE_CLASS ||
            (c->bRequestType & USB_RECIP_MASK) != USB_RECIP_INTERFACE) {
                ep0_stall(e, c);
                return;
        }
        fprintf(stderr, "rig-ffs-emu: dfu request %u wValue %u wLength %u\n", c->bRequest, le16toh(c->wValue),
                le16toh(c->wLength));
        switch (c->bRequest) {
        case USBPROBE_DFU_GETSTATUS: {
                const uint8_t st[6] = { e->dfu_status, 0, 0, 0, e->dfu_state, 0 };

                if (in)
                        ep0_in(e, c, st, sizeof(st));
                else
                        ep0_stall(e, c);
                return;
        }
        case USBPROBE_DFU_GETSTATE:
                if (in)
                        ep0_in(e, c, &e->dfu_state, 1);
                else
                        ep0_stall(e, c);
                return;
        case USBPROBE_DFU_UPLOAD: {
                size_t len = le16toh(c->wLength) < sizeof(buf) ? le16toh(c->wLength) : sizeof(buf);

                if (!in || e->kind != DFU_UPLOAD) {
                        e->dfu_state = 10, e->dfu_status = 0x0f;   /* dfuERROR, errSTALLEDPKT */
                        ep0_stall(e, c);
                        return;
                }
                if (e->upload_block++ >= 4) {
                        len = 0;   /* short frame: end of the image */
                        e->dfu_state = 2;
                } else
                        e->dfu_state = 9;   /* dfuUPLOAD-IDLE */
                for (size_t i = 0; i < len; i++)
                        buf[i] = (uint8_t) "CERTBENCH-FIRMWARE"[i % 18];
                ep0_in(e, c, buf, len);
                return;
        }
        case USBPROBE_DFU_ABORT:
        case USBPROBE_DFU_CLRSTATUS:
                if (in) {
                        ep0_stall(e, c);
                        return;
                }
                e->dfu_state = 2, e->dfu_status = 0, e->upload_block = 0;
                ep0_ack(e);
                return;
        default:
                ep0_stall(e, c);
                return;
        }
}

int main(int argc, char **argv) {
        struct emu e = { .ep0 = -1, .dfu_state = 2 };
        const char *kind = NULL;
        char path[4096];
        double timeout = 120;
        usec_t deadline;
        pthread_t t;
        int r;

        for (int i = 1; i + 1 < argc; i += 2) {
                if (strcmp(argv[i], "--ffs") == 0)
                        e.dir = argv[i + 1];
                else if (strcmp(argv[i], "--kind") == 0)
                        kind = argv[i + 1];
                else if (strcmp(argv[i], "--timeout") == 0)
                        timeout = atof(argv[i + 1]);
        }
        if (!e.dir || !kind || argc % 2 != 1) {
                fprintf(stderr, "usage: rig-ffs-emu --ffs DIR --kind adb-open|adb-secure|dfu-upload|dfu-stall "
                                "[--timeout SECONDS]\n");
                return 2;
        }
        if (strcmp(kind, "adb-open") == 0)
                e.kind = ADB_OPEN;
        else if (strcmp(kind, "adb-secure") == 0)
                e.kind = ADB_SECURE;
        else if (strcmp(kind, "dfu-upload") == 0)
                e.kind = DFU_UPLOAD;
        else if (strcmp(kind, "dfu-stall") == 0)
                e.kind = DFU_STALL;
        else
                return 2;
        deadline = deadline_in((usec_t) (timeout * (double) USEC_PER_SEC));
        snprintf(path, sizeof(path), "%s/ep0", e.dir);
        e.ep0 = open(path, O_RDWR | O_CLOEXEC);
        if (e.ep0 < 0) {
                fprintf(stderr, "rig-ffs-emu: %s: %m\n", path);
                return 1;
        }
        r = write_descriptors(&e, true);
        if (r == -EINVAL && !is_adb(&e)) {
                /* FunctionFS takes a DFU functional descriptor from Linux
                 * 6.12 on; older kernels refuse it. Go on without (the
                 * probe then falls back to a 1024-byte UPLOAD). */
                fprintf(stderr, "rig-ffs-emu: kernel refused the DFU functional descriptor; without it\n");
                close(e.ep0);
                e.ep0 = open(path, O_RDWR | O_CLOEXEC);
                r = e.ep0 < 0 ? -errno : write_descriptors(&e, false);
        }
        if (r < 0) {
                fprintf(stderr, "rig-ffs-emu: writing descriptors: %s\n", strerror(-r));
                return 1;
        }
        if (is_adb(&e) && pthread_create(&t, NULL, adb_thread, &e) != 0)
                return 1;
        printf("ready\n");
        fflush(stdout);
        for (;;) {
                struct pollfd p = { .fd = e.ep0, .events = POLLIN };
                struct usb_functionfs_event ev;
                ssize_t n;

                r = poll(&p, 1, deadline_poll_ms(deadline));
                if (r < 0 && errno == EINTR)
                        continue;
                if (r <= 0)
                        return r < 0;
                n = read(e.ep0, &ev, sizeof(ev));
                if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EIDRM))
                        continue;
                if (n != (ssize_t) sizeof(ev)) {
                        fprintf(stderr, "rig-ffs-emu: ep0 read: %m\n");
                        return 1;
                }
                if (ev.type == FUNCTIONFS_SETUP) {
                        if (is_adb(&e))
                                ep0_stall(&e, &ev.u.setup);
                        else
                                dfu_setup(&e, &ev.u.setup);
                } else if (ev.type == FUNCTIONFS_ENABLE)
                        fprintf(stderr, "rig-ffs-emu: enabled (%s)\n", kind);
        }
}
