/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rig-usb-ffs-adb MOUNTPOINT [--timeout SECONDS]
 *
 * The ADB-like function of the simulated non-compliant DUT
 * (tests/rig/usb-cases): a FunctionFS function with one interface
 * ff/42/01 (vendor-specific, subclass 0x42, protocol 1: what adbd
 * presents) and a bulk IN + bulk OUT endpoint, full and high speed, with
 * the interface string "ADB Interface". Writes the descriptors and strings
 * to MOUNTPOINT/ep0, prints "ready" (the gadget may be bound now), then
 * keeps ep0 open across any number of unbind/bind cycles (the DUT's power
 * cycles), stalling class/vendor requests, until the deadline or SIGTERM.
 * It speaks no ADB: D-6 only looks at the descriptors.
 * Exit 0 at the deadline or on SIGTERM, 1 on an error, 2 usage.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/usb/ch9.h>
#include <linux/usb/functionfs.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "common/macros.h"
#include "common/timeutil.h"

#define ADB_STRING "ADB Interface"

struct adb_descs {
        struct usb_interface_descriptor intf;
        struct usb_endpoint_descriptor_no_audio in, out;
} __attribute__((packed));

static struct adb_descs adb_descs(uint16_t mps) {
        return (struct adb_descs) {
                .intf = { .bLength = sizeof(struct usb_interface_descriptor), .bDescriptorType = USB_DT_INTERFACE,
                          .bNumEndpoints = 2, .bInterfaceClass = USB_CLASS_VENDOR_SPEC,
                          .bInterfaceSubClass = 0x42, .bInterfaceProtocol = 0x01, .iInterface = 1 },
                .in = { .bLength = sizeof(struct usb_endpoint_descriptor_no_audio),
                        .bDescriptorType = USB_DT_ENDPOINT, .bEndpointAddress = 1 | USB_DIR_IN,
                        .bmAttributes = USB_ENDPOINT_XFER_BULK, .wMaxPacketSize = htole16(mps) },
                .out = { .bLength = sizeof(struct usb_endpoint_descriptor_no_audio),
                         .bDescriptorType = USB_DT_ENDPOINT, .bEndpointAddress = 2 | USB_DIR_OUT,
                         .bmAttributes = USB_ENDPOINT_XFER_BULK, .wMaxPacketSize = htole16(mps) },
        };
}

static int write_exact(int fd, const void *p, size_t n) {
        ssize_t l = write(fd, p, n);

        if (l < 0)
                return -errno;
        return (size_t) l == n ? 0 : -EIO;
}

static int write_descriptors(int ep0) {
        struct {
                struct usb_functionfs_descs_head_v2 header;
                __le32 fs_count, hs_count;
                struct adb_descs fs, hs;
        } __attribute__((packed)) d = {
                .header = { .magic = htole32(FUNCTIONFS_DESCRIPTORS_MAGIC_V2), .length = htole32(sizeof(d)),
                            .flags = htole32(FUNCTIONFS_HAS_FS_DESC | FUNCTIONFS_HAS_HS_DESC) },
                .fs_count = htole32(3),
                .hs_count = htole32(3),
        };
        struct {
                struct usb_functionfs_strings_head header;
                __le16 code;
                char str[sizeof(ADB_STRING)];
        } __attribute__((packed)) s = {
                .header = { .magic = htole32(FUNCTIONFS_STRINGS_MAGIC), .length = htole32(sizeof(s)),
                            .str_count = htole32(1), .lang_count = htole32(1) },
                .code = htole16(0x0409),
                .str = ADB_STRING,
        };
        int r;

        d.fs = adb_descs(64);
        d.hs = adb_descs(512);
        r = write_exact(ep0, &d, sizeof(d));
        return r < 0 ? r : write_exact(ep0, &s, sizeof(s));
}

int main(int argc, char **argv) {
        _cleanup_close_ int ep0 = -EBADF, sfd = -EBADF;
        _cleanup_free_ char *path = NULL;
        double timeout = 300;
        usec_t deadline;
        sigset_t mask;
        int r;

        if (argc != 2 && !(argc == 4 && strcmp(argv[2], "--timeout") == 0)) {
                fprintf(stderr, "usage: rig-usb-ffs-adb MOUNTPOINT [--timeout SECONDS]\n");
                return 2;
        }
        if (argc == 4) {
                char *end;
                timeout = strtod(argv[3], &end);
                if (*end || !(timeout > 0 && timeout < 86400)) {
                        fprintf(stderr, "rig-usb-ffs-adb: bad timeout %s\n", argv[3]);
                        return 2;
                }
        }
        deadline = deadline_in((usec_t) (timeout * (double) USEC_PER_SEC));
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        sfd = signalfd(-1, &mask, SFD_CLOEXEC);
        if (sfd < 0 || asprintf(&path, "%s/ep0", argv[1]) < 0)
                return 1;
        ep0 = open(path, O_RDWR | O_CLOEXEC);
        if (ep0 < 0) {
                fprintf(stderr, "rig-usb-ffs-adb: open %s: %m\n", path);
                return 1;
        }
        r = write_descriptors(ep0);
        if (r < 0) {
                fprintf(stderr, "rig-usb-ffs-adb: writing descriptors: %s\n", strerror(-r));
                return 1;
        }
        printf("ready\n");
        fflush(stdout);

        for (;;) {
                struct usb_functionfs_event ev[4];
                struct pollfd p[2] = { { .fd = ep0, .events = POLLIN }, { .fd = sfd, .events = POLLIN } };
                int ms = deadline_poll_ms(deadline);
                ssize_t n;

                if (ms == 0)
                        return 0;
                r = poll(p, 2, ms);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0)
                        return 1;
                if (r == 0 || p[1].revents)
                        return 0;
                n = read(ep0, ev, sizeof(ev));
                if (n < 0 && (errno == EINTR || errno == EAGAIN))
                        continue;
                if (n < 0) {
                        fprintf(stderr, "rig-usb-ffs-adb: read ep0: %m\n");
                        return 1;
                }
                for (size_t i = 0; i < (size_t) n / sizeof(ev[0]); i++) {
                        printf("event %u\n", ev[i].type);
                        /* Stall a request by answering in the wrong direction. */
                        if (ev[i].type == FUNCTIONFS_SETUP) {
                                if (ev[i].u.setup.bRequestType & USB_DIR_IN)
                                        (void) !read(ep0, NULL, 0);
                                else
                                        (void) !write(ep0, NULL, 0);
                        }
                }
                fflush(stdout);
        }
}
