/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: what a capture file hands wifi-audit (lib/pcap80211). An
 * input that starts like a pcap, pcapng or gzip file goes through the whole
 * reader (libpcap, zlib, every packet); anything else is one packet: the
 * first byte chooses the link type, the rest is the radio header and frame. */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ieee80211/ieee80211.h"
#include "lib/pcap80211/pcap80211.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int dlts[] = {
        PCAP80211_DLT_IEEE802_11, PCAP80211_DLT_RADIOTAP, PCAP80211_DLT_PPI,
        PCAP80211_DLT_AVS, PCAP80211_DLT_PRISM, 1 /* Ethernet: refused */,
};

static void frame_check(const uint8_t *f, size_t n) {
        struct pcap80211_mgmt m;
        struct ieee80211_ies ies;
        struct ieee80211_class c;

        if (pcap80211_mgmt_parse(f, n, &m) < 0)
                return;
        if (m.ies < f || m.ies + m.ies_len != f + n)
                __builtin_trap();
        ieee80211_ies_parse(m.ies, m.ies_len, &ies);
        ieee80211_classify(&ies, m.privacy, &c);
}

static bool looks_like_file(const uint8_t *d, size_t n) {
        static const uint8_t magics[][4] = {
                { 0xd4, 0xc3, 0xb2, 0xa1 }, { 0xa1, 0xb2, 0xc3, 0xd4 },     /* pcap, usec */
                { 0x4d, 0x3c, 0xb2, 0xa1 }, { 0xa1, 0xb2, 0x3c, 0x4d },     /* pcap, nsec */
                { 0x0a, 0x0d, 0x0d, 0x0a },                                   /* pcapng */
        };

        if (n >= 2 && d[0] == 0x1f && d[1] == 0x8b)
                return true;
        for (size_t i = 0; n >= 4 && i < sizeof(magics) / sizeof(magics[0]); i++)
                if (memcmp(d, magics[i], 4) == 0)
                        return true;
        return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (looks_like_file(data, size)) {
                struct pcap80211_reader *r = NULL;
                struct pcap80211_frame fr;
                char *error = NULL;

                if (pcap80211_reader_open_memory(data, size, &r, &error) >= 0) {
                        for (int i = 0; i < 100000 && pcap80211_reader_next(r, &fr) > 0; i++) {
                                struct ieee80211_ies ies;
                                ieee80211_ies_parse(fr.mgmt.ies, fr.mgmt.ies_len, &ies);
                        }
                        pcap80211_reader_free(r);
                }
                free(error);
                return 0;
        }
        if (size < 1)
                return 0;

        int dlt = dlts[data[0] % (sizeof(dlts) / sizeof(dlts[0]))];
        size_t off, len;

        data++;
        size--;
        if (pcap80211_link_strip(dlt, data, size, &off, &len) < 0)
                return 0;
        if (off > size || len > size - off)
                __builtin_trap();
        frame_check(data + off, len);
        return 0;
}
