/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * cb_usbdesc: a pure decoder of USB descriptors and a classifier of the
 * functions a USB device exposes (D-6, docs/usb.md).
 *
 * Pure: no I/O, no global state, no logging. It reads only the bytes it is
 * given, is safe on hostile input (every length is checked before use) and
 * is fuzzed (fuzz/fuzz-usbdesc.c). It allocates; every function that
 * allocates returns -ENOMEM on failure. Objects are not shared between
 * threads by the library; one owner, any thread.
 *
 * Input layout (what Linux exposes as sysfs `descriptors`, what usbguard
 * stores): the 18-byte device descriptor followed by each configuration
 * descriptor set (configuration descriptor, then its IADs, interfaces,
 * endpoints and class-specific descriptors, wTotalLength bytes each),
 * concatenated. BOS and string descriptors are fed separately.
 *
 * Descriptor sizes this decoder requires (USB 2.0 ch. 9, ECN IAD, USB 3.2
 * 9.6.2): device 18, configuration 9, interface 9, endpoint 7, IAD 8 (the
 * spec's 8; lsusb prints 8), BOS 5, device capability 3.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define USBDESC_TYPE_DEVICE     0x01
#define USBDESC_TYPE_CONFIG     0x02
#define USBDESC_TYPE_STRING     0x03
#define USBDESC_TYPE_INTERFACE  0x04
#define USBDESC_TYPE_ENDPOINT   0x05
#define USBDESC_TYPE_IAD        0x0b
#define USBDESC_TYPE_BOS        0x0f
#define USBDESC_TYPE_DEVCAP     0x10
#define USBDESC_TYPE_CS_INTERFACE 0x24

#define USBDESC_DEVCAP_PLATFORM 0x05

/* A run of bytes inside the object that holds it (never outside). */
struct usbdesc_span {
        const uint8_t *data;
        size_t len;
};

/* Our name for what an interface (or a group of interfaces) is for. The
 * names are the strings usbdesc_function_name() returns; docs/usb.md lists
 * the class/subclass/protocol triples behind each. */
enum usbdesc_function {
        USBDESC_FN_UNKNOWN,        /* "unknown": a class we have no name for */
        USBDESC_FN_HID_KEYBOARD,   /* 03/01/01 boot keyboard */
        USBDESC_FN_HID_MOUSE,      /* 03/01/02 boot mouse */
        USBDESC_FN_HID,            /* 03/xx/xx otherwise */
        USBDESC_FN_CDC_ACM,        /* 02/02/(00-07,fe) */
        USBDESC_FN_CDC_ECM,        /* 02/06 */
        USBDESC_FN_CDC_NCM,        /* 02/0d */
        USBDESC_FN_CDC_EEM,        /* 02/0c */
        USBDESC_FN_CDC_MBIM,       /* 02/0e */
        USBDESC_FN_CDC,            /* 02/other subclass */
        USBDESC_FN_CDC_DATA,       /* 0a not claimed by a CDC control interface */
        USBDESC_FN_RNDIS,          /* e0/01/03, ef/04/01, 02/02/ff */
        USBDESC_FN_MASS_STORAGE,   /* 08 */
        USBDESC_FN_MTP,            /* 06/01/01 whose interface string says MTP */
        USBDESC_FN_PTP,            /* 06/01/01 otherwise */
        USBDESC_FN_STILL_IMAGE,    /* 06/other */
        USBDESC_FN_PRINTER,        /* 07 */
        USBDESC_FN_AUDIO,          /* 01 (control/streaming) */
        USBDESC_FN_MIDI,           /* 01/03 */
        USBDESC_FN_VIDEO,          /* 0e */
        USBDESC_FN_AUDIO_VIDEO,    /* 10 */
        USBDESC_FN_HUB,            /* 09 */
        USBDESC_FN_CCID,           /* 0b smart card */
        USBDESC_FN_DFU_RUNTIME,    /* fe/01/01 */
        USBDESC_FN_DFU,            /* fe/01/02 (DFU mode) */
        USBDESC_FN_IRDA,           /* fe/02 */
        USBDESC_FN_USBTMC,         /* fe/03 */
        USBDESC_FN_APP_SPECIFIC,   /* fe/other */
        USBDESC_FN_BLUETOOTH,      /* e0/01/01 */
        USBDESC_FN_WIRELESS,       /* e0/other */
        USBDESC_FN_ADB,            /* ff/42/01 */
        USBDESC_FN_FASTBOOT,       /* ff/42/03 */
        USBDESC_FN_VENDOR,         /* ff otherwise */
        USBDESC_FN_BILLBOARD,      /* 11 */
        USBDESC_FN_DIAGNOSTIC,     /* dc */
        USBDESC_FN_PHYSICAL,       /* 05 */
        USBDESC_FN_CONTENT_SECURITY, /* 0d */
        USBDESC_FN_HEALTHCARE,     /* 0f */
        USBDESC_FN_USB_C_BRIDGE,   /* 12 */
        USBDESC_FN_MISC,           /* ef/other */
        _USBDESC_FN_MAX,
};

struct usbdesc_endpoint {
        uint8_t address;           /* bEndpointAddress, bit 7: IN */
        uint8_t attributes;        /* bmAttributes, bits 1..0 transfer type */
        uint16_t max_packet_size;  /* wMaxPacketSize as sent (incl. mult bits) */
        uint8_t interval;
        struct usbdesc_span raw;   /* the whole endpoint descriptor */
        struct usbdesc_span *extra;/* descriptors after it before the next
                                      endpoint/interface/IAD (SS companion,
                                      class-specific endpoint), in order */
        size_t n_extra;
};

/* One interface descriptor, i.e. one alternate setting of an interface. */
struct usbdesc_altsetting {
        uint8_t number;            /* bInterfaceNumber */
        uint8_t alt;               /* bAlternateSetting */
        uint8_t num_endpoints;     /* bNumEndpoints as sent */
        uint8_t class, subclass, protocol;
        uint8_t string_index;      /* iInterface */
        struct usbdesc_span raw;
        struct usbdesc_endpoint *endpoints;  /* as found (may differ from
                                                bNumEndpoints: flagged) */
        size_t n_endpoints;
        struct usbdesc_span *extra;  /* class-specific descriptors between the
                                        interface and its first endpoint */
        size_t n_extra;
        enum usbdesc_function kind;  /* this interface on its own */
        size_t function;           /* index into the config's functions */
};

struct usbdesc_iad {
        uint8_t first_interface, interface_count;
        uint8_t class, subclass, protocol;
        uint8_t string_index;      /* iFunction */
        struct usbdesc_span raw;
};

/* A function: interfaces that work together, grouped by an IAD, by a CDC
 * Union descriptor (a CDC control interface without one takes the next
 * interface when that is CDC data), or an interface on its own. An IAD
 * whose triple is generic (ef, 00, CDC without a known subclass, vendor,
 * wireless other than RNDIS) takes its first interface's function. */
struct usbdesc_func {
        enum usbdesc_function kind;
        uint8_t first_interface;   /* lowest interface number in the group */
        uint8_t *interfaces;       /* interface numbers in it, ascending */
        size_t n_interfaces;
        int iad;                   /* index into the config's iads, or -1 */
};

/* Anomalies worth reporting (not errors: the device still enumerates). */
enum {
        USBDESC_FLAG_ENDPOINT_COUNT  = 1u << 0,  /* bNumEndpoints != endpoints found */
        USBDESC_FLAG_INTERFACE_COUNT = 1u << 1,  /* bNumInterfaces != distinct numbers */
        USBDESC_FLAG_TRAILING        = 1u << 2,  /* bytes after the last config */
        USBDESC_FLAG_IAD_RANGE       = 1u << 3,  /* an IAD names missing interfaces */
        USBDESC_FLAG_CONFIG_COUNT    = 1u << 4,  /* bNumConfigurations != configs found */
};

struct usbdesc_config {
        uint16_t total_length;
        uint8_t num_interfaces;
        uint8_t value;             /* bConfigurationValue */
        uint8_t string_index;
        uint8_t attributes;
        uint8_t max_power;         /* as sent (2 mA units USB 2, 8 mA SS) */
        struct usbdesc_span raw;   /* the whole set, wTotalLength bytes */
        struct usbdesc_altsetting *alts;  /* in wire order */
        size_t n_alts;
        struct usbdesc_iad *iads;
        size_t n_iads;
        struct usbdesc_func *functions;   /* by first interface number */
        size_t n_functions;
        struct usbdesc_span *extra;  /* descriptors before the first interface
                                        other than IADs (e.g. OTG) */
        size_t n_extra;
        unsigned flags;
};

struct usbdesc_capability {
        uint8_t type;              /* bDevCapabilityType */
        struct usbdesc_span raw;   /* the whole capability descriptor */
        bool has_uuid;             /* platform capability: uuid is set */
        uint8_t uuid[16];          /* PlatformCapabilityUUID, wire order */
};

/* The MS OS 2.0 platform capability (UUID D8DD60DF-4589-4CC7-9CD2-
 * 659D9E648A9F): one descriptor set info entry per Windows version. */
struct usbdesc_msos20 {
        uint32_t windows_version;
        uint16_t total_length;     /* wMSOSDescriptorSetTotalLength */
        uint8_t vendor_code;       /* bMS_VendorCode */
        uint8_t alt_enum_code;
};

struct usbdesc_string {
        uint8_t index;
        char *text;                /* UTF-8, see usbdesc_string_decode() */
};

struct usbdesc_device {
        uint16_t bcd_usb;
        uint8_t class, subclass, protocol;
        uint8_t max_packet_size0;
        uint16_t vendor_id, product_id, bcd_device;
        uint8_t manufacturer_index, product_index, serial_index;
        uint8_t num_configurations;
        struct usbdesc_config *configs;
        size_t n_configs;
        unsigned flags;            /* USBDESC_FLAG_TRAILING, _CONFIG_COUNT */

        struct usbdesc_capability *caps;   /* from usbdesc_device_bos_set() */
        size_t n_caps;
        bool has_bos;
        struct usbdesc_msos20 *msos20;     /* decoded MS OS 2.0 entries */
        size_t n_msos20;

        struct usbdesc_string *strings;    /* from usbdesc_device_string_set() */
        size_t n_strings;
        bool msos10;               /* a valid MSFT100 string at index 0xEE */
        uint8_t msos10_vendor_code;

        uint8_t *bytes;            /* owned copies the spans point into */
        size_t n_bytes;
        uint8_t *bos_bytes;
        size_t n_bos_bytes;
};

/*
 * Decodes a device descriptor followed by its configuration sets (layout
 * above) and classifies every interface and function. Copies buf; the
 * result does not point into it. Returns 0 and *ret (free with
 * usbdesc_device_free()), or
 *   -EINVAL   buf NULL with len > 0, ret NULL
 *   -EBADMSG  malformed: shorter than 18 bytes, not a device descriptor,
 *             a configuration set that is truncated (wTotalLength past the
 *             end), shorter than 9 or not a configuration descriptor; a
 *             descriptor with bLength < 2 or running past its set; an
 *             interface/endpoint/IAD shorter than its fixed part; an
 *             endpoint before any interface
 *   -ENOMEM
 * Trailing bytes shorter than a configuration descriptor are ignored and
 * flagged. Zero configurations is valid (a device descriptor alone).
 */
int usbdesc_device_parse(const uint8_t *buf, size_t len, struct usbdesc_device **ret);
struct usbdesc_device *usbdesc_device_free(struct usbdesc_device *d);

/*
 * Attaches a BOS descriptor set (GET_DESCRIPTOR(BOS), wTotalLength bytes)
 * and decodes its device capabilities; platform capabilities get their
 * UUID, and the MS OS 2.0 one its descriptor set info entries. Replaces any
 * earlier BOS. Returns 0, -EINVAL, -EBADMSG (truncated, wrong type, a
 * capability with bLength < 3, a platform capability shorter than 20, an
 * MS OS 2.0 capability whose entries are not 8 bytes each) or -ENOMEM; on
 * failure the device is unchanged.
 */
int usbdesc_device_bos_set(struct usbdesc_device *d, const uint8_t *buf, size_t len);

/*
 * Records the text of string descriptor index (already UTF-8, e.g. from a
 * dump or usbdesc_string_decode()). Replaces an earlier text for index.
 * Re-runs the classifier (an interface string can tell MTP from PTP).
 * Returns 0, -EINVAL (index 0, text NULL) or -ENOMEM.
 */
int usbdesc_device_string_set(struct usbdesc_device *d, uint8_t index, const char *text);
/* The recorded text of index, or NULL. Owned by d. */
const char *usbdesc_device_string(const struct usbdesc_device *d, uint8_t index);

/*
 * Decodes a string descriptor (bLength, 0x03, UTF-16LE) to UTF-8. Code
 * points are checked: unpaired surrogates become "\uXXXX", control
 * characters (< 0x20, 0x7f) and a backslash become "\xNN" / "\\", so the
 * result is printable, valid UTF-8 and reversible. A trailing odd byte is
 * ignored. Returns 0 and *ret (caller frees), -EINVAL, -EBADMSG (shorter
 * than 2, bLength > len or < 2, type not 0x03) or -ENOMEM.
 */
int usbdesc_string_decode(const uint8_t *buf, size_t len, char **ret);

/*
 * The Microsoft OS 1.0 string descriptor (index 0xEE): "MSFT100" then the
 * vendor code. Returns 0 and *ret_vendor_code, -EINVAL or -EBADMSG (not
 * that signature). On success also marks d->msos10 when d is not NULL.
 */
int usbdesc_msos10_parse(struct usbdesc_device *d, const uint8_t *buf, size_t len,
                         uint8_t *ret_vendor_code);

/* The function of one interface from its triple alone; interface_string
 * may be NULL (it only tells MTP from PTP). */
enum usbdesc_function usbdesc_interface_classify(uint8_t class, uint8_t subclass, uint8_t protocol,
                                                 const char *interface_string);

/* "hid-keyboard", "cdc-acm", ... ; NULL for out-of-range values. */
const char *usbdesc_function_name(enum usbdesc_function f);
/* Inverse of usbdesc_function_name(); -EINVAL when unknown. */
int usbdesc_function_from_name(const char *name);

/* The word for f in a DUT profile's usb.classes (lib/fixture): "hid" for
 * hid-keyboard/hid-mouse/hid, "dfu" for dfu and dfu-runtime, "mtp" for
 * mtp and ptp, "ccid", "midi", ...; NULL where the profile vocabulary has
 * no word for it (then only the exact function name declares it). */
const char *usbdesc_function_profile_name(enum usbdesc_function f);

/* True when a declaration (a profile usb.classes entry) covers f: equal to
 * its function name or to its profile name. */
bool usbdesc_function_declared(enum usbdesc_function f, const char *const *declared,
                               size_t n_declared);

/* Our key for a base class code, one word per lsusb class name:
 * 00 "per-interface", 01 "audio", 02 "communications", 03 "hid",
 * 05 "physical", 06 "imaging", 07 "printer", 08 "mass-storage", 09 "hub",
 * 0a "cdc-data", 0b "smart-card", 0d "content-security", 0e "video",
 * 0f "personal-healthcare", 10 "audio-video", 11 "billboard",
 * 12 "usb-c-bridge", dc "diagnostic", e0 "wireless", ef "misc",
 * fe "application-specific", ff "vendor-specific"; others NULL. */
const char *usbdesc_class_name(uint8_t class);

/* "control", "isochronous", "bulk", "interrupt". */
const char *usbdesc_transfer_type_name(uint8_t attributes);

/* The altsetting of a config with this number and alt, or NULL. */
const struct usbdesc_altsetting *usbdesc_config_altsetting(const struct usbdesc_config *c,
                                                           uint8_t number, uint8_t alt);
