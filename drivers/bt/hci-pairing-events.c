/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Pure decoders of the pairing-related HCI events and commands. Each one
 * checks the exact parameter length its kind has before reading. */

#include <errno.h>
#include <string.h>

#include "drivers/bt/hci-pairing-events.h"

static uint16_t get_le16(const uint8_t *p) {
        return (uint16_t) (p[0] | (p[1] << 8));
}

static uint32_t get_le32(const uint8_t *p) {
        return (uint32_t) p[0] | ((uint32_t) p[1] << 8) | ((uint32_t) p[2] << 16) | ((uint32_t) p[3] << 24);
}

static void get_addr(const uint8_t *p, struct bt_addr *a) {
        memcpy(a->b, p, 6);
}

const char *bt_io_capability_to_string(uint8_t io) {
        static const char *const names[] = {
                [BT_IO_DISPLAY_ONLY] = "DisplayOnly",
                [BT_IO_DISPLAY_YES_NO] = "DisplayYesNo",
                [BT_IO_KEYBOARD_ONLY] = "KeyboardOnly",
                [BT_IO_NO_INPUT_NO_OUTPUT] = "NoInputNoOutput",
                [BT_IO_KEYBOARD_DISPLAY] = "KeyboardDisplay",
        };
        return io < sizeof(names) / sizeof(names[0]) ? names[io] : "unknown";
}

const char *bt_link_key_type_to_string(uint8_t type) {
        static const char *const names[] = {
                [BT_LINK_KEY_COMBINATION] = "combination (legacy)",
                [BT_LINK_KEY_LOCAL_UNIT] = "local unit (legacy)",
                [BT_LINK_KEY_REMOTE_UNIT] = "remote unit (legacy)",
                [BT_LINK_KEY_DEBUG_P192] = "debug combination",
                [BT_LINK_KEY_UNAUTH_P192] = "unauthenticated P-192",
                [BT_LINK_KEY_AUTH_P192] = "authenticated P-192",
                [BT_LINK_KEY_CHANGED_COMBINATION] = "changed combination",
                [BT_LINK_KEY_UNAUTH_P256] = "unauthenticated P-256",
                [BT_LINK_KEY_AUTH_P256] = "authenticated P-256",
        };
        return type < sizeof(names) / sizeof(names[0]) ? names[type] : "reserved";
}

int bt_hci_cmd_parse(const uint8_t *buf, size_t size, struct bt_hci_cmd *ret) {
        if (!buf || size < 3 || size != 3 + (size_t) buf[2])
                return -EBADMSG;
        *ret = (struct bt_hci_cmd){ .opcode = get_le16(buf), .len = buf[2], .params = buf + 3 };
        return 0;
}

/* -ENOMSG unless e is code; -EBADMSG unless its length is len. */
static int evt_expect(const struct bt_hci_evt *e, uint8_t code, uint8_t len) {
        if (e->code != code)
                return -ENOMSG;
        return e->len == len ? 0 : -EBADMSG;
}

int bt_hci_evt_bdaddr(const struct bt_hci_evt *e, uint8_t code, struct bt_addr *ret) {
        int r;

        switch (code) {
        case BT_HCI_EVT_PIN_CODE_REQUEST:
        case BT_HCI_EVT_LINK_KEY_REQUEST:
        case BT_HCI_EVT_IO_CAPABILITY_REQUEST:
        case BT_HCI_EVT_USER_PASSKEY_REQUEST:
        case BT_HCI_EVT_REMOTE_OOB_REQUEST:
                break;
        default:
                return -EINVAL;
        }
        r = evt_expect(e, code, 6);
        if (r < 0)
                return r;
        get_addr(e->params, ret);
        return 0;
}

int bt_hci_evt_conn_complete(const struct bt_hci_evt *e, struct bt_hci_conn_complete *ret) {
        int r = evt_expect(e, BT_HCI_EVT_CONN_COMPLETE, 11);

        if (r < 0)
                return r;
        *ret = (struct bt_hci_conn_complete){
                .status = e->params[0],
                .handle = get_le16(e->params + 1) & 0x0fff,
                .link_type = e->params[9],
                .encryption = e->params[10],
        };
        get_addr(e->params + 3, &ret->addr);
        return 0;
}

int bt_hci_evt_disconn_complete(const struct bt_hci_evt *e, struct bt_hci_disconn_complete *ret) {
        int r = evt_expect(e, BT_HCI_EVT_DISCONN_COMPLETE, 4);

        if (r < 0)
                return r;
        *ret = (struct bt_hci_disconn_complete){
                .status = e->params[0],
                .handle = get_le16(e->params + 1) & 0x0fff,
                .reason = e->params[3],
        };
        return 0;
}

static int status_handle(const struct bt_hci_evt *e, uint8_t code, uint8_t *ret_status, uint16_t *ret_handle) {
        int r = evt_expect(e, code, 3);

        if (r < 0)
                return r;
        *ret_status = e->params[0];
        *ret_handle = get_le16(e->params + 1) & 0x0fff;
        return 0;
}

int bt_hci_evt_auth_complete(const struct bt_hci_evt *e, uint8_t *ret_status, uint16_t *ret_handle) {
        return status_handle(e, BT_HCI_EVT_AUTH_COMPLETE, ret_status, ret_handle);
}

int bt_hci_evt_key_refresh_complete(const struct bt_hci_evt *e, uint8_t *ret_status, uint16_t *ret_handle) {
        return status_handle(e, BT_HCI_EVT_ENCRYPT_KEY_REFRESH, ret_status, ret_handle);
}

int bt_hci_evt_encrypt_change(const struct bt_hci_evt *e, struct bt_hci_encrypt_change *ret) {
        uint8_t want;

        if (e->code == BT_HCI_EVT_ENCRYPT_CHANGE)
                want = 4;
        else if (e->code == BT_HCI_EVT_ENCRYPT_CHANGE_V2)
                want = 5;
        else
                return -ENOMSG;
        if (e->len != want)
                return -EBADMSG;
        *ret = (struct bt_hci_encrypt_change){
                .status = e->params[0],
                .handle = get_le16(e->params + 1) & 0x0fff,
                .enabled = e->params[3],
                .key_size = want == 5 ? e->params[4] : 0,
        };
        return 0;
}

int bt_hci_evt_link_key_notify(const struct bt_hci_evt *e, struct bt_hci_link_key_notify *ret) {
        int r = evt_expect(e, BT_HCI_EVT_LINK_KEY_NOTIFY, 23);

        if (r < 0)
                return r;
        get_addr(e->params, &ret->addr);
        ret->key = e->params + 6;
        ret->key_type = e->params[22];
        return 0;
}

static void io_capability_get(const uint8_t *p, struct bt_io_capability *ret) {
        get_addr(p, &ret->addr);
        ret->io_cap = p[6];
        ret->oob = p[7];
        ret->auth_req = p[8];
}

int bt_hci_evt_io_capability_response(const struct bt_hci_evt *e, struct bt_io_capability *ret) {
        int r = evt_expect(e, BT_HCI_EVT_IO_CAPABILITY_RESPONSE, 9);

        if (r < 0)
                return r;
        io_capability_get(e->params, ret);
        return 0;
}

int bt_hci_cmd_io_capability_reply(const struct bt_hci_cmd *c, struct bt_io_capability *ret) {
        if (c->opcode != BT_HCI_CMD_IO_CAPABILITY_REPLY)
                return -ENOMSG;
        if (c->len != 9)
                return -EBADMSG;
        io_capability_get(c->params, ret);
        return 0;
}

static int addr_value(const struct bt_hci_evt *e, uint8_t code, struct bt_addr *ret_addr, uint32_t *ret_value) {
        int r = evt_expect(e, code, 10);

        if (r < 0)
                return r;
        get_addr(e->params, ret_addr);
        *ret_value = get_le32(e->params + 6);
        return 0;
}

int bt_hci_evt_user_confirm_request(const struct bt_hci_evt *e, struct bt_addr *ret_addr, uint32_t *ret_value) {
        return addr_value(e, BT_HCI_EVT_USER_CONFIRM_REQUEST, ret_addr, ret_value);
}

int bt_hci_evt_user_passkey_notify(const struct bt_hci_evt *e, struct bt_addr *ret_addr, uint32_t *ret_passkey) {
        return addr_value(e, BT_HCI_EVT_USER_PASSKEY_NOTIFY, ret_addr, ret_passkey);
}

int bt_hci_evt_simple_pairing_complete(const struct bt_hci_evt *e, uint8_t *ret_status, struct bt_addr *ret_addr) {
        int r = evt_expect(e, BT_HCI_EVT_SIMPLE_PAIRING_COMPLETE, 7);

        if (r < 0)
                return r;
        *ret_status = e->params[0];
        get_addr(e->params + 1, ret_addr);
        return 0;
}

int bt_hci_evt_le_conn_complete(const struct bt_hci_evt *e, struct bt_le_conn_complete *ret) {
        const uint8_t *p;
        uint8_t sub;
        size_t len;
        int r;

        r = bt_hci_evt_le_meta(e, &sub, &p, &len);
        if (r < 0)
                return r;
        if (sub == BT_HCI_LE_SUBEVT_CONN_COMPLETE) {
                if (len != 18)
                        return -EBADMSG;
        } else if (sub == BT_HCI_LE_SUBEVT_ENH_CONN_COMPLETE) {
                if (len != 30)
                        return -EBADMSG;
        } else
                return -ENOMSG;
        *ret = (struct bt_le_conn_complete){
                .status = p[0],
                .handle = get_le16(p + 1) & 0x0fff,
                .role = p[3],
                .peer_addr_type = p[4],
        };
        get_addr(p + 5, &ret->peer);
        return 0;
}

int bt_hci_evt_le_ltk_request(const struct bt_hci_evt *e, uint16_t *ret_handle, uint16_t *ret_ediv) {
        const uint8_t *p;
        uint8_t sub;
        size_t len;
        int r;

        r = bt_hci_evt_le_meta(e, &sub, &p, &len);
        if (r < 0)
                return r;
        if (sub != BT_HCI_LE_SUBEVT_LTK_REQUEST)
                return -ENOMSG;
        if (len != 12)
                return -EBADMSG;
        *ret_handle = get_le16(p) & 0x0fff;
        *ret_ediv = get_le16(p + 10);
        return 0;
}

int bt_hci_cmd_bdaddr(const struct bt_hci_cmd *c, struct bt_addr *ret) {
        size_t want;

        switch (c->opcode) {
        case BT_HCI_CMD_LINK_KEY_REPLY:
                want = 22;
                break;
        case BT_HCI_CMD_PIN_CODE_REPLY:
                want = 23;
                break;
        case BT_HCI_CMD_USER_PASSKEY_REPLY:
                want = 10;
                break;
        case BT_HCI_CMD_IO_CAPABILITY_REPLY:
                want = 9;
                break;
        case BT_HCI_CMD_IO_CAPABILITY_NEG_REPLY:
                want = 7;
                break;
        case BT_HCI_CMD_LINK_KEY_NEG_REPLY:
        case BT_HCI_CMD_PIN_CODE_NEG_REPLY:
        case BT_HCI_CMD_USER_CONFIRM_REPLY:
        case BT_HCI_CMD_USER_CONFIRM_NEG_REPLY:
        case BT_HCI_CMD_USER_PASSKEY_NEG_REPLY:
                want = 6;
                break;
        default:
                return -ENOMSG;
        }
        if (c->len != want)
                return -EBADMSG;
        get_addr(c->params, ret);
        return 0;
}

int bt_hci_cmd_pin_code_reply(const struct bt_hci_cmd *c, struct bt_addr *ret_addr, const uint8_t **ret_pin,
                              uint8_t *ret_pin_len) {
        if (c->opcode != BT_HCI_CMD_PIN_CODE_REPLY)
                return -ENOMSG;
        if (c->len != 23 || c->params[6] < 1 || c->params[6] > 16)
                return -EBADMSG;
        get_addr(c->params, ret_addr);
        *ret_pin_len = c->params[6];
        *ret_pin = c->params + 7;
        return 0;
}

int bt_hci_cmd_handle(const struct bt_hci_cmd *c, uint16_t *ret_handle) {
        size_t want;

        switch (c->opcode) {
        case BT_HCI_CMD_AUTH_REQUESTED:
        case BT_HCI_CMD_LE_LTK_NEG_REPLY:
                want = 2;
                break;
        case BT_HCI_CMD_LE_START_ENCRYPTION:
                want = 28;
                break;
        case BT_HCI_CMD_LE_LTK_REPLY:
                want = 18;
                break;
        default:
                return -ENOMSG;
        }
        if (c->len != want)
                return -EBADMSG;
        *ret_handle = get_le16(c->params) & 0x0fff;
        return 0;
}
