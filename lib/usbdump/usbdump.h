/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * cb_usbdump: saved USB descriptor dumps back into raw descriptor bytes,
 * the input of lib/usbdesc (docs/usb.md). Formats:
 *
 *   raw      device descriptor + configuration set(s) concatenated, as
 *            sysfs `descriptors` and usbguard store them
 *   lsusb    `lsusb -v` text (one or more devices)
 *   umockdev a umockdev recording: every node with a `descriptors`
 *            attribute (H: hex, or A: with C escapes) is one device
 *   fwupd    fwupd's device JSON ("UsbDevices": [...])
 *
 * The text and JSON readers rebuild the standard descriptors from their
 * fields; what they cannot carry is documented per reader below. All
 * parsers are pure (no I/O) and bounds-checked; usbdump_load() reads a
 * file. Objects have one owner; no internal threads; nothing blocks except
 * the read in usbdump_load().
 */

#include <stddef.h>
#include <stdint.h>

enum usbdump_format {
        USBDUMP_RAW,
        USBDUMP_LSUSB,
        USBDUMP_UMOCKDEV,
        USBDUMP_FWUPD,
        _USBDUMP_FORMAT_MAX,
};

struct usbdump_string {
        uint8_t index;
        char *text;                /* UTF-8 as the dump had it */
};

struct usbdump_device {
        char *name;                /* "Bus 001 Device 008: ID 05c6:90b6", the
                                      sysfs path, the fwupd PlatformId, or the
                                      format name for raw */
        uint8_t *bytes;            /* device descriptor + configuration sets */
        size_t n_bytes;
        uint8_t *bos;              /* a BOS set, or NULL */
        size_t n_bos;
        struct usbdump_string *strings;  /* string index -> text, as recorded */
        size_t n_strings;
};

struct usbdump {
        enum usbdump_format format;
        struct usbdump_device *devices;
        size_t n_devices;
};

/* "raw", "lsusb", "umockdev", "fwupd"; NULL when out of range. */
const char *usbdump_format_name(enum usbdump_format f);

/* Guesses the format from the content: 0x12 0x01 first -> raw; '{' first
 * (after blanks) -> fwupd; a line starting "P: " -> umockdev; a line
 * "Device Descriptor:" -> lsusb. Returns the format or -EBADMSG. */
int usbdump_detect(const uint8_t *buf, size_t len);

/*
 * Parses buf as format (or detects it when format < 0). Returns 0 and *ret
 * (free with usbdump_free()), or -EINVAL, -ENOMEM, -EBADMSG with
 * *ret_error (caller frees; may be NULL on -ENOMEM) saying where and what:
 * "line 12: bInterfaceClass: expected 0..255, got '300'". A dump holding
 * no device is -ENODATA (with a message).
 *
 * lsusb: device, configuration, IAD, interface and endpoint descriptors
 * come back byte-exact from their fields; "** UNRECOGNIZED:" hex dumps
 * and "CDC Union:" come back as descriptors; the other class-specific
 * descriptors lsusb decodes (CDC Header, HID, ...) are dropped, so each
 * wTotalLength is recomputed; MaxPower is converted back with the unit
 * implied by bcdUSB. Strings come from the text after the index.
 * umockdev: the descriptors attribute verbatim; manufacturer, product and
 * serial attributes become the strings of the device descriptor's
 * indices; an interface node's `interface` attribute that of its iInterface.
 * fwupd: fwupd records no bMaxPacketSize0 (64 is assumed), no endpoint
 * bmAttributes (0 is used) and only the active configuration's interfaces
 * (all go into the first configuration); ExtraData is kept as the
 * descriptors that followed; UsbBosDescriptors become a BOS set.
 */
int usbdump_parse(const uint8_t *buf, size_t len, int format, struct usbdump **ret, char **ret_error);

/* Reads path (at most 64 MiB) and parses it as usbdump_parse() does.
 * I/O errors are -errno with *ret_error naming the file. */
int usbdump_load(const char *path, int format, struct usbdump **ret, char **ret_error);

struct usbdump *usbdump_free(struct usbdump *d);

/* The readers behind usbdump_parse(), for the fuzzer and tests. */
int usbdump_lsusb_parse(const char *text, size_t len, struct usbdump **ret, char **ret_error);
int usbdump_umockdev_parse(const char *text, size_t len, struct usbdump **ret, char **ret_error);
int usbdump_fwupd_parse(const char *text, size_t len, struct usbdump **ret, char **ret_error);
