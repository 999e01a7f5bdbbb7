/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* D-3, the latest Wi-Fi security (docs/wifi-cases.md).
 *
 * wifi.security: the DUT as an access point. The bench radio scans for the
 * DUT's BSS (declared SSID/BSSID, or the one that appears after power-on),
 * decodes its elements and judges the security mode against the policy.
 *
 * wifi.downgrade: the DUT as a station. The bench brings up hostapd on its
 * radio with the network the DUT was provisioned for, but weakened (WEP,
 * WPA-TKIP, open), and watches hostapd's station events: a DUT that joins
 * any of them accepts a downgrade. A positive control (the same network in
 * WPA2/WPA3) comes first, so a DUT that joins nothing at all is a bench
 * ERROR, not a PASS. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "drivers/wifi/hostapd-ctrl.h"
#include "drivers/wifi/wifi.h"
#include "lib/ieee80211/ieee80211.h"
#include "testcase.h"

#define streq(a, b) (strcmp((a), (b)) == 0)

static const char *const wifi_requirements[] = { "D-3", NULL };

/* ------------------------------------------------------------- helpers */

static json_t *profile_wifi(struct case_ctx *ctx) {
        const struct dut_profile *p = case_ctx_profile(ctx);

        if (!p)
                return NULL;
        return json_object_get(json_object_get(p->json, "radios"), "wifi");
}

static const char *profile_wifi_string(struct case_ctx *ctx, const char *key) {
        return json_string_value(json_object_get(profile_wifi(ctx), key));
}

static bool json_list_has(json_t *arr, const char *s) {
        size_t i;
        json_t *v;

        json_array_foreach(arr, i, v)
                if (json_is_string(v) && streq(json_string_value(v), s))
                        return true;
        return false;
}

static void mac_format(const uint8_t a[6], char buf[18]) {
        snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", a[0], a[1], a[2], a[3], a[4], a[5]);
}

/* 1 up, 0 down, -errno (-ENODEV: no such interface). The scan driver
 * cannot tell "down" from other refusals (libnl folds -ENETDOWN into a
 * generic error), so the case asks sysfs first and says what to do. */
static int interface_up(const char *ifname) {
        char path[128], buf[32];
        _cleanup_close_ int fd = -1;
        ssize_t n;

        if (strchr(ifname, '/') || snprintf(path, sizeof(path), "/sys/class/net/%s/flags", ifname) >= (int) sizeof(path))
                return -EINVAL;
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT ? -ENODEV : -errno;
        n = read(fd, buf, sizeof(buf) - 1);
        if (n <= 0)
                return n < 0 ? -errno : -EIO;
        buf[n] = '\0';
        return (strtoul(buf, NULL, 16) & 0x1) ? 1 : 0;   /* IFF_UP */
}

/* SSIDs are bytes from the air: printable ASCII kept, the rest \xNN. */
static char *ssid_escape(const uint8_t *s, size_t len) {
        char *out = malloc(len * 4 + 1), *o = out;

        if (!out)
                return NULL;
        for (size_t i = 0; i < len; i++) {
                if (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '\\')
                        *o++ = (char) s[i];
                else
                        o += sprintf(o, "\\x%02x", s[i]);
        }
        *o = '\0';
        return out;
}

static json_t *suite_json(uint32_t suite) {
        char buf[16];

        snprintf(buf, sizeof(buf), "%02x-%02x-%02x:%u", (suite >> 24) & 0xff, (suite >> 16) & 0xff,
                 (suite >> 8) & 0xff, suite & 0xff);
        return json_string(buf);
}

static json_t *suites_json(const uint32_t *s, size_t n) {
        json_t *a = json_array();

        for (size_t i = 0; a && i < n; i++)
                json_array_append_new(a, suite_json(s[i]));
        return a;
}

static json_t *rsn_json(const struct ieee80211_rsn *r) {
        if (!r->present)
                return json_null();
        return json_pack("{s:i, s:o, s:o, s:o, s:o*, s:b, s:b, s:o*, s:o*, s:b}",
                         "version", (int) r->version,
                         "group", r->has_group ? suite_json(r->group) : json_null(),
                         "pairwise", suites_json(r->pairwise, r->n_pairwise),
                         "akm", suites_json(r->akm, r->n_akm),
                         "capabilities", r->has_capabilities ? json_integer(r->capabilities) : NULL,
                         "mfpc", r->mfpc, "mfpr", r->mfpr,
                         "group_mgmt", r->has_group_mgmt ? suite_json(r->group_mgmt) : NULL,
                         "n_pmkid", json_integer(r->n_pmkid),
                         "truncated", r->truncated);
}

/* ------------------------------------------------------------- policy */

enum wifi_policy {
        WIFI_POLICY_LATEST,
        WIFI_POLICY_STRICT,
        _WIFI_POLICY_MAX,
};

static const char *const policy_names[_WIFI_POLICY_MAX] = {
        [WIFI_POLICY_LATEST] = "latest",
        [WIFI_POLICY_STRICT] = "strict",
};

/* What the profile calls the observed mode (radios.wifi.security). */
static void security_declared_names(enum ieee80211_security s, const char *ret[2]) {
        ret[0] = ret[1] = NULL;
        switch (s) {
        case IEEE80211_SEC_OPEN: ret[0] = "open"; break;
        case IEEE80211_SEC_OWE: ret[0] = "owe"; break;
        case IEEE80211_SEC_OWE_TRANSITION: ret[0] = "open"; ret[1] = "owe"; break;
        case IEEE80211_SEC_WEP: ret[0] = "wep"; break;
        case IEEE80211_SEC_WPA_TKIP: ret[0] = "wpa-psk"; break;
        case IEEE80211_SEC_WPA_WPA2_MIXED: ret[0] = "wpa-psk"; ret[1] = "wpa2-psk"; break;
        case IEEE80211_SEC_WPA2_PSK: ret[0] = "wpa2-psk"; break;
        case IEEE80211_SEC_WPA2_PSK_SHA256: ret[0] = "wpa2-psk"; break;
        case IEEE80211_SEC_WPA2_ENTERPRISE: ret[0] = "wpa2-eap"; break;
        case IEEE80211_SEC_WPA3_SAE: ret[0] = "wpa3-sae"; break;
        case IEEE80211_SEC_WPA3_TRANSITION: ret[0] = "wpa2-psk"; ret[1] = "wpa3-sae"; break;
        case IEEE80211_SEC_WPA3_ENTERPRISE: ret[0] = "wpa3-eap"; break;
        case IEEE80211_SEC_WPA3_ENTERPRISE_192: ret[0] = "wpa3-eap"; break;
        case IEEE80211_SEC_UNKNOWN: break;
        case _IEEE80211_SEC_MAX: break;
        }
}

/* The verdict for one BSS. reason: one sentence, no trailing period. */
static enum case_outcome security_verdict(const struct ieee80211_ies *ies,
                                          const struct ieee80211_class *cls,
                                          enum wifi_policy policy, char *reason, size_t size) {
        const char *sec = ieee80211_security_to_string(cls->security);
        const char *pmf = ieee80211_pmf_to_string(cls->pmf);

        if (cls->wep) {
                snprintf(reason, size, "WEP (%s): broken encryption", sec);
                return CASE_FAIL;
        }
        if (ies->n_wpa > 0) {
                snprintf(reason, size, "WPA1 element offered (%s): WPA is deprecated", sec);
                return CASE_FAIL;
        }
        if (cls->tkip) {
                snprintf(reason, size, "TKIP offered as a pairwise or group cipher (%s)", sec);
                return CASE_FAIL;
        }
        switch (cls->security) {
        case IEEE80211_SEC_OPEN:
                snprintf(reason, size, "open network without encryption (no RSN, no OWE)");
                return CASE_FAIL;
        case IEEE80211_SEC_OWE:
                snprintf(reason, size, "OWE (opportunistic wireless encryption, %s)", pmf);
                return CASE_PASS;
        case IEEE80211_SEC_OWE_TRANSITION:
                if (policy == WIFI_POLICY_STRICT) {
                        snprintf(reason, size, "OWE transition mode: the open side accepts unencrypted stations (strict policy)");
                        return CASE_FAIL;
                }
                snprintf(reason, size, "OWE transition mode (the open side points to an OWE BSS)");
                return CASE_PASS;
        case IEEE80211_SEC_WEP:
                snprintf(reason, size, "WEP: broken encryption");
                return CASE_FAIL;
        case IEEE80211_SEC_WPA_TKIP:
        case IEEE80211_SEC_WPA_WPA2_MIXED:
                snprintf(reason, size, "%s: WPA/TKIP is deprecated", sec);
                return CASE_FAIL;
        case IEEE80211_SEC_WPA2_PSK:
        case IEEE80211_SEC_WPA2_PSK_SHA256:
        case IEEE80211_SEC_WPA2_ENTERPRISE:
        case IEEE80211_SEC_WPA3_SAE:
        case IEEE80211_SEC_WPA3_TRANSITION:
        case IEEE80211_SEC_WPA3_ENTERPRISE:
        case IEEE80211_SEC_WPA3_ENTERPRISE_192:
                if (cls->pmf == IEEE80211_PMF_NONE && policy == WIFI_POLICY_STRICT) {
                        snprintf(reason, size, "%s without protected management frames (strict policy requires PMF)", sec);
                        return CASE_FAIL;
                }
                snprintf(reason, size, "%s, %s, group cipher %02x-%02x-%02x:%u", sec, pmf,
                         (cls->group_cipher >> 24) & 0xff, (cls->group_cipher >> 16) & 0xff,
                         (cls->group_cipher >> 8) & 0xff, cls->group_cipher & 0xff);
                return CASE_PASS;
        case IEEE80211_SEC_UNKNOWN:
                snprintf(reason, size, "RSN with AKM suites the bench does not classify: cannot decide");
                return CASE_ERROR;
        case _IEEE80211_SEC_MAX:
                break;
        }
        snprintf(reason, size, "unclassified security mode");
        return CASE_ERROR;
}

/* ------------------------------------------------------------- wifi.security */

static const struct case_param security_params[] = {
        { .name = "interface", .type = CASE_PARAM_STRING,
          .help = "bench radio interface (default: the slot's first wifi radio)" },
        { .name = "ssid", .type = CASE_PARAM_STRING,
          .help = "SSID of the DUT's access point (default: radios.wifi.ap_ssid)" },
        { .name = "bssid", .type = CASE_PARAM_STRING,
          .help = "BSSID of the DUT's access point (default: radios.wifi.ap_bssid)" },
        { .name = "policy", .type = CASE_PARAM_STRING,
          .help = "latest or strict (default: radios.wifi.policy, else latest)" },
        { .name = "power_cycle", .type = CASE_PARAM_INT, .min = 0, .max = 1,
          .help = "power-cycle the DUT first (default 1; needed without SSID/BSSID)" },
        { .name = "off_ms", .type = CASE_PARAM_INT, .min = 0, .max = 600000,
          .help = "how long the DUT stays off (default 2000)" },
        { .name = "boot_s", .type = CASE_PARAM_INT, .min = 1, .max = 3600,
          .help = "how long after power-on the DUT's BSS may take to appear (default 60)" },
        { .name = "scan_timeout_s", .type = CASE_PARAM_INT, .min = 1, .max = 120,
          .help = "deadline of one scan (default 10)" },
        { .name = "freq", .type = CASE_PARAM_INT, .min = 0, .max = 7200,
          .help = "scan only this channel, MHz (default 0: all; 2.4 GHz only when the profile's bands say so)" },
        {}
};

static const uint32_t band_24ghz[] = { 2412, 2417, 2422, 2427, 2432, 2437, 2442, 2447,
                                       2452, 2457, 2462, 2467, 2472, 2484 };

struct baseline {
        uint8_t (*bssid)[6];
        size_t n;
};

static bool baseline_has(const struct baseline *b, const uint8_t bssid[6]) {
        for (size_t i = 0; i < b->n; i++)
                if (memcmp(b->bssid[i], bssid, 6) == 0)
                        return true;
        return false;
}

static int baseline_add(struct baseline *b, const struct wifi_bss_list *l) {
        for (size_t i = 0; i < l->n_bss; i++) {
                uint8_t (*n)[6];

                if (baseline_has(b, l->bss[i].bssid))
                        continue;
                n = realloc(b->bssid, (b->n + 1) * sizeof(*b->bssid));
                if (!n)
                        return -ENOMEM;
                b->bssid = n;
                memcpy(b->bssid[b->n++], l->bss[i].bssid, 6);
        }
        return 0;
}

/* Scan errors worth another scan before the deadline. */
static bool scan_error_transient(int r) {
        return r == -ETIMEDOUT || r == -EBUSY || r == -ECANCELED || r == -EAGAIN || r == -ENOBUFS ||
               r == -EINTR;
}

struct scan_state {
        struct wifi_scan *scan;
        const char *ifname;
        const char *ssid_filter;
        usec_t scan_timeout;
        unsigned n_scans, n_errors;
        int last_error;
};

/* One scan with its own deadline (capped by until). 0 with a list, or the
 * scan's error. Never blocks past until + a scan's own deadline. */
static int scan_once(struct scan_state *st, usec_t until, struct wifi_bss_list **ret) {
        usec_t d = deadline_in(st->scan_timeout);
        int r;

        if (until != USEC_INFINITY && d > until && until > mono_now() + USEC_PER_SEC)
                d = until;
        st->n_scans++;
        r = wifi_scan_run(st->scan, st->ssid_filter, d, ret);
        if (r < 0) {
                st->n_errors++;
                st->last_error = r;
        }
        return r;
}

static bool bss_matches(const struct wifi_bss *b, const char *ssid, const uint8_t *bssid) {
        const uint8_t *s;
        size_t len;

        if (bssid && memcmp(b->bssid, bssid, 6) != 0)
                return false;
        if (ssid) {
                const uint8_t *ies = b->ies_len ? b->ies : b->beacon_ies;
                size_t ies_len = b->ies_len ? b->ies_len : b->beacon_ies_len;

                if (wifi_ie_find_ssid(ies, ies_len, &s, &len) < 0)
                        return false;
                if (len != strlen(ssid) || memcmp(s, ssid, len) != 0)
                        return false;
        }
        return true;
}

/* Judges one BSS; adds its evidence. Returns the outcome, writes reason. */
static enum case_outcome security_judge(struct case_ctx *ctx, const struct wifi_bss *b,
                                        enum wifi_policy policy, json_t *declared,
                                        json_t *results, char *reason, size_t size) {
        const uint8_t *ies = b->ies_len ? b->ies : b->beacon_ies;
        size_t ies_len = b->ies_len ? b->ies_len : b->beacon_ies_len;
        struct ieee80211_ies p;
        struct ieee80211_class cls;
        enum case_outcome o;
        const char *names[2];
        bool declared_ok = true;
        char mac[18], name[64], why[256];
        _cleanup_free_ char *ssid = NULL;
        json_t *j;

        ieee80211_ies_parse(ies, ies_len, &p);
        ieee80211_classify(&p, wifi_bss_privacy(b), &cls);
        o = security_verdict(&p, &cls, policy, why, sizeof(why));

        security_declared_names(cls.security, names);
        for (size_t i = 0; i < 2; i++)
                if (names[i] && declared && !json_list_has(declared, names[i]))
                        declared_ok = false;

        mac_format(b->bssid, mac);
        ssid = p.ssid ? ssid_escape(p.ssid, p.ssid_len) : NULL;
        snprintf(name, sizeof(name), "ies-%.2s%.2s%.2s%.2s%.2s%.2s.bin", mac, mac + 3, mac + 6, mac + 9,
                 mac + 12, mac + 15);
        case_ctx_evidence(ctx, name, "application/octet-stream", ies ? (const void *) ies : "", ies_len);

        j = json_pack("{s:s, s:s?, s:s, s:i, s:o, s:b, s:s, s:s, s:b, s:b, s:b, s:o, "
                      "s:o, s:i, s:o, s:i, s:b, s:b, s:b, s:b, s:{s:b, s:b, s:o*, s:b}, s:b, s:i, "
                      "s:s, s:s, s:s, s:o, s:o, s:s}",
                      "bssid", mac, "ssid", ssid, "ies_evidence", name,
                      "frequency_mhz", (int) b->frequency,
                      "signal_dbm", b->has_signal ? json_real(b->signal_mbm / 100.0) : json_null(),
                      "privacy", wifi_bss_privacy(b),
                      "security", ieee80211_security_to_string(cls.security),
                      "pmf", ieee80211_pmf_to_string(cls.pmf),
                      "ft", cls.ft, "tkip", cls.tkip, "wep", cls.wep,
                      "group_cipher", cls.group_cipher ? suite_json(cls.group_cipher) : json_null(),
                      "rsn", rsn_json(&p.rsn), "n_rsn", (int) p.n_rsn,
                      "wpa", rsn_json(&p.wpa), "n_wpa", (int) p.n_wpa,
                      "rsn_differs", p.rsn_differs, "rsnxe", p.has_rsnxe, "sae_h2e", p.sae_h2e,
                      "owe_transition", p.owe_transition,
                      "wps", "present", p.wps.present, "configured", p.wps.configured,
                      "config_methods", p.wps.has_config_methods ? json_integer(p.wps.config_methods) : NULL,
                      "pin_methods", p.wps.pin_methods,
                      "malformed", p.malformed, "n_elements", (int) p.n_elements,
                      "ies_source", b->ies_len ? (b->ies_from_probe_resp ? "probe-response" : "beacon") : "beacon",
                      "policy", policy_names[policy],
                      "outcome", case_outcome_to_string(o),
                      "declared", declared ? json_incref(declared) : json_null(),
                      "declared_match", declared ? json_boolean(declared_ok) : json_null(),
                      "reason", why);
        if (j)
                json_array_append_new(results, j);

        snprintf(reason, size, "%s (%s%s%s): %s%s%s", mac, ssid ? "\"" : "", ssid ? ssid : "hidden SSID",
                 ssid ? "\"" : "", why,
                 p.malformed ? "; malformed elements seen" : "",
                 declared && !declared_ok ? "; not what the profile declares" : "");
        return o;
}

static enum case_outcome security_run(struct case_ctx *ctx) {
        const struct fx_slot *slot = case_ctx_slot(ctx);
        json_t *wifi = profile_wifi(ctx);
        const char *radio, *ifname = case_bench_radio(ctx, "wifi", &radio);
        const char *ssid = case_ctx_param_string(ctx, "ssid", profile_wifi_string(ctx, "ap_ssid"));
        const char *bssid_s = case_ctx_param_string(ctx, "bssid", profile_wifi_string(ctx, "ap_bssid"));
        const char *policy_s = case_ctx_param_string(ctx, "policy", profile_wifi_string(ctx, "policy"));
        bool power_cycle = case_ctx_param_int(ctx, "power_cycle", 1);
        usec_t off = (usec_t) case_ctx_param_int(ctx, "off_ms", 2000) * USEC_PER_MSEC;
        usec_t boot = (usec_t) case_ctx_param_int(ctx, "boot_s", 60) * USEC_PER_SEC;
        uint32_t freq = (uint32_t) case_ctx_param_int(ctx, "freq", 0);
        struct scan_state st = {
                .scan_timeout = (usec_t) case_ctx_param_int(ctx, "scan_timeout_s", 10) * USEC_PER_SEC,
        };
        struct baseline base = {};
        enum wifi_policy policy = WIFI_POLICY_LATEST;
        uint8_t bssid[6];
        bool have_bssid = false;
        struct wifi_bss_list *found = NULL;
        size_t *match = NULL, n_match = 0;
        usec_t t_on = mono_now(), t_found = 0, until;
        enum case_outcome o = CASE_ERROR;
        json_t *results = NULL;
        int r;

        if (!wifi) {
                case_ctx_reason(ctx, "the profile declares no Wi-Fi (radios.wifi): nothing to check");
                return CASE_SKIPPED;
        }
        if (!json_list_has(json_object_get(wifi, "roles"), "ap")) {
                case_ctx_reason(ctx, "the profile declares no Wi-Fi access point role (radios.wifi.roles): nothing to check");
                return CASE_SKIPPED;
        }
        if (policy_s) {
                if (streq(policy_s, "strict"))
                        policy = WIFI_POLICY_STRICT;
                else if (!streq(policy_s, "latest")) {
                        case_ctx_reason(ctx, "policy is \"%s\", expected latest or strict", policy_s);
                        return CASE_ERROR;
                }
        }
        if (bssid_s) {
                if (hostapd_parse_mac(bssid_s, strlen(bssid_s), bssid) < 0) {
                        case_ctx_reason(ctx, "bssid is \"%s\", expected aa:bb:cc:dd:ee:ff", bssid_s);
                        return CASE_ERROR;
                }
                have_bssid = true;
        }
        if (ssid && (!*ssid || strlen(ssid) > WIFI_SSID_MAX)) {
                case_ctx_reason(ctx, "ssid \"%s\" is not 1..32 bytes", ssid);
                return CASE_ERROR;
        }
        if (!ssid && !have_bssid && !power_cycle) {
                case_ctx_reason(ctx, "nothing identifies the DUT's BSS: declare radios.wifi.ap_ssid or ap_bssid, or let the case power-cycle the DUT and take the BSS that appears");
                return CASE_ERROR;
        }
        if (!ifname) {
                case_ctx_reason(ctx, "slot %s has no radio of kind wifi in the fixture, expected one (or the interface param)",
                                slot->name);
                return CASE_ERROR;
        }
        st.ifname = ifname;
        st.ssid_filter = ssid;

        r = interface_up(ifname);
        if (r == 0) {
                case_ctx_reason(ctx, "bench radio %s is down, expected it up to scan (ip link set %s up)", ifname, ifname);
                return CASE_ERROR;
        }
        if (r < 0 && r != -EACCES) {
                case_ctx_reason(ctx, "bench radio %s: %s", ifname, r == -ENODEV ? "no such interface" : strerror(-r));
                return CASE_ERROR;
        }

        r = wifi_scan_new(ifname, &st.scan);
        if (r < 0) {
                case_ctx_reason(ctx, "cannot use bench radio %s%s%s%s: %s", ifname, radio ? " (" : "",
                                radio ? radio : "", radio ? ")" : "", strerror(-r));
                return CASE_ERROR;
        }
        /* An abort ends a scan's wait at once (-ECANCELED); the checks of
         * case_ctx_aborted() after each scan turn it into ABORTED. */
        (void) wifi_scan_set_abort_fd(st.scan, case_ctx_abort_fd(ctx));
        if (freq)
                r = wifi_scan_set_frequencies(st.scan, &freq, 1);
        else if (json_array_size(json_object_get(wifi, "bands")) == 1 &&
                 json_list_has(json_object_get(wifi, "bands"), "2.4ghz"))
                r = wifi_scan_set_frequencies(st.scan, band_24ghz, ELEMENTSOF(band_24ghz));
        if (r < 0) {
                case_ctx_reason(ctx, "cannot restrict the scan to the declared channels: %s", strerror(-r));
                goto finish;
        }

        if (power_cycle) {
                struct relay_result rr;

                o = case_power_set(ctx, slot->power, false, &rr);
                if (o != CASE_PASS)
                        goto finish;
                if (case_ctx_wait(ctx, rr.t_start + off) < 0) {
                        o = CASE_ABORTED;
                        goto finish;
                }
                if (!ssid && !have_bssid) {
                        /* The BSSes around while the DUT is off; two scans,
                         * as one can miss a BSS. */
                        for (int i = 0; i < 2; i++) {
                                struct wifi_bss_list *l = NULL;

                                case_ctx_progress(ctx, "baseline scan %d on %s (DUT off)", i + 1, ifname);
                                r = scan_once(&st, USEC_INFINITY, &l);
                                if (r < 0 && !scan_error_transient(r)) {
                                        case_ctx_reason(ctx, "baseline scan on %s failed: %s", ifname, strerror(-r));
                                        o = CASE_ERROR;
                                        goto finish;
                                }
                                if (r == 0) {
                                        r = baseline_add(&base, l);
                                        wifi_bss_list_free(l);
                                        if (r < 0) {
                                                case_ctx_reason(ctx, "out of memory");
                                                o = CASE_ERROR;
                                                goto finish;
                                        }
                                }
                                if (case_ctx_aborted(ctx)) {
                                        o = CASE_ABORTED;
                                        goto finish;
                                }
                        }
                        if (st.n_errors == st.n_scans) {
                                case_ctx_reason(ctx, "baseline scans on %s failed: %s", ifname,
                                                strerror(-st.last_error));
                                o = CASE_ERROR;
                                goto finish;
                        }
                        case_ctx_measure(ctx, "baseline_bss", (double) base.n, "count");
                }
                o = case_power_set(ctx, slot->power, true, &rr);
                if (o != CASE_PASS)
                        goto finish;
                t_on = rr.t_start;
        }

        until = t_on + boot;
        case_ctx_progress(ctx, "scanning on %s for %s%s%s", ifname,
                          ssid ? "SSID " : have_bssid ? "BSSID " : "a BSS new since power-on",
                          ssid ? ssid : "", !ssid && have_bssid ? bssid_s : "");
        for (;;) {
                struct wifi_bss_list *l = NULL;

                r = scan_once(&st, until, &l);
                if (case_ctx_aborted(ctx)) {
                        wifi_bss_list_free(l);
                        o = CASE_ABORTED;
                        goto finish;
                }
                if (r < 0 && !scan_error_transient(r)) {
                        case_ctx_reason(ctx, "scan on %s failed: %s", ifname, strerror(-r));
                        o = CASE_ERROR;
                        goto finish;
                }
                if (r == 0) {
                        for (size_t i = 0; i < l->n_bss; i++) {
                                const struct wifi_bss *b = &l->bss[i];
                                size_t *m;

                                if (ssid || have_bssid) {
                                        if (!bss_matches(b, ssid, have_bssid ? bssid : NULL))
                                                continue;
                                } else if (baseline_has(&base, b->bssid))
                                        continue;
                                m = realloc(match, (n_match + 1) * sizeof(*match));
                                if (!m) {
                                        wifi_bss_list_free(l);
                                        case_ctx_reason(ctx, "out of memory");
                                        o = CASE_ERROR;
                                        goto finish;
                                }
                                match = m;
                                match[n_match++] = i;
                        }
                        if (n_match > 0) {
                                found = l;
                                t_found = mono_now();
                                break;
                        }
                        wifi_bss_list_free(l);
                }
                if (mono_now() >= until)
                        break;
                if (case_ctx_wait(ctx, deadline_in(USEC_PER_SEC)) < 0) {
                        o = CASE_ABORTED;
                        goto finish;
                }
        }
        case_ctx_measure(ctx, "scans", (double) st.n_scans, "count");
        case_ctx_measure(ctx, "scan_errors", (double) st.n_errors, "count");

        if (!found) {
                if (st.n_errors == st.n_scans)
                        case_ctx_reason(ctx, "every scan on %s failed (%u), last: %s", ifname, st.n_scans,
                                        strerror(-st.last_error));
                else if (ssid || have_bssid)
                        case_ctx_reason(ctx, "the DUT's BSS (%s%s%s) was not found within %llu s after power-on (%u scans on %s)",
                                        ssid ? ssid : "", ssid && have_bssid ? ", " : "",
                                        have_bssid ? bssid_s : "", (unsigned long long) (boot / USEC_PER_SEC),
                                        st.n_scans, ifname);
                else
                        case_ctx_reason(ctx, "no new BSS appeared within %llu s after power-on (%u scans on %s)",
                                        (unsigned long long) (boot / USEC_PER_SEC), st.n_scans, ifname);
                o = CASE_ERROR;
                goto finish;
        }
        if (!ssid && !have_bssid && n_match > 1) {
                char list[512] = "";
                size_t n = 0;

                for (size_t i = 0; i < n_match && n < sizeof(list) - 20; i++) {
                        char mac[18];

                        mac_format(found->bss[match[i]].bssid, mac);
                        n += (size_t) snprintf(list + n, sizeof(list) - n, "%s%s", i ? ", " : "", mac);
                }
                case_ctx_reason(ctx, "%zu BSSes appeared after power-on (%s): cannot tell which is the DUT's; declare radios.wifi.ap_ssid or ap_bssid",
                                n_match, list);
                o = CASE_ERROR;
                goto finish;
        }
        if (power_cycle)
                case_ctx_measure(ctx, "bss_found_after", (double) (t_found - t_on) / 1000.0, "ms");

        results = json_array();
        {
                /* Every matching BSS is judged (a DUT may run one per band);
                 * the worst names the verdict, with the reasons of those
                 * that share it. */
                enum case_outcome *outs = calloc(n_match, sizeof(*outs));
                char (*why)[512] = calloc(n_match, sizeof(*why));
                char reasons[1024] = "";
                size_t n = 0;

                if (!outs || !why) {
                        free(outs);
                        free(why);
                        case_ctx_reason(ctx, "out of memory");
                        o = CASE_ERROR;
                        goto finish;
                }
                o = CASE_PASS;
                for (size_t i = 0; i < n_match; i++) {
                        const struct wifi_bss *b = &found->bss[match[i]];

                        outs[i] = security_judge(ctx, b, policy, json_object_get(wifi, "security"), results,
                                                 why[i], sizeof(why[i]));
                        if (i == 0) {
                                case_ctx_measure(ctx, "frequency", (double) b->frequency, "MHz");
                                if (b->has_signal)
                                        case_ctx_measure(ctx, "signal", b->signal_mbm / 100.0, "dBm");
                        }
                        o = i == 0 ? outs[i] : case_outcome_worst(o, outs[i]);
                }
                for (size_t i = 0; i < n_match; i++)
                        if (outs[i] == o && n < sizeof(reasons))
                                n += (size_t) snprintf(reasons + n, sizeof(reasons) - n, "%s%s", n ? "; " : "", why[i]);
                case_ctx_reason(ctx, "%s", reasons);
                free(outs);
                free(why);
        }
        {
                _cleanup_free_ char *doc = json_dumps(results, JSON_INDENT(2) | JSON_SORT_KEYS);

                if (doc)
                        case_ctx_evidence(ctx, "wifi-security.json", "application/json", doc, strlen(doc));
        }

finish:
        json_decref(results);
        free(match);
        free(base.bssid);
        wifi_bss_list_free(found);
        wifi_scan_free(st.scan);
        return o;
}

const struct case_def case_wifi_security = {
        .id = "wifi.security",
        .summary = "The DUT's access point: security mode (AKM, ciphers, PMF) judged against the policy",
        .requirements = wifi_requirements,
        .params = security_params,
        .run = security_run,
};

/* ------------------------------------------------------------- wifi.downgrade */

static const struct case_param downgrade_params[] = {
        { .name = "interface", .type = CASE_PARAM_STRING,
          .help = "bench radio for the test AP (default: the slot's first wifi radio)" },
        { .name = "ssid", .type = CASE_PARAM_STRING,
          .help = "SSID the DUT was provisioned with (default: radios.wifi.sta_ssid)" },
        { .name = "passphrase", .type = CASE_PARAM_STRING,
          .help = "its passphrase (default: radios.wifi.sta_passphrase)" },
        { .name = "modes", .type = CASE_PARAM_STRING,
          .help = "weakened modes to offer, comma-separated, of wep, tkip, open (default all three)" },
        { .name = "control", .type = CASE_PARAM_INT, .min = 0, .max = 1,
          .help = "offer the network in WPA2/WPA3 first and require the DUT to join it (default 1)" },
        { .name = "wait_s", .type = CASE_PARAM_INT, .min = 1, .max = 3600,
          .help = "how long each mode waits for the DUT to join (default 60)" },
        { .name = "power_cycle", .type = CASE_PARAM_INT, .min = 0, .max = 1,
          .help = "power-cycle the DUT once each AP is up (default 1; 0: just wait)" },
        { .name = "off_ms", .type = CASE_PARAM_INT, .min = 0, .max = 600000,
          .help = "how long the DUT stays off (default 2000)" },
        { .name = "channel", .type = CASE_PARAM_INT, .min = 1, .max = 14,
          .help = "2.4 GHz channel of the test AP (default 1)" },
        { .name = "station", .type = CASE_PARAM_STRING,
          .help = "only this station MAC counts as the DUT (default: any station)" },
        { .name = "hostapd", .type = CASE_PARAM_STRING,
          .help = "hostapd binary (default: hostapd from PATH)" },
        { .name = "ready_s", .type = CASE_PARAM_INT, .min = 1, .max = 300,
          .help = "deadline for hostapd to enable the AP (default 30)" },
        {}
};

enum ap_mode {
        AP_MODE_CONTROL,
        AP_MODE_WEP,
        AP_MODE_TKIP,
        AP_MODE_OPEN,
        _AP_MODE_MAX,
};

static const char *const ap_mode_names[_AP_MODE_MAX] = {
        [AP_MODE_CONTROL] = "control",
        [AP_MODE_WEP] = "wep",
        [AP_MODE_TKIP] = "tkip",
        [AP_MODE_OPEN] = "open",
};

static const char *const ap_mode_titles[_AP_MODE_MAX] = {
        [AP_MODE_CONTROL] = "WPA2/WPA3 (control)",
        [AP_MODE_WEP] = "WEP",
        [AP_MODE_TKIP] = "WPA-TKIP",
        [AP_MODE_OPEN] = "open",
};

struct downgrade {
        struct case_ctx *ctx;
        const char *ifname;
        const char *ssid;
        const char *passphrase;
        const char *hostapd;
        unsigned channel;
        usec_t wait, off, ready;
        bool power_cycle;
        bool has_station;
        uint8_t station[6];
        char dir[64];
        char ctrl[96];           /* dir/ctrl: hostapd's ctrl_interface */
        json_t *modes;           /* evidence: per mode */
};

static void hex_append(FILE *f, const uint8_t *p, size_t n) {
        for (size_t i = 0; i < n; i++)
                fprintf(f, "%02x", p[i]);
}

/* The config for one mode. Strings go in as hex (ssid2=, wep_key0=) so
 * no byte of the profile can end a line or a quote; the passphrase is
 * checked to be printable ASCII. redact: the copy kept as evidence. */
static int ap_conf_write(struct downgrade *dg, enum ap_mode mode, const char *path, bool redact,
                         char **ret_text) {
        _cleanup_free_ char *text = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&text, &size);
        int fd;

        if (!f)
                return -ENOMEM;
        fprintf(f, "# certbench wifi.downgrade: %s\ninterface=%s\ndriver=nl80211\nctrl_interface=%s\n"
                   "hw_mode=g\nchannel=%u\nssid2=",
                ap_mode_titles[mode], dg->ifname, dg->ctrl, dg->channel);
        hex_append(f, (const uint8_t *) dg->ssid, strlen(dg->ssid));
        fputs("\n", f);
        switch (mode) {
        case AP_MODE_CONTROL:
                fprintf(f, "wpa=2\nwpa_key_mgmt=WPA-PSK SAE\nrsn_pairwise=CCMP\nieee80211w=1\nwpa_passphrase=%s\n",
                        redact ? "(redacted)" : dg->passphrase);
                break;
        case AP_MODE_WEP: {
                /* A 104-bit key from the passphrase: with open-system
                 * authentication any station willing to use WEP associates
                 * whatever key it holds, so the key only has to be valid. */
                uint8_t key[13];
                size_t n = strlen(dg->passphrase);

                for (size_t i = 0; i < sizeof(key); i++)
                        key[i] = (uint8_t) dg->passphrase[i % n];
                fputs("auth_algs=1\nwep_default_key=0\nwep_key0=", f);
                if (redact)
                        fputs("(redacted)", f);
                else
                        hex_append(f, key, sizeof(key));
                fputs("\n", f);
                break;
        }
        case AP_MODE_TKIP:
                fprintf(f, "wpa=1\nwpa_key_mgmt=WPA-PSK\nwpa_pairwise=TKIP\nwpa_passphrase=%s\n",
                        redact ? "(redacted)" : dg->passphrase);
                break;
        case AP_MODE_OPEN:
                break;
        case _AP_MODE_MAX:
                break;
        }
        if (fclose(f) != 0)
                return -ENOMEM;
        if (path) {
                ssize_t w;

                fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
                if (fd < 0)
                        return -errno;
                w = write(fd, text, size);
                if (w != (ssize_t) size) {
                        int r = w < 0 ? -errno : -EIO;
                        close(fd);
                        return r;
                }
                if (close(fd) < 0)
                        return -errno;
        }
        if (ret_text)
                *ret_text = TAKE_PTR(text);
        return 0;
}

/* Up to 256 KiB of the hostapd log as evidence. */
static void log_evidence(struct case_ctx *ctx, const char *path, const char *name) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        _cleanup_free_ char *buf = NULL;
        size_t n = 0, cap = 256 * 1024;
        ssize_t k;

        if (fd < 0)
                return;
        buf = malloc(cap);
        if (!buf)
                return;
        while (n < cap && (k = read(fd, buf + n, cap - n)) > 0)
                n += (size_t) k;
        case_ctx_evidence(ctx, name, "text/plain", buf, n);
}

static void remove_tree(const char *dir) {
        DIR *d = opendir(dir);
        struct dirent *e;

        if (!d)
                return;
        while ((e = readdir(d))) {
                char p[512];

                if (streq(e->d_name, ".") || streq(e->d_name, ".."))
                        continue;
                snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
                if (e->d_type == DT_DIR)
                        remove_tree(p);
                else
                        unlink(p);
        }
        closedir(d);
        rmdir(dir);
}

struct mode_result {
        bool joined;             /* AP-STA-CONNECTED */
        bool attempted;          /* a 4-way handshake with another PSK */
        uint8_t station[6];
        usec_t t_join;           /* since the DUT was powered on / the AP ready */
};

/* One mode: hostapd up, DUT power-cycled, station events until wait. */
static enum case_outcome mode_run(struct downgrade *dg, enum ap_mode mode, struct mode_result *res) {
        struct case_ctx *ctx = dg->ctx;
        const struct fx_slot *slot = case_ctx_slot(ctx);
        int abort_fd = case_ctx_abort_fd(ctx);
        const char *mname = ap_mode_names[mode];
        char conf[128], logp[128], name[64];
        _cleanup_free_ char *evconf = NULL, *state = NULL;
        struct hostapd_proc *proc = NULL;
        struct hostapd_ctrl *cmd = NULL, *ev = NULL;
        enum case_outcome o = CASE_ERROR;
        json_t *events = json_array(), *m;
        usec_t t0, until, t_ready = 0;
        int r, status;

        *res = (struct mode_result) {};
        snprintf(conf, sizeof(conf), "%s/hostapd-%s.conf", dg->dir, mname);
        snprintf(logp, sizeof(logp), "%s/hostapd-%s.log", dg->dir, mname);

        r = ap_conf_write(dg, mode, conf, false, NULL);
        if (r >= 0)
                r = ap_conf_write(dg, mode, NULL, true, &evconf);
        if (r < 0) {
                case_ctx_reason(ctx, "cannot write the hostapd config %s: %s", conf, strerror(-r));
                goto out;
        }
        snprintf(name, sizeof(name), "hostapd-%s.conf", mname);
        case_ctx_evidence(ctx, name, "text/plain", evconf, strlen(evconf));

        /* hostapd removes its ctrl_interface directory when it exits, and
         * the inotify watch needs it before hostapd starts. */
        if (mkdir(dg->ctrl, 0700) < 0 && errno != EEXIST) {
                case_ctx_reason(ctx, "cannot create %s: %s", dg->ctrl, strerror(errno));
                goto out;
        }
        case_ctx_progress(ctx, "%s: starting hostapd on %s", ap_mode_titles[mode], dg->ifname);
        t0 = mono_now();
        r = hostapd_proc_start(dg->hostapd, conf, logp, &proc);
        if (r < 0) {
                case_ctx_reason(ctx, "cannot start %s: %s", dg->hostapd ? dg->hostapd : "hostapd", strerror(-r));
                goto out;
        }
        r = hostapd_wait_ready(proc, dg->ctrl, dg->ifname, deadline_in(dg->ready), abort_fd, &cmd, &ev, &state);
        if (r == -ECANCELED) {
                o = CASE_ABORTED;
                goto out;
        }
        if (r < 0) {
                if (r == -ECHILD && hostapd_proc_exited(proc, &status) > 0)
                        case_ctx_reason(ctx, "hostapd (%s) exited before the AP was up (%s %d); see hostapd-%s.log",
                                        ap_mode_titles[mode], WIFEXITED(status) ? "status" : "signal",
                                        WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), mname);
                else
                        case_ctx_reason(ctx, "hostapd (%s) did not enable the AP on %s: %s (state %s); see hostapd-%s.log",
                                        ap_mode_titles[mode], dg->ifname, strerror(-r), state ? state : "unknown", mname);
                goto out;
        }
        t_ready = mono_now();
        case_ctx_measure(ctx, mode == AP_MODE_CONTROL ? "ap_ready_control" : mode == AP_MODE_WEP ? "ap_ready_wep" :
                              mode == AP_MODE_TKIP ? "ap_ready_tkip" : "ap_ready_open",
                         (double) (t_ready - t0) / 1000.0, "ms");

        t0 = t_ready;
        if (dg->power_cycle) {
                struct relay_result rr;

                o = case_power_set(ctx, slot->power, false, &rr);
                if (o != CASE_PASS)
                        goto out;
                if (case_ctx_wait(ctx, rr.t_start + dg->off) < 0) {
                        o = CASE_ABORTED;
                        goto out;
                }
                o = case_power_set(ctx, slot->power, true, &rr);
                if (o != CASE_PASS)
                        goto out;
                t0 = rr.t_start;
                o = CASE_ERROR;
        }

        case_ctx_progress(ctx, "%s: waiting up to %llu s for the DUT to join", ap_mode_titles[mode],
                          (unsigned long long) (dg->wait / USEC_PER_SEC));
        until = t0 + dg->wait;
        for (;;) {
                struct hostapd_event e;
                bool dut;

                r = hostapd_ctrl_next_event(ev, until, abort_fd, &e);
                if (r == -ECANCELED) {
                        o = CASE_ABORTED;
                        goto out;
                }
                if (r < 0) {
                        case_ctx_reason(ctx, "hostapd control socket (%s): %s", ap_mode_titles[mode], strerror(-r));
                        goto out;
                }
                if (r == 0)
                        break;
                if (json_array_size(events) < 200)
                        json_array_append_new(events, json_pack("{s:f, s:s}", "t_ms",
                                                                (double) (mono_now() - t0) / 1000.0,
                                                                "event", e.text));
                dut = e.has_addr && (!dg->has_station || memcmp(e.addr, dg->station, 6) == 0);
                if (dut && streq(e.name, "AP-STA-CONNECTED")) {
                        res->joined = true;
                        memcpy(res->station, e.addr, 6);
                        res->t_join = mono_now() - t0;
                } else if (dut && streq(e.name, "AP-STA-POSSIBLE-PSK-MISMATCH")) {
                        res->attempted = true;
                        memcpy(res->station, e.addr, 6);
                } else if (streq(e.name, "AP-DISABLED") || streq(e.name, "INTERFACE-DISABLED")) {
                        case_ctx_reason(ctx, "hostapd disabled the %s AP during the probe (%s)",
                                        ap_mode_titles[mode], e.name);
                        hostapd_event_clear(&e);
                        goto out;
                }
                hostapd_event_clear(&e);
                if (res->joined)
                        break;
        }
        if (hostapd_proc_exited(proc, &status) > 0) {
                case_ctx_reason(ctx, "hostapd (%s) exited during the probe; see hostapd-%s.log",
                                ap_mode_titles[mode], mname);
                goto out;
        }
        o = CASE_PASS;

out:
        cmd = hostapd_ctrl_free(cmd);
        ev = hostapd_ctrl_free(ev);
        if (proc) {
                (void) hostapd_proc_stop(proc, deadline_in(5 * USEC_PER_SEC));
                proc = hostapd_proc_free(proc);
                snprintf(name, sizeof(name), "hostapd-%s.log", mname);
                log_evidence(ctx, logp, name);
        }
        {
                char mac[18] = "";

                if (res->joined || res->attempted)
                        mac_format(res->station, mac);
                m = json_pack("{s:s, s:s, s:b, s:b, s:s?, s:o, s:o, s:s}",
                              "mode", mname, "title", ap_mode_titles[mode],
                              "joined", res->joined, "attempted", res->attempted,
                              "station", mac[0] ? mac : NULL,
                              "t_join_ms", res->joined ? json_real((double) res->t_join / 1000.0) : json_null(),
                              "events", events ? events : json_array(),
                              "probe", case_outcome_to_string(o));
                /* json_pack takes events even when it fails. */
                if (m)
                        json_array_append_new(dg->modes, m);
        }
        return o;
}

static bool passphrase_valid(const char *p) {
        size_t n = strlen(p);

        if (n < 8 || n > 63)
                return false;
        for (size_t i = 0; i < n; i++)
                if (p[i] < 0x20 || p[i] > 0x7e)
                        return false;
        return true;
}

static enum case_outcome downgrade_run(struct case_ctx *ctx) {
        const struct fx_slot *slot = case_ctx_slot(ctx);
        json_t *wifi = profile_wifi(ctx);
        const char *radio, *modes_s = case_ctx_param_string(ctx, "modes", "wep,tkip,open");
        const char *station = case_ctx_param_string(ctx, "station", NULL);
        const char *tmp = getenv("TMPDIR");
        struct downgrade dg = {
                .ctx = ctx,
                .ifname = case_bench_radio(ctx, "wifi", &radio),
                .ssid = case_ctx_param_string(ctx, "ssid", profile_wifi_string(ctx, "sta_ssid")),
                .passphrase = case_ctx_param_string(ctx, "passphrase", profile_wifi_string(ctx, "sta_passphrase")),
                .hostapd = case_ctx_param_string(ctx, "hostapd", NULL),
                .channel = (unsigned) case_ctx_param_int(ctx, "channel", 1),
                .wait = (usec_t) case_ctx_param_int(ctx, "wait_s", 60) * USEC_PER_SEC,
                .off = (usec_t) case_ctx_param_int(ctx, "off_ms", 2000) * USEC_PER_MSEC,
                .ready = (usec_t) case_ctx_param_int(ctx, "ready_s", 30) * USEC_PER_SEC,
                .power_cycle = case_ctx_param_int(ctx, "power_cycle", 1),
        };
        bool control = case_ctx_param_int(ctx, "control", 1);
        bool want[_AP_MODE_MAX] = {};
        struct mode_result res[_AP_MODE_MAX] = {};
        enum case_outcome o = CASE_ERROR;
        char joined[128] = "";
        size_t nj = 0;

        if (!wifi) {
                case_ctx_reason(ctx, "the profile declares no Wi-Fi (radios.wifi): nothing to check");
                return CASE_SKIPPED;
        }
        if (!json_list_has(json_object_get(wifi, "roles"), "sta")) {
                case_ctx_reason(ctx, "the profile declares no Wi-Fi station role (radios.wifi.roles): nothing to check");
                return CASE_SKIPPED;
        }
        if (!dg.ssid || !*dg.ssid || strlen(dg.ssid) > WIFI_SSID_MAX) {
                case_ctx_reason(ctx, "no usable SSID the DUT was provisioned with: declare radios.wifi.sta_ssid (1..32 bytes) or pass ssid");
                return CASE_ERROR;
        }
        if (!dg.passphrase || !passphrase_valid(dg.passphrase)) {
                case_ctx_reason(ctx, "no usable passphrase the DUT was provisioned with: declare radios.wifi.sta_passphrase (8..63 printable ASCII) or pass passphrase");
                return CASE_ERROR;
        }
        if (!dg.ifname) {
                case_ctx_reason(ctx, "slot %s has no radio of kind wifi in the fixture, expected one (or the interface param)",
                                slot->name);
                return CASE_ERROR;
        }
        if (station) {
                if (hostapd_parse_mac(station, strlen(station), dg.station) < 0) {
                        case_ctx_reason(ctx, "station is \"%s\", expected aa:bb:cc:dd:ee:ff", station);
                        return CASE_ERROR;
                }
                dg.has_station = true;
        }
        for (const char *p = modes_s; *p;) {
                size_t n = strcspn(p, ",");
                bool ok = false;

                for (int m = AP_MODE_WEP; m < _AP_MODE_MAX; m++)
                        if (strlen(ap_mode_names[m]) == n && strncmp(p, ap_mode_names[m], n) == 0) {
                                want[m] = ok = true;
                        }
                if (!ok) {
                        case_ctx_reason(ctx, "modes \"%s\": unknown mode \"%.*s\", expected wep, tkip, open",
                                        modes_s, (int) n, p);
                        return CASE_ERROR;
                }
                p += n;
                if (*p == ',')
                        p++;
        }
        want[AP_MODE_CONTROL] = control;

        if (snprintf(dg.dir, sizeof(dg.dir), "%s/cb-wifi-XXXXXX", tmp && *tmp && strlen(tmp) < 40 ? tmp : "/tmp") >=
                    (int) sizeof(dg.dir) || !mkdtemp(dg.dir)) {
                case_ctx_reason(ctx, "cannot create a temporary directory for hostapd: %s", strerror(errno));
                return CASE_ERROR;
        }
        snprintf(dg.ctrl, sizeof(dg.ctrl), "%s/ctrl", dg.dir);
        dg.modes = json_array();

        for (int m = 0; m < _AP_MODE_MAX; m++) {
                if (!want[m])
                        continue;
                o = mode_run(&dg, (enum ap_mode) m, &res[m]);
                if (o != CASE_PASS)
                        goto finish;
                if (m == AP_MODE_CONTROL) {
                        if (!res[m].joined) {
                                case_ctx_reason(ctx, "the DUT did not join its own network \"%s\" offered in WPA2/WPA3 within %llu s%s: the bench cannot judge a downgrade",
                                                dg.ssid, (unsigned long long) (dg.wait / USEC_PER_SEC),
                                                res[m].attempted ? " (it tried with another passphrase)" : "");
                                o = CASE_ERROR;
                                goto finish;
                        }
                        case_ctx_measure(ctx, "join_control", (double) res[m].t_join / 1000.0, "ms");
                        continue;
                }
                if (res[m].joined || res[m].attempted) {
                        char mac[18];

                        mac_format(res[m].station, mac);
                        case_ctx_progress(ctx, "%s: station %s %s", ap_mode_titles[m], mac,
                                          res[m].joined ? "joined" : "tried to join");
                        nj += (size_t) snprintf(joined + nj, sizeof(joined) - nj, "%s%s%s", nj ? ", " : "",
                                                ap_mode_titles[m], res[m].joined ? "" : " (tried)");
                        if (res[m].joined)
                                case_ctx_measure(ctx, m == AP_MODE_WEP ? "join_wep" : m == AP_MODE_TKIP ? "join_tkip" : "join_open",
                                                 (double) res[m].t_join / 1000.0, "ms");
                }
        }
        if (nj > 0) {
                case_ctx_reason(ctx, "the DUT accepts a downgrade: it joined the bench's %s access point%s for \"%s\"",
                                joined, strchr(joined, ',') ? "s" : "", dg.ssid);
                o = CASE_FAIL;
        } else {
                char offered[64] = "";
                size_t n = 0;

                for (int m = AP_MODE_WEP; m < _AP_MODE_MAX; m++)
                        if (want[m])
                                n += (size_t) snprintf(offered + n, sizeof(offered) - n, "%s%s", n ? ", " : "",
                                                       ap_mode_titles[m]);
                case_ctx_reason(ctx, "the DUT joined none of the %s access points for \"%s\" within %llu s each%s",
                                offered, dg.ssid, (unsigned long long) (dg.wait / USEC_PER_SEC),
                                control ? ", and joined the WPA2/WPA3 one" : "");
                o = CASE_PASS;
        }

finish:
        {
                _cleanup_free_ char *doc = NULL;
                json_t *j = json_pack("{s:s, s:s, s:i, s:b, s:O}", "ssid", dg.ssid, "interface", dg.ifname,
                                      "wait_s", (int) (dg.wait / USEC_PER_SEC), "power_cycle", dg.power_cycle,
                                      "modes", dg.modes);

                doc = j ? json_dumps(j, JSON_INDENT(2)) : NULL;
                if (doc)
                        case_ctx_evidence(ctx, "wifi-downgrade.json", "application/json", doc, strlen(doc));
                json_decref(j);
        }
        json_decref(dg.modes);
        remove_tree(dg.dir);
        return o;
}

const struct case_def case_wifi_downgrade = {
        .id = "wifi.downgrade",
        .summary = "The DUT as a station must not join its network offered as WEP, WPA-TKIP or open",
        .requirements = wifi_requirements,
        .params = downgrade_params,
        .run = downgrade_run,
};
