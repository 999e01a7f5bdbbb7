/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: what a Bluetooth DUT's controller sends during bt.pairing:
 * H4 framing of a byte stream, then the event decoders for connection
 * requests, remote features, inquiry results (with EIR), LE advertising
 * reports (with their AD structures) and command completion. Every
 * pointer a decoder hands out must stay inside the input. */

#include <stdint.h>
#include <stdlib.h>

#include "drivers/bt/hci-event.h"
#include "drivers/bt/hci-features.h"
#include "drivers/bt/transport.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void inside(const uint8_t *p, size_t n, const uint8_t *lo, const uint8_t *hi) {
        if (n && (p < lo || p + n > hi))
                abort();
}

/* AD / EIR structures: look for the types bt.pairing reads, and a few more. */
static void ad_walk(const uint8_t *d, size_t n, const uint8_t *lo, const uint8_t *hi) {
        static const uint8_t types[] = { 0x01, BT_EIR_NAME_SHORT, BT_EIR_NAME_COMPLETE, 0xff };

        inside(d, n, lo, hi);
        for (size_t i = 0; i < sizeof(types); i++) {
                const uint8_t *v = NULL;
                size_t vlen = 0;

                if (bt_eir_find(d, n, types[i], &v, &vlen) == 0)
                        inside(v, vlen, d, d + n);
        }
}

static void events(const struct bt_hci_evt *e, const uint8_t *lo, const uint8_t *hi) {
        struct bt_hci_cmd_complete cc;
        struct bt_hci_cmd_status cs;
        size_t n = 0;
        uint8_t st;

        if (bt_hci_evt_cmd_complete(e, &cc) == 0)
                inside(cc.rparams, cc.rlen, lo, hi);
        (void) bt_hci_evt_cmd_status(e, &cs);
        (void) bt_hci_evt_inquiry_complete(e, &st);
        if (bt_hci_evt_inquiry_result_count(e, &n) == 0)
                for (size_t i = 0; i <= n; i++) {   /* one past the end must be refused */
                        struct bt_inquiry_info info;

                        if (bt_hci_evt_inquiry_result_get(e, i, &info) == 0) {
                                if (i == n)
                                        abort();
                                ad_walk(info.eir, info.eir_len, lo, hi);
                        }
                }
        if (bt_hci_evt_le_adv_report_count(e, &n) == 0)
                for (size_t i = 0; i <= n; i++) {
                        struct bt_le_adv_report rep;

                        if (bt_hci_evt_le_adv_report_get(e, i, &rep) == 0) {
                                if (i == n || rep.data_len > BT_HCI_ADV_MAX)
                                        abort();
                                ad_walk(rep.data, rep.data_len, lo, hi);
                        }
                }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        size_t off = 0;

        /* A stream of H4 packets, as a tty or btvirt's socket delivers it. */
        while (off < size) {
                size_t n = 0;

                if (bt_h4_packet_len(data + off, size - off, &n) < 0 || n == 0 || n > size - off)
                        break;
                if (data[off] == 0x04 && n > 1) {
                        struct bt_hci_evt e;
                        struct bt_hci_conn_request cr;
                        struct bt_hci_remote_features rf;

                        if (bt_hci_evt_parse(data + off + 1, n - 1, &e) >= 0) {
                                events(&e, data + off + 1, data + off + n);
                                (void) bt_hci_evt_conn_request(&e, &cr);
                                if (bt_hci_evt_remote_features(&e, &rf) >= 0) {
                                        (void) bt_features_lmp_extended(rf.features);
                                        (void) bt_features_ssp_host(rf.features);
                                        (void) bt_features_sc_host(rf.features);
                                        (void) bt_features_sc_controller(rf.features);
                                }
                        }
                }
                off += n;
        }
        return 0;
}
