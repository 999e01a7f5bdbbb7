/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* 802.11 information elements and the security mode of a BSS (CCDS D-3).
 *
 * Pure functions over bytes: no I/O, no allocation except where a function
 * says so, any thread. The bytes come from the air (a DUT's beacon or
 * probe response, a capture): every length is checked, nothing is read
 * past the end, and malformed input is reported in the result, never
 * trusted. Fuzzed (fuzz/fuzz-ieee80211.c).
 *
 * Suite selectors are kept as 32-bit values OUI<<8 | type, as Wireshark
 * shows them (00-0f-ac:8 is 0x000fac08); the AKM and cipher *numbers* of
 * the IEEE OUI (00-0f-ac) are what `wlan.rsn.akms.type` shows. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IEEE80211_SUITE(oui, type) (((uint32_t) (oui) << 8) | (uint8_t) (type))
#define IEEE80211_OUI_IEEE 0x000fac
#define IEEE80211_OUI_MS 0x0050f2       /* WPA1 and WPS vendor elements */

#define IEEE80211_MAX_SUITES 16          /* more are counted, not kept */

struct ieee80211_rsn {
        bool present;
        uint16_t version;
        bool has_group;
        uint32_t group;                  /* group data cipher suite */
        uint32_t pairwise[IEEE80211_MAX_SUITES];
        size_t n_pairwise;               /* kept, <= IEEE80211_MAX_SUITES */
        uint32_t akm[IEEE80211_MAX_SUITES];
        size_t n_akm;
        bool has_capabilities;
        uint16_t capabilities;
        bool mfpr, mfpc;                 /* bits 6 and 7 of capabilities */
        bool has_group_mgmt;
        uint32_t group_mgmt;             /* group management cipher (BIP) */
        bool truncated;                  /* the element ended inside a field */
};

struct ieee80211_wps {
        bool present;
        bool configured;                 /* Wi-Fi Protected Setup State == 2 */
        bool has_config_methods;
        uint16_t config_methods;
        bool pin_methods;                /* label, display or keypad PIN offered */
};

struct ieee80211_ies {
        const uint8_t *ssid;             /* points into the input; NULL when absent */
        size_t ssid_len;
        struct ieee80211_rsn rsn;        /* the first RSN element */
        unsigned n_rsn;                  /* how many RSN elements (real APs send two) */
        struct ieee80211_rsn wpa;        /* the WPA1 vendor element, same layout */
        unsigned n_wpa;
        bool has_rsnxe;
        bool sae_h2e;                    /* RSNXE bit 5: SAE hash-to-element */
        bool owe_transition;             /* OWE Transition Mode vendor element (50-6f-9a:28) */
        struct ieee80211_wps wps;
        bool malformed;                  /* an element ran past the end; what came
                                            before it is still decoded */
        unsigned n_elements;
};

/* Decodes a sequence of information elements. Always fills *ret. */
void ieee80211_ies_parse(const uint8_t *ies, size_t len, struct ieee80211_ies *ret);

enum ieee80211_security {
        IEEE80211_SEC_OPEN,
        IEEE80211_SEC_OWE,
        IEEE80211_SEC_OWE_TRANSITION,    /* the open side advertising an OWE BSS */
        IEEE80211_SEC_WEP,
        IEEE80211_SEC_WPA_TKIP,          /* WPA1 only (any cipher), or RSN with TKIP only */
        IEEE80211_SEC_WPA_WPA2_MIXED,
        IEEE80211_SEC_WPA2_PSK,
        IEEE80211_SEC_WPA2_PSK_SHA256,
        IEEE80211_SEC_WPA2_ENTERPRISE,
        IEEE80211_SEC_WPA3_SAE,
        IEEE80211_SEC_WPA3_TRANSITION,   /* PSK and SAE offered together */
        IEEE80211_SEC_WPA3_ENTERPRISE,   /* incl. 192-bit (AKM 12) */
        IEEE80211_SEC_WPA3_ENTERPRISE_192,
        IEEE80211_SEC_UNKNOWN,           /* RSN with AKMs we do not classify */
        _IEEE80211_SEC_MAX,
};

enum ieee80211_pmf {
        IEEE80211_PMF_NONE,
        IEEE80211_PMF_CAPABLE,
        IEEE80211_PMF_REQUIRED,
        _IEEE80211_PMF_MAX,
};

struct ieee80211_class {
        enum ieee80211_security security;
        enum ieee80211_pmf pmf;
        bool ft;                         /* a Fast Transition AKM is offered */
        bool tkip;                       /* TKIP offered as pairwise or group cipher */
        bool wep;                        /* privacy bit without RSN/WPA elements, or WEP group */
        uint32_t group_cipher;           /* 0 when none */
};

/* privacy: bit 4 of the capability information field. */
void ieee80211_classify(const struct ieee80211_ies *ies, bool privacy, struct ieee80211_class *ret);

/* Stable names for JSON and reports ("wpa3-sae", "pmf-required", ...). */
const char *ieee80211_security_to_string(enum ieee80211_security s);
const char *ieee80211_pmf_to_string(enum ieee80211_pmf p);
