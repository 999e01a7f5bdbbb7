/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rig-usb-probe VID:PID [--declare NAME]... [--timeout SECONDS] [--banner-ms MS]
 *
 * Waits (until the timeout) for the device to enumerate, then runs the D-7
 * probes (drivers/usb/probe.h, the same functions usb.access calls) on every
 * interface and prints one line per probe:
 *   if=N kind=cdc-acm verdict=FAIL reason=...
 * followed by its details indented ("  key=value"). Exit 0 when probed
 * (whatever the verdicts), 1 on a bench error, 2 usage, 3 not found.
 */
#include <errno.h>
#include <libusb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/macros.h"
#include "common/timeutil.h"
#include "drivers/usb/probe.h"

#define DECLARED_MAX 16

static void usage(void) {
        fprintf(stderr, "usage: rig-usb-probe VID:PID [--declare NAME]... [--timeout SECONDS] [--banner-ms MS]\n");
        exit(2);
}

/* A fresh context per round: without udev, libusb's device list is only
 * read at libusb_init. */
static int find(uint16_t vid, uint16_t pid, usec_t deadline, libusb_context **ret_ctx,
                libusb_device_handle **ret_h) {
        for (;;) {
                libusb_context *ctx = NULL;
                libusb_device **list = NULL;
                libusb_device_handle *h = NULL;
                ssize_t n;

                if (libusb_init(&ctx) < 0)
                        return -EIO;
                n = libusb_get_device_list(ctx, &list);
                for (ssize_t i = 0; i < n && !h; i++) {
                        struct libusb_device_descriptor d;

                        if (libusb_get_device_descriptor(list[i], &d) == 0 && d.idVendor == vid &&
                            d.idProduct == pid && libusb_open(list[i], &h) < 0)
                                h = NULL;
                }
                if (n >= 0)
                        libusb_free_device_list(list, 1);
                if (h) {
                        *ret_ctx = ctx;
                        *ret_h = h;
                        return 0;
                }
                libusb_exit(ctx);
                if (deadline_poll_ms(deadline) == 0)
                        return -ETIMEDOUT;
                (void) poll(NULL, 0, deadline_poll_ms(deadline) < 50 ? deadline_poll_ms(deadline) : 50);
        }
}

int main(int argc, char **argv) {
        const char *declared[DECLARED_MAX];
        struct usbprobe_opts o = { .declared = declared };
        struct usbprobe_report **reps = NULL;
        libusb_context *ctx = NULL;
        libusb_device_handle *h = NULL;
        unsigned vid, pid;
        double timeout = 20;
        size_t n = 0;
        usec_t deadline;
        char extra;
        int r;

        if (argc < 2 || sscanf(argv[1], "%4x:%4x%c", &vid, &pid, &extra) != 2)
                usage();
        for (int i = 2; i < argc; i++) {
                if (i + 1 >= argc)
                        usage();
                if (strcmp(argv[i], "--declare") == 0 && o.n_declared < DECLARED_MAX)
                        declared[o.n_declared++] = argv[++i];
                else if (strcmp(argv[i], "--timeout") == 0)
                        timeout = atof(argv[++i]);
                else if (strcmp(argv[i], "--banner-ms") == 0)
                        o.banner_usec = (usec_t) atoi(argv[++i]) * USEC_PER_MSEC;
                else
                        usage();
        }
        if (!(timeout > 0 && timeout < 3600))
                usage();
        deadline = deadline_in((usec_t) (timeout * (double) USEC_PER_SEC));
        r = find((uint16_t) vid, (uint16_t) pid, deadline, &ctx, &h);
        if (r < 0) {
                fprintf(stderr, "rig-usb-probe: %04x:%04x: %s\n", vid, pid, strerror(-r));
                return r == -ETIMEDOUT ? 3 : 1;
        }
        r = usbprobe_device(h, &o, deadline, &reps, &n);
        if (r < 0) {
                fprintf(stderr, "rig-usb-probe: probing: %s\n", strerror(-r));
                libusb_close(h);
                libusb_exit(ctx);
                return 1;
        }
        for (size_t i = 0; i < n; i++) {
                const char *d = reps[i]->details;

                printf("if=%u kind=%s verdict=%s reason=%s\n", reps[i]->interface,
                       strna(usbdesc_function_name(reps[i]->kind)), usbprobe_verdict_name(reps[i]->verdict),
                       strna(reps[i]->reason));
                while (d && *d) {
                        const char *e = strchr(d, '\n');
                        int len = e ? (int) (e - d) : (int) strlen(d);

                        printf("  %.*s\n", len, d);
                        d += len + (e ? 1 : 0);
                }
                printf("  raw_bytes=%zu\n", reps[i]->n_raw);
                usbprobe_report_free(reps[i]);
        }
        free(reps);
        fflush(stdout);
        libusb_close(h);
        libusb_exit(ctx);
        return 0;
}
