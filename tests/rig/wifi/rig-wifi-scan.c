/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rig-wifi-scan IFACE [--ssid S] [--timeout S] [--freq MHz]... [--count N] [--debug]
 *
 * Scans through cb_wifi and prints one line per BSS seen, for the rig
 * scripts to assert on:
 *   BSS <bssid> freq=<MHz> privacy=<0|1> signal=<dBm|none> ssid="<escaped>"
 *       eids=<id,id,...> rsn=<0|1> wpa=<0|1> rsn_body=<hex|->
 * then a summary line
 *   SCAN iface=<if> n_bss=<n> ms=<elapsed> triggers= busy= aborted= enobufs= dump_restarts=
 * ssid bytes outside printable ASCII, '"' and '\' are written as \xHH.
 * rsn_body is the first RSN element's body (after id and length), so the
 * caller can look for AKM 00-0f-ac:8 or the MFPR bit; decoding it is the
 * IE decoder's job, not this tool's.
 * Exit: 0 scanned (even if nothing was seen), 1 scan failed, 2 usage. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "drivers/wifi/wifi.h"

#define EID_RSN 48
#define EID_VENDOR 221
#define MAX_FREQS 64

static void print_escaped(const uint8_t *p, size_t n) {
        for (size_t i = 0; i < n; i++) {
                if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '"' && p[i] != '\\')
                        putchar(p[i]);
                else
                        printf("\\x%02x", p[i]);
        }
}

static void print_bss(const struct wifi_bss *b) {
        const uint8_t *ies = b->ies, *ssid = NULL, *rsn = NULL;
        size_t len = b->ies_len, ssid_len = 0, rsn_len = 0, pos = 0;
        bool wpa = false, first = true, truncated = false;

        if (len == 0) {
                ies = b->beacon_ies;
                len = b->beacon_ies_len;
        }
        printf("BSS %02x:%02x:%02x:%02x:%02x:%02x freq=%u privacy=%d",
               b->bssid[0], b->bssid[1], b->bssid[2], b->bssid[3], b->bssid[4], b->bssid[5],
               b->frequency, wifi_bss_privacy(b) ? 1 : 0);
        if (b->has_signal)
                printf(" signal=%d.%02d", b->signal_mbm / 100, abs(b->signal_mbm % 100));
        else
                printf(" signal=none");
        printf(" ssid=\"");
        if (wifi_ie_find_ssid(ies, len, &ssid, &ssid_len) >= 0)
                print_escaped(ssid, ssid_len);
        printf("\" eids=");
        while (pos < len) {
                uint8_t id, elen;

                if (len - pos < 2 || len - pos - 2 < (size_t) ies[pos + 1]) {
                        truncated = true;
                        break;
                }
                id = ies[pos];
                elen = ies[pos + 1];
                printf("%s%u", first ? "" : ",", id);
                first = false;
                if (id == EID_RSN && !rsn) {
                        rsn = ies + pos + 2;
                        rsn_len = elen;
                }
                /* WPA1: vendor element, OUI 00:50:f2, type 1 */
                if (id == EID_VENDOR && elen >= 4 && ies[pos + 2] == 0x00 &&
                    ies[pos + 3] == 0x50 && ies[pos + 4] == 0xf2 && ies[pos + 5] == 0x01)
                        wpa = true;
                pos += 2 + (size_t) elen;
        }
        if (first)
                printf("-");
        if (truncated)
                printf(",truncated");
        printf(" rsn=%d wpa=%d rsn_body=", rsn ? 1 : 0, wpa ? 1 : 0);
        if (rsn && rsn_len > 0)
                for (size_t i = 0; i < rsn_len; i++)
                        printf("%02x", rsn[i]);
        else
                printf("-");
        printf("\n");
}

static void usage(FILE *f) {
        fprintf(f, "Usage: rig-wifi-scan IFACE [--ssid S] [--timeout SECONDS] [--freq MHZ]... "
                   "[--count N] [--debug]\n");
}

int main(int argc, char **argv) {
        static const struct option opts[] = {
                { "ssid", required_argument, NULL, 's' },
                { "timeout", required_argument, NULL, 't' },
                { "freq", required_argument, NULL, 'f' },
                { "count", required_argument, NULL, 'c' },
                { "debug", no_argument, NULL, 'd' },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        const char *ssid = NULL, *ifname;
        uint32_t freqs[MAX_FREQS];
        size_t n_freqs = 0;
        double timeout = 30.0;
        long count = 1;
        struct wifi_scan *scan = NULL;
        int c, r, failed = 0;

        log_parse_environment();
        while ((c = getopt_long(argc, argv, "s:t:f:c:dh", opts, NULL)) >= 0) {
                char *end;

                switch (c) {
                case 's':
                        ssid = optarg;
                        break;
                case 't':
                        timeout = strtod(optarg, &end);
                        if (*end || timeout <= 0) {
                                usage(stderr);
                                return 2;
                        }
                        break;
                case 'f':
                        if (n_freqs == MAX_FREQS) {
                                usage(stderr);
                                return 2;
                        }
                        freqs[n_freqs] = (uint32_t) strtoul(optarg, &end, 10);
                        if (*end || freqs[n_freqs] == 0) {
                                usage(stderr);
                                return 2;
                        }
                        n_freqs++;
                        break;
                case 'c':
                        count = strtol(optarg, &end, 10);
                        if (*end || count < 1) {
                                usage(stderr);
                                return 2;
                        }
                        break;
                case 'd':
                        log_set_max_level(LOG_DEBUG);
                        break;
                case 'h':
                        usage(stdout);
                        return 0;
                default:
                        usage(stderr);
                        return 2;
                }
        }
        if (optind + 1 != argc) {
                usage(stderr);
                return 2;
        }
        ifname = argv[optind];

        r = wifi_scan_new(ifname, &scan);
        if (r < 0) {
                log_error_errno(r, "rig-wifi-scan: %s: %m", ifname);
                return 1;
        }
        r = wifi_scan_set_frequencies(scan, freqs, n_freqs);
        if (r < 0) {
                log_error_errno(r, "rig-wifi-scan: frequencies: %m");
                wifi_scan_free(scan);
                return 1;
        }
        for (long i = 0; i < count; i++) {
                struct wifi_bss_list *l = NULL;
                const struct wifi_scan_stats *st;
                usec_t t0 = mono_now();

                r = wifi_scan_run(scan, ssid, deadline_in((usec_t) (timeout * USEC_PER_SEC)), &l);
                st = wifi_scan_get_stats(scan);
                if (r < 0) {
                        log_error_errno(r, "rig-wifi-scan: %s: scan failed: %m", ifname);
                        failed++;
                } else {
                        for (size_t j = 0; j < l->n_bss; j++)
                                print_bss(&l->bss[j]);
                }
                printf("SCAN iface=%s n_bss=%zu ms=%llu status=%d triggers=%u busy=%u aborted=%u "
                       "enobufs=%u dump_restarts=%u\n",
                       ifname, r < 0 ? 0 : l->n_bss,
                       (unsigned long long) ((mono_now() - t0) / USEC_PER_MSEC), r,
                       st->triggers, st->busy, st->aborted, st->enobufs, st->dump_restarts);
                fflush(stdout);
                wifi_bss_list_free(l);
        }
        wifi_scan_free(scan);
        return failed ? 1 : 0;
}
