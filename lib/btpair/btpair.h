/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The pairing classifier (CCDS D-4): a state machine fed the records of an
 * HCI trace in order (lib/btsnoop) that reports every pairing in it.
 *
 * Pure: no I/O, no clock, no logging; it allocates only its connection
 * table (bounded: BTPAIR_CONN_MAX connections, the oldest idle one is
 * reused). Every packet goes through the bounds-checked decoders of
 * drivers/bt (hci-event.h, hci-pairing-events.h, acl.h, smp.h); malformed
 * packets are counted and skipped, never trusted. Fuzzed
 * (fuzz/fuzz-btpair.c). One struct btpair belongs to one thread.
 *
 * What counts as a pairing:
 *  - BR/EDR: a PIN Code Request (legacy pairing), or an IO Capability
 *    Request/Response (Secure Simple Pairing), for a peer address. The
 *    link key type comes from Link Key Notification; BR/EDR Secure
 *    Connections shows as key type 0x07/0x08.
 *  - LE: an SMP Pairing Request on L2CAP CID 0x0006 of a connection
 *    (handle from HCI ACL, or access address from a link layer sniff).
 *    LE Secure Connections when both Pairing Request and Response set the
 *    SC bit; LE legacy otherwise (or when only an SC=0 request was seen).
 *  - Not a pairing: a bonded reconnect. A Link Key Request answered with
 *    a stored key (Link Key Request Reply), or LE encryption with a stored
 *    LTK (LE Start Encryption, LTK Request Reply) without SMP pairing,
 *    start no pairing and report nothing. A Security Request alone is no
 *    pairing either.
 *
 * Outcome: SUCCESS when a link key was notified (BR/EDR) or the link got
 * encrypted after the pairing exchange (LE; for a sniff: the link layer
 * encryption start after the last pairing PDU); FAILURE on a Pairing
 * Failed, a failed Simple Pairing Complete / Authentication Complete /
 * Encryption Change, or the host refusing (negative replies); ABORTED when
 * the connection dropped, or the trace ended, mid-pairing.
 *
 * Roles: the initiator sent the Pairing Request (LE) or its IO capability
 * first (SSP). "local" is the side of the host whose HCI trace this is;
 * for an over-the-air sniff there is none (local_known false). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drivers/bt/hci-event.h"
#include "drivers/bt/smp.h"
#include "lib/btsnoop/btsnoop.h"

#define BTPAIR_CONN_MAX 64

enum btpair_transport {
        BTPAIR_TRANSPORT_BREDR,
        BTPAIR_TRANSPORT_LE,
        _BTPAIR_TRANSPORT_MAX,
};

enum btpair_method {
        BTPAIR_METHOD_UNKNOWN,
        BTPAIR_METHOD_LEGACY_PIN,        /* BR/EDR legacy pairing (PIN code) */
        BTPAIR_METHOD_SSP,               /* BR/EDR Secure Simple Pairing, P-192 or unknown key */
        BTPAIR_METHOD_SSP_SC,            /* BR/EDR Secure Connections (P-256 link key) */
        BTPAIR_METHOD_LE_LEGACY,
        BTPAIR_METHOD_LE_SC,
        _BTPAIR_METHOD_MAX,
};

enum btpair_outcome {
        BTPAIR_OUTCOME_SUCCESS,
        BTPAIR_OUTCOME_FAILURE,
        BTPAIR_OUTCOME_ABORTED,
        _BTPAIR_OUTCOME_MAX,
};

/* What one side declared: SSP IO Capability (io_cap, oob, auth_req) or
 * SMP Pairing Request/Response (all fields). */
struct btpair_side {
        bool known;
        uint8_t io_cap;
        uint8_t oob;
        uint8_t auth_req;
        uint8_t max_key_size;            /* LE */
        uint8_t init_key_dist, resp_key_dist;   /* LE */
};

struct btpair_result {
        uint64_t first_record, last_record;   /* record numbers (1-based) */
        uint64_t ts_usec;                /* of the first record */
        uint16_t index;                  /* controller index */
        uint16_t handle;                 /* 0xffff unknown */
        bool peer_known;
        struct bt_addr peer;
        uint8_t peer_addr_type;          /* LE: 0 public, 1 random */
        enum btpair_transport transport;
        enum btpair_method method;
        enum bt_assoc_model model;
        struct btpair_side initiator, responder;
        bool local_known;
        bool local_is_initiator;
        bool key_type_known;
        uint8_t key_type;                /* BR/EDR: BT_LINK_KEY_* */
        uint8_t enc_key_size;            /* LE: negotiated (min of both), 0 unknown */
        bool pin_known;
        uint8_t pin_len;
        char pin[17];                    /* the PIN the host replied with (NUL-terminated) */
        enum btpair_outcome outcome;
        uint8_t status;                  /* FAILURE: HCI status or SMP reason; 0 otherwise */
        bool smp_reason;                 /* status is an SMP Pairing Failed reason */
        const char *reason;              /* one sentence, static */
};

/* Called once per pairing, in the order they end, on the feeding thread.
 * r is valid during the call only. */
typedef void (*btpair_report_fn)(const struct btpair_result *r, void *userdata);

struct btpair_stats {
        uint64_t records;
        uint64_t malformed;              /* packets our decoders refused */
        uint64_t bonded_reconnects;      /* stored key / LTK used without pairing */
        uint64_t pairings;
};

struct btpair;

/* NULL only on -ENOMEM. Freed with btpair_free(). */
struct btpair *btpair_new(btpair_report_fn report, void *userdata);
struct btpair *btpair_free(struct btpair *p);

/* Feeds one record (records of other types are counted and ignored). */
void btpair_feed(struct btpair *p, const struct btsnoop_record *rec);

/* End of trace: reports every pairing still in progress as ABORTED (or
 * SUCCESS where a link key was already notified). The classifier may be
 * fed again afterwards. */
void btpair_finish(struct btpair *p);

void btpair_stats_get(const struct btpair *p, struct btpair_stats *ret);

/* "bredr", "le"; "legacy-pin", "ssp", "ssp-sc", "le-legacy", "le-sc",
 * "unknown"; "success", "failure", "aborted". Static strings. */
const char *btpair_transport_to_id(enum btpair_transport t);
const char *btpair_method_to_id(enum btpair_method m);
const char *btpair_outcome_to_id(enum btpair_outcome o);
/* "BR/EDR legacy PIN pairing", "Secure Simple Pairing (P-192)", ... */
const char *btpair_method_to_string(enum btpair_method m);
