/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rig-wifi-scan IFACE [--ssid S] [--timeout S] [--freq MHz]... [--count N] [--debug]
 * rig-wifi-scan IFACE --caps [--timeout S] [--debug]
 * --abort-after MS: a timerfd that fires MS ms after each scan starts is
 * the scan's abort fd (wifi_scan_set_abort_fd): the scan must end with
 * -ECANCELED (status=-125) about then.
 *
 * Scans through cb_wifi and prints one line per BSS seen, for the rig
 * scripts to assert on:
 *   BSS <bssid> freq=<MHz> privacy=<0|1> signal=<dBm|none> ssid="<escaped>"
 *       eids=<id,id,...> rsn=<0|1> wpa=<0|1> security=<name> pmf=<name>
 *       group=<cipher|none> rsn_body=<hex|->
 * security/pmf/group are our classifier's verdict (ieee80211_classify on
 * the elements and the privacy bit), named as ieee80211_security_to_string()
 * and ieee80211_pmf_to_string() name them; group is the suite selector in
 * hex (000fac04). rsn_body stays last (scripts take the rest of the line).
 * With --caps, no scan: wifi_radio_capabilities() and one line each
 *   CAPS wiphy=<n> name=<phyN> iftype=<current|none>
 *   IFTYPE <name>      (every supported interface type)
 *   BAND <name>        (every band with channels)
 *   CIPHER <hex> <name|?>
 * then CAPS_END status=<0|-errno>.
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
#include <sys/timerfd.h>
#include <unistd.h>

#include "common/log.h"
#include "drivers/wifi/wifi.h"
#include "lib/ieee80211/ieee80211.h"

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
        printf(" rsn=%d wpa=%d", rsn ? 1 : 0, wpa ? 1 : 0);
        {
                struct ieee80211_ies parsed;
                struct ieee80211_class cls;

                ieee80211_ies_parse(ies, len, &parsed);
                ieee80211_classify(&parsed, wifi_bss_privacy(b), &cls);
                printf(" security=%s pmf=%s", ieee80211_security_to_string(cls.security),
                       ieee80211_pmf_to_string(cls.pmf));
                if (cls.group_cipher)
                        printf(" group=%08x", cls.group_cipher);
                else
                        printf(" group=none");
        }
        printf(" rsn_body=");
        if (rsn && rsn_len > 0)
                for (size_t i = 0; i < rsn_len; i++)
                        printf("%02x", rsn[i]);
        else
                printf("-");
        printf("\n");
}

static void usage(FILE *f) {
        fprintf(f, "Usage: rig-wifi-scan IFACE [--ssid S] [--timeout SECONDS] [--freq MHZ]... "
                   "[--count N] [--abort-after MS] [--debug]\n"
                   "       rig-wifi-scan IFACE --caps [--timeout SECONDS] [--debug]\n");
}

static int print_caps(const char *ifname, double timeout) {
        struct wifi_radio_caps c;
        int r;

        r = wifi_radio_capabilities(ifname, deadline_in((usec_t) (timeout * USEC_PER_SEC)), &c);
        if (r < 0) {
                log_error_errno(r, "rig-wifi-scan: %s: radio capabilities: %m", ifname);
                printf("CAPS_END status=%d\n", r);
                return 1;
        }
        printf("CAPS wiphy=%u name=%s iftype=%s\n", c.wiphy, c.wiphy_name ? c.wiphy_name : "-",
               c.has_iftype ? wifi_iftype_to_string(c.iftype) : "none");
        for (int t = 0; t < _WIFI_IFTYPE_MAX; t++)
                if (wifi_radio_supports(&c, (enum wifi_iftype) t))
                        printf("IFTYPE %s\n", wifi_iftype_to_string((enum wifi_iftype) t));
        for (int b = 0; b < _WIFI_BAND_MAX; b++)
                if (c.bands & (1u << b))
                        printf("BAND %s\n", wifi_band_to_string((enum wifi_band) b));
        for (size_t i = 0; i < c.n_ciphers; i++) {
                const char *n = ieee80211_cipher_to_string(c.ciphers[i]);

                printf("CIPHER %08x %s\n", c.ciphers[i], n ? n : "?");
        }
        printf("CAPS_END status=0\n");
        wifi_radio_caps_done(&c);
        return 0;
}

int main(int argc, char **argv) {
        static const struct option opts[] = {
                { "ssid", required_argument, NULL, 's' },
                { "timeout", required_argument, NULL, 't' },
                { "freq", required_argument, NULL, 'f' },
                { "count", required_argument, NULL, 'c' },
                { "debug", no_argument, NULL, 'd' },
                { "caps", no_argument, NULL, 'C' },
                { "abort-after", required_argument, NULL, 'a' },
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
        bool caps = false;
        long abort_ms = 0;
        int tfd = -1;

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
                case 'C':
                        caps = true;
                        break;
                case 'a':
                        abort_ms = strtol(optarg, &end, 10);
                        if (*end || abort_ms < 1) {
                                usage(stderr);
                                return 2;
                        }
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
        if (caps)
                return print_caps(ifname, timeout);

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

                if (abort_ms > 0) {
                        struct itimerspec its = { .it_value = { .tv_sec = abort_ms / 1000,
                                                                .tv_nsec = (abort_ms % 1000) * 1000000 } };

                        if (tfd < 0)
                                tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
                        if (tfd < 0 || timerfd_settime(tfd, 0, &its, NULL) < 0 ||
                            wifi_scan_set_abort_fd(scan, tfd) < 0) {
                                log_error_errno(negative_errno(), "rig-wifi-scan: abort timer: %m");
                                wifi_scan_free(scan);
                                return 1;
                        }
                }

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
        if (tfd >= 0)
                close(tfd);
        return failed ? 1 : 0;
}
