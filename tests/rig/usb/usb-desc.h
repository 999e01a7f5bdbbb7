/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * A pure, bounds-checked walk over a USB configuration descriptor set (the
 * bytes GET_DESCRIPTOR(CONFIGURATION) returns: the configuration descriptor,
 * then IADs, interfaces, endpoints and class-specific descriptors).
 *
 * No I/O, no allocation, no global state: it reads only buf[0 .. len - 1]
 * and calls the visitor for each item in wire order. Safe on hostile bytes;
 * a seed of the decoder of issue 5 (drivers/usb).
 */

#include <stddef.h>
#include <stdint.h>

#define USB_DESC_TYPE_CONFIG    0x02
#define USB_DESC_TYPE_INTERFACE 0x04
#define USB_DESC_TYPE_ENDPOINT  0x05
#define USB_DESC_TYPE_IAD       0x0b

struct usb_desc_config {
        uint16_t total_length;     /* wTotalLength as sent */
        uint8_t num_interfaces;    /* bNumInterfaces */
        uint8_t value;             /* bConfigurationValue */
        uint8_t attributes;
        uint8_t max_power;         /* in 2 mA (USB 2) units, as sent */
};

struct usb_desc_iad {
        uint8_t first_interface;
        uint8_t interface_count;
        uint8_t class, subclass, protocol;
        uint8_t function_string;
};

struct usb_desc_interface {
        uint8_t number;            /* bInterfaceNumber */
        uint8_t alt;               /* bAlternateSetting */
        uint8_t num_endpoints;     /* bNumEndpoints as declared */
        uint8_t class, subclass, protocol;
        uint8_t interface_string;
        unsigned endpoints_seen;   /* endpoint descriptors that followed it */
};

struct usb_desc_endpoint {
        uint8_t address;           /* bEndpointAddress (bit 7: IN) */
        uint8_t attributes;        /* bmAttributes (bits 1..0: transfer type) */
        uint16_t max_packet_size;
        uint8_t interval;
};

/*
 * Callbacks, each optional (NULL skips). A negative return stops the walk and
 * is returned by usb_desc_config_walk(). The pointers are valid only during
 * the call. interface() is called once the interface's endpoints have all
 * been seen (at the next interface or IAD, or at the end), so endpoints_seen
 * is final; endpoint() is called before its interface(). other() gets every
 * descriptor that is not one of the above (class-specific, BOS-less
 * vendor data, ...), with its type and the whole descriptor (length >= 2).
 */
struct usb_desc_visitor {
        int (*config)(const struct usb_desc_config *c, void *userdata);
        int (*iad)(const struct usb_desc_iad *iad, void *userdata);
        int (*interface)(const struct usb_desc_interface *i, void *userdata);
        int (*endpoint)(const struct usb_desc_interface *owner,
                        const struct usb_desc_endpoint *e, void *userdata);
        int (*other)(uint8_t type, const uint8_t *desc, size_t len, void *userdata);
};

/*
 * Walks buf[0 .. len - 1]. Only the first wTotalLength bytes are walked
 * (trailing bytes are ignored). Returns 0, or:
 *   -EBADMSG  malformed: shorter than a configuration descriptor, not a
 *             configuration descriptor, wTotalLength > len (truncated) or
 *             < 9, a descriptor with bLength < 2 or running past the end, an
 *             IAD/interface/endpoint shorter than its fixed part, an endpoint
 *             outside any interface, an interface whose endpoint count differs
 *             from bNumEndpoints
 *   -EINVAL   buf NULL with len > 0, or v NULL
 *   the first negative value a callback returned.
 * Never reads outside buf; the visitor may be called for items before an
 * error is found.
 */
int usb_desc_config_walk(const uint8_t *buf, size_t len, const struct usb_desc_visitor *v,
                         void *userdata);
