/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * cb_usb: the DUT as a USB device, through libusb-1.0 (issue 5, D-6/D-7;
 * docs/usb-cases.md).
 *
 *   usb_device_find()         waits for a device to enumerate (port path or
 *                             VID:PID[/serial]) until an absolute deadline
 *   usb_device_descriptors()  reads device + every configuration (+ BOS,
 *                             strings) and decodes them with lib/usbdesc
 *   usb_port_power()          switches a hub port through the kernel's
 *                             port `disable` file
 *
 * Contract for every function here:
 * - deadlines are absolute CLOCK_MONOTONIC (common/timeutil.h mono_now(),
 *   deadline_in()); USEC_INFINITY means "no deadline" and is refused by the
 *   calls that wait (-EINVAL): hardware waits are always bounded.
 * - errors are -errno; libusb errors are mapped by usb_errno().
 * - objects have one owner and are not shared between threads; each object
 *   carries its own libusb context, so different threads may use different
 *   objects at once. Calls block the calling thread (a slot worker), never
 *   longer than their deadline plus one 50 ms poll round.
 * - nothing logs above debug; the caller reports.
 * - out-parameters (ret_*) are written only on success.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/timeutil.h"

struct usbdesc_device;

/* How the DUT is named. port_path wins when set; otherwise vendor_id and
 * product_id must both be set (non-zero) and serial, when not NULL, must
 * equal the device's iSerialNumber string. */
struct usb_match {
        const char *port_path;   /* sysfs name "BUS-PORT[.PORT...]", e.g. "1-1.2" */
        uint16_t vendor_id, product_id;
        const char *serial;
};

/* "1-1.2" style: a bus number, '-', then 1..7 port numbers joined by '.'. */
bool usb_port_path_valid(const char *s);

/*
 * Parses a match from text: "BUS-PORT[.PORT...]" or "VVVV:PPPP[/SERIAL]"
 * (hex). String fields of *ret point into spec (keep it alive). Returns 0
 * or -EINVAL.
 */
int usb_match_parse(const char *spec, struct usb_match *ret);

/* Maps a LIBUSB_ERROR_* (or a non-negative count, returned as is). */
int usb_errno(int libusb_error);

/* A found device. Holds a libusb context and a reference on the device. */
struct usb_device;

/*
 * Waits until a device matching m is enumerated, or deadline passes.
 * Each round uses a fresh libusb context and scans its device list (the
 * list of a context is frozen at libusb_init when no udevd runs, as in the
 * rig); between rounds it waits up to 50 ms for a libusb hotplug arrival
 * where hotplug works (it then wakes at once), else the 50 ms pass. So a
 * device that enumerates is seen within ~50 ms. A deadline already passed
 * still gives one scan (usb-audit's "is it there now").
 * Returns 0 and *ret (free with usb_device_free()), or
 *   -EINVAL     m invalid (no port path and no VID:PID), deadline infinite
 *   -ETIMEDOUT  no matching device before the deadline
 *   -EIO        libusb could not be initialised
 *   -ENOMEM
 */
int usb_device_find(const struct usb_match *m, usec_t deadline, struct usb_device **ret);
struct usb_device *usb_device_free(struct usb_device *d);

/* Accessors; strings are owned by d. */
const char *usb_device_port_path(const struct usb_device *d);   /* "1-1.2" */
uint8_t usb_device_bus(const struct usb_device *d);
uint8_t usb_device_address(const struct usb_device *d);
uint16_t usb_device_vendor_id(const struct usb_device *d);
uint16_t usb_device_product_id(const struct usb_device *d);
/* The CLOCK_MONOTONIC time of the scan that first saw the device. */
usec_t usb_device_seen_usec(const struct usb_device *d);

struct usb_string {
        uint8_t index;
        char *text;               /* UTF-8, usbdesc_string_decode()d */
};

struct usb_descriptors {
        uint8_t *bytes;           /* device descriptor + configuration sets */
        size_t n_bytes;
        uint8_t *bos;             /* the BOS set (bcdUSB >= 2.01), or NULL */
        size_t n_bos;
        struct usb_string *strings;   /* every non-zero index the descriptors name
                                         and the device answered */
        size_t n_strings;
        bool from_sysfs;          /* bytes are the kernel's cached copy */
        struct usbdesc_device *decoded;   /* bytes + bos + strings, classified */
};

/*
 * Reads and decodes every descriptor of d. The device and configuration
 * descriptors come from the kernel's cached copy in sysfs (`descriptors`,
 * no bus traffic) when present, else GET_DESCRIPTOR(DEVICE) and
 * GET_DESCRIPTOR(CONFIGURATION, i) for each configuration through libusb;
 * the BOS (bcdUSB >= 2.01) and strings always by GET_DESCRIPTOR. Each
 * control transfer is bounded by min(1 s, time left to deadline). A BOS or
 * string the device refuses is left out (not an error).
 * Returns 0 and *ret (free with usb_descriptors_free()), or
 *   -ETIMEDOUT  deadline passed before the device/config descriptors were read
 *   -EACCES     no sysfs copy and the device cannot be opened (permissions)
 *   -ENODEV     the device went away
 *   -EBADMSG    the descriptors do not decode (lib/usbdesc); *ret not set
 *   -EIO, -EPIPE, -ENOMEM
 */
int usb_device_descriptors(struct usb_device *d, usec_t deadline, struct usb_descriptors **ret);
struct usb_descriptors *usb_descriptors_free(struct usb_descriptors *ds);

/*
 * Switches VBUS of the hub port a device at port_path hangs on, through
 * the kernel's port `disable` file:
 *   /sys/bus/usb/devices/<hub>/<hub>:1.0/<hub-port-name>/disable
 * (<hub> is "usbN" for a root-hub port, else the parent's path; the port
 * directory is "usbN-portK" or "<hub>-portK"). on=false writes 1 (the port
 * is disabled and, on hubs with per-port power switching, unpowered: the
 * device disconnects), on=true writes 0. The kernel sends the hub class
 * requests (CLEAR/SET_FEATURE PORT_POWER) itself; we do not, since usbfs
 * would first have to take the hub from its driver. Waits (until deadline)
 * for the device to leave (off) when it was present; does not wait for
 * re-enumeration on: use usb_device_find().
 * Returns 0, -EINVAL (bad path, infinite deadline), -ENOENT (no such port
 * or the kernel lacks the file, < 4.20), -EACCES, -ETIMEDOUT, or -errno of
 * the write.
 */
int usb_port_power(const char *port_path, bool on, usec_t deadline);

/* The sysfs file usb_port_power() writes, for port_path (caller frees).
 * Pure. Returns 0, -EINVAL or -ENOMEM. */
int usb_port_disable_path(const char *port_path, char **ret);

static inline void usb_device_freep(struct usb_device **p) { usb_device_free(*p); }
static inline void usb_descriptors_freep(struct usb_descriptors **p) { usb_descriptors_free(*p); }
