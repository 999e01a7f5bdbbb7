/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* certbench wifi-audit: the D-3 classifier over a monitor capture, for labs
 * that already sniff. No daemon; the same decoder as the wifi.security case. */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "lib/ieee80211/ieee80211.h"
#include "lib/pcap80211/pcap80211.h"

int cmd_wifi_audit(struct cli *cli, int argc, char **argv);

DEFINE_TRIVIAL_CLEANUP_FUNC(struct pcap80211_reader *, pcap80211_reader_free);

static const char help[] =
        "Usage: certbench wifi-audit [--json] [--frames] FILE\n\n"
        "Classify the security mode of every BSS seen in a monitor capture (pcap or\n"
        "pcapng, optionally gzip-compressed; 802.11, radiotap, PPI, AVS or Prism\n"
        "link types) from its beacons and probe responses: open, OWE, WEP, WPA,\n"
        "WPA2, WPA3 and their variants, with the PMF state and the group cipher\n"
        "(docs/wifi.md). Each BSS is judged by the first frame seen from it; a\n"
        "later frame that advertises otherwise marks the BSS as varying.\n"
        "Needs no daemon.\n\n"
        "Options:\n"
        "  --json     one JSON document: per BSS bssid, ssid, AKM suites, ciphers,\n"
        "             MFPC/MFPR, privacy, WPA1, WPS and the classification\n"
        "  --frames   one entry per beacon/probe response instead of per BSS\n"
        "  -h, --help show this help\n\n"
        "Exit status: 0 the capture was read, 1 it could not be (or was cut short).\n";

struct bss {
        uint8_t bssid[6];
        uint64_t first_frame;
        uint64_t frames;
        bool privacy;
        uint8_t subtype;
        uint8_t *ies;                   /* copy of the first frame's elements */
        size_t ies_len;
        struct ieee80211_ies parsed;    /* points into ies */
        struct ieee80211_class cls;
        bool varies;
};

struct bss_table {
        struct bss *items;              /* in order of first appearance */
        size_t n, cap;
        uint32_t *slots;                /* open addressing, index + 1; 0 empty */
        size_t n_slots;
};

static void bss_table_done(struct bss_table *t) {
        for (size_t i = 0; i < t->n; i++)
                free(t->items[i].ies);
        free(t->items);
        free(t->slots);
}

static size_t bssid_hash(const uint8_t *b) {
        uint64_t h = 0xcbf29ce484222325ULL;

        for (int i = 0; i < 6; i++)
                h = (h ^ b[i]) * 0x100000001b3ULL;
        return (size_t) h;
}

static int bss_table_grow(struct bss_table *t) {
        size_t n_slots = t->n_slots ? t->n_slots * 2 : 256;
        uint32_t *slots = calloc(n_slots, sizeof(uint32_t));

        if (!slots)
                return -ENOMEM;
        for (size_t i = 0; i < t->n; i++) {
                size_t s = bssid_hash(t->items[i].bssid) & (n_slots - 1);
                while (slots[s])
                        s = (s + 1) & (n_slots - 1);
                slots[s] = (uint32_t) i + 1;
        }
        free(t->slots);
        t->slots = slots;
        t->n_slots = n_slots;
        return 0;
}

/* Returns the BSS, *created when it is new (then zeroed but for bssid). */
static struct bss *bss_table_get(struct bss_table *t, const uint8_t *bssid, bool *created) {
        size_t s;

        *created = false;
        if ((t->n + 1) * 2 > t->n_slots && bss_table_grow(t) < 0)
                return NULL;
        s = bssid_hash(bssid) & (t->n_slots - 1);
        for (; t->slots[s]; s = (s + 1) & (t->n_slots - 1)) {
                struct bss *b = &t->items[t->slots[s] - 1];
                if (memcmp(b->bssid, bssid, 6) == 0)
                        return b;
        }
        if (t->n == t->cap) {
                size_t cap = t->cap ? t->cap * 2 : 64;
                struct bss *items = realloc(t->items, cap * sizeof(*items));
                if (!items)
                        return NULL;
                t->items = items;
                t->cap = cap;
        }
        if (t->n >= UINT32_MAX - 1)
                return NULL;
        t->slots[s] = (uint32_t) t->n + 1;
        memset(&t->items[t->n], 0, sizeof(t->items[t->n]));
        memcpy(t->items[t->n].bssid, bssid, 6);
        *created = true;
        return &t->items[t->n++];
}

static bool rsn_same(const struct ieee80211_rsn *a, const struct ieee80211_rsn *b) {
        return a->present == b->present && a->group == b->group && a->n_pairwise == b->n_pairwise &&
               memcmp(a->pairwise, b->pairwise, a->n_pairwise * sizeof(uint32_t)) == 0 &&
               a->n_akm == b->n_akm && memcmp(a->akm, b->akm, a->n_akm * sizeof(uint32_t)) == 0 &&
               a->mfpc == b->mfpc && a->mfpr == b->mfpr;
}

/* ---- JSON ---- */

static char *mac_format(const uint8_t *m, char buf[static 18]) {
        snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
        return buf;
}

/* Printable ASCII as is (backslash doubled), every other byte as \xNN:
 * SSIDs are bytes, not text, and the escaped form is reversible. */
static char *ssid_escape(const uint8_t *s, size_t n) {
        char *out = malloc(n * 4 + 1), *p = out;

        if (!out)
                return NULL;
        for (size_t i = 0; i < n; i++) {
                if (s[i] == '\\') {
                        *p++ = '\\';
                        *p++ = '\\';
                } else if (s[i] >= 0x20 && s[i] < 0x7f)
                        *p++ = (char) s[i];
                else
                        p += sprintf(p, "\\x%02x", s[i]);
        }
        *p = 0;
        return out;
}

static char *hex_format(const uint8_t *s, size_t n) {
        char *out = malloc(n * 2 + 1);

        if (!out)
                return NULL;
        for (size_t i = 0; i < n; i++)
                sprintf(out + 2 * i, "%02x", s[i]);
        out[2 * n] = 0;
        return out;
}

static json_t *suite_types(const uint32_t *s, size_t n) {
        json_t *a = json_array();

        for (size_t i = 0; a && i < n; i++)
                json_array_append_new(a, json_integer(s[i] & 0xff));
        return a;
}

/* "00-0f-ac:4", as Wireshark writes a suite selector. */
static json_t *suite_selector(uint32_t s) {
        char buf[16];

        snprintf(buf, sizeof(buf), "%02x-%02x-%02x:%u", (s >> 24) & 0xff, (s >> 16) & 0xff, (s >> 8) & 0xff,
                 s & 0xff);
        return json_string(buf);
}

static json_t *suite_selectors(const uint32_t *s, size_t n) {
        json_t *a = json_array();

        for (size_t i = 0; a && i < n; i++)
                json_array_append_new(a, suite_selector(s[i]));
        return a;
}

static json_t *rsn_json(const struct ieee80211_rsn *r) {
        return json_pack("{s:i, s:o, s:o, s:o, s:o, s:o, s:o, s:b, s:b, s:o, s:o, s:b}",
                         "version", r->version,
                         "akm", suite_types(r->akm, r->n_akm),
                         "akm_suites", suite_selectors(r->akm, r->n_akm),
                         "pairwise", suite_types(r->pairwise, r->n_pairwise),
                         "pairwise_suites", suite_selectors(r->pairwise, r->n_pairwise),
                         "group", r->has_group ? json_integer(r->group & 0xff) : json_null(),
                         "group_suite", r->has_group ? suite_selector(r->group) : json_null(),
                         "mfpc", r->mfpc, "mfpr", r->mfpr,
                         "capabilities", r->has_capabilities ? json_integer(r->capabilities) : json_null(),
                         "group_mgmt", r->has_group_mgmt ? json_integer(r->group_mgmt & 0xff) : json_null(),
                         "truncated", r->truncated);
}

static json_t *entry_json(const uint8_t *bssid, uint64_t first, uint64_t frames, uint8_t subtype, bool privacy,
                          const struct ieee80211_ies *ies, const struct ieee80211_class *c, bool varies) {
        _cleanup_free_ char *ssid = NULL, *ssid_hex = NULL;
        const struct ieee80211_rsn *rsn = ies->n_rsn ? &ies->rsn : NULL;
        char mac[18];
        json_t *o;

        if (ies->ssid) {
                ssid = ssid_escape(ies->ssid, ies->ssid_len);
                ssid_hex = hex_format(ies->ssid, ies->ssid_len);
                if (!ssid || !ssid_hex)
                        return NULL;
        }
        o = json_pack("{s:s, s:o, s:o, s:I, s:I, s:s, s:o, s:o, s:o, s:o, s:b, s:b, s:b, s:i, s:b}",
                      "bssid", mac_format(bssid, mac),
                      "ssid", ssid ? json_string(ssid) : json_null(),
                      "ssid_hex", ssid_hex ? json_string(ssid_hex) : json_null(),
                      "first_frame", (json_int_t) first, "frames", (json_int_t) frames,
                      "subtype", subtype == PCAP80211_SUBTYPE_BEACON ? "beacon" : "probe-response",
                      "akm", suite_types(rsn ? rsn->akm : NULL, rsn ? rsn->n_akm : 0),
                      "pairwise", suite_types(rsn ? rsn->pairwise : NULL, rsn ? rsn->n_pairwise : 0),
                      "group", rsn && rsn->has_group ? json_integer(rsn->group & 0xff) : json_null(),
                      "rsn", rsn ? rsn_json(rsn) : json_null(),
                      "mfpc", rsn && rsn->mfpc, "mfpr", rsn && rsn->mfpr,
                      "privacy", privacy, "n_rsn", (int) ies->n_rsn, "rsn_differs", ies->rsn_differs);
        if (!o)
                return NULL;
        json_object_set_new(o, "wpa1", json_boolean(ies->n_wpa > 0));
        json_object_set_new(o, "wpa1_ie", ies->n_wpa ? rsn_json(&ies->wpa) : json_null());
        json_object_set_new(o, "wps", !ies->wps.present ? json_null() :
                            json_pack("{s:b, s:o, s:b, s:b}", "configured", ies->wps.configured,
                                      "config_methods", ies->wps.has_config_methods ?
                                              json_integer(ies->wps.config_methods) : json_null(),
                                      "pin_methods", ies->wps.pin_methods, "malformed", ies->wps.malformed));
        json_object_set_new(o, "rsnxe", json_boolean(ies->has_rsnxe));
        json_object_set_new(o, "sae_h2e", json_boolean(ies->sae_h2e));
        json_object_set_new(o, "owe_transition", json_boolean(ies->owe_transition));
        json_object_set_new(o, "malformed", json_boolean(ies->malformed));
        json_object_set_new(o, "classification",
                            json_pack("{s:s, s:s, s:b, s:b, s:b, s:o, s:o}",
                                      "security", ieee80211_security_to_string(c->security),
                                      "pmf", ieee80211_pmf_to_string(c->pmf),
                                      "ft", c->ft, "tkip", c->tkip, "wep", c->wep,
                                      "group_cipher", c->group_cipher ? json_integer(c->group_cipher & 0xff) : json_null(),
                                      "group_cipher_suite", c->group_cipher ? suite_selector(c->group_cipher) : json_null()));
        if (!frames) {
                /* One frame: its number, not a count. */
                json_object_set_new(o, "frame", json_integer((json_int_t) first));
                json_object_del(o, "first_frame");
                json_object_del(o, "frames");
        } else
                json_object_set_new(o, "varies", json_boolean(varies));
        return o;
}

/* ---- text ---- */

static void suite_list_print(FILE *f, const uint32_t *s, size_t n, const char *(*name)(uint32_t)) {
        for (size_t i = 0; i < n; i++) {
                const char *t = name(s[i]);
                if (t)
                        fprintf(f, "%s%s", i ? "," : "", t);
                else
                        fprintf(f, "%s%06x:%u", i ? "," : "", s[i] >> 8, s[i] & 0xff);
        }
        if (n == 0)
                fputc('-', f);
}

static void bss_print_text(FILE *f, const struct bss *b) {
        _cleanup_free_ char *ssid = NULL;
        const struct ieee80211_rsn *r = b->parsed.n_rsn ? &b->parsed.rsn : b->parsed.n_wpa ? &b->parsed.wpa : NULL;
        const char *g = b->cls.group_cipher ? ieee80211_cipher_to_string(b->cls.group_cipher) : "-";
        char mac[18];

        if (b->parsed.ssid)
                ssid = ssid_escape(b->parsed.ssid, b->parsed.ssid_len);
        fprintf(f, "%s  %-19s %-12s ", mac_format(b->bssid, mac), ieee80211_security_to_string(b->cls.security),
                ieee80211_pmf_to_string(b->cls.pmf));
        fprintf(f, "akm=");
        suite_list_print(f, r ? r->akm : NULL, r ? r->n_akm : 0, ieee80211_akm_to_string);
        fprintf(f, " pairwise=");
        suite_list_print(f, r ? r->pairwise : NULL, r ? r->n_pairwise : 0, ieee80211_cipher_to_string);
        fprintf(f, " group=%s%s%s%s%s%s  \"%s\"\n", g ? g : "?", b->cls.ft ? " ft" : "",
                b->parsed.wps.present ? (b->parsed.wps.pin_methods ? " wps-pin" : " wps") : "",
                b->parsed.n_rsn > 1 ? " rsn-dup" : "", b->parsed.malformed ? " malformed" : "",
                b->varies ? " varies" : "", ssid ? ssid : "");
}

int cmd_wifi_audit(struct cli *cli, int argc, char **argv) {
        enum { ARG_JSON = CLI_ARG_FIRST_LOCAL, ARG_FRAMES };
        static const struct option options[] = {
                { "json", no_argument, NULL, ARG_JSON },
                { "frames", no_argument, NULL, ARG_FRAMES },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        _cleanup_(pcap80211_reader_freep) struct pcap80211_reader *reader = NULL;
        _cleanup_free_ char *error = NULL;
        struct bss_table table = {};
        struct pcap80211_frame fr;
        struct pcap80211_stats st;
        bool json = false, per_frame = false, cut = false;
        json_t *frames = NULL;
        int c, r, status = CLI_EXIT_OK;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                switch (c) {
                case 'h':
                        fputs(help, stdout);
                        return CLI_EXIT_OK;
                case ARG_JSON:
                        json = true;
                        break;
                case ARG_FRAMES:
                        per_frame = true;
                        break;
                default:
                        return cli_usage_hint(cli);
                }
        }
        if (optind + 1 != argc) {
                cli_usage_error("wifi-audit: expected exactly one FILE");
                return cli_usage_hint(cli);
        }

        r = pcap80211_reader_open(argv[optind], &reader, &error);
        if (r < 0) {
                fprintf(stderr, "certbench: %s\n", error ? error : strerror(-r));
                return CLI_EXIT_FAIL;
        }
        if (per_frame) {
                frames = json_array();
                if (!frames)
                        return CLI_EXIT_ERROR;
        }

        while ((r = pcap80211_reader_next(reader, &fr)) > 0) {
                struct ieee80211_ies ies;
                struct ieee80211_class cls;
                struct bss *b;
                bool created;

                ieee80211_ies_parse(fr.mgmt.ies, fr.mgmt.ies_len, &ies);
                ieee80211_classify(&ies, fr.mgmt.privacy, &cls);
                if (per_frame) {
                        json_t *e = entry_json(fr.mgmt.bssid, fr.number, 0, fr.mgmt.subtype, fr.mgmt.privacy,
                                               &ies, &cls, false);
                        if (!e || json_array_append_new(frames, e) < 0) {
                                status = CLI_EXIT_ERROR;
                                goto finish;
                        }
                        continue;
                }
                b = bss_table_get(&table, fr.mgmt.bssid, &created);
                if (!b) {
                        status = CLI_EXIT_ERROR;
                        goto finish;
                }
                b->frames++;
                if (created) {
                        b->first_frame = fr.number;
                        b->privacy = fr.mgmt.privacy;
                        b->subtype = fr.mgmt.subtype;
                        b->ies = malloc(fr.mgmt.ies_len ? fr.mgmt.ies_len : 1);
                        if (!b->ies) {
                                status = CLI_EXIT_ERROR;
                                goto finish;
                        }
                        memcpy(b->ies, fr.mgmt.ies, fr.mgmt.ies_len);
                        b->ies_len = fr.mgmt.ies_len;
                        ieee80211_ies_parse(b->ies, b->ies_len, &b->parsed);
                        b->cls = cls;
                } else if (!b->varies &&
                           (memcmp(&cls, &b->cls, sizeof(cls)) != 0 || fr.mgmt.privacy != b->privacy ||
                            !rsn_same(&ies.rsn, &b->parsed.rsn) || ies.n_wpa != b->parsed.n_wpa))
                        b->varies = true;
        }
        if (r < 0) {
                fprintf(stderr, "certbench: %s: %s; reporting the frames before it\n", argv[optind],
                        pcap80211_reader_error(reader));
                cut = true;
                status = CLI_EXIT_FAIL;
        }
        pcap80211_reader_stats(reader, &st);

        if (json) {
                json_t *root, *list = frames ? json_incref(frames) : json_array();

                for (size_t i = 0; list && !per_frame && i < table.n; i++) {
                        struct bss *b = &table.items[i];
                        json_t *e = entry_json(b->bssid, b->first_frame, b->frames, b->subtype, b->privacy,
                                               &b->parsed, &b->cls, b->varies);
                        if (!e || json_array_append_new(list, e) < 0) {
                                json_decref(list);
                                list = NULL;
                        }
                }
                root = list ? json_pack("{s:s, s:i, s:I, s:I, s:I, s:I, s:b, s:o}", "file", argv[optind],
                                        "link_type", pcap80211_reader_dlt(reader),
                                        "packets", (json_int_t) st.packets, "frames", (json_int_t) st.frames,
                                        "bad_link", (json_int_t) st.bad_link, "short_mgmt", (json_int_t) st.short_mgmt,
                                        "truncated", cut, per_frame ? "frames_list" : "bss", list) : NULL;
                if (!root || json_dumpf(root, stdout, JSON_INDENT(2)) < 0) {
                        json_decref(root);
                        status = CLI_EXIT_ERROR;
                        goto finish;
                }
                json_decref(root);
                fputc('\n', stdout);
        } else if (per_frame) {
                for (size_t i = 0; i < json_array_size(frames); i++) {
                        json_t *e = json_array_get(frames, i);
                        printf("%" JSON_INTEGER_FORMAT " %s %s\n", json_integer_value(json_object_get(e, "frame")),
                               json_string_value(json_object_get(e, "bssid")),
                               json_string_value(json_object_get(json_object_get(e, "classification"), "security")));
                }
        } else {
                for (size_t i = 0; i < table.n; i++)
                        bss_print_text(stdout, &table.items[i]);
                printf("%zu BSS, %" PRIu64 " beacons/probe responses in %" PRIu64 " packets",
                       table.n, st.frames, st.packets);
                if (st.bad_link || st.short_mgmt)
                        printf(" (%" PRIu64 " bad radio headers, %" PRIu64 " short frames skipped)",
                               st.bad_link, st.short_mgmt);
                fputc('\n', stdout);
        }
finish:
        json_decref(frames);
        bss_table_done(&table);
        if (fflush(stdout) != 0)
                return CLI_EXIT_ERROR;
        return status;
}
