/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * D-7 access probes (issue 5, docs/usb-access.md): for each USB function a
 * DUT exposes, try the way in an attacker would take and record what the DUT
 * answered.
 *
 * Two halves:
 *  - Pure decoders (drivers/usb/decode-*.c, library cb_usbprobe_decode): no
 *    I/O, no allocation, no logging; every length is checked before use;
 *    fuzzed by fuzz/fuzz-usbprobe.c. They return 0, -EINVAL (NULL argument)
 *    or -EBADMSG (malformed), and never write out-parameters on failure.
 *  - Probes (drivers/usb/probe-*.c, library cb_usbprobe): talk to the DUT
 *    through libusb or its tty, each bounded by an absolute CLOCK_MONOTONIC
 *    deadline. They block the calling thread (a slot worker) until the
 *    answer or the deadline. They return -errno (LIBUSB_ERROR_* mapped) for
 *    bench faults only; what the DUT did is in the report. No logging.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/timeutil.h"
#include "lib/usbdesc/usbdesc.h"

/* ---- ADB (system/core/adb/protocol.txt) ---------------------------------- */

#define USBPROBE_ADB_HEADER_SIZE 24
#define USBPROBE_ADB_CNXN 0x4e584e43u   /* "CNXN" little endian */
#define USBPROBE_ADB_AUTH 0x48545541u   /* "AUTH" */
#define USBPROBE_ADB_OPEN 0x4e45504fu
#define USBPROBE_ADB_OKAY 0x59414b4fu
#define USBPROBE_ADB_CLSE 0x45534c43u
#define USBPROBE_ADB_WRTE 0x45545257u
#define USBPROBE_ADB_STLS 0x534c5453u
#define USBPROBE_ADB_VERSION 0x01000001u
#define USBPROBE_ADB_MAXDATA (256u * 1024u)
#define USBPROBE_ADB_AUTH_TOKEN 1u      /* AUTH arg0 */

struct usbprobe_adb_msg {
        uint32_t command, arg0, arg1, data_length, data_check, magic;
};

/* Decodes a 24-byte message header (little endian). -EBADMSG when shorter
 * than 24 bytes or magic != command ^ 0xffffffff. */
int usbprobe_adb_header_parse(const uint8_t *buf, size_t len, struct usbprobe_adb_msg *ret);
/* Fills out[24] for command with payload (data_check = byte sum). */
void usbprobe_adb_header_build(uint32_t command, uint32_t arg0, uint32_t arg1, const uint8_t *data,
                               size_t data_len, uint8_t out[USBPROBE_ADB_HEADER_SIZE]);
uint32_t usbprobe_adb_checksum(const uint8_t *data, size_t len);

enum usbprobe_adb_answer {
        USBPROBE_ADB_ANSWER_CONNECTED,     /* CNXN: a shell is one OPEN away */
        USBPROBE_ADB_ANSWER_AUTH,          /* AUTH TOKEN: a key is required */
        USBPROBE_ADB_ANSWER_OTHER,         /* another valid message */
        _USBPROBE_ADB_ANSWER_MAX,
};
enum usbprobe_adb_answer usbprobe_adb_classify(const struct usbprobe_adb_msg *m);

/* ---- Mass storage: Bulk-Only Transport 1.0 and SCSI (SPC-4, SBC-3) ------- */

#define USBPROBE_CBW_SIZE 31
#define USBPROBE_CSW_SIZE 13
#define USBPROBE_CBW_SIGNATURE 0x43425355u   /* "USBC" */
#define USBPROBE_CSW_SIGNATURE 0x53425355u   /* "USBS" */

enum {
        USBPROBE_CSW_PASSED = 0,
        USBPROBE_CSW_FAILED = 1,
        USBPROBE_CSW_PHASE_ERROR = 2,
};

struct usbprobe_csw {
        uint32_t tag;
        uint32_t residue;
        uint8_t status;
};

/* Fills out[31]: a CBW for a SCSI command of cdb_len (1..16) bytes. Returns
 * 0 or -EINVAL. */
int usbprobe_cbw_build(uint32_t tag, uint32_t data_length, bool data_in, uint8_t lun,
                       const uint8_t *cdb, size_t cdb_len, uint8_t out[USBPROBE_CBW_SIZE]);
/* -EBADMSG: not 13 bytes, wrong signature, status > 2. The tag is not
 * checked here (the caller compares). */
int usbprobe_csw_parse(const uint8_t *buf, size_t len, struct usbprobe_csw *ret);

struct usbprobe_inquiry {
        uint8_t peripheral_type;      /* byte 0 bits 4..0 (0: disk, 5: CD/DVD) */
        uint8_t qualifier;            /* byte 0 bits 7..5 */
        bool removable;               /* RMB */
        uint8_t version;
        char vendor[9], product[17], revision[5];   /* printable ASCII, trimmed */
};
/* Standard INQUIRY data; at least 36 bytes. Non-printable bytes become '?'. */
int usbprobe_inquiry_parse(const uint8_t *buf, size_t len, struct usbprobe_inquiry *ret);

struct usbprobe_capacity {
        uint32_t last_lba;
        uint32_t block_length;
        uint64_t bytes;               /* (last_lba + 1) * block_length */
};
/* READ CAPACITY(10) data: 8 bytes big endian. */
int usbprobe_read_capacity10_parse(const uint8_t *buf, size_t len, struct usbprobe_capacity *ret);

struct usbprobe_mode_sense {
        uint8_t medium_type;
        bool write_protected;         /* device-specific parameter bit 7 */
        uint8_t block_descriptor_length;
};
/* MODE SENSE(6) data: a 4-byte header at least; mode data length must not
 * claim fewer bytes than the header. */
int usbprobe_mode_sense6_parse(const uint8_t *buf, size_t len, struct usbprobe_mode_sense *ret);

/* ---- DFU 1.1 ------------------------------------------------------------- */

enum {
        USBPROBE_DFU_DETACH = 0,
        USBPROBE_DFU_DNLOAD = 1,
        USBPROBE_DFU_UPLOAD = 2,
        USBPROBE_DFU_GETSTATUS = 3,
        USBPROBE_DFU_CLRSTATUS = 4,
        USBPROBE_DFU_GETSTATE = 5,
        USBPROBE_DFU_ABORT = 6,
};
#define USBPROBE_DFU_FUNCTIONAL_TYPE 0x21
#define USBPROBE_DFU_CAN_DOWNLOAD 0x01
#define USBPROBE_DFU_CAN_UPLOAD 0x02
#define USBPROBE_DFU_STATE_MAX 10   /* dfuERROR */

struct usbprobe_dfu_status {
        uint8_t status;               /* bStatus, 0 OK */
        uint32_t poll_timeout_ms;     /* bwPollTimeout, 24 bit */
        uint8_t state;                /* bState 0..10 */
        uint8_t string_index;
};
/* GETSTATUS reply: 6 bytes; -EBADMSG when shorter or bState > 10. */
int usbprobe_dfu_status_parse(const uint8_t *buf, size_t len, struct usbprobe_dfu_status *ret);
/* "appIDLE", ..., "dfuERROR"; NULL when out of range. */
const char *usbprobe_dfu_state_name(uint8_t state);

struct usbprobe_dfu_functional {
        uint8_t attributes;           /* bmAttributes */
        uint16_t detach_timeout_ms;
        uint16_t transfer_size;
        uint16_t bcd_dfu;             /* 0 when the 7-byte DFU 1.0 form */
};
/* The DFU functional descriptor (type 0x21, bLength 7 or 9). */
int usbprobe_dfu_functional_parse(const uint8_t *buf, size_t len, struct usbprobe_dfu_functional *ret);

/* ---- HID report descriptor (HID 1.11, 6.2.2) ----------------------------- */

struct usbprobe_hid_summary {
        bool keyboard;                /* an application collection Generic
                                         Desktop Keyboard/Keypad with inputs on
                                         the Keyboard usage page: can type */
        bool mouse;                   /* Generic Desktop Mouse/Pointer */
        bool consumer;                /* Consumer Control (media keys) */
        bool vendor;                  /* a vendor usage page 0xff00.. */
        unsigned n_application;       /* top-level application collections */
        unsigned n_input, n_output, n_feature;   /* main items */
        unsigned n_report_ids;        /* distinct Report ID values seen */
        unsigned n_items;
};
/* Walks every item; -EBADMSG when an item runs past the end, a collection
 * is closed that was not opened, or nesting is deeper than 32. Unclosed
 * collections at the end are tolerated (many devices). */
int usbprobe_hid_summarize(const uint8_t *buf, size_t len, struct usbprobe_hid_summary *ret);

/* ---- Serial banner -------------------------------------------------------- */

enum usbprobe_banner {
        USBPROBE_BANNER_NONE,         /* nothing (or only whitespace) */
        USBPROBE_BANNER_SHELL,        /* a shell prompt: "# ", "$ ", "root@..", "sh-5.1#" */
        USBPROBE_BANNER_LOGIN,        /* "login:" / "Password:" prompt */
        USBPROBE_BANNER_OTHER,        /* text, neither */
        _USBPROBE_BANNER_MAX,
};
/* Classifies what a serial console printed after a line break. A shell
 * prompt wins over a login prompt only when it comes last (a login banner
 * followed by a prompt is a shell). ANSI escape sequences and NULs are
 * skipped. Never fails; buf may be NULL when len is 0. */
enum usbprobe_banner usbprobe_banner_classify(const uint8_t *buf, size_t len);
const char *usbprobe_banner_name(enum usbprobe_banner b);

/* ---- Probes ---------------------------------------------------------------- */

enum usbprobe_verdict {
        USBPROBE_PASS,                /* access needs credentials / is refused */
        USBPROBE_FAIL,                /* a way in without credentials */
        USBPROBE_INFO,                /* informational (HID, not probed) */
        USBPROBE_ERROR,               /* the bench could not decide */
        _USBPROBE_VERDICT_MAX,
};
const char *usbprobe_verdict_name(enum usbprobe_verdict v);

/* What one probe saw. Owned by the caller: usbprobe_report_free(). */
struct usbprobe_report {
        enum usbdesc_function kind;   /* the interface's function */
        uint8_t interface;            /* bInterfaceNumber */
        enum usbprobe_verdict verdict;
        char *reason;                 /* one sentence */
        char *details;                /* "key=value\n" lines (capacity, WP, state ...) */
        uint8_t *raw;                 /* the DUT's bytes, as received, in order */
        size_t n_raw;
};
struct usbprobe_report *usbprobe_report_free(struct usbprobe_report *r);
static inline void usbprobe_report_freep(struct usbprobe_report **r) {
        usbprobe_report_free(*r);
}

struct libusb_device_handle;

/* Maps a LIBUSB_ERROR_* (or a transferred length >= 0, returned as is) to
 * -errno. */
int usbprobe_errno(int libusb_error);

/* Finds the tty the kernel made for interface ifnum of the device at bus
 * and port chain ("1-1.2"), i.e. SYSFS/bus/usb/devices/PORT:CFG.IF/tty/NAME,
 * waiting for it until the deadline (cdc_acm binds after enumeration).
 * sysfs NULL means "/sys". *ret_path is "/dev/ttyACMn" (caller frees).
 * -ETIMEDOUT when it never appeared. */
int usbprobe_acm_tty_find(const char *sysfs, const char *port_path, uint8_t config, uint8_t ifnum,
                          usec_t deadline, char **ret_path);

/* Opens tty raw, sends "\r\n", collects what comes back for banner_usec
 * (bounded by deadline), classifies it: shell → FAIL, login → PASS,
 * nothing → PASS with a note, other text → PASS. */
int usbprobe_acm(const char *tty, usec_t banner_usec, usec_t deadline, struct usbprobe_report **ret);

/* ADB CNXN handshake on interface ifnum (claims it; detaches a kernel driver). */
int usbprobe_adb(struct libusb_device_handle *h, uint8_t ifnum, usec_t deadline,
                 struct usbprobe_report **ret);

/* BOT + SCSI: INQUIRY, READ CAPACITY(10), MODE SENSE(6), READ(10) of block
 * 0. Readable and not declared → FAIL; declared → PASS with the facts.
 * Detaches usb-storage for the probe and reattaches it at the end. */
int usbprobe_msc(struct libusb_device_handle *h, uint8_t ifnum, bool declared, usec_t deadline,
                 struct usbprobe_report **ret);

/* DFU GETSTATUS, then UPLOAD of block 0: data → FAIL; stall or empty → PASS. */
int usbprobe_dfu(struct libusb_device_handle *h, uint8_t ifnum, usec_t deadline,
                 struct usbprobe_report **ret);

/* GET_DESCRIPTOR(report) and its summary; verdict INFO. */
int usbprobe_hid(struct libusb_device_handle *h, uint8_t ifnum, usec_t deadline,
                 struct usbprobe_report **ret);

struct usbprobe_opts {
        const char *sysfs;                    /* NULL: "/sys" */
        const char *const *declared;          /* profile usb.classes */
        size_t n_declared;
        usec_t banner_usec;                   /* serial capture window; 0: 1 s */
        usec_t per_probe_usec;                /* each probe's budget; 0: 5 s */
};

/* Every probe-able interface of the active configuration, in interface
 * order: cdc-acm, adb, mass-storage, dfu, dfu-runtime, hid*. A probe whose
 * budget runs out yields an ERROR report, not a failure of the call.
 * Returns 0 with *ret (array, caller frees each and the array; may be 0
 * long), or -errno when the device cannot be read at all. */
int usbprobe_device(struct libusb_device_handle *h, const struct usbprobe_opts *opts, usec_t deadline,
                    struct usbprobe_report ***ret, size_t *ret_n);

/* ---- Helpers shared by the probe-*.c files (and the case) ------------------ */

/* A report for interface ifnum of kind; NULL on -ENOMEM. */
struct usbprobe_report *usbprobe_report_new(enum usbdesc_function kind, uint8_t ifnum);
/* Set the verdict and the one-sentence reason (replaces an earlier one). */
int usbprobe_report_verdict(struct usbprobe_report *r, enum usbprobe_verdict v, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
/* Append a "key=value" line to details. */
int usbprobe_report_detail(struct usbprobe_report *r, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
/* Append bytes the DUT sent to raw (capped at 64 KiB in all). */
int usbprobe_report_raw(struct usbprobe_report *r, const void *data, size_t len);

/* Milliseconds left to deadline for a libusb transfer: at least 1 (libusb's
 * 0 means "forever"), at most max_ms; 0 when the deadline has passed. */
unsigned usbprobe_timeout_ms(usec_t deadline, unsigned max_ms);

/* The first bulk IN and OUT endpoints of interface ifnum, alt 0, of the
 * active configuration; -ENOENT when it has not both. */
int usbprobe_bulk_endpoints(struct libusb_device_handle *h, uint8_t ifnum, uint8_t *ret_in,
                            uint8_t *ret_out, uint16_t *ret_max_packet);
