/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: what a Bluetooth DUT's controller sends during bt.pairing:
 * H4 framing of a byte stream, then the event decoders for connection
 * requests and remote features. */

#include <stdint.h>

#include "drivers/bt/hci-event.h"
#include "drivers/bt/hci-features.h"
#include "drivers/bt/transport.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
