/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The pairing classifier and its decoders on hand-built HCI sequences:
 * one per pairing kind, a refused downgrade, a bonded reconnect, and the
 * btsnoop record parser on hand-built files. */

#include <check.h>
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "drivers/bt/acl.h"
#include "drivers/bt/hci-pairing-events.h"
#include "drivers/bt/smp.h"
#include "lib/btpair/btpair.h"
#include "lib/btsnoop/btsnoop.h"

#define MAXR 8

static struct btpair_result results[MAXR];
static size_t n_results;
static struct btpair *bp;
static uint64_t number;

static const struct bt_addr PEER = { { 0x66, 0x55, 0x44, 0x33, 0x22, 0x11 } };

static void on_report(const struct btpair_result *r, void *userdata) {
        ck_assert_uint_lt(n_results, MAXR);
        results[n_results++] = *r;
}

static void setup(void) {
        n_results = 0;
        number = 0;
        bp = btpair_new(on_report, NULL);
        ck_assert_ptr_nonnull(bp);
}

static void teardown(void) {
        bp = btpair_free(bp);
}

static void feed(enum btsnoop_type type, enum btsnoop_dir dir, const uint8_t *data, size_t len) {
        struct btsnoop_record rec = {
                .number = ++number, .ts_usec = number * 1000, .dir = dir, .type = type, .data = data, .len = len,
        };
        btpair_feed(bp, &rec);
}

/* An event: code, then the parameter octets (ints, -1 ends). */
static void evt(uint8_t code, const uint8_t *params, size_t n) {
        uint8_t buf[260];

        buf[0] = code;
        buf[1] = (uint8_t) n;
        memcpy(buf + 2, params, n);
        feed(BTSNOOP_TYPE_EVENT, BTSNOOP_DIR_RECEIVED, buf, n + 2);
}

static void cmd(uint16_t opcode, const uint8_t *params, size_t n) {
        uint8_t buf[260];

        buf[0] = opcode & 0xff;
        buf[1] = opcode >> 8;
        buf[2] = (uint8_t) n;
        memcpy(buf + 3, params, n);
        feed(BTSNOOP_TYPE_COMMAND, BTSNOOP_DIR_SENT, buf, n + 3);
}

/* addr followed by extra octets. */
static size_t with_addr(uint8_t *out, const uint8_t *extra, size_t n) {
        memcpy(out, PEER.b, 6);
        if (n)
                memcpy(out + 6, extra, n);
        return 6 + n;
}

static void evt_addr(uint8_t code, const uint8_t *extra, size_t n) {
        uint8_t p[64];
        evt(code, p, with_addr(p, extra, n));
}

static void cmd_addr(uint16_t op, const uint8_t *extra, size_t n) {
        uint8_t p[64];
        cmd(op, p, with_addr(p, extra, n));
}

static void conn_complete(uint16_t handle) {
        uint8_t p[11] = { 0, handle & 0xff, handle >> 8 };
        memcpy(p + 3, PEER.b, 6);
        p[9] = 1;
        p[10] = 0;
        evt(BT_HCI_EVT_CONN_COMPLETE, p, sizeof(p));
}

static void auth_complete(uint8_t status, uint16_t handle) {
        uint8_t p[3] = { status, handle & 0xff, handle >> 8 };
        evt(BT_HCI_EVT_AUTH_COMPLETE, p, 3);
}

static void link_key_notify(uint8_t type) {
        uint8_t x[17] = { [16] = type };
        evt_addr(BT_HCI_EVT_LINK_KEY_NOTIFY, x, 17);
}

static void io_exchange(uint8_t local_io, uint8_t local_auth, uint8_t remote_io, uint8_t remote_auth) {
        uint8_t l[3] = { local_io, 0, local_auth }, r[3] = { remote_io, 0, remote_auth };

        evt_addr(BT_HCI_EVT_LINK_KEY_REQUEST, NULL, 0);
        cmd_addr(BT_HCI_CMD_LINK_KEY_NEG_REPLY, NULL, 0);
        evt_addr(BT_HCI_EVT_IO_CAPABILITY_REQUEST, NULL, 0);
        cmd_addr(BT_HCI_CMD_IO_CAPABILITY_REPLY, l, 3);
        evt_addr(BT_HCI_EVT_IO_CAPABILITY_RESPONSE, r, 3);
}

static void ssp_complete(uint8_t status) {
        uint8_t p[7] = { status };
        memcpy(p + 1, PEER.b, 6);
        evt(BT_HCI_EVT_SIMPLE_PAIRING_COMPLETE, p, 7);
}

START_TEST(legacy_pin) {
        const uint8_t h[2] = { 0x0b, 0x00 };
        uint8_t pin[17] = { 4, '0', '0', '0', '0' };

        conn_complete(0x0b);
        cmd(BT_HCI_CMD_AUTH_REQUESTED, h, 2);
        evt_addr(BT_HCI_EVT_LINK_KEY_REQUEST, NULL, 0);
        cmd_addr(BT_HCI_CMD_LINK_KEY_NEG_REPLY, NULL, 0);
        evt_addr(BT_HCI_EVT_PIN_CODE_REQUEST, NULL, 0);
        cmd_addr(BT_HCI_CMD_PIN_CODE_REPLY, pin, 17);
        link_key_notify(BT_LINK_KEY_COMBINATION);
        auth_complete(0, 0x0b);
        btpair_finish(bp);

        ck_assert_uint_eq(n_results, 1);
        ck_assert_int_eq(results[0].transport, BTPAIR_TRANSPORT_BREDR);
        ck_assert_int_eq(results[0].method, BTPAIR_METHOD_LEGACY_PIN);
        ck_assert_int_eq(results[0].model, BT_ASSOC_PIN);
        ck_assert_int_eq(results[0].outcome, BTPAIR_OUTCOME_SUCCESS);
        ck_assert(results[0].key_type_known);
        ck_assert_uint_eq(results[0].key_type, 0);
        ck_assert(results[0].pin_known);
        ck_assert_str_eq(results[0].pin, "0000");
        ck_assert(results[0].local_is_initiator);
        ck_assert(results[0].peer_known && bt_addr_equal(&results[0].peer, &PEER));
        ck_assert_uint_eq(results[0].handle, 0x0b);
}
END_TEST

START_TEST(legacy_pin_refused) {
        conn_complete(0x0c);
        evt_addr(BT_HCI_EVT_PIN_CODE_REQUEST, NULL, 0);
        cmd_addr(BT_HCI_CMD_PIN_CODE_NEG_REPLY, NULL, 0);
        auth_complete(0x05, 0x0c);
        ck_assert_uint_eq(n_results, 1);
        ck_assert_int_eq(results[0].method, BTPAIR_METHOD_LEGACY_PIN);
        ck_assert_int_eq(results[0].outcome, BTPAIR_OUTCOME_FAILURE);
        ck_assert_uint_eq(results[0].status, 0x05);
}
END_TEST

START_TEST(ssp_just_works) {
        conn_complete(0x0b);
        io_exchange(BT_IO_DISPLAY_YES_NO, 0x05, BT_IO_NO_INPUT_NO_OUTPUT, 0x04);
        {
                uint8_t v[4] = { 0x40, 0xe2, 0x01, 0x00 };
                evt_addr(BT_HCI_EVT_USER_CONFIRM_REQUEST, v, 4);
        }
        cmd_addr(BT_HCI_CMD_USER_CONFIRM_REPLY, NULL, 0);
        ssp_complete(0);
        link_key_notify(BT_LINK_KEY_UNAUTH_P192);
        auth_complete(0, 0x0b);
        btpair_finish(bp);

        ck_assert_uint_eq(n_results, 1);
        ck_assert_int_eq(results[0].method, BTPAIR_METHOD_SSP);
        ck_assert_int_eq(results[0].model, BT_ASSOC_JUST_WORKS);
        ck_assert_int_eq(results[0].outcome, BTPAIR_OUTCOME_SUCCESS);
        ck_assert_uint_eq(results[0].key_type, BT_LINK_KEY_UNAUTH_P192);
        ck_assert(results[0].local_known && results[0].local_is_initiator);
        ck_assert_uint_eq(results[0].initiator.io_cap, BT_IO_DISPLAY_YES_NO);
        ck_assert_uint_eq(results[0].initiator.auth_req, 0x05);
        ck_assert_uint_eq(results[0].responder.io_cap, BT_IO_NO_INPUT_NO_OUTPUT);
}
END_TEST

START_TEST(ssp_numeric_comparison) {
        conn_complete(0x0b);
        io_exchange(BT_IO_DISPLAY_YES_NO, 0x05, BT_IO_DISPLAY_YES_NO, 0x05);
        ssp_complete(0);
        link_key_notify(BT_LINK_KEY_AUTH_P256);
        ck_assert_uint_eq(n_results, 1);
        ck_assert_int_eq(results[0].method, BTPAIR_METHOD_SSP_SC);
        ck_assert_int_eq(results[0].model, BT_ASSOC_NUMERIC_COMPARISON);
        ck_assert_uint_eq(results[0].key_type, BT_LINK_KEY_AUTH_P256);
}
END_TEST

START_TEST(ssp_passkey) {
        conn_complete(0x0b);
        /* The DUT answers first here: it is the initiator. */
        uint8_t r[3] = { BT_IO_KEYBOARD_ONLY, 0, 0x03 }, l[3] = { BT_IO_DISPLAY_YES_NO, 0, 0x03 };
        evt_addr(BT_HCI_EVT_IO_CAPABILITY_RESPONSE, r, 3);
        evt_addr(BT_HCI_EVT_IO_CAPABILITY_REQUEST, NULL, 0);
        cmd_addr(BT_HCI_CMD_IO_CAPABILITY_REPLY, l, 3);
        {
                uint8_t v[4] = { 0x01, 0, 0, 0 };
                evt_addr(BT_HCI_EVT_USER_PASSKEY_NOTIFY, v, 4);
        }
        ssp_complete(0);
        link_key_notify(BT_LINK_KEY_AUTH_P192);
        ck_assert_uint_eq(n_results, 1);
        ck_assert_int_eq(results[0].method, BTPAIR_METHOD_SSP);
        ck_assert_int_eq(results[0].model, BT_ASSOC_PASSKEY_ENTRY);
        ck_assert(results[0].local_known && !results[0].local_is_initiator);
        ck_assert_uint_eq(results[0].initiator.io_cap, BT_IO_KEYBOARD_ONLY);
        ck_assert_uint_eq(results[0].responder.io_cap, BT_IO_DISPLAY_YES_NO);
}
END_TEST

START_TEST(ssp_failed) {
        conn_complete(0x0b);
        io_exchange(BT_IO_DISPLAY_YES_NO, 0x05, BT_IO_DISPLAY_YES_NO, 0x05);
        cmd_addr(BT_HCI_CMD_USER_CONFIRM_NEG_REPLY, NULL, 0);
        ssp_complete(0x05);
        ck_assert_uint_eq(n_results, 1);
        ck_assert_int_eq(results[0].outcome, BTPAIR_OUTCOME_FAILURE);
        ck_assert_uint_eq(results[0].status, 0x05);
        ck_assert(!results[0].key_type_known);
}
END_TEST

START_TEST(bonded_reconnect_bredr) {
        const uint8_t h[2] = { 0x0b, 0x00 };
        uint8_t key[16] = {};
        struct btpair_stats st;

        conn_complete(0x0b);
        cmd(BT_HCI_CMD_AUTH_REQUESTED, h, 2);
        evt_addr(BT_HCI_EVT_LINK_KEY_REQUEST, NULL, 0);
        cmd_addr(BT_HCI_CMD_LINK_KEY_REPLY, key, 16);
        auth_complete(0, 0x0b);
        {
                uint8_t p[4] = { 0, 0x0b, 0, 1 };
                evt(BT_HCI_EVT_ENCRYPT_CHANGE, p, 4);
        }
        btpair_finish(bp);
        ck_assert_uint_eq(n_results, 0);
        btpair_stats_get(bp, &st);
        ck_assert_uint_eq(st.bonded_reconnects, 1);
        ck_assert_uint_eq(st.malformed, 0);
}
END_TEST

/* ---- LE ---- */

static void le_conn(uint16_t handle) {
        uint8_t p[19] = { BT_HCI_LE_SUBEVT_CONN_COMPLETE, 0, handle & 0xff, handle >> 8, 0, 1 };
        memcpy(p + 6, PEER.b, 6);
        evt(BT_HCI_EVT_LE_META, p, sizeof(p));
}

/* SMP PDU over ACL on handle; sent: from the local host. Split into two
 * fragments when split is set. */
static void smp(uint16_t handle, bool sent, const uint8_t *pdu, size_t n, bool split) {
        uint8_t buf[128];
        size_t l2 = 4 + n;

        buf[4] = n & 0xff;
        buf[5] = 0;
        buf[6] = BT_L2CAP_CID_SMP;
        buf[7] = 0;
        memcpy(buf + 8, pdu, n);
        if (!split) {
                buf[0] = handle & 0xff;
                buf[1] = (uint8_t) ((handle >> 8) | 0x20);
                buf[2] = l2 & 0xff;
                buf[3] = 0;
                feed(BTSNOOP_TYPE_ACL, sent ? BTSNOOP_DIR_SENT : BTSNOOP_DIR_RECEIVED, buf, 4 + l2);
                return;
        }
        uint8_t a[128], b[128];
        size_t first = l2 / 2;
        a[0] = handle & 0xff;
        a[1] = (uint8_t) ((handle >> 8) | 0x20);
        a[2] = (uint8_t) first;
        a[3] = 0;
        memcpy(a + 4, buf + 4, first);
        b[0] = handle & 0xff;
        b[1] = (uint8_t) ((handle >> 8) | 0x10);
        b[2] = (uint8_t) (l2 - first);
        b[3] = 0;
        memcpy(b + 4, buf + 4 + first, l2 - first);
        feed(BTSNOOP_TYPE_ACL, sent ? BTSNOOP_DIR_SENT : BTSNOOP_DIR_RECEIVED, a, 4 + first);
        feed(BTSNOOP_TYPE_ACL, sent ? BTSNOOP_DIR_SENT : BTSNOOP_DIR_RECEIVED, b, 4 + l2 - first);
}

static void pairing(uint16_t h, bool sent, uint8_t code, uint8_t io, uint8_t auth) {
        uint8_t p[7] = { code, io, 0, auth, 16, 0x07, 0x07 };
        smp(h, sent, p, 7, false);
}

static void value_pdu(uint16_t h, bool sent, uint8_t code, size_t n) {
        uint8_t p[65] = { code };
        smp(h, sent, p, n, n > 20);
}

static void le_encrypt(uint16_t h, uint8_t status) {
        uint8_t p[4] = { status, h & 0xff, h >> 8, status ? 0 : 1 };
        evt(BT_HCI_EVT_ENCRYPT_CHANGE, p, 4);
}

START_TEST(le_legacy_just_works) {
        le_conn(0x40);
        pairing(0x40, true, BT_SMP_PAIRING_REQUEST, BT_IO_KEYBOARD_DISPLAY, 0x25);
        pairing(0x40, false, BT_SMP_PAIRING_RESPONSE, BT_IO_NO_INPUT_NO_OUTPUT, 0x01);
        value_pdu(0x40, true, BT_SMP_PAIRING_CONFIRM, 17);
        value_pdu(0x40, false, BT_SMP_PAIRING_CONFIRM, 17);
        value_pdu(0x40, true, BT_SMP_PAIRING_RANDOM, 17);
        value_pdu(0x40, false, BT_SMP_PAIRING_RANDOM, 17);
        le_encrypt(0x40, 0);
        btpair_finish(bp);
        ck_assert_uint_eq(n_results, 1);
        ck_assert_int_eq(results[0].transport, BTPAIR_TRANSPORT_LE);
        ck_assert_int_eq(results[0].method, BTPAIR_METHOD_LE_LEGACY);
        /* MITM asked, but the responder has no IO: Just Works. */
        ck_assert_int_eq(results[0].model, BT_ASSOC_JUST_WORKS);
        ck_assert_int_eq(results[0].outcome, BTPAIR_OUTCOME_SUCCESS);
        ck_assert(results[0].local_is_initiator);
        ck_assert_uint_eq(results[0].initiator.auth_req, 0x25);
        ck_assert_uint_eq(results[0].responder.io_cap, BT_IO_NO_INPUT_NO_OUTPUT);
        ck_assert_uint_eq(results[0].enc_key_size, 16);
}
END_TEST

START_TEST(le_sc_numeric_comparison) {
        le_conn(0x41);
        pairing(0x41, true, BT_SMP_PAIRING_REQUEST, BT_IO_KEYBOARD_DISPLAY, 0x0d);
        pairing(0x41, false, BT_SMP_PAIRING_RESPONSE, BT_IO_DISPLAY_YES_NO, 0x0d);
        value_pdu(0x41, true, BT_SMP_PUBLIC_KEY, 65);     /* fragmented */
        value_pdu(0x41, false, BT_SMP_PUBLIC_KEY, 65);
        value_pdu(0x41, false, BT_SMP_PAIRING_CONFIRM, 17);
        value_pdu(0x41, true, BT_SMP_PAIRING_RANDOM, 17);
        value_pdu(0x41, false, BT_SMP_PAIRING_RANDOM, 17);
        value_pdu(0x41, true, BT_SMP_DHKEY_CHECK, 17);
        value_pdu(0x41, false, BT_SMP_DHKEY_CHECK, 17);
        le_encrypt(0x41, 0);
        ck_assert_uint_eq(n_results, 1);
        ck_assert_int_eq(results[0].method, BTPAIR_METHOD_LE_SC);
        ck_assert_int_eq(results[0].model, BT_ASSOC_NUMERIC_COMPARISON);
        ck_assert_int_eq(results[0].outcome, BTPAIR_OUTCOME_SUCCESS);
        {
                struct btpair_stats st;
                btpair_stats_get(bp, &st);
                ck_assert_uint_eq(st.malformed, 0);
        }
}
END_TEST

START_TEST(le_sc_only_refuses_legacy) {
        le_conn(0x42);
        pairing(0x42, true, BT_SMP_PAIRING_REQUEST, BT_IO_NO_INPUT_NO_OUTPUT, 0x01);   /* SC=0 */
        {
                uint8_t f[2] = { BT_SMP_PAIRING_FAILED, BT_SMP_ERR_AUTH_REQUIREMENTS };
                smp(0x42, false, f, 2, false);
        }
        btpair_finish(bp);
        ck_assert_uint_eq(n_results, 1);
        ck_assert_int_eq(results[0].method, BTPAIR_METHOD_LE_LEGACY);
        ck_assert_int_eq(results[0].outcome, BTPAIR_OUTCOME_FAILURE);
        ck_assert(results[0].smp_reason);
        ck_assert_uint_eq(results[0].status, BT_SMP_ERR_AUTH_REQUIREMENTS);
        ck_assert(!results[0].responder.known);
}
END_TEST

START_TEST(le_bonded_reconnect) {
        uint8_t se[28] = { 0x43, 0x00 };
        struct btpair_stats st;

        le_conn(0x43);
        cmd(BT_HCI_CMD_LE_START_ENCRYPTION, se, 28);
        le_encrypt(0x43, 0);
        btpair_finish(bp);
        ck_assert_uint_eq(n_results, 0);
        btpair_stats_get(bp, &st);
        ck_assert_uint_eq(st.bonded_reconnects, 1);
        ck_assert_uint_eq(st.malformed, 0);
}
END_TEST

START_TEST(le_disconnect_aborts) {
        uint8_t d[4] = { 0, 0x44, 0, 0x13 };

        le_conn(0x44);
        pairing(0x44, true, BT_SMP_PAIRING_REQUEST, BT_IO_KEYBOARD_DISPLAY, 0x2d);
        pairing(0x44, false, BT_SMP_PAIRING_RESPONSE, BT_IO_DISPLAY_ONLY, 0x2d);
        evt(BT_HCI_EVT_DISCONN_COMPLETE, d, 4);
        ck_assert_uint_eq(n_results, 1);
        ck_assert_int_eq(results[0].outcome, BTPAIR_OUTCOME_ABORTED);
        ck_assert_int_eq(results[0].method, BTPAIR_METHOD_LE_SC);
        /* KeyboardDisplay initiator, DisplayOnly responder: the initiator types. */
        ck_assert_int_eq(results[0].model, BT_ASSOC_PASSKEY_ENTRY);
}
END_TEST

/* ---- decoders ---- */

START_TEST(decoders_reject_bad_lengths) {
        struct bt_hci_evt e;
        struct bt_io_capability io;
        struct bt_smp_pdu pdu;
        struct bt_l2cap_reasm r = {};
        struct bt_l2cap_frame f;
        const uint8_t ioresp_short[] = { 0x32, 0x08, 1, 2, 3, 4, 5, 6, 1, 0 };
        const uint8_t smp_short[] = { 0x01, 3, 0, 1, 16, 7 };
        const uint8_t start[] = { 0x07, 0x00, 0x06, 0x00, 0x01, 0x03 };
        const uint8_t too_much[] = { 0, 0, 0, 0, 0, 0 };

        ck_assert_int_eq(bt_hci_evt_parse(ioresp_short, sizeof(ioresp_short), &e), 0);
        ck_assert_int_eq(bt_hci_evt_io_capability_response(&e, &io), -EBADMSG);
        ck_assert_int_eq(bt_smp_parse(smp_short, sizeof(smp_short), &pdu), -EBADMSG);
        ck_assert_int_eq(bt_smp_parse((const uint8_t[]){ 0x20 }, 1, &pdu), -EPROTONOSUPPORT);
        ck_assert_int_eq(bt_l2cap_reasm_feed(&r, true, start, sizeof(start), &f), 0);
        ck_assert_int_eq(bt_l2cap_reasm_feed(&r, false, too_much, sizeof(too_much), &f), -EBADMSG);
        ck_assert(!r.active);
        ck_assert_int_eq(bt_l2cap_reasm_feed(&r, false, too_much, 2, &f), -EBADMSG);
}
END_TEST

START_TEST(addr_from_string_is_strict) {
        struct bt_addr a = { { 0 } }, keep = { { 1, 2, 3, 4, 5, 6 } };
        char out[BT_ADDR_STR_MAX];

        ck_assert_int_eq(bt_addr_from_string("00:aa:01:01:0F:f1", &a), 0);
        ck_assert_str_eq(bt_addr_to_string(&a, out, sizeof(out)), "00:AA:01:01:0F:F1");
        a = keep;
        ck_assert_int_eq(bt_addr_from_string("00:AA:01:01:0F:F", &a), -EINVAL);
        ck_assert_int_eq(bt_addr_from_string("00:AA:01:01:0F:F1:", &a), -EINVAL);
        ck_assert_int_eq(bt_addr_from_string("00-AA-01-01-0F-F1", &a), -EINVAL);
        ck_assert_int_eq(bt_addr_from_string(" 0:AA:01:01:0F:F1", &a), -EINVAL);
        ck_assert_int_eq(bt_addr_from_string("0x:AA:01:01:0F:F1", &a), -EINVAL);
        ck_assert_int_eq(bt_addr_from_string(NULL, &a), -EINVAL);
        ck_assert(bt_addr_equal(&a, &keep));
}
END_TEST

START_TEST(smp_encoders_round_trip) {
        struct bt_smp_pairing req = { .io_cap = BT_IO_KEYBOARD_DISPLAY, .oob = 0,
                                      .auth_req = BT_SMP_AUTH_BONDING | BT_SMP_AUTH_MITM | BT_SMP_AUTH_SC,
                                      .max_key_size = 16, .init_key_dist = 0x0d, .resp_key_dist = 0x0f };
        uint8_t out[BT_SMP_PAIRING_LEN], f[BT_SMP_FAILED_LEN];
        struct bt_smp_pdu pdu;

        ck_assert_int_eq(bt_smp_pairing_build(BT_SMP_PAIRING_RESPONSE, &req, out), 7);
        ck_assert_int_eq(bt_smp_parse(out, sizeof(out), &pdu), 0);
        ck_assert_int_eq(pdu.code, BT_SMP_PAIRING_RESPONSE);
        ck_assert_int_eq(pdu.pairing.io_cap, BT_IO_KEYBOARD_DISPLAY);
        ck_assert_int_eq(pdu.pairing.auth_req, 0x0d);
        ck_assert_int_eq(pdu.pairing.init_key_dist, 0x0d);
        ck_assert_int_eq(pdu.pairing.resp_key_dist, 0x0f);
        ck_assert_int_eq(bt_smp_pairing_build(BT_SMP_PAIRING_FAILED, &req, out), -EINVAL);
        ck_assert_int_eq(bt_smp_failed_build(BT_SMP_ERR_AUTH_REQUIREMENTS, f), 2);
        ck_assert_int_eq(bt_smp_parse(f, sizeof(f), &pdu), 0);
        ck_assert_int_eq(pdu.code, BT_SMP_PAIRING_FAILED);
        ck_assert_int_eq(pdu.reason, BT_SMP_ERR_AUTH_REQUIREMENTS);
}
END_TEST

START_TEST(assoc_tables) {
        struct bt_smp_pairing a = { .io_cap = BT_IO_DISPLAY_YES_NO, .auth_req = BT_SMP_AUTH_MITM },
                              b = { .io_cap = BT_IO_DISPLAY_YES_NO, .auth_req = 0 };
        ck_assert_int_eq(bt_smp_assoc_model(&a, &b, true), BT_ASSOC_NUMERIC_COMPARISON);
        ck_assert_int_eq(bt_smp_assoc_model(&a, &b, false), BT_ASSOC_JUST_WORKS);
        a.oob = 1;
        ck_assert_int_eq(bt_smp_assoc_model(&a, &b, true), BT_ASSOC_OOB);
        ck_assert_int_eq(bt_smp_assoc_model(&a, &b, false), BT_ASSOC_JUST_WORKS);
        ck_assert_int_eq(bt_ssp_assoc_model(BT_IO_DISPLAY_ONLY, 0, 1, BT_IO_KEYBOARD_ONLY, 0, 1), BT_ASSOC_PASSKEY_ENTRY);
        ck_assert_int_eq(bt_ssp_assoc_model(BT_IO_DISPLAY_ONLY, 0, 1, BT_IO_DISPLAY_YES_NO, 0, 1), BT_ASSOC_JUST_WORKS);
        ck_assert_int_eq(bt_ssp_assoc_model(BT_IO_DISPLAY_YES_NO, 0, 0, BT_IO_DISPLAY_YES_NO, 0, 4), BT_ASSOC_JUST_WORKS);
}
END_TEST

/* ---- btsnoop ---- */

static size_t put_record(uint8_t *out, uint32_t flags, const uint8_t *pkt, uint32_t n, uint32_t orig) {
        const uint32_t f[4] = { orig, n, flags, 0 };
        for (int i = 0; i < 4; i++) {
                out[i * 4] = f[i] >> 24;
                out[i * 4 + 1] = f[i] >> 16;
                out[i * 4 + 2] = f[i] >> 8;
                out[i * 4 + 3] = f[i];
        }
        /* 2026-01-01T00:00:00Z + epoch delta */
        uint64_t ts = BTSNOOP_EPOCH_DELTA_USEC + UINT64_C(1767225600000000);
        for (int i = 0; i < 8; i++)
                out[16 + i] = (uint8_t) (ts >> (56 - 8 * i));
        memcpy(out + 24, pkt, n);
        return 24 + n;
}

START_TEST(btsnoop_records) {
        uint8_t file[256];
        const uint8_t hdr[16] = { 'b', 't', 's', 'n', 'o', 'o', 'p', 0, 0, 0, 0, 1, 0, 0, 0x03, 0xea };
        const uint8_t ev[] = { 0x04, 0x17, 0x06, 1, 2, 3, 4, 5, 6 };
        struct btsnoop_reader *r;
        struct btsnoop_record rec;
        uint32_t dl;
        size_t n, size;

        memcpy(file, hdr, 16);
        n = 16 + put_record(file + 16, 3, ev, sizeof(ev), sizeof(ev));
        ck_assert_int_eq(btsnoop_header_parse(file, n, &dl), 0);
        ck_assert_uint_eq(dl, BTSNOOP_DATALINK_H4);
        ck_assert_int_eq(btsnoop_record_parse(dl, file + 16, n - 16, &rec, &size), 0);
        ck_assert_uint_eq(size, n - 16);
        ck_assert_int_eq(rec.type, BTSNOOP_TYPE_EVENT);
        ck_assert_int_eq(rec.dir, BTSNOOP_DIR_RECEIVED);
        ck_assert_uint_eq(rec.len, sizeof(ev) - 1);
        ck_assert_uint_eq(rec.ts_usec, UINT64_C(1767225600000000));
        /* Cut anywhere inside the record: refused. */
        for (size_t cut = 0; cut < n - 16; cut++)
                ck_assert_int_eq(btsnoop_record_parse(dl, file + 16, cut, &rec, &size), -EBADMSG);
        /* Included larger than original: refused. */
        put_record(file + 16, 3, ev, sizeof(ev), 2);
        ck_assert_int_eq(btsnoop_record_parse(dl, file + 16, n - 16, &rec, &size), -EBADMSG);

        /* Through the reader: one record, then a cut one. */
        put_record(file + 16, 3, ev, sizeof(ev), sizeof(ev));
        ck_assert_int_eq(btsnoop_reader_open_memory(file, n + 10, &r, NULL), 0);
        ck_assert_int_eq(btsnoop_reader_next(r, &rec), 1);
        ck_assert_uint_eq(rec.number, 1);
        ck_assert_int_eq(btsnoop_reader_next(r, &rec), -EBADMSG);
        btsnoop_reader_free(r);

        /* Version 2: refused. */
        file[11] = 2;
        ck_assert_int_eq(btsnoop_header_parse(file, n, &dl), -EPROTONOSUPPORT);
}
END_TEST

START_TEST(pcap_pseudo_headers) {
        struct btsnoop_record rec;
        const uint8_t phdr[] = { 0, 0, 0, 1, 0x04, 0x0e, 0x00 };
        const uint8_t mon[] = { 0, 1, 0, 4, 0xaa };

        ck_assert_int_eq(btsnoop_pcap_packet_parse(BTSNOOP_DLT_H4_PHDR, phdr, sizeof(phdr), &rec), 0);
        ck_assert_int_eq(rec.dir, BTSNOOP_DIR_RECEIVED);
        ck_assert_int_eq(rec.type, BTSNOOP_TYPE_EVENT);
        ck_assert_uint_eq(rec.len, 2);
        ck_assert_int_eq(btsnoop_pcap_packet_parse(BTSNOOP_DLT_H4_PHDR, phdr, 4, &rec), -EBADMSG);
        ck_assert_int_eq(btsnoop_pcap_packet_parse(BTSNOOP_DLT_MONITOR, mon, sizeof(mon), &rec), 0);
        ck_assert_uint_eq(rec.index, 1);
        ck_assert_int_eq(rec.type, BTSNOOP_TYPE_ACL);
        ck_assert_int_eq(rec.dir, BTSNOOP_DIR_SENT);
        ck_assert_int_eq(btsnoop_pcap_packet_parse(1, mon, sizeof(mon), &rec), -EPROTONOSUPPORT);
}
END_TEST

int main(void) {
        Suite *s = suite_create("btpair");
        TCase *tc = tcase_create("pairings");
        SRunner *sr;
        int failed;

        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, legacy_pin);
        tcase_add_test(tc, legacy_pin_refused);
        tcase_add_test(tc, ssp_just_works);
        tcase_add_test(tc, ssp_numeric_comparison);
        tcase_add_test(tc, ssp_passkey);
        tcase_add_test(tc, ssp_failed);
        tcase_add_test(tc, bonded_reconnect_bredr);
        tcase_add_test(tc, le_legacy_just_works);
        tcase_add_test(tc, le_sc_numeric_comparison);
        tcase_add_test(tc, le_sc_only_refuses_legacy);
        tcase_add_test(tc, le_bonded_reconnect);
        tcase_add_test(tc, le_disconnect_aborts);
        tcase_add_test(tc, decoders_reject_bad_lengths);
        tcase_add_test(tc, assoc_tables);
        tcase_add_test(tc, smp_encoders_round_trip);
        tcase_add_test(tc, addr_from_string_is_strict);
        tcase_add_test(tc, btsnoop_records);
        tcase_add_test(tc, pcap_pseudo_headers);
        suite_add_tcase(s, tc);
        sr = srunner_create(s);
        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed ? 1 : 0;
}
