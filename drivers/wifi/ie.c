/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The only element parsing this driver does: enough to filter by SSID.
 * The full decoder (RSN, WPA, RSNXE, ...) lives elsewhere and is fuzzed. */
#include <errno.h>

#include "wifi.h"

int wifi_ie_find_ssid(const uint8_t *ies, size_t len, const uint8_t **ret_ssid,
                      size_t *ret_len) {
        size_t pos = 0;

        if (!ies && len > 0)
                return -EINVAL;
        while (pos < len) {
                uint8_t id, elen;

                if (len - pos < 2)
                        return -EBADMSG;
                id = ies[pos];
                elen = ies[pos + 1];
                if (len - pos - 2 < elen)
                        return -EBADMSG;
                if (id == WIFI_EID_SSID) {
                        if (elen > WIFI_SSID_MAX)
                                return -EBADMSG;
                        if (ret_ssid)
                                *ret_ssid = ies + pos + 2;
                        if (ret_len)
                                *ret_len = elen;
                        return 0;
                }
                pos += 2 + (size_t) elen;
        }
        return -ENOENT;
}
