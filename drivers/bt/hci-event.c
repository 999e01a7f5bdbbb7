/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Pure HCI event decoders: every read is preceded by a length check
 * against the event's own parameter length, which bt_hci_evt_parse()
 * already matched against the buffer. */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "drivers/bt/hci-event.h"
#include "common/hex.h"

static uint16_t get_le16(const uint8_t *p) {
        return (uint16_t) (p[0] | (p[1] << 8));
}

static uint32_t get_le24(const uint8_t *p) {
        return (uint32_t) p[0] | ((uint32_t) p[1] << 8) | ((uint32_t) p[2] << 16);
}

char *bt_addr_to_string(const struct bt_addr *a, char *buf, size_t size) {
        snprintf(buf, size, "%02X:%02X:%02X:%02X:%02X:%02X", a->b[5], a->b[4], a->b[3], a->b[2], a->b[1],
                 a->b[0]);
        return buf;
}

int bt_addr_from_string(const char *s, struct bt_addr *ret) {
        struct bt_addr a;

        if (!s || strlen(s) != 17)
                return -EINVAL;
        for (int i = 0; i < 6; i++) {
                int hi = unhexchar(s[3 * i]), lo = unhexchar(s[3 * i + 1]);

                if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != ':'))
                        return -EINVAL;
                a.b[5 - i] = (uint8_t) (hi << 4 | lo);
        }
        *ret = a;
        return 0;
}

bool bt_addr_equal(const struct bt_addr *a, const struct bt_addr *b) {
        return memcmp(a->b, b->b, sizeof(a->b)) == 0;
}

int bt_hci_evt_parse(const uint8_t *buf, size_t size, struct bt_hci_evt *ret) {
        if (!buf || size < 2)
                return -EBADMSG;
        if (size != 2 + (size_t) buf[1])
                return -EBADMSG;
        *ret = (struct bt_hci_evt){ .code = buf[0], .len = buf[1], .params = buf + 2 };
        return 0;
}

int bt_hci_evt_cmd_complete(const struct bt_hci_evt *e, struct bt_hci_cmd_complete *ret) {
        if (e->code != BT_HCI_EVT_CMD_COMPLETE)
                return -ENOMSG;
        if (e->len < 3)
                return -EBADMSG;
        *ret = (struct bt_hci_cmd_complete){
                .ncmd = e->params[0],
                .opcode = get_le16(e->params + 1),
                .rparams = e->params + 3,
                .rlen = (size_t) e->len - 3,
        };
        return 0;
}

int bt_hci_evt_cmd_status(const struct bt_hci_evt *e, struct bt_hci_cmd_status *ret) {
        if (e->code != BT_HCI_EVT_CMD_STATUS)
                return -ENOMSG;
        if (e->len != 4)
                return -EBADMSG;
        *ret = (struct bt_hci_cmd_status){
                .status = e->params[0],
                .ncmd = e->params[1],
                .opcode = get_le16(e->params + 2),
        };
        return 0;
}

int bt_hci_evt_inquiry_complete(const struct bt_hci_evt *e, uint8_t *ret_status) {
        if (e->code != BT_HCI_EVT_INQUIRY_COMPLETE)
                return -ENOMSG;
        if (e->len != 1)
                return -EBADMSG;
        *ret_status = e->params[0];
        return 0;
}

/* Record sizes after the count octet. */
#define INQ_RESULT_SIZE      14   /* addr, rep, period, mode, class, clock */
#define INQ_RSSI_SIZE        14   /* addr, rep, period, class, clock, rssi */
#define INQ_RSSI_PSCAN_SIZE  15   /* addr, rep, period, mode, class, clock, rssi */
#define EXT_INQ_SIZE         (14 + BT_HCI_EIR_SIZE)

static int inquiry_record_size(const struct bt_hci_evt *e, size_t *ret_n, size_t *ret_size) {
        size_t n, body;

        if (e->code != BT_HCI_EVT_INQUIRY_RESULT && e->code != BT_HCI_EVT_INQUIRY_RESULT_RSSI &&
            e->code != BT_HCI_EVT_EXT_INQUIRY_RESULT)
                return -ENOMSG;
        if (e->len < 1)
                return -EBADMSG;
        n = e->params[0];
        body = (size_t) e->len - 1;
        if (n == 0)
                return -EBADMSG;

        switch (e->code) {
        case BT_HCI_EVT_INQUIRY_RESULT:
                if (body != n * INQ_RESULT_SIZE)
                        return -EBADMSG;
                *ret_size = INQ_RESULT_SIZE;
                break;
        case BT_HCI_EVT_INQUIRY_RESULT_RSSI:
                if (body == n * INQ_RSSI_SIZE)
                        *ret_size = INQ_RSSI_SIZE;
                else if (body == n * INQ_RSSI_PSCAN_SIZE)
                        *ret_size = INQ_RSSI_PSCAN_SIZE;
                else
                        return -EBADMSG;
                break;
        default: /* BT_HCI_EVT_EXT_INQUIRY_RESULT: one response by definition */
                if (n != 1 || body != EXT_INQ_SIZE)
                        return -EBADMSG;
                *ret_size = EXT_INQ_SIZE;
                break;
        }
        *ret_n = n;
        return 0;
}

int bt_hci_evt_inquiry_result_count(const struct bt_hci_evt *e, size_t *ret_n) {
        size_t n, size;
        int r;

        r = inquiry_record_size(e, &n, &size);
        if (r < 0)
                return r;
        *ret_n = n;
        return 0;
}

int bt_hci_evt_inquiry_result_get(const struct bt_hci_evt *e, size_t i, struct bt_inquiry_info *ret) {
        struct bt_inquiry_info info = {};
        const uint8_t *p;
        size_t n, size;
        int r;

        r = inquiry_record_size(e, &n, &size);
        if (r < 0)
                return r;
        if (i >= n)
                return -ERANGE;
        p = e->params + 1 + i * size;   /* in bounds: 1 + n * size == len */

        memcpy(info.addr.b, p, 6);
        info.pscan_rep_mode = p[6];
        /* p[7] page scan period mode (reserved since 1.2); then the
         * pscan mode octet where the record has one. */
        switch (size) {
        case INQ_RESULT_SIZE:
                if (e->code == BT_HCI_EVT_INQUIRY_RESULT) {
                        info.class_of_device = get_le24(p + 9);
                        info.clock_offset = get_le16(p + 12);
                } else {
                        info.class_of_device = get_le24(p + 8);
                        info.clock_offset = get_le16(p + 11);
                        info.has_rssi = true;
                        info.rssi = (int8_t) p[13];
                }
                break;
        case INQ_RSSI_PSCAN_SIZE:
                info.class_of_device = get_le24(p + 9);
                info.clock_offset = get_le16(p + 12);
                info.has_rssi = true;
                info.rssi = (int8_t) p[14];
                break;
        default: /* EXT_INQ_SIZE */
                info.class_of_device = get_le24(p + 8);
                info.clock_offset = get_le16(p + 11);
                info.has_rssi = true;
                info.rssi = (int8_t) p[13];
                info.eir = p + 14;
                info.eir_len = bt_eir_significant_len(p + 14, BT_HCI_EIR_SIZE);
                break;
        }
        *ret = info;
        return 0;
}

int bt_hci_evt_le_meta(const struct bt_hci_evt *e, uint8_t *ret_subevent, const uint8_t **ret_params,
                       size_t *ret_len) {
        if (e->code != BT_HCI_EVT_LE_META)
                return -ENOMSG;
        if (e->len < 1)
                return -EBADMSG;
        *ret_subevent = e->params[0];
        *ret_params = e->params + 1;
        *ret_len = (size_t) e->len - 1;
        return 0;
}

/* Walks the reports of an advertising report event. With want < n, stops
 * at report "want" and fills *ret; with want == SIZE_MAX validates all. */
static int adv_report_walk(const struct bt_hci_evt *e, size_t want, size_t *ret_n, struct bt_le_adv_report *ret) {
        const uint8_t *p;
        uint8_t sub;
        size_t len, n, off = 1;
        int r;

        r = bt_hci_evt_le_meta(e, &sub, &p, &len);
        if (r < 0)
                return r;
        if (sub != BT_HCI_LE_SUBEVT_ADV_REPORT)
                return -ENOMSG;
        if (len < 1 || p[0] == 0)
                return -EBADMSG;
        n = p[0];
        for (size_t i = 0; i < n; i++) {
                uint8_t dlen;

                /* type, address type, address, data length */
                if (len - off < 9)
                        return -EBADMSG;
                dlen = p[off + 8];
                if (dlen > BT_HCI_ADV_MAX || len - off - 9 < (size_t) dlen + 1)
                        return -EBADMSG;
                if (i == want) {
                        struct bt_le_adv_report rep = {
                                .event_type = p[off],
                                .addr_type = p[off + 1],
                                .data = p + off + 9,
                                .data_len = dlen,
                                .rssi = (int8_t) p[off + 9 + dlen],
                        };
                        memcpy(rep.addr.b, p + off + 2, 6);
                        *ret = rep;
                }
                off += 9 + (size_t) dlen + 1;
        }
        if (off != len)
                return -EBADMSG;
        *ret_n = n;
        return 0;
}

int bt_hci_evt_le_adv_report_count(const struct bt_hci_evt *e, size_t *ret_n) {
        struct bt_le_adv_report dummy;

        return adv_report_walk(e, SIZE_MAX, ret_n, &dummy);
}

int bt_hci_evt_le_adv_report_get(const struct bt_hci_evt *e, size_t i, struct bt_le_adv_report *ret) {
        struct bt_le_adv_report rep;
        size_t n;
        int r;

        /* Validate everything first, so a broken tail rejects the event. */
        r = adv_report_walk(e, i, &n, &rep);
        if (r < 0)
                return r;
        if (i >= n)
                return -ERANGE;
        *ret = rep;
        return 0;
}

size_t bt_eir_significant_len(const uint8_t *data, size_t size) {
        size_t off = 0;

        while (off < size) {
                size_t flen = data[off];

                if (flen == 0)
                        break;
                if (flen > size - off - 1)
                        break;  /* a field running past the end is not significant */
                off += 1 + flen;
        }
        return off;
}

int bt_eir_find(const uint8_t *data, size_t size, uint8_t type, const uint8_t **ret_value, size_t *ret_len) {
        size_t off = 0;

        while (off < size) {
                size_t flen = data[off];

                if (flen == 0)
                        break;
                if (flen > size - off - 1)
                        return -EBADMSG;
                if (data[off + 1] == type) {
                        *ret_value = data + off + 2;
                        *ret_len = flen - 1;
                        return 0;
                }
                off += 1 + flen;
        }
        return -ENOENT;
}
