/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Pure decoders of the BR/EDR connection setup and remote feature events
 * (Bluetooth Core, Vol 4, Part E, 7.7.4, 7.7.11, 7.7.34) and the feature
 * bits D-4 looks at (Vol 2, Part C, 3.3). Same contract as hci-event.h:
 * no I/O, exact lengths checked, -ENOMSG another event, -EBADMSG
 * malformed, out-parameters untouched on failure. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drivers/bt/hci-event.h"

#define BT_HCI_EVT_CONN_REQUEST             0x04
#define BT_HCI_EVT_REMOTE_FEATURES_COMPLETE 0x0b
#define BT_HCI_EVT_REMOTE_EXT_FEATURES      0x23

struct bt_hci_conn_request {
        struct bt_addr addr;
        uint32_t class_of_device;
        uint8_t link_type;
};
int bt_hci_evt_conn_request(const struct bt_hci_evt *e, struct bt_hci_conn_request *ret);

/* Read Remote Supported Features Complete: page 0 (page = 0, max_page =
 * 0) and Read Remote Extended Features Complete (page, max_page). */
struct bt_hci_remote_features {
        uint8_t status;
        uint16_t handle;
        uint8_t page;
        uint8_t max_page;
        uint8_t features[8];
};
int bt_hci_evt_remote_features(const struct bt_hci_evt *e, struct bt_hci_remote_features *ret);

/* Page 0: LMP extended features (byte 7 bit 7), Secure Simple Pairing
 * controller support (byte 6 bit 3). Page 1 (host): SSP host support
 * (bit 0), LE host (bit 1), Secure Connections host support (bit 3).
 * Page 2: Secure Connections controller support (byte 1 bit 0). */
bool bt_features_lmp_extended(const uint8_t page0[8]);
bool bt_features_ssp_controller(const uint8_t page0[8]);
bool bt_features_ssp_host(const uint8_t page1[8]);
bool bt_features_sc_host(const uint8_t page1[8]);
bool bt_features_sc_controller(const uint8_t page2[8]);
