/* SPDX-License-Identifier: MIT */
/*
 * rig-usb-ffs MOUNTPOINT [--timeout SECONDS]
 *
 * A minimal FunctionFS function for the rig: writes descriptors (one
 * vendor-specific interface ff/00/00 with a bulk IN and a bulk OUT endpoint,
 * full and high speed) and an en-US interface string to MOUNTPOINT/ep0,
 * prints "ready" (the caller may bind the gadget now), then reads ep0 events
 * until UNBIND or the deadline, printing each ("event BIND", "event ENABLE",
 * ...); class/vendor SETUP requests are stalled. Exit 0 when ENABLE (the
 * host configured the function) was seen, 1 otherwise, 2 usage.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/usb/ch9.h>
#include <linux/usb/functionfs.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/macros.h"
#include "common/timeutil.h"

#define FFS_STRING "certbench rig ffs"

struct ffs_func_descs {
        struct usb_interface_descriptor intf;
        struct usb_endpoint_descriptor_no_audio in, out;
} __attribute__((packed));

static const char *const event_names[] = {
        [FUNCTIONFS_BIND] = "BIND",       [FUNCTIONFS_UNBIND] = "UNBIND",
        [FUNCTIONFS_ENABLE] = "ENABLE",   [FUNCTIONFS_DISABLE] = "DISABLE",
        [FUNCTIONFS_SETUP] = "SETUP",     [FUNCTIONFS_SUSPEND] = "SUSPEND",
        [FUNCTIONFS_RESUME] = "RESUME",
};

static int write_all(int fd, const void *p, size_t n) {
        ssize_t l = write(fd, p, n);

        if (l < 0)
                return negative_errno();
        return (size_t) l == n ? 0 : -EIO;
}

/* Built at run time: htole32() is not a constant expression. */
static int ffs_write_descriptors(int ep0) {
        const struct {
                struct usb_functionfs_descs_head_v2 header;
                __le32 fs_count, hs_count;
                struct ffs_func_descs fs, hs;
        } __attribute__((packed)) ffs_descriptors = {
                .header = {
                        .magic = htole32(FUNCTIONFS_DESCRIPTORS_MAGIC_V2),
                        .length = htole32(sizeof(ffs_descriptors)),
                        .flags = htole32(FUNCTIONFS_HAS_FS_DESC | FUNCTIONFS_HAS_HS_DESC),
                },
                .fs_count = htole32(3),
                .hs_count = htole32(3),
        #define FFS_DESCS(mps)                                                                              \
                {                                                                                           \
                        .intf = { .bLength = sizeof(struct usb_interface_descriptor),                      \
                                  .bDescriptorType = USB_DT_INTERFACE, .bNumEndpoints = 2,                  \
                                  .bInterfaceClass = USB_CLASS_VENDOR_SPEC, .iInterface = 1 },              \
                        .in = { .bLength = sizeof(struct usb_endpoint_descriptor_no_audio),                \
                                .bDescriptorType = USB_DT_ENDPOINT, .bEndpointAddress = 1 | USB_DIR_IN,     \
                                .bmAttributes = USB_ENDPOINT_XFER_BULK, .wMaxPacketSize = htole16(mps) },   \
                        .out = { .bLength = sizeof(struct usb_endpoint_descriptor_no_audio),               \
                                 .bDescriptorType = USB_DT_ENDPOINT, .bEndpointAddress = 2 | USB_DIR_OUT,   \
                                 .bmAttributes = USB_ENDPOINT_XFER_BULK, .wMaxPacketSize = htole16(mps) },  \
                }
                .fs = FFS_DESCS(64),
                .hs = FFS_DESCS(512),
        };

        const struct {
                struct usb_functionfs_strings_head header;
                struct {
                        __le16 code;
                        char str1[sizeof(FFS_STRING)];
                } __attribute__((packed)) lang0;
        } __attribute__((packed)) ffs_strings = {
                .header = {
                        .magic = htole32(FUNCTIONFS_STRINGS_MAGIC),
                        .length = htole32(sizeof(ffs_strings)),
                        .str_count = htole32(1),
                        .lang_count = htole32(1),
                },
                .lang0 = { htole16(0x0409), FFS_STRING },
        };
        int r = write_all(ep0, &ffs_descriptors, sizeof(ffs_descriptors));

        return r < 0 ? r : write_all(ep0, &ffs_strings, sizeof(ffs_strings));
}

int main(int argc, char **argv) {
        _cleanup_close_ int ep0 = -1;
        _cleanup_free_ char *path = NULL;
        double timeout = 30;
        bool enabled = false, unbound = false;
        usec_t deadline;
        int r;

        if (argc != 2 && !(argc == 4 && strcmp(argv[2], "--timeout") == 0)) {
                fprintf(stderr, "usage: rig-usb-ffs MOUNTPOINT [--timeout SECONDS]\n");
                return 2;
        }
        if (argc == 4) {
                char *end;

                timeout = strtod(argv[3], &end);
                if (*end || !(timeout > 0 && timeout < 86400)) {
                        fprintf(stderr, "rig-usb-ffs: bad timeout %s\n", argv[3]);
                        return 2;
                }
        }
        deadline = deadline_in((usec_t) (timeout * (double) USEC_PER_SEC));
        if (asprintf(&path, "%s/ep0", argv[1]) < 0)
                return 1;
        ep0 = open(path, O_RDWR | O_CLOEXEC);
        if (ep0 < 0) {
                fprintf(stderr, "rig-usb-ffs: open %s: %m\n", path);
                return 1;
        }
        r = ffs_write_descriptors(ep0);
        if (r < 0) {
                fprintf(stderr, "rig-usb-ffs: writing descriptors: %s\n", strerror(-r));
                return 1;
        }
        printf("ready\n");
        fflush(stdout);

        while (!unbound) {
                struct usb_functionfs_event ev[4];
                struct pollfd p = { .fd = ep0, .events = POLLIN };
                int ms = deadline_poll_ms(deadline);
                ssize_t n;

                if (ms == 0)
                        break;
                r = poll(&p, 1, ms);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0) {
                        fprintf(stderr, "rig-usb-ffs: poll: %m\n");
                        return 1;
                }
                if (r == 0)
                        break;
                n = read(ep0, ev, sizeof(ev));
                if (n < 0 && (errno == EINTR || errno == EAGAIN))
                        continue;
                if (n < 0) {
                        fprintf(stderr, "rig-usb-ffs: read ep0: %m\n");
                        return 1;
                }
                for (size_t i = 0; i < (size_t) n / sizeof(ev[0]); i++) {
                        unsigned t = ev[i].type;

                        printf("event %s\n", t < ELEMENTSOF(event_names) && event_names[t] ? event_names[t] : "?");
                        if (t == FUNCTIONFS_ENABLE)
                                enabled = true;
                        else if (t == FUNCTIONFS_UNBIND)
                                unbound = true;
                        else if (t == FUNCTIONFS_SETUP) {
                                /* Stall: a read for an OUT request or a
                                 * write for an IN one, in the wrong
                                 * direction, halts ep0. */
                                if (ev[i].u.setup.bRequestType & USB_DIR_IN)
                                        (void) !read(ep0, NULL, 0);
                                else
                                        (void) !write(ep0, NULL, 0);
                        }
                }
                fflush(stdout);
        }
        printf("%s\n", enabled ? "enabled" : "never enabled");
        return enabled ? 0 : 1;
}
