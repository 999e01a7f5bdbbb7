/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The bench as a USB device: a configfs gadget (libcomposite) with one
 * function at a time, bound to a device-mode controller (UDC) that is
 * cabled to the DUT's USB host port. Plain file writes under
 * /sys/kernel/config/usb_gadget; no libusbgx. docs/usb-host.md.
 *
 * What the gadget side can see of the DUT's host, per function, is in
 * usbgadget_observe() and documented in docs/usb-host.md: enumeration is
 * the UDC's state "configured"; "a class driver used it" is a function
 * specific signal (an input report read, SCSI reads of the backing file,
 * the data interface selected / packets received, data on the serial line).
 *
 * Thread: any one thread per object; every call that waits takes an
 * absolute CLOCK_MONOTONIC deadline and an abort fd (POLLIN = stop, -1 for
 * none) and returns -ETIMEDOUT / -ECANCELED. Needs root (configfs, netdev
 * flags). Drivers do not log; errors are -errno. */

#include <stdbool.h>
#include <stdint.h>

#include "common/macros.h"
#include "common/timeutil.h"

enum usbgadget_function {
        USBGADGET_HID,           /* boot keyboard, "hid" */
        USBGADGET_MASS_STORAGE,  /* "mass_storage", sparse backing file in workdir */
        USBGADGET_ECM,
        USBGADGET_NCM,
        USBGADGET_RNDIS,
        USBGADGET_ACM,
        USBGADGET_PRINTER,
        USBGADGET_UAC2,          /* audio, "uac2" */
        _USBGADGET_FUNCTION_MAX,
};

/* The configfs function type ("mass_storage"); NULL when out of range. */
const char *usbgadget_function_to_string(enum usbgadget_function f);
/* -EINVAL for an unknown name. */
int usbgadget_function_from_string(const char *s);

struct usbgadget;

/* Creates gadget NAME (configfs directory; a stale one of the same name is
 * removed first) with one configuration holding function f. workdir: an
 * existing directory for the mass storage backing file. Does not bind.
 * -EOPNOTSUPP: the kernel offers no such gadget function (module missing);
 * -ENODEV: no configfs gadget support at all. Caller frees with
 * usbgadget_free(), which unbinds and removes everything. */
int usbgadget_new(const char *name, enum usbgadget_function f, const char *workdir, struct usbgadget **ret);
void usbgadget_free(struct usbgadget *g);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct usbgadget *, usbgadget_free);

/* Binds to udc ("fe980000.usb", "dummy_udc.0"). -ENODEV: no such UDC;
 * -EBUSY: the UDC serves another gadget; -EOPNOTSUPP: the function does
 * not bind on this UDC (endpoint types it lacks). */
int usbgadget_bind(struct usbgadget *g, const char *udc);
/* Until the UDC reports "configured" (the host enumerated the gadget and
 * set a configuration), the deadline or abort. */
int usbgadget_wait_configured(struct usbgadget *g, usec_t deadline, int abort_fd);

struct usbgadget_use {
        bool observable;     /* the function has a gadget-side signal at all */
        bool used;           /* the signal was seen: a class driver used it */
        char *signal;        /* what is watched / what was seen (one phrase) */
        char *detail;        /* counters and bytes seen, or NULL */
};
void usbgadget_use_done(struct usbgadget_use *u);

/* Watches for the function's sign of use by a host class driver until it
 * is seen or the deadline (a deadline is not an error: ret->used false).
 * Call after usbgadget_wait_configured(). -ECANCELED on abort; other
 * -errno when the gadget-side device cannot be opened. On success fills
 * ret (caller frees with usbgadget_use_done()). */
int usbgadget_observe(struct usbgadget *g, usec_t deadline, int abort_fd, struct usbgadget_use *ret);

/* The UDC's current state ("not attached", "configured", ...). */
int usbgadget_udc_state(const char *udc, char **ret);
/* The first entry of /sys/class/udc (sorted). -ENODEV when there is none. */
int usbgadget_udc_default(char **ret);
