/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Pure decoders of HCI ACL data packets and L2CAP reassembly (Core Vol 4
 * Part E 5.4.2, Vol 3 Part A 3), and of the LE link layer PDUs an
 * over-the-air sniffer captures (Vol 6 Part B 2), which carry the same
 * L2CAP frames.
 *
 * No I/O, no allocation: the reassembler is a caller-owned struct with a
 * fixed buffer. Never a read past the given length; fuzzed
 * (fuzz/fuzz-btpair.c). -EBADMSG: malformed; out-parameters are not
 * written on failure. Thread-safe per struct (one reassembler per
 * connection and direction, one thread at a time). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drivers/bt/hci-event.h"

#define BT_L2CAP_CID_SIGNALING    0x0001
#define BT_L2CAP_CID_ATT          0x0004
#define BT_L2CAP_CID_LE_SIGNALING 0x0005
#define BT_L2CAP_CID_SMP          0x0006   /* LE */
#define BT_L2CAP_CID_SMP_BREDR    0x0007   /* BR/EDR (cross-transport key derivation) */

/* Packet boundary flag values. */
#define BT_ACL_PB_START_NO_FLUSH  0x0
#define BT_ACL_PB_CONTINUATION    0x1
#define BT_ACL_PB_START           0x2
#define BT_ACL_PB_COMPLETE        0x3

struct bt_acl {
        uint16_t handle;          /* 12 bits */
        uint8_t pb;               /* BT_ACL_PB_* */
        uint8_t bc;
        const uint8_t *data;      /* into the caller's buffer */
        uint16_t len;
};

/* buf holds exactly one ACL packet without the H4 type octet: 4 header
 * octets plus the data length they state. */
int bt_acl_parse(const uint8_t *buf, size_t size, struct bt_acl *ret);

/* A whole L2CAP basic frame: channel and payload. */
struct bt_l2cap_frame {
        uint16_t cid;
        const uint8_t *payload;   /* into the reassembler or the caller's buffer */
        uint16_t len;
};

/* Frames longer than this are not kept (only followed so their
 * continuations are skipped): pairing traffic is far shorter (SMP <= 69
 * octets with the header), and the bound keeps the reassembler fixed-size. */
#define BT_L2CAP_REASM_MAX 1024

struct bt_l2cap_reasm {
        bool active;              /* a frame has started and is not complete */
        bool keep;                /* ... and it fits buf */
        uint16_t need;            /* L2CAP header + payload length */
        uint16_t have;
        uint8_t buf[BT_L2CAP_REASM_MAX];
};

/* Feeds one fragment (start: the fragment begins a frame, as ACL PB 0x0,
 * 0x2, 0x3 or LE LLID 2; otherwise it continues one). Returns 1 with *ret
 * (valid until the next call on r) when a frame is complete, 0 when more is
 * needed or a too-long frame is being skipped, -EBADMSG when the fragment
 * does not fit: a continuation without a start, data past the length the
 * L2CAP header stated, a start shorter than that header's own first octets
 * (a start interrupting an unfinished frame drops the old one and is not an
 * error). After -EBADMSG the reassembler is idle again. */
int bt_l2cap_reasm_feed(struct bt_l2cap_reasm *r, bool start, const uint8_t *frag, size_t len,
                        struct bt_l2cap_frame *ret);
void bt_l2cap_reasm_reset(struct bt_l2cap_reasm *r);

/* ---- LE link layer (sniffer captures) ---- */

#define BT_LL_ADV_ACCESS_ADDRESS  0x8e89bed6u
#define BT_LL_ADV_CONNECT_IND     0x05     /* advertising PDU type */
#define BT_LL_LLID_CONTINUATION   0x01     /* data PDU: L2CAP continuation or empty */
#define BT_LL_LLID_START          0x02     /* data PDU: L2CAP start or complete */
#define BT_LL_LLID_CONTROL        0x03
#define BT_LL_CTRL_ENC_REQ        0x03
#define BT_LL_CTRL_ENC_RSP        0x04
#define BT_LL_CTRL_START_ENC_REQ  0x05
#define BT_LL_CTRL_START_ENC_RSP  0x06
#define BT_LL_CTRL_TERMINATE_IND  0x02

struct bt_ll_pdu {
        uint32_t access_address;
        uint8_t header;           /* first header octet: PDU type / LLID and flags */
        const uint8_t *payload;
        uint8_t len;
};

/* Access address (4, LE), header (2), payload of the length the header
 * states, then optionally the 3-octet CRC (has_crc). Trailing bytes beyond
 * that: -EBADMSG. */
int bt_ll_parse(const uint8_t *buf, size_t size, bool has_crc, struct bt_ll_pdu *ret);

struct bt_ll_connect_ind {
        struct bt_addr init_addr;
        bool init_random;
        struct bt_addr adv_addr;
        bool adv_random;
        uint32_t access_address;  /* of the new connection */
};
/* CONNECT_IND on the advertising channel. -ENOMSG for other PDUs. */
int bt_ll_connect_ind(const struct bt_ll_pdu *pdu, struct bt_ll_connect_ind *ret);
