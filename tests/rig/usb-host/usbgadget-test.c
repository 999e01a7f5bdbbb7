/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* rig-usbgadget-test ROOTHUB: drivers/usbgadget against the real configfs
 * and dummy_hcd in the kernel rig, no class drivers loaded on the host
 * side. ROOTHUB is the host-side root hub's sysfs directory (its
 * "authorized" switches the host on and off). Prints "ok ..." / "not ok
 * ..." per check; exit 0 when all pass. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "drivers/usbgadget/usbgadget.h"

static int failures;

#define CHECK(cond, ...)                                        \
        do {                                                    \
                if (cond)                                       \
                        printf("ok: ");                         \
                else {                                          \
                        printf("not ok: ");                     \
                        failures++;                             \
                }                                               \
                printf(__VA_ARGS__);                            \
                printf("\n");                                   \
        } while (0)

static void authorize(const char *roothub, const char *v) {
        char p[512];
        int fd;

        snprintf(p, sizeof(p), "%s/authorized", roothub);
        fd = open(p, O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, v, 1) != 1)
                printf("not ok: write %s to %s: %m\n", v, p), failures++;
        if (fd >= 0)
                close(fd);
}

static long ms(usec_t a, usec_t b) {
        return (long) ((b - a) / USEC_PER_MSEC);
}

int main(int argc, char **argv) {
        const char *roothub = argc > 1 ? argv[1] : NULL;
        char workdir[] = "/tmp/usbgadget-test-XXXXXX";
        _cleanup_free_ char *udc = NULL;
        struct usbgadget *g = NULL, *g2 = NULL;
        struct usbgadget_use u = {};
        struct stat st;
        int abort_pipe[2], r;
        usec_t t;

        if (!roothub || !mkdtemp(workdir) || pipe2(abort_pipe, O_CLOEXEC) < 0) {
                fprintf(stderr, "usage: rig-usbgadget-test ROOTHUB\n");
                return 2;
        }
        for (int i = 0; i < _USBGADGET_FUNCTION_MAX; i++)
                CHECK(usbgadget_function_from_string(usbgadget_function_to_string(i)) == i, "name %s round trip",
                      usbgadget_function_to_string(i));
        CHECK(usbgadget_function_from_string("mtp") == -EINVAL, "unknown function name is -EINVAL");
        CHECK(usbgadget_udc_default(&udc) == 0 && strcmp(udc, "dummy_udc.0") == 0, "default UDC %s", udc ? udc : "-");
        if (!udc)
                return 1;

        authorize(roothub, "1");
        r = usbgadget_new("cb-test", USBGADGET_ACM, workdir, &g);
        CHECK(r == 0, "acm gadget created (%s)", strerror(-r));
        if (r < 0)
                return 1;
        CHECK(stat("/sys/kernel/config/usb_gadget/cb-test/functions/acm.0", &st) == 0, "acm.0 in configfs");
        CHECK(usbgadget_bind(g, "no_such_udc") == -ENODEV, "bind to an unknown UDC is -ENODEV");
        r = usbgadget_bind(g, udc);
        CHECK(r == 0, "acm bound to %s (%s)", udc, strerror(-r));
        t = mono_now();
        r = usbgadget_wait_configured(g, deadline_in(20 * USEC_PER_SEC), -1);
        CHECK(r == 0, "acm configured by the host in %ld ms (%s)", ms(t, mono_now()), strerror(-r));

        /* A second gadget on the same UDC. */
        r = usbgadget_new("cb-test2", USBGADGET_HID, workdir, &g2);
        CHECK(r == 0, "second gadget created");
        if (r == 0)
                CHECK(usbgadget_bind(g2, udc) == -EBUSY, "bind to a UDC in use is -EBUSY");
        usbgadget_free(g2);
        g2 = NULL;

        /* The observation ends at its deadline without a driver... */
        t = mono_now();
        r = usbgadget_observe(g, t + 300 * USEC_PER_MSEC, abort_pipe[0], &u);
        CHECK(r == 0 && !u.used && ms(t, mono_now()) >= 300 && ms(t, mono_now()) < 1000,
              "acm without cdc_acm: not used, watch ended after %ld ms (deadline 300): %s", ms(t, mono_now()),
              u.signal ? u.signal : strerror(-r));
        usbgadget_use_done(&u);
        usbgadget_free(g);
        g = NULL;
        CHECK(stat("/sys/kernel/config/usb_gadget/cb-test", &st) < 0 && errno == ENOENT, "gadget removed from configfs");

        /* ...and at once on abort. */
        r = usbgadget_new("cb-test", USBGADGET_ECM, workdir, &g);
        if (r == 0)
                r = usbgadget_bind(g, udc);
        if (r == 0)
                r = usbgadget_wait_configured(g, deadline_in(20 * USEC_PER_SEC), -1);
        CHECK(r == 0, "ecm presented and configured (%s)", strerror(-r));
        if (write(abort_pipe[1], "x", 1) != 1)
                return 1;
        t = mono_now();
        r = usbgadget_observe(g, deadline_in(30 * USEC_PER_SEC), abort_pipe[0], &u);
        CHECK(r == -ECANCELED && ms(t, mono_now()) < 200, "observe on abort: %s after %ld ms", strerror(-r),
              ms(t, mono_now()));
        usbgadget_use_done(&u);
        t = mono_now();
        r = usbgadget_wait_configured(g, deadline_in(30 * USEC_PER_SEC), abort_pipe[0]);
        CHECK(r == -ECANCELED || r == 0, "wait_configured with abort pending: %s", strerror(-r));
        usbgadget_free(g);
        g = NULL;
        close(abort_pipe[1]);
        close(abort_pipe[0]);

        /* The host off: dummy_hcd keeps the last "configured"; that must
         * not count as an enumeration of the new gadget. */
        authorize(roothub, "0");
        r = usbgadget_new("cb-test", USBGADGET_HID, workdir, &g);
        if (r == 0)
                r = usbgadget_bind(g, udc);
        CHECK(r == 0, "hid presented to a host that is off (%s)", strerror(-r));
        t = mono_now();
        r = usbgadget_wait_configured(g, t + 1500 * USEC_PER_MSEC, -1);
        CHECK(r == -ETIMEDOUT && ms(t, mono_now()) >= 1500 && ms(t, mono_now()) < 2000,
              "stale UDC state is not an enumeration: %s after %ld ms (deadline 1500)", strerror(-r), ms(t, mono_now()));
        usbgadget_free(g);
        g = NULL;
        authorize(roothub, "1");

        /* uac2 needs isochronous endpoints, which dummy_hcd lacks. */
        r = usbgadget_new("cb-test", USBGADGET_UAC2, workdir, &g);
        if (r == 0)
                r = usbgadget_bind(g, udc);
        CHECK(r == -EOPNOTSUPP, "uac2 on dummy_udc: %s (expected: not supported)", strerror(-r));
        usbgadget_free(g);
        CHECK(rmdir(workdir) == 0, "workdir empty (backing files removed)");

        printf("%s: %d failure(s)\n", failures ? "FAIL" : "PASS", failures);
        return failures ? 1 : 0;
}
