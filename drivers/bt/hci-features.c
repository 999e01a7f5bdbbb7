/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Connection Request and remote feature events. See hci-features.h. */

#include <errno.h>
#include <string.h>

#include "drivers/bt/hci-features.h"

int bt_hci_evt_conn_request(const struct bt_hci_evt *e, struct bt_hci_conn_request *ret) {
        if (!e || e->code != BT_HCI_EVT_CONN_REQUEST)
                return -ENOMSG;
        if (e->len != 10)
                return -EBADMSG;
        memcpy(ret->addr.b, e->params, 6);
        ret->class_of_device = (uint32_t) e->params[6] | ((uint32_t) e->params[7] << 8) |
                               ((uint32_t) e->params[8] << 16);
        ret->link_type = e->params[9];
        return 0;
}

int bt_hci_evt_remote_features(const struct bt_hci_evt *e, struct bt_hci_remote_features *ret) {
        if (!e)
                return -ENOMSG;
        if (e->code == BT_HCI_EVT_REMOTE_FEATURES_COMPLETE) {
                if (e->len != 11)
                        return -EBADMSG;
                ret->status = e->params[0];
                ret->handle = (uint16_t) ((e->params[1] | (e->params[2] << 8)) & 0x0fff);
                ret->page = 0;
                ret->max_page = 0;
                memcpy(ret->features, e->params + 3, 8);
                return 0;
        }
        if (e->code == BT_HCI_EVT_REMOTE_EXT_FEATURES) {
                if (e->len != 13)
                        return -EBADMSG;
                ret->status = e->params[0];
                ret->handle = (uint16_t) ((e->params[1] | (e->params[2] << 8)) & 0x0fff);
                ret->page = e->params[3];
                ret->max_page = e->params[4];
                memcpy(ret->features, e->params + 5, 8);
                return 0;
        }
        return -ENOMSG;
}

bool bt_features_lmp_extended(const uint8_t page0[8]) {
        return page0[7] & 0x80;
}

bool bt_features_ssp_controller(const uint8_t page0[8]) {
        return page0[6] & 0x08;
}

bool bt_features_ssp_host(const uint8_t page1[8]) {
        return page1[0] & 0x01;
}

bool bt_features_sc_host(const uint8_t page1[8]) {
        return page1[0] & 0x08;
}

bool bt_features_sc_controller(const uint8_t page2[8]) {
        return page2[1] & 0x01;
}
