/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ACL / LE LL parsing and L2CAP reassembly. The reassembler copies only
 * what fits its fixed buffer; every copy is bounded by both the fragment
 * and the length the L2CAP header stated. */

#include <errno.h>
#include <string.h>

#include "drivers/bt/acl.h"

static uint16_t get_le16(const uint8_t *p) {
        return (uint16_t) (p[0] | (p[1] << 8));
}

static uint32_t get_le32(const uint8_t *p) {
        return (uint32_t) p[0] | ((uint32_t) p[1] << 8) | ((uint32_t) p[2] << 16) | ((uint32_t) p[3] << 24);
}

int bt_acl_parse(const uint8_t *buf, size_t size, struct bt_acl *ret) {
        uint16_t hf, len;

        if (!buf || size < 4)
                return -EBADMSG;
        hf = get_le16(buf);
        len = get_le16(buf + 2);
        if (size != 4 + (size_t) len)
                return -EBADMSG;
        *ret = (struct bt_acl){
                .handle = hf & 0x0fff,
                .pb = (hf >> 12) & 0x3,
                .bc = (hf >> 14) & 0x3,
                .data = buf + 4,
                .len = len,
        };
        return 0;
}

void bt_l2cap_reasm_reset(struct bt_l2cap_reasm *r) {
        r->active = false;
        r->keep = false;
        r->need = 0;
        r->have = 0;
}

static int reasm_finish(struct bt_l2cap_reasm *r, struct bt_l2cap_frame *ret) {
        bool keep = r->keep;

        r->active = false;
        if (!keep)
                return 0;
        *ret = (struct bt_l2cap_frame){
                .cid = get_le16(r->buf + 2),
                .payload = r->buf + 4,
                .len = (uint16_t) (r->need - 4),
        };
        return 1;
}

int bt_l2cap_reasm_feed(struct bt_l2cap_reasm *r, bool start, const uint8_t *frag, size_t len,
                        struct bt_l2cap_frame *ret) {
        if (!frag && len > 0)
                return -EBADMSG;
        if (start) {
                uint32_t need;

                bt_l2cap_reasm_reset(r);
                if (len < 2)
                        return -EBADMSG;    /* not even the length field */
                need = 4u + get_le16(frag);
                if (len > need)
                        return -EBADMSG;
                if (len == need && len >= 4) {
                        /* The common case: one fragment, no copy. */
                        *ret = (struct bt_l2cap_frame){
                                .cid = get_le16(frag + 2),
                                .payload = frag + 4,
                                .len = (uint16_t) (need - 4),
                        };
                        return 1;
                }
                r->active = true;
                r->need = (uint16_t) (need > UINT16_MAX ? UINT16_MAX : need);
                if (need > UINT16_MAX) {
                        /* 65535 + 4 cannot be counted in 16 bits: skip it. */
                        r->keep = false;
                        r->need = UINT16_MAX;
                } else
                        r->keep = need <= BT_L2CAP_REASM_MAX;
                if (r->keep)
                        memcpy(r->buf, frag, len);
                r->have = (uint16_t) len;
                return 0;
        }
        if (!r->active) {
                if (len == 0)
                        return 0;           /* an empty continuation (LE empty PDU) */
                return -EBADMSG;
        }
        if (len > (size_t) (r->need - r->have)) {
                bt_l2cap_reasm_reset(r);
                return -EBADMSG;
        }
        if (r->keep && len > 0)
                memcpy(r->buf + r->have, frag, len);
        r->have = (uint16_t) (r->have + len);
        if (r->have == r->need)
                return reasm_finish(r, ret);
        return 0;
}

int bt_ll_parse(const uint8_t *buf, size_t size, bool has_crc, struct bt_ll_pdu *ret) {
        size_t want;

        if (!buf || size < 6)
                return -EBADMSG;
        want = 6 + (size_t) buf[5] + (has_crc ? 3 : 0);
        if (size != want)
                return -EBADMSG;
        *ret = (struct bt_ll_pdu){
                .access_address = get_le32(buf),
                .header = buf[4],
                .payload = buf + 6,
                .len = buf[5],
        };
        return 0;
}

int bt_ll_connect_ind(const struct bt_ll_pdu *pdu, struct bt_ll_connect_ind *ret) {
        if (pdu->access_address != BT_LL_ADV_ACCESS_ADDRESS || (pdu->header & 0x0f) != BT_LL_ADV_CONNECT_IND)
                return -ENOMSG;
        if (pdu->len != 34)
                return -EBADMSG;
        memcpy(ret->init_addr.b, pdu->payload, 6);
        memcpy(ret->adv_addr.b, pdu->payload + 6, 6);
        ret->init_random = pdu->header & 0x40;
        ret->adv_random = pdu->header & 0x80;
        ret->access_address = get_le32(pdu->payload + 12);
        return 0;
}
