/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: what a trace file hands bt-audit (lib/btsnoop, then the
 * classifier). An input that starts like a btsnoop, pcap, pcapng or gzip
 * file goes through the whole reader; anything else is records for the
 * pure parsers: the first byte picks the btsnoop datalink or pcap link
 * type, the rest is walked as btsnoop records or taken as one packet. */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/btpair/btpair.h"
#include "lib/btsnoop/btsnoop.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_record(const struct btsnoop_record *rec, const uint8_t *lo, const uint8_t *hi) {
        if (rec->len && (rec->data < lo || rec->data + rec->len > hi))
                __builtin_trap();
        if ((unsigned) rec->type >= _BTSNOOP_TYPE_MAX || (unsigned) rec->dir >= _BTSNOOP_DIR_MAX)
                __builtin_trap();
}

static bool looks_like_file(const uint8_t *d, size_t n) {
        static const uint8_t magics[][4] = {
                { 'b', 't', 's', 'n' },
                { 0xd4, 0xc3, 0xb2, 0xa1 }, { 0xa1, 0xb2, 0xc3, 0xd4 },
                { 0x4d, 0x3c, 0xb2, 0xa1 }, { 0xa1, 0xb2, 0x3c, 0x4d },
                { 0x0a, 0x0d, 0x0d, 0x0a },
        };
        if (n >= 2 && d[0] == 0x1f && d[1] == 0x8b)
                return true;
        for (size_t i = 0; i < sizeof(magics) / sizeof(magics[0]); i++)
                if (n >= 4 && memcmp(d, magics[i], 4) == 0)
                        return true;
        return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static const uint32_t datalinks[] = { BTSNOOP_DATALINK_H4, BTSNOOP_DATALINK_HCI, BTSNOOP_DATALINK_MONITOR };
        static const int dlts[] = { BTSNOOP_DLT_H4, BTSNOOP_DLT_H4_PHDR, BTSNOOP_DLT_MONITOR,
                                    BTSNOOP_DLT_LE_LL_PHDR, 1 /* refused */ };
        struct btsnoop_record rec;

        if (looks_like_file(data, size)) {
                struct btsnoop_reader *r = NULL;
                struct btpair *p = btpair_new(NULL, NULL);
                char *error = NULL;
                int k;

                if (p && btsnoop_reader_open_memory(data, size, &r, &error) == 0) {
                        while ((k = btsnoop_reader_next(r, &rec)) > 0)
                                btpair_feed(p, &rec);
                        btpair_finish(p);
                        btsnoop_reader_free(r);
                }
                free(error);
                btpair_free(p);
                return 0;
        }
        if (size < 1)
                return 0;
        if (data[0] & 0x80) {
                uint32_t dl = datalinks[(data[0] & 0x7f) % 3];
                size_t off = 1, n;

                while (off < size && btsnoop_record_parse(dl, data + off, size - off, &rec, &n) == 0) {
                        check_record(&rec, data + off, data + size);
                        if (n < 24 || n > size - off)
                                __builtin_trap();
                        off += n;
                }
        } else if (btsnoop_pcap_packet_parse(dlts[data[0] % 5], data + 1, size - 1, &rec) == 0)
                check_record(&rec, data + 1, data + size);
        return 0;
}
