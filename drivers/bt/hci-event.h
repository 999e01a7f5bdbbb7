/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Pure decoders of HCI events (Bluetooth Core, Vol 4, Part E, 7.7).
 *
 * No I/O, no allocation, no libbluetooth: these functions only read the
 * bytes they are given, never past the length they are given, and are fed
 * hostile input (tests/rig/bt/hci-event-fuzz.c). Every decoder validates
 * the whole event before it reports anything, so a truncated event is
 * rejected as a whole, never half-delivered.
 *
 * Errors: -EBADMSG the bytes are malformed (short, long, count does not
 * fit the length, a field out of its range); -ENOMSG the event is well
 * formed but not the kind the decoder was asked for. Out-parameters are
 * not written on failure. Pointers handed back point into the caller's
 * buffer and live as long as it does. Thread-safe (no state). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Event codes decoded here. */
#define BT_HCI_EVT_INQUIRY_COMPLETE        0x01
#define BT_HCI_EVT_INQUIRY_RESULT          0x02
#define BT_HCI_EVT_CMD_COMPLETE            0x0e
#define BT_HCI_EVT_CMD_STATUS              0x0f
#define BT_HCI_EVT_INQUIRY_RESULT_RSSI     0x22
#define BT_HCI_EVT_EXT_INQUIRY_RESULT      0x2f
#define BT_HCI_EVT_LE_META                 0x3e
#define BT_HCI_LE_SUBEVT_ADV_REPORT        0x02

#define BT_HCI_EIR_SIZE   240   /* Extended Inquiry Response data, fixed size */
#define BT_HCI_ADV_MAX    31    /* legacy advertising / scan response data */

#define BT_HCI_OPCODE(ogf, ocf) ((uint16_t) ((((ogf) & 0x3f) << 10) | ((ocf) & 0x3ff)))

/* A device address as on the wire: b[0] is the least significant octet
 * (the same layout as libbluetooth's bdaddr_t). */
struct bt_addr {
        uint8_t b[6];
};

/* "AA:BB:CC:DD:EE:FF" (most significant first) into buf (>= BT_ADDR_STR_MAX). */
#define BT_ADDR_STR_MAX 18
char *bt_addr_to_string(const struct bt_addr *a, char *buf, size_t size);
/* The reverse, strictly: exactly 17 characters, six pairs of hex digits
 * (either case) separated by ':'. -EINVAL otherwise (ret untouched). */
int bt_addr_from_string(const char *s, struct bt_addr *ret);
bool bt_addr_equal(const struct bt_addr *a, const struct bt_addr *b);

/* An event packet without the H4 type octet: code, parameter length, parameters. */
struct bt_hci_evt {
        uint8_t code;
        uint8_t len;              /* == number of octets at params */
        const uint8_t *params;
};

/* buf holds exactly one event (what a raw HCI socket returns after its
 * type octet): 2 header octets plus the parameter length they state.
 * Short or trailing bytes: -EBADMSG. */
int bt_hci_evt_parse(const uint8_t *buf, size_t size, struct bt_hci_evt *ret);

struct bt_hci_cmd_complete {
        uint8_t ncmd;             /* command credits the controller grants */
        uint16_t opcode;          /* 0x0000: credits only, no command */
        const uint8_t *rparams;   /* return parameters; rparams[0] is the status for most commands */
        size_t rlen;
};
int bt_hci_evt_cmd_complete(const struct bt_hci_evt *e, struct bt_hci_cmd_complete *ret);

struct bt_hci_cmd_status {
        uint8_t status;
        uint8_t ncmd;
        uint16_t opcode;
};
int bt_hci_evt_cmd_status(const struct bt_hci_evt *e, struct bt_hci_cmd_status *ret);

int bt_hci_evt_inquiry_complete(const struct bt_hci_evt *e, uint8_t *ret_status);

/* One response of an Inquiry Result (0x02), Inquiry Result with RSSI
 * (0x22) or Extended Inquiry Result (0x2F) event. */
struct bt_inquiry_info {
        struct bt_addr addr;
        uint8_t pscan_rep_mode;
        uint32_t class_of_device;  /* 24 bits */
        uint16_t clock_offset;
        bool has_rssi;
        int8_t rssi;               /* dBm, when has_rssi */
        const uint8_t *eir;        /* 0x2F only: the significant part of the EIR data */
        size_t eir_len;            /* up to the first zero-length field; 0 otherwise */
};

/* Validates an inquiry result event of any of the three kinds and gives
 * the number of responses in it (>= 1). The responses are read as
 * consecutive records, as Linux and BlueZ lay them out (the spec draws
 * the parameters as arrays; controllers send one response per event,
 * where the two layouts agree). 0x22 events with the extra reserved
 * octet some controllers send (15-octet records) are recognised by
 * their length, as Linux does. */
int bt_hci_evt_inquiry_result_count(const struct bt_hci_evt *e, size_t *ret_n);
/* Response i (0-based) of an event bt_hci_evt_inquiry_result_count() accepted.
 * i out of range: -ERANGE. */
int bt_hci_evt_inquiry_result_get(const struct bt_hci_evt *e, size_t i, struct bt_inquiry_info *ret);

/* LE Meta event: the subevent code and its parameters. */
int bt_hci_evt_le_meta(const struct bt_hci_evt *e, uint8_t *ret_subevent, const uint8_t **ret_params,
                       size_t *ret_len);

struct bt_le_adv_report {
        uint8_t event_type;        /* 0 ADV_IND ... 4 SCAN_RSP */
        uint8_t addr_type;         /* 0 public, 1 random, ... */
        struct bt_addr addr;
        const uint8_t *data;       /* AD structures, data_len <= BT_HCI_ADV_MAX */
        uint8_t data_len;
        int8_t rssi;               /* dBm; 127 = not available */
};

/* LE Advertising Report (LE Meta 0x3E, subevent 0x02): validates the
 * whole event (every report's data length within the event and <= 31)
 * and gives the number of reports (>= 1). Reports are read as
 * consecutive records (type, address type, address, length, data, RSSI),
 * as Linux does. */
int bt_hci_evt_le_adv_report_count(const struct bt_hci_evt *e, size_t *ret_n);
int bt_hci_evt_le_adv_report_get(const struct bt_hci_evt *e, size_t i, struct bt_le_adv_report *ret);

/* Finds the first AD/EIR structure of the given type in data (length,
 * type, value ...), stopping at a zero length octet or the end. A
 * structure running past the end is -EBADMSG; not found -ENOENT. */
int bt_eir_find(const uint8_t *data, size_t size, uint8_t type, const uint8_t **ret_value, size_t *ret_len);

#define BT_EIR_NAME_SHORT    0x08
#define BT_EIR_NAME_COMPLETE 0x09

/* The significant length of EIR/AD data: up to the first zero length
 * octet, or the whole buffer. Never more than size. */
size_t bt_eir_significant_len(const uint8_t *data, size_t size);
