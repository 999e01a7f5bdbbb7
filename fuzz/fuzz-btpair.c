/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: the pairing decoders (drivers/bt: hci-pairing-events, acl,
 * smp) and the classifier (lib/btpair) on hostile packet sequences. The
 * input is a list of records: type (low 3 bits), direction (next 2 bits),
 * length octet, then that many octets. Every record also goes through each
 * decoder directly. */

#include <stdint.h>
#include <string.h>

#include "drivers/bt/acl.h"
#include "drivers/bt/hci-pairing-events.h"
#include "drivers/bt/smp.h"
#include "lib/btpair/btpair.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void on_report(const struct btpair_result *r, void *userdata) {
        if ((unsigned) r->outcome >= _BTPAIR_OUTCOME_MAX || (unsigned) r->method >= _BTPAIR_METHOD_MAX ||
            (unsigned) r->model >= _BT_ASSOC_MAX || r->pin_len > 16 || r->pin[r->pin_len] != 0 || !r->reason)
                __builtin_trap();
        (*(size_t *) userdata)++;
}

static void decoders(const uint8_t *d, size_t n) {
        struct bt_hci_evt e;
        struct bt_hci_cmd c;
        struct bt_acl acl;
        struct bt_smp_pdu smp;
        struct bt_ll_pdu ll;
        union {
                struct bt_hci_conn_complete cc;
                struct bt_hci_disconn_complete dc;
                struct bt_hci_encrypt_change ec;
                struct bt_hci_link_key_notify lk;
                struct bt_io_capability io;
                struct bt_le_conn_complete lc;
                struct bt_ll_connect_ind ci;
        } u;
        struct bt_addr a;
        const uint8_t *pin;
        uint8_t st, pl;
        uint16_t h, ediv;
        uint32_t v;

        if (bt_hci_evt_parse(d, n, &e) == 0) {
                bt_hci_evt_bdaddr(&e, e.code, &a);
                bt_hci_evt_conn_complete(&e, &u.cc);
                bt_hci_evt_disconn_complete(&e, &u.dc);
                bt_hci_evt_auth_complete(&e, &st, &h);
                bt_hci_evt_key_refresh_complete(&e, &st, &h);
                bt_hci_evt_encrypt_change(&e, &u.ec);
                if (bt_hci_evt_link_key_notify(&e, &u.lk) == 0 && u.lk.key + 16 > d + n)
                        __builtin_trap();
                bt_hci_evt_io_capability_response(&e, &u.io);
                bt_hci_evt_user_confirm_request(&e, &a, &v);
                bt_hci_evt_user_passkey_notify(&e, &a, &v);
                bt_hci_evt_simple_pairing_complete(&e, &st, &a);
                bt_hci_evt_le_conn_complete(&e, &u.lc);
                bt_hci_evt_le_ltk_request(&e, &h, &ediv);
        }
        if (bt_hci_cmd_parse(d, n, &c) == 0) {
                bt_hci_cmd_bdaddr(&c, &a);
                bt_hci_cmd_io_capability_reply(&c, &u.io);
                if (bt_hci_cmd_pin_code_reply(&c, &a, &pin, &pl) == 0 && pin + pl > d + n)
                        __builtin_trap();
                bt_hci_cmd_handle(&c, &h);
        }
        if (bt_acl_parse(d, n, &acl) == 0 && acl.data + acl.len > d + n)
                __builtin_trap();
        if (bt_smp_parse(d, n, &smp) == 0 && smp.value && smp.value + smp.value_len > d + n)
                __builtin_trap();
        if (bt_ll_parse(d, n, n > 0 && (d[0] & 1), &ll) == 0) {
                if (ll.payload + ll.len > d + n)
                        __builtin_trap();
                bt_ll_connect_ind(&ll, &u.ci);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct bt_l2cap_reasm reasm = {};
        struct bt_l2cap_frame f;
        struct btpair *p;
        size_t off = 0, reports = 0;
        uint64_t number = 0;

        p = btpair_new(on_report, &reports);
        if (!p)
                return 0;
        while (off + 2 <= size) {
                uint8_t hdr = data[off], len = data[off + 1];
                struct btsnoop_record rec;

                off += 2;
                if (len > size - off)
                        len = (uint8_t) (size - off);
                number++;
                rec = (struct btsnoop_record){
                        .number = number,
                        .ts_usec = number * 300,
                        .type = (enum btsnoop_type) ((hdr & 7) % _BTSNOOP_TYPE_MAX),
                        .dir = (enum btsnoop_dir) (((hdr >> 3) & 3) % _BTSNOOP_DIR_MAX),
                        .rf_channel = hdr >> 5,
                        .data = data + off,
                        .len = len,
                };
                btpair_feed(p, &rec);
                decoders(data + off, len);
                if (bt_l2cap_reasm_feed(&reasm, hdr & 0x80, data + off, len, &f) == 1 &&
                    f.len > BT_L2CAP_REASM_MAX)
                        __builtin_trap();
                off += len;
        }
        btpair_finish(p);
        btpair_free(p);
        return 0;
}
