/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* 802.11 management frames out of monitor captures (certbench wifi-audit).
 *
 * Two halves. The pure half (pcap80211_link_strip, pcap80211_mgmt_parse)
 * works on bytes only: no I/O, no allocation, any thread, every length
 * from the capture checked against the bytes there; fuzzed
 * (fuzz/fuzz-pcap80211.c). The reader half opens a pcap or pcapng file
 * (plain or gzip-compressed) through libpcap and yields the beacons and
 * probe responses in it, in file order; one reader belongs to one thread
 * and blocks on file reads only. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Link types (pcap LINKTYPE_* values) we take 802.11 from. */
#define PCAP80211_DLT_IEEE802_11 105         /* plain 802.11 */
#define PCAP80211_DLT_PRISM 119              /* Prism monitor header (or AVS) */
#define PCAP80211_DLT_RADIOTAP 127
#define PCAP80211_DLT_AVS 163
#define PCAP80211_DLT_PPI 192

/* Where the 802.11 frame sits inside one captured packet of link type
 * dlt: *ret_offset its first byte, *ret_len its length without a trailing
 * FCS when the radio header says one is there. Returns 0, -EBADMSG when
 * the radio header is malformed or longer than the packet,
 * -EPROTONOSUPPORT for another link type (or PPI carrying no 802.11). */
int pcap80211_link_strip(int dlt, const uint8_t *pkt, size_t len, size_t *ret_offset, size_t *ret_len);

#define PCAP80211_SUBTYPE_PROBE_RESP 5
#define PCAP80211_SUBTYPE_BEACON 8

struct pcap80211_mgmt {
        uint8_t subtype;                     /* PCAP80211_SUBTYPE_* */
        uint8_t bssid[6];                    /* address 3 */
        uint8_t sa[6];                       /* address 2 */
        uint16_t capability;                 /* capability information */
        bool privacy;                        /* its bit 4 */
        const uint8_t *ies;                  /* points into the frame */
        size_t ies_len;
};

/* Parses a beacon or probe response (802.11 header, timestamp, beacon
 * interval, capability information, then the elements). Returns 0,
 * -ENOMSG for any other frame (other type or subtype, protocol version
 * not 0), -EBADMSG when the frame is shorter than its fixed part. */
int pcap80211_mgmt_parse(const uint8_t *frame, size_t len, struct pcap80211_mgmt *ret);

/* ---- the reader ---- */

struct pcap80211_reader;

struct pcap80211_frame {
        uint64_t number;                     /* 1-based packet number, as tshark's frame.number */
        int dlt;
        struct pcap80211_mgmt mgmt;          /* points into the reader's buffer, valid
                                                until the next call */
};

struct pcap80211_stats {
        uint64_t packets;                    /* every packet read */
        uint64_t frames;                     /* beacons and probe responses yielded */
        uint64_t bad_link;                   /* radio header malformed */
        uint64_t short_mgmt;                 /* beacon/probe response shorter than its fixed part */
};

/* Opens a capture file (pcap or pcapng; gzip-compressed decompressed into
 * memory first). On failure returns -errno and, when it can say more,
 * *ret_error (caller frees): "FILE: what is wrong". -EPROTONOSUPPORT:
 * the link type is none of the 802.11 ones above. */
int pcap80211_reader_open(const char *path, struct pcap80211_reader **ret, char **ret_error);

/* The same over a capture held in memory (copied; gzip allowed). */
int pcap80211_reader_open_memory(const void *data, size_t len, struct pcap80211_reader **ret,
                                 char **ret_error);

/* Yields the next beacon or probe response: 1 with *ret filled, 0 at the
 * end of the capture, -EIO on a read error or a file cut inside a packet
 * (pcap80211_reader_error() says which); the frames before it were
 * yielded. */
int pcap80211_reader_next(struct pcap80211_reader *r, struct pcap80211_frame *ret);

/* libpcap's text for the last error; owned by the reader. */
const char *pcap80211_reader_error(struct pcap80211_reader *r);

void pcap80211_reader_stats(const struct pcap80211_reader *r, struct pcap80211_stats *ret);
int pcap80211_reader_dlt(const struct pcap80211_reader *r);

/* Closes; takes NULL. Returns NULL. */
struct pcap80211_reader *pcap80211_reader_free(struct pcap80211_reader *r);
