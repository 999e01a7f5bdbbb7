/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lib/usbdump on hand-written dumps: format detection, the lsusb text,
 * umockdev and fwupd readers, their error messages, every truncation of
 * an lsusb text. */

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/usbdesc/usbdesc.h"
#include "lib/usbdump/usbdump.h"

static const char lsusb_text[] =
        "Bus 001 Device 008: ID 1d6b:0104 Test\n"
        "Device Descriptor:\n"
        "  bLength                18\n"
        "  bDescriptorType         1\n"
        "  bcdUSB               2.00\n"
        "  bDeviceClass          239 Miscellaneous Device\n"
        "  bDeviceSubClass         2\n"
        "  bDeviceProtocol         1 Interface Association\n"
        "  bMaxPacketSize0        64\n"
        "  idVendor           0x1d6b Linux Foundation\n"
        "  idProduct          0x0104 Multifunction Composite Gadget\n"
        "  bcdDevice            ff.ff\n"
        "  iManufacturer           1 Acme\n"
        "  iProduct                2 Gadget\n"
        "  iSerial                 0\n"
        "  bNumConfigurations      1\n"
        "  Configuration Descriptor:\n"
        "    bLength                 9\n"
        "    bDescriptorType         2\n"
        "    wTotalLength       0x0044\n"
        "    bNumInterfaces          3\n"
        "    bConfigurationValue     1\n"
        "    iConfiguration          0\n"
        "    bmAttributes         0x80\n"
        "      (Bus Powered)\n"
        "    MaxPower              500mA\n"
        "    Interface Association:\n"
        "      bLength                 8\n"
        "      bDescriptorType        11\n"
        "      bFirstInterface         0\n"
        "      bInterfaceCount         2\n"
        "      bFunctionClass        224 Wireless\n"
        "      bFunctionSubClass       1 Radio Frequency\n"
        "      bFunctionProtocol       3 RNDIS\n"
        "      iFunction               0\n"
        "    Interface Descriptor:\n"
        "      bLength                 9\n"
        "      bDescriptorType         4\n"
        "      bInterfaceNumber        0\n"
        "      bAlternateSetting       0\n"
        "      bNumEndpoints           1\n"
        "      bInterfaceClass         2 Communications\n"
        "      bInterfaceSubClass      2 Abstract (modem)\n"
        "      bInterfaceProtocol    255 Vendor Specific (MSFT RNDIS?)\n"
        "      iInterface              0\n"
        "      ** UNRECOGNIZED:  05 24 00 10 01\n"
        "      CDC Union:\n"
        "        bMasterInterface        0\n"
        "        bSlaveInterface         1\n"
        "      Endpoint Descriptor:\n"
        "        bLength                 7\n"
        "        bDescriptorType         5\n"
        "        bEndpointAddress     0x82  EP 2 IN\n"
        "        bmAttributes            3\n"
        "          Transfer Type            Interrupt\n"
        "        wMaxPacketSize     0x0008  1x 8 bytes\n"
        "        bInterval               9\n"
        "    Interface Descriptor:\n"
        "      bLength                 9\n"
        "      bDescriptorType         4\n"
        "      bInterfaceNumber        1\n"
        "      bAlternateSetting       0\n"
        "      bNumEndpoints           0\n"
        "      bInterfaceClass        10 CDC Data\n"
        "      bInterfaceSubClass      0\n"
        "      bInterfaceProtocol      0\n"
        "      iInterface              0\n"
        "    Interface Descriptor:\n"
        "      bLength                 9\n"
        "      bDescriptorType         4\n"
        "      bInterfaceNumber        2\n"
        "      bAlternateSetting       0\n"
        "      bNumEndpoints           0\n"
        "      bInterfaceClass       255 Vendor Specific Class\n"
        "      bInterfaceSubClass     66\n"
        "      bInterfaceProtocol      1\n"
        "      iInterface              5 ADB Interface\n"
        "Device Status:     0x0000\n"
        "  (Bus Powered)\n";

START_TEST(test_lsusb) {
        struct usbdump *d = NULL;
        struct usbdesc_device *u = NULL;
        char *err = NULL;
        const uint8_t *b;

        ck_assert_int_eq(usbdump_detect((const uint8_t *) lsusb_text, strlen(lsusb_text)), USBDUMP_LSUSB);
        ck_assert_int_eq(usbdump_parse((const uint8_t *) lsusb_text, strlen(lsusb_text), -1, &d, &err), 0);
        ck_assert_ptr_null(err);
        ck_assert_int_eq(d->format, USBDUMP_LSUSB);
        ck_assert_uint_eq(d->n_devices, 1);
        ck_assert_str_eq(d->devices[0].name, "Bus 001 Device 008: ID 1d6b:0104 Test");
        b = d->devices[0].bytes;
        /* device descriptor byte-exact */
        const uint8_t dd[18] = { 18, 1, 0, 2, 0xef, 2, 1, 64, 0x6b, 0x1d, 0x04, 0x01, 0xff, 0xff, 1, 2, 0, 1 };
        ck_assert_mem_eq(b, dd, 18);
        /* config: 9 + IAD 8 + intf 9 + 5 + union 5 + ep 7 + 9 + 9 */
        ck_assert_uint_eq(d->devices[0].n_bytes, 18 + 9 + 8 + 9 + 5 + 5 + 7 + 9 + 9);
        ck_assert_uint_eq(b[18 + 8], 250);   /* 500 mA in 2 mA units */
        ck_assert_uint_eq(d->devices[0].n_strings, 3);

        ck_assert_int_eq(usbdesc_device_parse(d->devices[0].bytes, d->devices[0].n_bytes, &u), 0);
        ck_assert_uint_eq(u->configs[0].n_functions, 2);
        ck_assert_str_eq(usbdesc_function_name(u->configs[0].functions[0].kind), "rndis");
        ck_assert_str_eq(usbdesc_function_name(u->configs[0].functions[1].kind), "adb");
        ck_assert_uint_eq(u->configs[0].alts[0].n_extra, 2);
        ck_assert_uint_eq(u->configs[0].flags, 0);
        usbdesc_device_free(u);
        usbdump_free(d);
}
END_TEST

/* Every prefix of the text parses or fails cleanly (ASan watches). */
START_TEST(test_lsusb_prefixes) {
        size_t n = strlen(lsusb_text);

        for (size_t len = 0; len <= n; len++) {
                struct usbdump *d = NULL;
                char *err = NULL;
                char *copy = malloc(len ? len : 1);
                int r;

                memcpy(copy, lsusb_text, len);
                r = usbdump_lsusb_parse(copy, len, &d, &err);
                ck_assert(r == 0 || r == -ENODATA || r == -EBADMSG);
                if (r < 0) {
                        ck_assert_ptr_nonnull(err);
                        ck_assert_ptr_null(d);
                } else {
                        struct usbdesc_device *u = NULL;
                        int q = usbdesc_device_parse(d->devices[0].bytes, d->devices[0].n_bytes, &u);
                        ck_assert(q == 0 || q == -EBADMSG);
                        usbdesc_device_free(u);
                }
                free(err);
                usbdump_free(d);
                free(copy);
        }
}
END_TEST

START_TEST(test_lsusb_errors) {
        struct usbdump *d = NULL;
        char *err = NULL;
        const char *bad_num = "Device Descriptor:\n  bDeviceClass  zz\n";
        const char *range = "Device Descriptor:\n  bDeviceClass  300\n";
        const char *cfg_first = "Configuration Descriptor:\n";
        const char *hex = "Device Descriptor:\nConfiguration Descriptor:\n ** UNRECOGNIZED: 0g\n";

        ck_assert_int_eq(usbdump_lsusb_parse(bad_num, strlen(bad_num), &d, &err), -EBADMSG);
        ck_assert_str_eq(err, "line 2: bDeviceClass: expected a number, got 'zz'");
        free(err);
        err = NULL;
        ck_assert_int_eq(usbdump_lsusb_parse(range, strlen(range), &d, &err), -EBADMSG);
        ck_assert_str_eq(err, "line 2: bDeviceClass: expected 0..255, got 300");
        free(err);
        err = NULL;
        ck_assert_int_eq(usbdump_lsusb_parse(cfg_first, strlen(cfg_first), &d, &err), -EBADMSG);
        ck_assert_ptr_nonnull(strstr(err, "before a Device Descriptor"));
        free(err);
        err = NULL;
        ck_assert_int_eq(usbdump_lsusb_parse(hex, strlen(hex), &d, &err), -EBADMSG);
        ck_assert_ptr_nonnull(strstr(err, "line 3: UNRECOGNIZED"));
        free(err);
        err = NULL;
        ck_assert_int_eq(usbdump_lsusb_parse("hello\n", 6, &d, &err), -ENODATA);
        free(err);
        ck_assert_ptr_null(d);
}
END_TEST

START_TEST(test_umockdev) {
        static const char rec[] =
                "P: /devices/usb1/1-1\n"
                "N: bus/usb/001/002\n"
                "A: product=Key\\n\n"
                "H: descriptors=12010002000000405010200112050102000109022900010100800F0904000002030000000921100100012222000705040340000207058403400002\n"
                "\n"
                "P: /devices/usb1/1-1/1-1:1.0\n"
                "A: bInterfaceNumber=00\\n\n"
                "A: bAlternateSetting= 0\\n\n"
                "A: interface=FIDO\\n\n";
        struct usbdump *d = NULL;
        char *err = NULL;

        ck_assert_int_eq(usbdump_detect((const uint8_t *) rec, strlen(rec)), USBDUMP_UMOCKDEV);
        ck_assert_int_eq(usbdump_parse((const uint8_t *) rec, strlen(rec), -1, &d, &err), 0);
        ck_assert_uint_eq(d->n_devices, 1);
        ck_assert_str_eq(d->devices[0].name, "/devices/usb1/1-1");
        ck_assert_uint_eq(d->devices[0].n_bytes, 18 + 0x29);
        ck_assert_uint_eq(d->devices[0].n_strings, 1);
        ck_assert_str_eq(d->devices[0].strings[0].text, "Key");   /* iProduct 2 */
        ck_assert_uint_eq(d->devices[0].strings[0].index, 2);
        d = usbdump_free(d);

        const char *odd = "P: /x\nH: descriptors=120\n";
        ck_assert_int_eq(usbdump_umockdev_parse(odd, strlen(odd), &d, &err), -EBADMSG);
        ck_assert_str_eq(err, "line 2: descriptors: odd number of hex digits");
        free(err);
        err = NULL;
        const char *none = "P: /x\nA: foo=1\n";
        ck_assert_int_eq(usbdump_umockdev_parse(none, strlen(none), &d, &err), -ENODATA);
        free(err);
}
END_TEST

START_TEST(test_fwupd) {
        static const char js[] =
                "{\"UsbDevices\": [{\"PlatformId\": \"1-6\", \"IdVendor\": 4617, \"IdProduct\": 27911,"
                " \"USB\": 528, \"DeviceClass\": 239, \"DeviceSubClass\": 2, \"DeviceProtocol\": 1,"
                " \"UsbBosDescriptors\": [{\"DevCapabilityType\": 2, \"ExtraData\": \"BgAAAA==\"}],"
                " \"UsbConfigDescriptors\": [{\"ConfigurationValue\": 1}],"
                " \"UsbInterfaces\": [{\"InterfaceClass\": 254, \"InterfaceSubClass\": 1, \"InterfaceProtocol\": 1,"
                "   \"ExtraData\": \"CSEL/wAACBoB\"},"
                "  {\"InterfaceNumber\": 1, \"InterfaceClass\": 255, \"InterfaceSubClass\": 66, \"InterfaceProtocol\": 3,"
                "   \"UsbEndpoints\": [{\"EndpointAddress\": 129, \"MaxPacketSize\": 512}]}]}]}";
        struct usbdump *d = NULL;
        struct usbdesc_device *u = NULL;
        char *err = NULL;

        ck_assert_int_eq(usbdump_detect((const uint8_t *) js, strlen(js)), USBDUMP_FWUPD);
        ck_assert_int_eq(usbdump_parse((const uint8_t *) js, strlen(js), -1, &d, &err), 0);
        ck_assert_str_eq(d->devices[0].name, "1-6");
        ck_assert_ptr_nonnull(d->devices[0].bos);
        ck_assert_int_eq(usbdesc_device_parse(d->devices[0].bytes, d->devices[0].n_bytes, &u), 0);
        ck_assert_int_eq(usbdesc_device_bos_set(u, d->devices[0].bos, d->devices[0].n_bos), 0);
        ck_assert_uint_eq(u->n_caps, 1);
        ck_assert_uint_eq(u->caps[0].raw.len, 7);
        ck_assert_uint_eq(u->configs[0].n_functions, 2);
        ck_assert_str_eq(usbdesc_function_name(u->configs[0].functions[0].kind), "dfu-runtime");
        ck_assert_uint_eq(u->configs[0].alts[0].n_extra, 1);   /* the DFU functional descriptor */
        ck_assert_str_eq(usbdesc_function_name(u->configs[0].functions[1].kind), "fastboot");
        ck_assert_uint_eq(u->configs[0].alts[1].endpoints[0].max_packet_size, 512);
        usbdesc_device_free(u);
        d = usbdump_free(d);

        const char *bad = "{\"UsbDevices\": [{\"IdVendor\": 70000}]}";
        ck_assert_int_eq(usbdump_fwupd_parse(bad, strlen(bad), &d, &err), -EBADMSG);
        ck_assert_str_eq(err, "UsbDevices[0].IdVendor: expected an integer 0..65535");
        free(err);
        err = NULL;
        ck_assert_int_eq(usbdump_fwupd_parse("{", 1, &d, &err), -EBADMSG);
        ck_assert_ptr_nonnull(strstr(err, "line 1:"));
        free(err);
        err = NULL;
        const char *b64 = "{\"UsbDevices\": [{\"UsbInterfaces\": [{\"ExtraData\": \"!!\"}]}]}";
        ck_assert_int_eq(usbdump_fwupd_parse(b64, strlen(b64), &d, &err), -EBADMSG);
        free(err);
        ck_assert_ptr_null(d);
}
END_TEST

START_TEST(test_raw_detect) {
        const uint8_t raw[18] = { 18, 1, 0, 2, 0, 0, 0, 64, 1, 2, 3, 4, 0, 1, 0, 0, 0, 0 };
        struct usbdump *d = NULL;
        char *err = NULL;

        ck_assert_int_eq(usbdump_detect(raw, sizeof(raw)), USBDUMP_RAW);
        ck_assert_int_eq(usbdump_parse(raw, sizeof(raw), -1, &d, &err), 0);
        ck_assert_uint_eq(d->devices[0].n_bytes, 18);
        usbdump_free(d);
        ck_assert_int_eq(usbdump_parse(raw, 1, USBDUMP_RAW, &d, &err), -EBADMSG);
        free(err);
        err = NULL;
        ck_assert_int_eq(usbdump_parse((const uint8_t *) "xyz", 3, -1, &d, &err), -EBADMSG);
        ck_assert_ptr_nonnull(strstr(err, "not a USB descriptor dump"));
        free(err);
        ck_assert_int_eq(usbdump_load("/nonexistent/x", -1, &d, &err), -ENOENT);
        free(err);
        ck_assert_str_eq(usbdump_format_name(USBDUMP_FWUPD), "fwupd");
        ck_assert_ptr_null(usbdump_format_name(_USBDUMP_FORMAT_MAX));
}
END_TEST

static Suite *suite(void) {
        Suite *s = suite_create("usbdump");
        TCase *tc = tcase_create("core");

        tcase_add_test(tc, test_lsusb);
        tcase_add_test(tc, test_lsusb_prefixes);
        tcase_add_test(tc, test_lsusb_errors);
        tcase_add_test(tc, test_umockdev);
        tcase_add_test(tc, test_fwupd);
        tcase_add_test(tc, test_raw_detect);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        SRunner *sr = srunner_create(suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
