/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The pure half of pcap80211: radio headers and the management frame. */

#include <errno.h>
#include <string.h>

#include "lib/pcap80211/pcap80211.h"

static uint16_t le16(const uint8_t *p) {
        return (uint16_t) (p[0] | (p[1] << 8));
}

static uint32_t le32(const uint8_t *p) {
        return (uint32_t) p[0] | ((uint32_t) p[1] << 8) | ((uint32_t) p[2] << 16) | ((uint32_t) p[3] << 24);
}

static uint32_t be32(const uint8_t *p) {
        return ((uint32_t) p[0] << 24) | ((uint32_t) p[1] << 16) | ((uint32_t) p[2] << 8) | p[3];
}

#define RADIOTAP_TSFT 0
#define RADIOTAP_FLAGS 1
#define RADIOTAP_EXT 31
#define RADIOTAP_F_FCS 0x10

/* Radiotap: version 0, pad, it_len (LE), then presence words chained by
 * bit 31. Only the Flags field matters here (FCS at the end); it is the
 * second field, after the 8-byte aligned TSFT when that is present. */
static int radiotap_strip(const uint8_t *pkt, size_t len, size_t *ret_off, bool *ret_fcs) {
        size_t hlen, pos = 4;
        uint32_t first;

        if (len < 8 || pkt[0] != 0)
                return -EBADMSG;
        hlen = le16(pkt + 2);
        if (hlen < 8 || hlen > len)
                return -EBADMSG;
        first = le32(pkt + 4);
        /* Skip every presence word; each must lie inside it_len. */
        for (uint32_t w = first;; ) {
                pos += 4;
                if (!(w & (1u << RADIOTAP_EXT)))
                        break;
                if (pos + 4 > hlen)
                        return -EBADMSG;
                w = le32(pkt + pos);
        }
        *ret_fcs = false;
        if (first & (1u << RADIOTAP_FLAGS)) {
                if (first & (1u << RADIOTAP_TSFT))
                        pos = ((pos + 7) & ~(size_t) 7) + 8;
                if (pos + 1 > hlen)
                        return -EBADMSG;
                *ret_fcs = pkt[pos] & RADIOTAP_F_FCS;
        }
        *ret_off = hlen;
        return 0;
}

#define PPI_FIELD_80211_COMMON 2
#define PPI_COMMON_F_FCS 0x0001

/* PPI: version 0, flags, pph_len (LE), pph_dlt (LE32), then typed fields;
 * the 802.11-Common field's flags say whether an FCS follows the frame. */
static int ppi_strip(const uint8_t *pkt, size_t len, size_t *ret_off, bool *ret_fcs) {
        size_t hlen, pos = 8;

        if (len < 8 || pkt[0] != 0)
                return -EBADMSG;
        hlen = le16(pkt + 2);
        if (hlen < 8 || hlen > len)
                return -EBADMSG;
        if (le32(pkt + 4) != PCAP80211_DLT_IEEE802_11)
                return -EPROTONOSUPPORT;
        *ret_fcs = false;
        while (hlen - pos >= 4) {
                uint16_t type = le16(pkt + pos), flen = le16(pkt + pos + 2);

                pos += 4;
                if (flen > hlen - pos)
                        return -EBADMSG;
                if (type == PPI_FIELD_80211_COMMON && flen >= 10)
                        *ret_fcs = le16(pkt + pos + 8) & PPI_COMMON_F_FCS;
                pos += flen;
        }
        *ret_off = hlen;
        return 0;
}

#define AVS_MAGIC_MASK 0xfffffff0u
#define AVS_MAGIC 0x80211000u

/* AVS: big-endian version word 0x8021100x, then the header length. The
 * Prism header (msgcode, msglen in host order, fixed items) is told
 * apart from AVS by that magic, as libpcap and Wireshark do. */
static int avs_strip(const uint8_t *pkt, size_t len, size_t *ret_off) {
        uint32_t hlen;

        if (len < 8 || (be32(pkt) & AVS_MAGIC_MASK) != AVS_MAGIC)
                return -EBADMSG;
        hlen = be32(pkt + 4);
        if (hlen < 8 || hlen > len)
                return -EBADMSG;
        *ret_off = hlen;
        return 0;
}

static int prism_strip(const uint8_t *pkt, size_t len, size_t *ret_off) {
        uint32_t hlen;

        if (len >= 8 && (be32(pkt) & AVS_MAGIC_MASK) == AVS_MAGIC)
                return avs_strip(pkt, len, ret_off);
        if (len < 8)
                return -EBADMSG;
        hlen = le32(pkt + 4);
        if (hlen > 0xffff)                      /* a big-endian writer */
                hlen = be32(pkt + 4);
        if (hlen < 8 || hlen > len)
                return -EBADMSG;
        *ret_off = hlen;
        return 0;
}

int pcap80211_link_strip(int dlt, const uint8_t *pkt, size_t len, size_t *ret_offset, size_t *ret_len) {
        size_t off = 0;
        bool fcs = false;
        int r;

        if (!pkt)
                len = 0;
        switch (dlt) {
        case PCAP80211_DLT_IEEE802_11:
                r = 0;
                break;
        case PCAP80211_DLT_RADIOTAP:
                r = radiotap_strip(pkt, len, &off, &fcs);
                break;
        case PCAP80211_DLT_PPI:
                r = ppi_strip(pkt, len, &off, &fcs);
                break;
        case PCAP80211_DLT_AVS:
                r = avs_strip(pkt, len, &off);
                break;
        case PCAP80211_DLT_PRISM:
                r = prism_strip(pkt, len, &off);
                break;
        default:
                return -EPROTONOSUPPORT;
        }
        if (r < 0)
                return r;
        if (fcs) {
                if (len - off < 4)
                        return -EBADMSG;
                len -= 4;
        }
        *ret_offset = off;
        *ret_len = len - off;
        return 0;
}

#define MGMT_HDR_LEN 24
#define MGMT_HTC_LEN 4
#define BEACON_FIXED_LEN 12                     /* timestamp, interval, capability */
#define CAP_PRIVACY 0x0010

int pcap80211_mgmt_parse(const uint8_t *frame, size_t len, struct pcap80211_mgmt *ret) {
        size_t hdr = MGMT_HDR_LEN;
        uint8_t fc0, fc1, subtype;

        if (!frame || len < 2)
                return -EBADMSG;
        fc0 = frame[0];
        fc1 = frame[1];
        if ((fc0 & 0x03) != 0 || ((fc0 >> 2) & 0x03) != 0)
                return -ENOMSG;                 /* protocol version, or not management */
        subtype = fc0 >> 4;
        if (subtype != PCAP80211_SUBTYPE_BEACON && subtype != PCAP80211_SUBTYPE_PROBE_RESP)
                return -ENOMSG;
        /* The Order bit in a management frame announces an HT Control field. */
        if (fc1 & 0x80)
                hdr += MGMT_HTC_LEN;
        if (len < hdr + BEACON_FIXED_LEN)
                return -EBADMSG;

        memset(ret, 0, sizeof(*ret));
        ret->subtype = subtype;
        memcpy(ret->sa, frame + 10, 6);
        memcpy(ret->bssid, frame + 16, 6);
        ret->capability = le16(frame + hdr + 10);
        ret->privacy = ret->capability & CAP_PRIVACY;
        ret->ies = frame + hdr + BEACON_FIXED_LEN;
        ret->ies_len = len - hdr - BEACON_FIXED_LEN;
        return 0;
}
