/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Pure decoders of the HCI packets that carry pairing and connection
 * security (Bluetooth Core, Vol 4, Part E): the BR/EDR security events
 * (PIN Code / Link Key / IO Capability / User Confirmation / Passkey /
 * Simple Pairing Complete / Link Key Notification), connection and
 * encryption events of both transports, and the host's replies to them
 * (HCI commands).
 *
 * Same contract as hci-event.h: no I/O, no allocation, never a read past
 * the given length, fuzzed (fuzz/fuzz-btpair.c). Each event decoder takes
 * a struct bt_hci_evt from bt_hci_evt_parse() and checks code and exact
 * parameter length. -ENOMSG: another event or command; -EBADMSG:
 * malformed (wrong length). Out-parameters are not written on failure.
 * Thread-safe (no state). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drivers/bt/hci-event.h"

#define BT_HCI_EVT_CONN_COMPLETE           0x03
#define BT_HCI_EVT_DISCONN_COMPLETE        0x05
#define BT_HCI_EVT_AUTH_COMPLETE           0x06
#define BT_HCI_EVT_ENCRYPT_CHANGE          0x08
#define BT_HCI_EVT_PIN_CODE_REQUEST        0x16
#define BT_HCI_EVT_LINK_KEY_REQUEST        0x17
#define BT_HCI_EVT_LINK_KEY_NOTIFY         0x18
#define BT_HCI_EVT_ENCRYPT_KEY_REFRESH     0x30
#define BT_HCI_EVT_IO_CAPABILITY_REQUEST   0x31
#define BT_HCI_EVT_IO_CAPABILITY_RESPONSE  0x32
#define BT_HCI_EVT_USER_CONFIRM_REQUEST    0x33
#define BT_HCI_EVT_USER_PASSKEY_REQUEST    0x34
#define BT_HCI_EVT_REMOTE_OOB_REQUEST      0x35
#define BT_HCI_EVT_SIMPLE_PAIRING_COMPLETE 0x36
#define BT_HCI_EVT_USER_PASSKEY_NOTIFY     0x3b
#define BT_HCI_EVT_ENCRYPT_CHANGE_V2       0x59

#define BT_HCI_LE_SUBEVT_CONN_COMPLETE     0x01
#define BT_HCI_LE_SUBEVT_LTK_REQUEST       0x05
#define BT_HCI_LE_SUBEVT_ENH_CONN_COMPLETE 0x0a

/* Commands (opcode = OGF << 10 | OCF). */
#define BT_HCI_CMD_AUTH_REQUESTED          0x0411
#define BT_HCI_CMD_LINK_KEY_REPLY          0x040b
#define BT_HCI_CMD_LINK_KEY_NEG_REPLY      0x040c
#define BT_HCI_CMD_PIN_CODE_REPLY          0x040d
#define BT_HCI_CMD_PIN_CODE_NEG_REPLY      0x040e
#define BT_HCI_CMD_IO_CAPABILITY_REPLY     0x042b
#define BT_HCI_CMD_USER_CONFIRM_REPLY      0x042c
#define BT_HCI_CMD_USER_CONFIRM_NEG_REPLY  0x042d
#define BT_HCI_CMD_USER_PASSKEY_REPLY      0x042e
#define BT_HCI_CMD_USER_PASSKEY_NEG_REPLY  0x042f
#define BT_HCI_CMD_IO_CAPABILITY_NEG_REPLY 0x0434
#define BT_HCI_CMD_LE_START_ENCRYPTION     0x2019
#define BT_HCI_CMD_LE_LTK_REPLY            0x201a
#define BT_HCI_CMD_LE_LTK_NEG_REPLY        0x201b

/* Link key types (Link Key Notification). */
#define BT_LINK_KEY_COMBINATION            0x00
#define BT_LINK_KEY_LOCAL_UNIT             0x01
#define BT_LINK_KEY_REMOTE_UNIT            0x02
#define BT_LINK_KEY_DEBUG_P192             0x03
#define BT_LINK_KEY_UNAUTH_P192            0x04
#define BT_LINK_KEY_AUTH_P192              0x05
#define BT_LINK_KEY_CHANGED_COMBINATION    0x06
#define BT_LINK_KEY_UNAUTH_P256            0x07
#define BT_LINK_KEY_AUTH_P256              0x08

/* IO capabilities (BR/EDR IO Capability, SMP IO Capability). */
#define BT_IO_DISPLAY_ONLY                 0x00
#define BT_IO_DISPLAY_YES_NO               0x01
#define BT_IO_KEYBOARD_ONLY                0x02
#define BT_IO_NO_INPUT_NO_OUTPUT           0x03
#define BT_IO_KEYBOARD_DISPLAY             0x04   /* SMP only */

/* "Display only" ...; "unknown" for values past the table. Static strings. */
const char *bt_io_capability_to_string(uint8_t io);
/* "combination", "unauthenticated P-192", ...; "reserved" past the table. */
const char *bt_link_key_type_to_string(uint8_t type);

/* An HCI command packet without the H4 type octet: opcode (LE), parameter
 * length, parameters; size must be exactly 3 + the stated length. */
struct bt_hci_cmd {
        uint16_t opcode;
        uint8_t len;
        const uint8_t *params;
};
int bt_hci_cmd_parse(const uint8_t *buf, size_t size, struct bt_hci_cmd *ret);

/* Events carrying only a BD_ADDR: PIN Code Request, Link Key Request, IO
 * Capability Request, User Passkey Request, Remote OOB Data Request. code
 * picks which one is expected. */
int bt_hci_evt_bdaddr(const struct bt_hci_evt *e, uint8_t code, struct bt_addr *ret);

struct bt_hci_conn_complete {
        uint8_t status;
        uint16_t handle;          /* 12 bits */
        struct bt_addr addr;
        uint8_t link_type;        /* 0 SCO, 1 ACL, 2 eSCO */
        uint8_t encryption;
};
int bt_hci_evt_conn_complete(const struct bt_hci_evt *e, struct bt_hci_conn_complete *ret);

struct bt_hci_disconn_complete {
        uint8_t status;
        uint16_t handle;
        uint8_t reason;
};
int bt_hci_evt_disconn_complete(const struct bt_hci_evt *e, struct bt_hci_disconn_complete *ret);

/* Authentication Complete and Encryption Key Refresh Complete: status, handle. */
int bt_hci_evt_auth_complete(const struct bt_hci_evt *e, uint8_t *ret_status, uint16_t *ret_handle);
int bt_hci_evt_key_refresh_complete(const struct bt_hci_evt *e, uint8_t *ret_status, uint16_t *ret_handle);

/* Encryption Change v1 (0x08) and v2 (0x59, with the key size; 0 in v1). */
struct bt_hci_encrypt_change {
        uint8_t status;
        uint16_t handle;
        uint8_t enabled;          /* 0 off, 1 E0 / AES-CCM (LE), 2 AES-CCM (BR/EDR) */
        uint8_t key_size;
};
int bt_hci_evt_encrypt_change(const struct bt_hci_evt *e, struct bt_hci_encrypt_change *ret);

struct bt_hci_link_key_notify {
        struct bt_addr addr;
        const uint8_t *key;       /* 16 octets, into the event */
        uint8_t key_type;         /* BT_LINK_KEY_* */
};
int bt_hci_evt_link_key_notify(const struct bt_hci_evt *e, struct bt_hci_link_key_notify *ret);

/* IO Capability Response (event 0x32) and IO Capability Request Reply
 * (command 0x042B) share the layout. auth_req: 0x00/0x01 no bonding,
 * 0x02/0x03 dedicated, 0x04/0x05 general bonding; odd = MITM required. */
struct bt_io_capability {
        struct bt_addr addr;
        uint8_t io_cap;
        uint8_t oob;
        uint8_t auth_req;
};
int bt_hci_evt_io_capability_response(const struct bt_hci_evt *e, struct bt_io_capability *ret);
int bt_hci_cmd_io_capability_reply(const struct bt_hci_cmd *c, struct bt_io_capability *ret);

/* User Confirmation Request (numeric value) and User Passkey Notification (passkey). */
int bt_hci_evt_user_confirm_request(const struct bt_hci_evt *e, struct bt_addr *ret_addr, uint32_t *ret_value);
int bt_hci_evt_user_passkey_notify(const struct bt_hci_evt *e, struct bt_addr *ret_addr, uint32_t *ret_passkey);

int bt_hci_evt_simple_pairing_complete(const struct bt_hci_evt *e, uint8_t *ret_status, struct bt_addr *ret_addr);

/* LE Connection Complete (0x01) and Enhanced Connection Complete (0x0A). */
struct bt_le_conn_complete {
        uint8_t status;
        uint16_t handle;
        uint8_t role;             /* 0 central, 1 peripheral */
        uint8_t peer_addr_type;
        struct bt_addr peer;
};
int bt_hci_evt_le_conn_complete(const struct bt_hci_evt *e, struct bt_le_conn_complete *ret);

/* LE Long Term Key Request (subevent 0x05): the controller asks the host
 * for the LTK of a bonded peer (peripheral side). */
int bt_hci_evt_le_ltk_request(const struct bt_hci_evt *e, uint16_t *ret_handle, uint16_t *ret_ediv);

/* Commands whose parameters start with a BD_ADDR: Link Key Request Reply
 * and Negative Reply, PIN Code Request Reply and Negative Reply, User
 * Confirmation / Passkey Request (Negative) Reply, IO Capability Request
 * Negative Reply. Any other opcode: -ENOMSG. */
int bt_hci_cmd_bdaddr(const struct bt_hci_cmd *c, struct bt_addr *ret);

/* PIN Code Request Reply: the PIN (1..16 octets, not NUL-terminated). */
int bt_hci_cmd_pin_code_reply(const struct bt_hci_cmd *c, struct bt_addr *ret_addr, const uint8_t **ret_pin,
                              uint8_t *ret_pin_len);

/* Commands whose parameters start with a connection handle: Authentication
 * Requested, LE Enable Encryption, LE LTK Request (Negative) Reply. */
int bt_hci_cmd_handle(const struct bt_hci_cmd *c, uint16_t *ret_handle);
