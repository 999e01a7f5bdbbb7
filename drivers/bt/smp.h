/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Pure decoder of Security Manager Protocol PDUs (Core Vol 3 Part H 3),
 * as carried on L2CAP CID 0x0006 (LE) and 0x0007 (BR/EDR), and the
 * association-model tables of LE pairing and BR/EDR Secure Simple
 * Pairing (Vol 3 Part H 2.3.5.1, Vol 3 Part C 5.2.2.6).
 *
 * No I/O, no allocation, never a read past the given length; fuzzed
 * (fuzz/fuzz-btpair.c). bt_smp_parse() checks that a PDU has exactly the
 * length its code defines. -EBADMSG: malformed; -EPROTONOSUPPORT: a code
 * SMP does not define. Out-parameters are not written on failure.
 * Thread-safe (no state). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BT_SMP_PAIRING_REQUEST     0x01
#define BT_SMP_PAIRING_RESPONSE    0x02
#define BT_SMP_PAIRING_CONFIRM     0x03
#define BT_SMP_PAIRING_RANDOM      0x04
#define BT_SMP_PAIRING_FAILED      0x05
#define BT_SMP_ENCRYPTION_INFO     0x06
#define BT_SMP_CENTRAL_IDENT       0x07
#define BT_SMP_IDENTITY_INFO       0x08
#define BT_SMP_IDENTITY_ADDR_INFO  0x09
#define BT_SMP_SIGNING_INFO        0x0a
#define BT_SMP_SECURITY_REQUEST    0x0b
#define BT_SMP_PUBLIC_KEY          0x0c
#define BT_SMP_DHKEY_CHECK         0x0d
#define BT_SMP_KEYPRESS_NOTIFY     0x0e

/* AuthReq bits. */
#define BT_SMP_AUTH_BONDING        0x01   /* bits 0-1: bonding flags, 01 = bonding */
#define BT_SMP_AUTH_MITM           0x04
#define BT_SMP_AUTH_SC             0x08
#define BT_SMP_AUTH_KEYPRESS       0x10
#define BT_SMP_AUTH_CT2            0x20

/* Pairing Failed reasons (some). */
#define BT_SMP_ERR_PASSKEY_ENTRY_FAILED 0x01
#define BT_SMP_ERR_AUTH_REQUIREMENTS    0x03
#define BT_SMP_ERR_PAIRING_NOT_SUPP     0x05
#define BT_SMP_ERR_UNSPECIFIED          0x08

/* Pairing Request / Response parameters. */
struct bt_smp_pairing {
        uint8_t io_cap;           /* BT_IO_* (drivers/bt/hci-pairing-events.h) */
        uint8_t oob;              /* 0 absent, 1 present */
        uint8_t auth_req;         /* BT_SMP_AUTH_* */
        uint8_t max_key_size;     /* 7..16 by the spec; reported as sent */
        uint8_t init_key_dist;
        uint8_t resp_key_dist;
};

struct bt_smp_pdu {
        uint8_t code;
        struct bt_smp_pairing pairing;   /* Pairing Request / Response */
        uint8_t reason;                  /* Pairing Failed */
        uint8_t auth_req;                /* Security Request */
        uint8_t notification;            /* Keypress Notification */
        const uint8_t *value;            /* the other PDUs: their fixed-size value, into buf */
        size_t value_len;                /* 16 (confirm, random, keys, DHKey check), 10
                                            (central ident), 7 (identity address), 64 (public key) */
};

int bt_smp_parse(const uint8_t *buf, size_t size, struct bt_smp_pdu *ret);

/* "Pairing Request", ...; "unknown" for others. Static strings. */
const char *bt_smp_code_to_string(uint8_t code);

/* Encoders (pure): a Pairing Request or Response (code) into out[7], a
 * Pairing Failed into out[2]. Return the PDU length; -EINVAL for a code
 * that is neither request nor response. */
#define BT_SMP_PAIRING_LEN 7
#define BT_SMP_FAILED_LEN  2
int bt_smp_pairing_build(uint8_t code, const struct bt_smp_pairing *p, uint8_t out[static BT_SMP_PAIRING_LEN]);
int bt_smp_failed_build(uint8_t reason, uint8_t out[static BT_SMP_FAILED_LEN]);
/* "Passkey Entry Failed", ...; "reserved" for others. */
const char *bt_smp_reason_to_string(uint8_t reason);

enum bt_assoc_model {
        BT_ASSOC_UNKNOWN,
        BT_ASSOC_JUST_WORKS,
        BT_ASSOC_NUMERIC_COMPARISON,
        BT_ASSOC_PASSKEY_ENTRY,
        BT_ASSOC_OOB,
        BT_ASSOC_PIN,                    /* BR/EDR legacy pairing */
        _BT_ASSOC_MAX,
};
/* "Just Works", "Numeric Comparison", "Passkey Entry", "OOB", "PIN", "unknown". */
const char *bt_assoc_model_to_string(enum bt_assoc_model m);
/* "just-works", "numeric-comparison", ... for JSON. */
const char *bt_assoc_model_to_id(enum bt_assoc_model m);

/* LE: the model from the Pairing Request (initiator) and Response
 * (responder). OOB when both set the OOB flag (legacy) or either does
 * (Secure Connections); Just Works when neither asks for MITM; otherwise
 * the IO capability table (Numeric Comparison only with sc). IO
 * capabilities past KeyboardDisplay: BT_ASSOC_UNKNOWN. */
enum bt_assoc_model bt_smp_assoc_model(const struct bt_smp_pairing *init, const struct bt_smp_pairing *resp, bool sc);

/* BR/EDR Secure Simple Pairing: the same from both IO Capability
 * exchanges (io_cap, oob, auth_req as in bt_io_capability; MITM is bit 0
 * of auth_req). OOB when either side has OOB data. */
enum bt_assoc_model bt_ssp_assoc_model(uint8_t init_io, uint8_t init_oob, uint8_t init_auth, uint8_t resp_io,
                                       uint8_t resp_oob, uint8_t resp_auth);
