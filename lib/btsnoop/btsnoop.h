/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* HCI traces: btsnoop files (as Android and `btmon -w` write them) and
 * pcap/pcapng captures with the Bluetooth link types, read as a sequence
 * of records (direction, packet type, bytes, timestamp) for bt-audit and
 * the pairing classifier (lib/btpair).
 *
 * Two halves. The pure half (btsnoop_header_parse, btsnoop_record_parse,
 * btsnoop_pcap_packet_parse) works on bytes only: no I/O, no allocation,
 * any thread; every length a record states is checked against the bytes
 * there; fuzzed (fuzz/fuzz-btsnoop.c). The reader half opens a file
 * (gzip-compressed allowed, inflated into memory) and yields the records
 * in file order; one reader belongs to one thread and blocks on file
 * reads only.
 *
 * btsnoop (RFC 1761-style): 16-octet header "btsnoop\0", version 1 (BE32),
 * datalink (BE32); then records of original length, included length,
 * flags, cumulative drops (BE32 each), timestamp (BE64, microseconds since
 * 0000-01-01, i.e. 0x00dcddb30f2f8000 at the Unix epoch) and the included
 * octets. Datalinks: 1001 unencapsulated HCI (type from the flags: bit 0
 * direction, 0 sent / 1 received; bit 1 command-or-event, else data
 * taken as ACL), 1002 H4 (first octet the packet type), 2001 Linux
 * monitor (flags = controller index << 16 | opcode), as btmon writes.
 * pcap link types: 187 H4, 201 H4 with a 4-octet BE direction header,
 * 254 Linux monitor (BE16 adapter, BE16 opcode), 256 LE link layer with
 * the 10-octet RF pseudo header (over-the-air sniffers). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BTSNOOP_DATALINK_HCI      1001
#define BTSNOOP_DATALINK_H4       1002
#define BTSNOOP_DATALINK_MONITOR  2001

#define BTSNOOP_DLT_H4            187
#define BTSNOOP_DLT_H4_PHDR       201
#define BTSNOOP_DLT_MONITOR       254
#define BTSNOOP_DLT_LE_LL_PHDR    256

/* Unix epoch in btsnoop time (microseconds since year 0). */
#define BTSNOOP_EPOCH_DELTA_USEC  UINT64_C(0x00dcddb30f2f8000)

enum btsnoop_dir {
        BTSNOOP_DIR_UNKNOWN,
        BTSNOOP_DIR_SENT,               /* host to controller */
        BTSNOOP_DIR_RECEIVED,           /* controller to host */
        _BTSNOOP_DIR_MAX,
};

/* Packet types: the H4 ones, plus a link layer PDU from a sniffer. */
enum btsnoop_type {
        BTSNOOP_TYPE_OTHER = 0,         /* notes, index events, vendor: skip */
        BTSNOOP_TYPE_COMMAND = 1,
        BTSNOOP_TYPE_ACL = 2,
        BTSNOOP_TYPE_SCO = 3,
        BTSNOOP_TYPE_EVENT = 4,
        BTSNOOP_TYPE_ISO = 5,
        BTSNOOP_TYPE_LE_LL = 6,         /* access address, header, payload, CRC */
        _BTSNOOP_TYPE_MAX,
};

struct btsnoop_record {
        uint64_t number;                /* 1-based, as tshark's frame.number (reader only) */
        uint64_t ts_usec;               /* Unix epoch microseconds; 0 where the file has none */
        uint16_t index;                 /* controller index (monitor), else 0 */
        enum btsnoop_dir dir;
        enum btsnoop_type type;
        const uint8_t *data;            /* without the H4 type octet / pseudo header */
        size_t len;
        bool truncated;                 /* included length < original length */
        uint8_t rf_channel;             /* LE_LL: 0..39 */
};

/* Checks the 16-octet btsnoop file header. 0 with the datalink, -EBADMSG
 * when it is not one (short, wrong magic), -EPROTONOSUPPORT for a version
 * other than 1 or a datalink other than 1001/1002/2001. */
int btsnoop_header_parse(const uint8_t *buf, size_t len, uint32_t *ret_datalink);

/* One record at buf (len: the bytes left in the file). Returns 0 with
 * *ret and *ret_size (octets the record takes), -EBADMSG when the record
 * header is cut, states an included length past the end of the file or
 * larger than the original length, or the packet is empty where a type
 * octet is needed. Records without an HCI packet come back as
 * BTSNOOP_TYPE_OTHER. ret->data points into buf. */
int btsnoop_record_parse(uint32_t datalink, const uint8_t *buf, size_t len, struct btsnoop_record *ret,
                         size_t *ret_size);

/* One pcap packet of link type dlt (caplen octets at pkt). 0 with *ret
 * (without ts_usec/number), -EBADMSG when the pseudo header is cut,
 * -EPROTONOSUPPORT for another link type. */
int btsnoop_pcap_packet_parse(int dlt, const uint8_t *pkt, size_t len, struct btsnoop_record *ret);

const char *btsnoop_type_to_string(enum btsnoop_type t);

/* ---- the reader ---- */

struct btsnoop_reader;

/* Opens path: btsnoop, or pcap/pcapng through libpcap; either may be
 * gzip-compressed. On failure -errno and, when it can say more,
 * *ret_error (caller frees): "FILE: what is wrong". -EPROTONOSUPPORT: a
 * btsnoop datalink or pcap link type we do not read. */
int btsnoop_reader_open(const char *path, struct btsnoop_reader **ret, char **ret_error);
/* The same over bytes in memory (copied). */
int btsnoop_reader_open_memory(const void *data, size_t len, struct btsnoop_reader **ret, char **ret_error);

/* Yields the next record: 1 with *ret (its data valid until the next
 * call), 0 at the end, -EBADMSG when the file is cut or corrupt inside a
 * record (the records before it were yielded; btsnoop_reader_error()
 * says where), -EIO on a read error. */
int btsnoop_reader_next(struct btsnoop_reader *r, struct btsnoop_record *ret);

/* Why the last call failed; owned by the reader. */
const char *btsnoop_reader_error(struct btsnoop_reader *r);
/* "btsnoop H4", "pcap LE LL", ... static. */
const char *btsnoop_reader_format(const struct btsnoop_reader *r);

struct btsnoop_reader *btsnoop_reader_free(struct btsnoop_reader *r);
