/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: the information elements of any beacon or probe response
 * on the air (lib/ieee80211). The first byte chooses the privacy bit; the
 * rest is the element sequence, also taken as one RSN element body. */

#include <stdint.h>
#include <string.h>

#include "lib/ieee80211/ieee80211.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct ieee80211_ies ies;
        struct ieee80211_class c;
        struct ieee80211_rsn rsn;
        volatile size_t sink = 0;
        bool privacy = size > 0 && (data[0] & 1);

        if (size > 0) {
                data++;
                size--;
        }
        ieee80211_ies_parse(data, size, &ies);
        ieee80211_classify(&ies, privacy, &c);
        /* Touch what the decoder handed back: the SSID lies inside the input. */
        if (ies.ssid) {
                if (ies.ssid < data || ies.ssid + ies.ssid_len > data + size)
                        __builtin_trap();
                for (size_t i = 0; i < ies.ssid_len; i++)
                        sink += ies.ssid[i];
        }
        if (ies.rsn.n_pairwise > IEEE80211_MAX_SUITES || ies.rsn.n_akm > IEEE80211_MAX_SUITES ||
            ies.wpa.n_pairwise > IEEE80211_MAX_SUITES || ies.wpa.n_akm > IEEE80211_MAX_SUITES)
                __builtin_trap();
        if (!ieee80211_security_to_string(c.security) || !ieee80211_pmf_to_string(c.pmf))
                __builtin_trap();
        for (size_t i = 0; i < ies.rsn.n_akm; i++)
                sink += ieee80211_akm_to_string(ies.rsn.akm[i]) != NULL;
        for (size_t i = 0; i < ies.rsn.n_pairwise; i++)
                sink += ieee80211_cipher_to_string(ies.rsn.pairwise[i]) != NULL;

        ieee80211_rsn_parse(data, size, &rsn);
        if (rsn.n_pairwise > IEEE80211_MAX_SUITES || rsn.n_akm > IEEE80211_MAX_SUITES)
                __builtin_trap();
        (void) sink;
        return 0;
}
