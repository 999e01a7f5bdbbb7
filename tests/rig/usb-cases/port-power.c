/* SPDX-License-Identifier: MIT */
/*
 * rig-usb-port-power PORT VID:PID
 *
 * In the kernel rig (dummy_hcd): proves drivers/usb's usb_port_power()
 * re-enumerates the device at PORT (a root-hub port "N-1" of dummy_hcd, or
 * any "BUS-PORT[.PORT...]"):
 *   1. usb_device_find(PORT) within 10 s, and its VID:PID is the expected one
 *   2. usb_port_power(PORT, false): the device leaves (the sysfs node goes,
 *      usb_device_find with a 500 ms deadline gives -ETIMEDOUT)
 *   3. usb_port_power(PORT, true): usb_device_find(PORT) succeeds within 10 s
 * Prints the disable file it writes and each step's time; on any failure
 * prints "FAIL: ..." (with the port's `disable` value and sysfs state).
 * Leaves the port powered. Exit 0 pass, 1 fail, 2 usage.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/timeutil.h"
#include "drivers/usb/usb.h"

static void dump_port(const char *disable, const char *port) {
        char dev[256], buf[16] = "";
        struct stat st;
        FILE *f = fopen(disable, "re");

        if (f) {
                if (!fgets(buf, sizeof buf, f))
                        buf[0] = 0;
                fclose(f);
                buf[strcspn(buf, "\n")] = 0;
        }
        snprintf(dev, sizeof dev, "/sys/bus/usb/devices/%s", port);
        printf("  state: %s %s; %s %s\n", disable, f ? buf : "(unreadable)", dev,
               stat(dev, &st) >= 0 ? "present" : "absent");
}

static long ms_since(usec_t t) {
        return (long) ((mono_now() - t) / USEC_PER_MSEC);
}

int main(int argc, char **argv) {
        struct usb_match m = {};
        struct usb_device *d = NULL;
        unsigned vid, pid;
        char *disable = NULL, dev[256];
        struct stat st;
        usec_t t;
        int r, fails = 0;

        if (argc != 3 || sscanf(argv[2], "%x:%x", &vid, &pid) != 2 || !usb_port_path_valid(argv[1])) {
                fprintf(stderr, "usage: rig-usb-port-power BUS-PORT VID:PID\n");
                return 2;
        }
        m.port_path = argv[1];
        r = usb_port_disable_path(argv[1], &disable);
        if (r < 0) {
                printf("FAIL: usb_port_disable_path(%s): %s\n", argv[1], strerror(-r));
                return 1;
        }
        snprintf(dev, sizeof dev, "/sys/bus/usb/devices/%s", argv[1]);
        printf("port %s: disable file %s (%s)\n", argv[1], disable,
               stat(disable, &st) >= 0 ? "exists" : "MISSING");

        /* 1. present */
        t = mono_now();
        r = usb_device_find(&m, deadline_in(10 * USEC_PER_SEC), &d);
        if (r < 0) {
                printf("FAIL: usb_device_find(%s) before: %s\n", argv[1], strerror(-r));
                dump_port(disable, argv[1]);
                free(disable);
                return 1;
        }
        printf("found %04x:%04x at %s in %ld ms\n", usb_device_vendor_id(d), usb_device_product_id(d),
               usb_device_port_path(d), ms_since(t));
        if (usb_device_vendor_id(d) != vid || usb_device_product_id(d) != pid) {
                printf("FAIL: expected %04x:%04x\n", vid, pid);
                fails++;
        }
        d = usb_device_free(d);

        /* 2. off: the device leaves */
        t = mono_now();
        r = usb_port_power(argv[1], false, deadline_in(5 * USEC_PER_SEC));
        printf("usb_port_power(%s, off): %s in %ld ms\n", argv[1], r < 0 ? strerror(-r) : "0", ms_since(t));
        if (r < 0) {
                printf("FAIL: usb_port_power off: %s\n", strerror(-r));
                dump_port(disable, argv[1]);
                free(disable);
                return 1;
        }
        if (stat(dev, &st) >= 0) {
                printf("FAIL: %s still present after power off\n", dev);
                fails++;
        }
        t = mono_now();
        r = usb_device_find(&m, deadline_in(500 * USEC_PER_MSEC), &d);
        printf("usb_device_find while off: %s in %ld ms\n", r < 0 ? strerror(-r) : "found", ms_since(t));
        if (r != -ETIMEDOUT) {
                printf("FAIL: usb_device_find while off gave %s, expected -ETIMEDOUT\n", r < 0 ? strerror(-r) : "a device");
                fails++;
                d = usb_device_free(d);
        }
        dump_port(disable, argv[1]);

        /* 3. on: it enumerates again */
        t = mono_now();
        r = usb_port_power(argv[1], true, deadline_in(5 * USEC_PER_SEC));
        printf("usb_port_power(%s, on): %s in %ld ms\n", argv[1], r < 0 ? strerror(-r) : "0", ms_since(t));
        if (r < 0) {
                printf("FAIL: usb_port_power on: %s\n", strerror(-r));
                fails++;
        }
        r = usb_device_find(&m, deadline_in(10 * USEC_PER_SEC), &d);
        if (r < 0) {
                printf("FAIL: usb_device_find after power on: %s within 10 s\n", strerror(-r));
                dump_port(disable, argv[1]);
                fails++;
        } else {
                printf("re-enumerated %04x:%04x at %s (address %u) %ld ms after power on\n",
                       usb_device_vendor_id(d), usb_device_product_id(d), usb_device_port_path(d),
                       usb_device_address(d), ms_since(t));
                if (usb_device_vendor_id(d) != vid || usb_device_product_id(d) != pid) {
                        printf("FAIL: re-enumerated as %04x:%04x\n", usb_device_vendor_id(d),
                               usb_device_product_id(d));
                        fails++;
                }
                d = usb_device_free(d);
        }
        free(disable);
        if (fails)
                return 1;
        printf("PASS: usb_port_power re-enumerates %s\n", argv[1]);
        return 0;
}
