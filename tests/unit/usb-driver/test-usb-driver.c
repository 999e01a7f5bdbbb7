/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * drivers/usb against devices libusb sees through umockdev (run by
 * run-umockdev.sh under umockdev-run and timeout). The expectation comes
 * in CB_USB_EXPECT: "VID:PID PORT-PATH FUNCTION[,FUNCTION...]", the device
 * of the recording to look for and the functions its first configuration
 * must classify to. Every other device of the recording is cross-checked
 * against libusb's own configuration parser. Without UMOCKDEV_DIR only the
 * pure tests run.
 */

#include <check.h>
#include <errno.h>
#include <libusb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/macros.h"
#include "common/timeutil.h"
#include "drivers/usb/usb.h"
#include "lib/usbdesc/usbdesc.h"

static char expect_id[16], expect_path[64], expect_functions[256];

static bool have_expect(void) {
        const char *e = getenv("CB_USB_EXPECT");
        return e && getenv("UMOCKDEV_DIR") &&
               sscanf(e, "%15s %63s %255s", expect_id, expect_path, expect_functions) == 3;
}

START_TEST(test_match_parse) {
        struct usb_match m;

        ck_assert_int_eq(usb_match_parse("1-1.2", &m), 0);
        ck_assert_str_eq(m.port_path, "1-1.2");
        ck_assert_int_eq(usb_match_parse("1d6b:0104", &m), 0);
        ck_assert_ptr_null(m.port_path);
        ck_assert_uint_eq(m.vendor_id, 0x1d6b);
        ck_assert_uint_eq(m.product_id, 0x0104);
        ck_assert_ptr_null(m.serial);
        ck_assert_int_eq(usb_match_parse("1d6b:0104/ABC123", &m), 0);
        ck_assert_str_eq(m.serial, "ABC123");
        ck_assert_int_eq(usb_match_parse("1d6b:0104/", &m), -EINVAL);
        ck_assert_int_eq(usb_match_parse("1d6b:104", &m), -EINVAL);
        ck_assert_int_eq(usb_match_parse("0000:0000", &m), -EINVAL);
        ck_assert_int_eq(usb_match_parse("1-", &m), -EINVAL);
        ck_assert_int_eq(usb_match_parse("1-1..2", &m), -EINVAL);
        ck_assert_int_eq(usb_match_parse("usb1", &m), -EINVAL);
        ck_assert(usb_port_path_valid("3-1.2.3.4.5.6.7"));
        ck_assert(!usb_port_path_valid("3-1.2.3.4.5.6.7.8"));
        ck_assert(!usb_port_path_valid("1-1.2:1.0"));
}
END_TEST

START_TEST(test_port_disable_path) {
        _cleanup_free_ char *a = NULL, *b = NULL, *c = NULL;

        ck_assert_int_eq(usb_port_disable_path("1-1.2", &a), 0);
        ck_assert_str_eq(a, "/sys/bus/usb/devices/1-1/1-1:1.0/1-1-port2/disable");
        ck_assert_int_eq(usb_port_disable_path("2-3", &b), 0);
        ck_assert_str_eq(b, "/sys/bus/usb/devices/usb2/2-0:1.0/usb2-port3/disable");
        ck_assert_int_eq(usb_port_disable_path("10-4.1.7", &c), 0);
        ck_assert_str_eq(c, "/sys/bus/usb/devices/10-4.1/10-4.1:1.0/10-4.1-port7/disable");
        ck_assert_int_eq(usb_port_disable_path("x", &c), -EINVAL);
}
END_TEST

START_TEST(test_errno_map) {
        ck_assert_int_eq(usb_errno(LIBUSB_ERROR_TIMEOUT), -ETIMEDOUT);
        ck_assert_int_eq(usb_errno(LIBUSB_ERROR_NO_DEVICE), -ENODEV);
        ck_assert_int_eq(usb_errno(LIBUSB_ERROR_ACCESS), -EACCES);
        ck_assert_int_eq(usb_errno(LIBUSB_ERROR_PIPE), -EPIPE);
        ck_assert_int_eq(usb_errno(LIBUSB_ERROR_OTHER), -EIO);
        ck_assert_int_eq(usb_errno(7), 7);
}
END_TEST

START_TEST(test_find_refuses_infinite) {
        struct usb_match m = { .vendor_id = 1, .product_id = 1 };
        struct usb_device *d = NULL;

        ck_assert_int_eq(usb_device_find(&m, USEC_INFINITY, &d), -EINVAL);
        m = (struct usb_match) {};
        ck_assert_int_eq(usb_device_find(&m, deadline_in(USEC_PER_SEC), &d), -EINVAL);
        ck_assert_ptr_null(d);
}
END_TEST

/* The functions of configuration 0 as "a,b,c". */
static void functions_of(const struct usbdesc_device *u, char *buf, size_t size) {
        size_t o = 0;

        buf[0] = 0;
        ck_assert_uint_ge(u->n_configs, 1);
        for (size_t i = 0; i < u->configs[0].n_functions; i++)
                o += (size_t) snprintf(buf + o, size - o, "%s%s", i ? "," : "",
                                       usbdesc_function_name(u->configs[0].functions[i].kind));
}

START_TEST(test_find_by_vid_pid) {
        _cleanup_(usb_device_freep) struct usb_device *d = NULL;
        _cleanup_(usb_descriptors_freep) struct usb_descriptors *ds = NULL;
        struct usb_match m;
        char fns[256];

        if (!have_expect())
                return;
        ck_assert_int_eq(usb_match_parse(expect_id, &m), 0);
        ck_assert_int_eq(usb_device_find(&m, deadline_in(5 * USEC_PER_SEC), &d), 0);
        ck_assert_str_eq(usb_device_port_path(d), expect_path);
        ck_assert_uint_eq(usb_device_vendor_id(d), m.vendor_id);
        ck_assert_uint_eq(usb_device_product_id(d), m.product_id);
        ck_assert_int_eq(usb_device_descriptors(d, deadline_in(5 * USEC_PER_SEC), &ds), 0);
        ck_assert(ds->from_sysfs);
        ck_assert_uint_eq(ds->decoded->vendor_id, m.vendor_id);
        ck_assert_uint_eq(ds->decoded->product_id, m.product_id);
        functions_of(ds->decoded, fns, sizeof(fns));
        ck_assert_str_eq(fns, expect_functions);
}
END_TEST

START_TEST(test_find_by_port_path) {
        _cleanup_(usb_device_freep) struct usb_device *d = NULL;
        struct usb_match m;
        char id[16];

        if (!have_expect())
                return;
        ck_assert_int_eq(usb_match_parse(expect_path, &m), 0);
        /* a deadline already passed still gives one scan */
        ck_assert_int_eq(usb_device_find(&m, mono_now(), &d), 0);
        snprintf(id, sizeof(id), "%04x:%04x", usb_device_vendor_id(d), usb_device_product_id(d));
        ck_assert_str_eq(id, expect_id);
}
END_TEST

START_TEST(test_find_absent_times_out) {
        struct usb_match m = { .vendor_id = 0xdead, .product_id = 0xbeef };
        struct usb_device *d = NULL;
        usec_t start, deadline, end;

        if (!have_expect())
                return;
        start = mono_now();
        deadline = start + 300 * USEC_PER_MSEC;
        ck_assert_int_eq(usb_device_find(&m, deadline, &d), -ETIMEDOUT);
        end = mono_now();
        ck_assert_ptr_null(d);
        ck_assert_uint_ge(end, deadline);
        /* Ends at its deadline, not long after (one 50 ms round, plus
         * whatever a loaded machine adds; not a timing benchmark). */
        ck_assert_uint_lt(end - deadline, 2 * USEC_PER_SEC);
        /* a serial that does not match is not the device */
        ck_assert_int_eq(usb_match_parse(expect_id, &m), 0);
        m.serial = "no-such-serial";
        ck_assert_int_eq(usb_device_find(&m, deadline_in(200 * USEC_PER_MSEC), &d), -ETIMEDOUT);
}
END_TEST

/* Every device of the recording: our decoder and libusb's parser agree on
 * the interfaces of every configuration. */
START_TEST(test_all_devices_agree_with_libusb) {
        libusb_context *ctx = NULL;
        libusb_device **list = NULL;
        ssize_t n;
        unsigned checked = 0;

        if (!have_expect())
                return;
        ck_assert_int_eq(libusb_init(&ctx), 0);
        n = libusb_get_device_list(ctx, &list);
        ck_assert_int_gt(n, 0);
        for (ssize_t i = 0; i < n; i++) {
                _cleanup_(usb_device_freep) struct usb_device *d = NULL;
                _cleanup_(usb_descriptors_freep) struct usb_descriptors *ds = NULL;
                struct libusb_device_descriptor desc;
                uint8_t ports[8];
                char path[64];
                int k = libusb_get_port_numbers(list[i], ports, sizeof(ports)), o;
                struct usb_match m = { .port_path = path };

                if (k <= 0)
                        continue;   /* root hub */
                o = snprintf(path, sizeof(path), "%u-%u", libusb_get_bus_number(list[i]), ports[0]);
                for (int j = 1; j < k; j++)
                        o += snprintf(path + o, sizeof(path) - (size_t) o, ".%u", ports[j]);
                ck_assert_int_eq(usb_device_find(&m, deadline_in(USEC_PER_SEC), &d), 0);
                ck_assert_int_eq(usb_device_descriptors(d, deadline_in(5 * USEC_PER_SEC), &ds), 0);
                ck_assert_int_eq(libusb_get_device_descriptor(list[i], &desc), 0);
                ck_assert_uint_eq(ds->decoded->vendor_id, desc.idVendor);
                ck_assert_uint_eq(ds->decoded->n_configs, desc.bNumConfigurations);
                for (uint8_t c = 0; c < desc.bNumConfigurations; c++) {
                        struct libusb_config_descriptor *cfg = NULL;
                        const struct usbdesc_config *uc = &ds->decoded->configs[c];
                        size_t alts = 0;

                        ck_assert_int_eq(libusb_get_config_descriptor(list[i], c, &cfg), 0);
                        ck_assert_uint_eq(uc->value, cfg->bConfigurationValue);
                        for (uint8_t f = 0; f < cfg->bNumInterfaces; f++)
                                for (int a = 0; a < cfg->interface[f].num_altsetting; a++) {
                                        const struct libusb_interface_descriptor *l = &cfg->interface[f].altsetting[a];
                                        const struct usbdesc_altsetting *u =
                                                usbdesc_config_altsetting(uc, l->bInterfaceNumber,
                                                                          l->bAlternateSetting);
                                        ck_assert_msg(u, "%s: interface %u alt %u missing", path,
                                                      l->bInterfaceNumber, l->bAlternateSetting);
                                        ck_assert_uint_eq(u->class, l->bInterfaceClass);
                                        ck_assert_uint_eq(u->subclass, l->bInterfaceSubClass);
                                        ck_assert_uint_eq(u->protocol, l->bInterfaceProtocol);
                                        ck_assert_uint_eq(u->n_endpoints, l->bNumEndpoints);
                                        alts++;
                                }
                        ck_assert_uint_eq(uc->n_alts, alts);
                        libusb_free_config_descriptor(cfg);
                }
                checked++;
        }
        libusb_free_device_list(list, 1);
        libusb_exit(ctx);
        ck_assert_uint_ge(checked, 1);
}
END_TEST

/* Enumeration after "power-on": the expected device's sysfs node is hidden
 * (renamed inside the umockdev testbed) and comes back 300 ms later; find
 * must wait for it and return soon after. */
struct reappear {
        char from[4096], to[4096];
};

static void *reappear_thread(void *p) {
        struct reappear *r = p;
        struct timespec ts = { 0, 300 * 1000 * 1000 };

        nanosleep(&ts, NULL);   /* test-side stimulus, not a driver wait */
        ck_assert_int_eq(rename(r->from, r->to), 0);
        return NULL;
}

START_TEST(test_find_waits_for_enumeration) {
        _cleanup_(usb_device_freep) struct usb_device *d = NULL;
        _cleanup_free_ char *link = NULL;
        static struct reappear re;
        struct usb_match m;
        pthread_t t;
        usec_t start, found;
        char target[4096];
        ssize_t k;

        if (!have_expect())
                return;
        /* /sys/bus/usb/devices/NAME is a symlink into /sys/devices/... */
        ck_assert_int_gt(asprintf(&link, "%s/sys/bus/usb/devices/%s", getenv("UMOCKDEV_DIR"), expect_path), 0);
        k = readlink(link, target, sizeof(target) - 1);
        ck_assert_int_gt(k, 0);
        target[k] = 0;
        snprintf(re.to, sizeof(re.to), "%s", link);
        snprintf(re.from, sizeof(re.from), "%s.hidden", link);
        ck_assert_int_eq(rename(re.to, re.from), 0);

        ck_assert_int_eq(usb_match_parse(expect_path, &m), 0);
        ck_assert_int_eq(usb_device_find(&m, deadline_in(100 * USEC_PER_MSEC), &d), -ETIMEDOUT);
        start = mono_now();
        ck_assert_int_eq(pthread_create(&t, NULL, reappear_thread, &re), 0);
        ck_assert_int_eq(usb_device_find(&m, deadline_in(3 * USEC_PER_SEC), &d), 0);
        found = usb_device_seen_usec(d);
        pthread_join(t, NULL);
        ck_assert_uint_ge(found - start, 250 * USEC_PER_MSEC);
        /* Found on a re-scan after it came back, well before the 3 s
         * deadline (generous: a loaded machine is not a failure). */
        ck_assert_uint_lt(found - start, 300 * USEC_PER_MSEC + 2 * USEC_PER_SEC);
}
END_TEST

int main(void) {
        Suite *s = suite_create("usb-driver");
        TCase *tc = tcase_create("pure");
        SRunner *sr;
        int failed;

        tcase_add_test(tc, test_match_parse);
        tcase_add_test(tc, test_port_disable_path);
        tcase_add_test(tc, test_errno_map);
        tcase_add_test(tc, test_find_refuses_infinite);
        suite_add_tcase(s, tc);
        tc = tcase_create("umockdev");
        tcase_set_timeout(tc, 30);
        tcase_add_test(tc, test_find_by_vid_pid);
        tcase_add_test(tc, test_find_by_port_path);
        tcase_add_test(tc, test_find_absent_times_out);
        tcase_add_test(tc, test_all_devices_agree_with_libusb);
        tcase_add_test(tc, test_find_waits_for_enumeration);
        suite_add_tcase(s, tc);
        sr = srunner_create(s);
        srunner_set_fork_status(sr, CK_NOFORK);
        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed ? 1 : 0;
}
