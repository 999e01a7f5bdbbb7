/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The pure half of lib/btsnoop: file header, records and pcap pseudo
 * headers. Every read is preceded by a check against the bytes left. */

#include <errno.h>
#include <string.h>

#include "lib/btsnoop/btsnoop.h"

static uint32_t get_be32(const uint8_t *p) {
        return ((uint32_t) p[0] << 24) | ((uint32_t) p[1] << 16) | ((uint32_t) p[2] << 8) | p[3];
}

static uint16_t get_be16(const uint8_t *p) {
        return (uint16_t) ((p[0] << 8) | p[1]);
}

static uint64_t get_be64(const uint8_t *p) {
        return ((uint64_t) get_be32(p) << 32) | get_be32(p + 4);
}

const char *btsnoop_type_to_string(enum btsnoop_type t) {
        switch (t) {
        case BTSNOOP_TYPE_OTHER:
                return "other";
        case BTSNOOP_TYPE_COMMAND:
                return "command";
        case BTSNOOP_TYPE_ACL:
                return "acl";
        case BTSNOOP_TYPE_SCO:
                return "sco";
        case BTSNOOP_TYPE_EVENT:
                return "event";
        case BTSNOOP_TYPE_ISO:
                return "iso";
        case BTSNOOP_TYPE_LE_LL:
                return "le-ll";
        case _BTSNOOP_TYPE_MAX:
                break;
        }
        return "other";
}

int btsnoop_header_parse(const uint8_t *buf, size_t len, uint32_t *ret_datalink) {
        uint32_t dl;

        if (!buf || len < 16 || memcmp(buf, "btsnoop\0", 8) != 0)
                return -EBADMSG;
        if (get_be32(buf + 8) != 1)
                return -EPROTONOSUPPORT;
        dl = get_be32(buf + 12);
        if (dl != BTSNOOP_DATALINK_HCI && dl != BTSNOOP_DATALINK_H4 && dl != BTSNOOP_DATALINK_MONITOR)
                return -EPROTONOSUPPORT;
        *ret_datalink = dl;
        return 0;
}

static enum btsnoop_type h4_type(uint8_t t) {
        return t >= BTSNOOP_TYPE_COMMAND && t <= BTSNOOP_TYPE_ISO ? (enum btsnoop_type) t : BTSNOOP_TYPE_OTHER;
}

/* Linux monitor opcodes (btmon, pcap link type 254). */
static void monitor_opcode(uint16_t op, enum btsnoop_type *type, enum btsnoop_dir *dir) {
        static const struct {
                enum btsnoop_type type;
                enum btsnoop_dir dir;
        } map[] = {
                [2] = { BTSNOOP_TYPE_COMMAND, BTSNOOP_DIR_SENT },
                [3] = { BTSNOOP_TYPE_EVENT, BTSNOOP_DIR_RECEIVED },
                [4] = { BTSNOOP_TYPE_ACL, BTSNOOP_DIR_SENT },
                [5] = { BTSNOOP_TYPE_ACL, BTSNOOP_DIR_RECEIVED },
                [6] = { BTSNOOP_TYPE_SCO, BTSNOOP_DIR_SENT },
                [7] = { BTSNOOP_TYPE_SCO, BTSNOOP_DIR_RECEIVED },
                [18] = { BTSNOOP_TYPE_ISO, BTSNOOP_DIR_SENT },
                [19] = { BTSNOOP_TYPE_ISO, BTSNOOP_DIR_RECEIVED },
        };
        if (op < sizeof(map) / sizeof(map[0]) && map[op].type != BTSNOOP_TYPE_OTHER) {
                *type = map[op].type;
                *dir = map[op].dir;
        } else {
                *type = BTSNOOP_TYPE_OTHER;
                *dir = BTSNOOP_DIR_UNKNOWN;
        }
}

int btsnoop_record_parse(uint32_t datalink, const uint8_t *buf, size_t len, struct btsnoop_record *ret,
                         size_t *ret_size) {
        struct btsnoop_record rec = {};
        uint32_t orig, incl, flags;
        uint64_t ts;
        const uint8_t *pkt;

        if (!buf || len < 24)
                return -EBADMSG;
        orig = get_be32(buf);
        incl = get_be32(buf + 4);
        flags = get_be32(buf + 8);
        ts = get_be64(buf + 16);
        if (incl > len - 24 || incl > orig)
                return -EBADMSG;
        pkt = buf + 24;
        rec.ts_usec = ts >= BTSNOOP_EPOCH_DELTA_USEC ? ts - BTSNOOP_EPOCH_DELTA_USEC : 0;
        rec.truncated = incl < orig;

        switch (datalink) {
        case BTSNOOP_DATALINK_H4:
                if (incl < 1)
                        return -EBADMSG;
                rec.type = h4_type(pkt[0]);
                rec.dir = (flags & 1) ? BTSNOOP_DIR_RECEIVED : BTSNOOP_DIR_SENT;
                rec.data = pkt + 1;
                rec.len = incl - 1;
                break;
        case BTSNOOP_DATALINK_HCI:
                rec.dir = (flags & 1) ? BTSNOOP_DIR_RECEIVED : BTSNOOP_DIR_SENT;
                if (flags & 2)
                        rec.type = (flags & 1) ? BTSNOOP_TYPE_EVENT : BTSNOOP_TYPE_COMMAND;
                else
                        rec.type = BTSNOOP_TYPE_ACL;
                rec.data = pkt;
                rec.len = incl;
                break;
        case BTSNOOP_DATALINK_MONITOR:
                monitor_opcode(flags & 0xffff, &rec.type, &rec.dir);
                rec.index = (uint16_t) (flags >> 16);
                rec.data = pkt;
                rec.len = incl;
                break;
        default:
                return -EPROTONOSUPPORT;
        }
        *ret = rec;
        *ret_size = 24 + (size_t) incl;
        return 0;
}

int btsnoop_pcap_packet_parse(int dlt, const uint8_t *pkt, size_t len, struct btsnoop_record *ret) {
        struct btsnoop_record rec = {};

        if (!pkt && len > 0)
                return -EBADMSG;
        switch (dlt) {
        case BTSNOOP_DLT_H4:
                if (len < 1)
                        return -EBADMSG;
                rec.type = h4_type(pkt[0]);
                rec.dir = BTSNOOP_DIR_UNKNOWN;
                rec.data = pkt + 1;
                rec.len = len - 1;
                break;
        case BTSNOOP_DLT_H4_PHDR:
                if (len < 5)
                        return -EBADMSG;
                /* libpcap's Linux capture writes 1 for incoming (received). */
                rec.dir = get_be32(pkt) ? BTSNOOP_DIR_RECEIVED : BTSNOOP_DIR_SENT;
                rec.type = h4_type(pkt[4]);
                rec.data = pkt + 5;
                rec.len = len - 5;
                break;
        case BTSNOOP_DLT_MONITOR:
                if (len < 4)
                        return -EBADMSG;
                rec.index = get_be16(pkt);
                monitor_opcode(get_be16(pkt + 2), &rec.type, &rec.dir);
                rec.data = pkt + 4;
                rec.len = len - 4;
                break;
        case BTSNOOP_DLT_LE_LL_PHDR:
                if (len < 10)
                        return -EBADMSG;
                rec.type = BTSNOOP_TYPE_LE_LL;
                rec.dir = BTSNOOP_DIR_UNKNOWN;
                rec.rf_channel = pkt[0];
                rec.data = pkt + 10;
                rec.len = len - 10;
                break;
        default:
                return -EPROTONOSUPPORT;
        }
        *ret = rec;
        return 0;
}
