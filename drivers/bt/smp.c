/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SMP PDUs and the association-model tables. */

#include <errno.h>

#include "drivers/bt/smp.h"

/* Exact PDU length (code octet included) per code; 0: not defined. */
static const uint8_t pdu_len[] = {
        [BT_SMP_PAIRING_REQUEST] = 7,     [BT_SMP_PAIRING_RESPONSE] = 7, [BT_SMP_PAIRING_CONFIRM] = 17,
        [BT_SMP_PAIRING_RANDOM] = 17,     [BT_SMP_PAIRING_FAILED] = 2,   [BT_SMP_ENCRYPTION_INFO] = 17,
        [BT_SMP_CENTRAL_IDENT] = 11,      [BT_SMP_IDENTITY_INFO] = 17,   [BT_SMP_IDENTITY_ADDR_INFO] = 8,
        [BT_SMP_SIGNING_INFO] = 17,       [BT_SMP_SECURITY_REQUEST] = 2, [BT_SMP_PUBLIC_KEY] = 65,
        [BT_SMP_DHKEY_CHECK] = 17,        [BT_SMP_KEYPRESS_NOTIFY] = 2,
};

int bt_smp_parse(const uint8_t *buf, size_t size, struct bt_smp_pdu *ret) {
        struct bt_smp_pdu p = {};

        if (!buf || size < 1)
                return -EBADMSG;
        p.code = buf[0];
        if (p.code >= sizeof(pdu_len) || pdu_len[p.code] == 0)
                return -EPROTONOSUPPORT;
        if (size != pdu_len[p.code])
                return -EBADMSG;
        switch (p.code) {
        case BT_SMP_PAIRING_REQUEST:
        case BT_SMP_PAIRING_RESPONSE:
                p.pairing = (struct bt_smp_pairing){
                        .io_cap = buf[1],
                        .oob = buf[2],
                        .auth_req = buf[3],
                        .max_key_size = buf[4],
                        .init_key_dist = buf[5],
                        .resp_key_dist = buf[6],
                };
                break;
        case BT_SMP_PAIRING_FAILED:
                p.reason = buf[1];
                break;
        case BT_SMP_SECURITY_REQUEST:
                p.auth_req = buf[1];
                break;
        case BT_SMP_KEYPRESS_NOTIFY:
                p.notification = buf[1];
                break;
        default:
                p.value = buf + 1;
                p.value_len = size - 1;
                break;
        }
        *ret = p;
        return 0;
}

const char *bt_smp_code_to_string(uint8_t code) {
        static const char *const names[] = {
                [BT_SMP_PAIRING_REQUEST] = "Pairing Request",
                [BT_SMP_PAIRING_RESPONSE] = "Pairing Response",
                [BT_SMP_PAIRING_CONFIRM] = "Pairing Confirm",
                [BT_SMP_PAIRING_RANDOM] = "Pairing Random",
                [BT_SMP_PAIRING_FAILED] = "Pairing Failed",
                [BT_SMP_ENCRYPTION_INFO] = "Encryption Information",
                [BT_SMP_CENTRAL_IDENT] = "Central Identification",
                [BT_SMP_IDENTITY_INFO] = "Identity Information",
                [BT_SMP_IDENTITY_ADDR_INFO] = "Identity Address Information",
                [BT_SMP_SIGNING_INFO] = "Signing Information",
                [BT_SMP_SECURITY_REQUEST] = "Security Request",
                [BT_SMP_PUBLIC_KEY] = "Pairing Public Key",
                [BT_SMP_DHKEY_CHECK] = "Pairing DHKey Check",
                [BT_SMP_KEYPRESS_NOTIFY] = "Keypress Notification",
        };
        return code < sizeof(names) / sizeof(names[0]) && names[code] ? names[code] : "unknown";
}

const char *bt_smp_reason_to_string(uint8_t reason) {
        static const char *const names[] = {
                [0x01] = "Passkey Entry Failed",
                [0x02] = "OOB Not Available",
                [0x03] = "Authentication Requirements",
                [0x04] = "Confirm Value Failed",
                [0x05] = "Pairing Not Supported",
                [0x06] = "Encryption Key Size",
                [0x07] = "Command Not Supported",
                [0x08] = "Unspecified Reason",
                [0x09] = "Repeated Attempts",
                [0x0a] = "Invalid Parameters",
                [0x0b] = "DHKey Check Failed",
                [0x0c] = "Numeric Comparison Failed",
                [0x0d] = "BR/EDR pairing in progress",
                [0x0e] = "Cross-transport Key Derivation/Generation not allowed",
                [0x0f] = "Key Rejected",
        };
        return reason < sizeof(names) / sizeof(names[0]) && names[reason] ? names[reason] : "reserved";
}

const char *bt_assoc_model_to_string(enum bt_assoc_model m) {
        switch (m) {
        case BT_ASSOC_UNKNOWN:
                return "unknown";
        case BT_ASSOC_JUST_WORKS:
                return "Just Works";
        case BT_ASSOC_NUMERIC_COMPARISON:
                return "Numeric Comparison";
        case BT_ASSOC_PASSKEY_ENTRY:
                return "Passkey Entry";
        case BT_ASSOC_OOB:
                return "OOB";
        case BT_ASSOC_PIN:
                return "PIN";
        case _BT_ASSOC_MAX:
                break;
        }
        return "unknown";
}

const char *bt_assoc_model_to_id(enum bt_assoc_model m) {
        switch (m) {
        case BT_ASSOC_UNKNOWN:
                return "unknown";
        case BT_ASSOC_JUST_WORKS:
                return "just-works";
        case BT_ASSOC_NUMERIC_COMPARISON:
                return "numeric-comparison";
        case BT_ASSOC_PASSKEY_ENTRY:
                return "passkey-entry";
        case BT_ASSOC_OOB:
                return "oob";
        case BT_ASSOC_PIN:
                return "pin";
        case _BT_ASSOC_MAX:
                break;
        }
        return "unknown";
}

#define JW BT_ASSOC_JUST_WORKS
#define NC BT_ASSOC_NUMERIC_COMPARISON
#define PE BT_ASSOC_PASSKEY_ENTRY

/* [initiator][responder]: DisplayOnly, DisplayYesNo, KeyboardOnly,
 * NoInputNoOutput, KeyboardDisplay (Vol 3 Part H Table 2.8). Legacy has
 * Just Works where Secure Connections has Numeric Comparison. */
static const enum bt_assoc_model table_legacy[5][5] = {
        { JW, JW, PE, JW, PE },
        { JW, JW, PE, JW, PE },
        { PE, PE, PE, JW, PE },
        { JW, JW, JW, JW, JW },
        { PE, PE, PE, JW, PE },
};
static const enum bt_assoc_model table_sc[5][5] = {
        { JW, JW, PE, JW, PE },
        { JW, NC, PE, JW, NC },
        { PE, PE, PE, JW, PE },
        { JW, JW, JW, JW, JW },
        { PE, NC, PE, JW, NC },
};

enum bt_assoc_model bt_smp_assoc_model(const struct bt_smp_pairing *init, const struct bt_smp_pairing *resp,
                                       bool sc) {
        if (sc ? (init->oob || resp->oob) : (init->oob && resp->oob))
                return BT_ASSOC_OOB;
        if (!((init->auth_req | resp->auth_req) & BT_SMP_AUTH_MITM))
                return BT_ASSOC_JUST_WORKS;
        if (init->io_cap > 4 || resp->io_cap > 4)
                return BT_ASSOC_UNKNOWN;
        return (sc ? table_sc : table_legacy)[init->io_cap][resp->io_cap];
}

enum bt_assoc_model bt_ssp_assoc_model(uint8_t init_io, uint8_t init_oob, uint8_t init_auth, uint8_t resp_io,
                                       uint8_t resp_oob, uint8_t resp_auth) {
        if (init_oob || resp_oob)
                return BT_ASSOC_OOB;
        /* Vol 3 Part C 5.2.2.6: with neither side requiring MITM the
         * controllers use Just Works (auto-confirmed numeric comparison). */
        if (!((init_auth | resp_auth) & 0x01))
                return BT_ASSOC_JUST_WORKS;
        if (init_io > 4 || resp_io > 4)
                return BT_ASSOC_UNKNOWN;
        /* SSP's table is the Secure Connections one (DisplayYesNo on both
         * sides compares numbers); KeyboardDisplay does not occur on
         * BR/EDR and is read as in LE. */
        return table_sc[init_io][resp_io];
}

int bt_smp_pairing_build(uint8_t code, const struct bt_smp_pairing *p, uint8_t out[static BT_SMP_PAIRING_LEN]) {
        if (!p || (code != BT_SMP_PAIRING_REQUEST && code != BT_SMP_PAIRING_RESPONSE))
                return -EINVAL;
        out[0] = code;
        out[1] = p->io_cap;
        out[2] = p->oob;
        out[3] = p->auth_req;
        out[4] = p->max_key_size;
        out[5] = p->init_key_dist;
        out[6] = p->resp_key_dist;
        return BT_SMP_PAIRING_LEN;
}

int bt_smp_failed_build(uint8_t reason, uint8_t out[static BT_SMP_FAILED_LEN]) {
        out[0] = BT_SMP_PAIRING_FAILED;
        out[1] = reason;
        return BT_SMP_FAILED_LEN;
}
