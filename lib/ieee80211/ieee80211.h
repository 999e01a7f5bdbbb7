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
        uint16_t n_pmkid;                /* PMKID count (RSN only; the PMKIDs are skipped) */
};

struct ieee80211_wps {
        bool present;
        bool configured;                 /* Wi-Fi Protected Setup State == 2 */
        bool has_config_methods;
        uint16_t config_methods;
        bool pin_methods;                /* label, display or keypad PIN offered */
        bool malformed;                  /* an attribute ran past the element, or was short */
};
/* config_methods is the Config Methods attribute (0x1008) or, when only a
 * beacon's Selected Registrar Config Methods (0x1053) is present, that. */

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
        bool rsn_differs;                /* a later RSN element differs from the first */
};

/* Decodes a sequence of information elements. Always fills *ret. */
void ieee80211_ies_parse(const uint8_t *ies, size_t len, struct ieee80211_ies *ret);

/* Decodes one RSN element body (after id and length). Always fills *ret
 * (present = true); fields absent at the end of the body stay has_* = false,
 * a field cut short sets truncated. Suites beyond IEEE80211_MAX_SUITES are
 * skipped, not kept. */
void ieee80211_rsn_parse(const uint8_t *body, size_t len, struct ieee80211_rsn *ret);

/* AKM suite types of the IEEE OUI (00-0f-ac), as wlan.rsn.akms.type shows. */
enum {
        IEEE80211_AKM_8021X = 1,
        IEEE80211_AKM_PSK = 2,
        IEEE80211_AKM_FT_8021X = 3,
        IEEE80211_AKM_FT_PSK = 4,
        IEEE80211_AKM_8021X_SHA256 = 5,
        IEEE80211_AKM_PSK_SHA256 = 6,
        IEEE80211_AKM_TDLS = 7,
        IEEE80211_AKM_SAE = 8,
        IEEE80211_AKM_FT_SAE = 9,
        IEEE80211_AKM_AP_PEERKEY = 10,
        IEEE80211_AKM_8021X_SUITE_B = 11,
        IEEE80211_AKM_8021X_SUITE_B_192 = 12,
        IEEE80211_AKM_FT_8021X_SHA384 = 13,
        IEEE80211_AKM_FILS_SHA256 = 14,
        IEEE80211_AKM_FILS_SHA384 = 15,
        IEEE80211_AKM_FT_FILS_SHA256 = 16,
        IEEE80211_AKM_FT_FILS_SHA384 = 17,
        IEEE80211_AKM_OWE = 18,
        IEEE80211_AKM_FT_PSK_SHA384 = 19,
        IEEE80211_AKM_PSK_SHA384 = 20,
        IEEE80211_AKM_PASN = 21,
        IEEE80211_AKM_FT_8021X_SHA384_2 = 22,   /* 802.11be numbering */
        IEEE80211_AKM_8021X_SHA384 = 23,
        IEEE80211_AKM_SAE_EXT_KEY = 24,
        IEEE80211_AKM_FT_SAE_EXT_KEY = 25,
};

/* Cipher suite types (IEEE OUI; WPA1 uses the same under 00-50-f2). */
enum {
        IEEE80211_CIPHER_USE_GROUP = 0,
        IEEE80211_CIPHER_WEP40 = 1,
        IEEE80211_CIPHER_TKIP = 2,
        IEEE80211_CIPHER_CCMP = 4,
        IEEE80211_CIPHER_WEP104 = 5,
        IEEE80211_CIPHER_BIP_CMAC_128 = 6,
        IEEE80211_CIPHER_NO_GROUP = 7,
        IEEE80211_CIPHER_GCMP_128 = 8,
        IEEE80211_CIPHER_GCMP_256 = 9,
        IEEE80211_CIPHER_CCMP_256 = 10,
        IEEE80211_CIPHER_BIP_GMAC_128 = 11,
        IEEE80211_CIPHER_BIP_GMAC_256 = 12,
        IEEE80211_CIPHER_BIP_CMAC_256 = 13,
};

/* Whether a suite selector is a Fast Transition AKM (3, 4, 9, 13, 16,
 * 17, 19, 22, 25 of the IEEE OUI). */
bool ieee80211_akm_is_ft(uint32_t akm);

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

/* privacy: bit 4 of the capability information field.
 *
 * Decided in this order (docs/wifi.md has the table): no RSN AKM and no
 * WPA1 element: WEP when privacy, OWE_TRANSITION when the OWE transition
 * element is there, else OPEN (an RSN element without AKMs: UNKNOWN).
 * WPA1 and RSN: WPA_WPA2_MIXED. WPA1 only: WPA_TKIP. RSN whose pairwise
 * ciphers are all TKIP: WPA_TKIP. Then by the RSN AKMs: SAE (8, 9, 24,
 * 25) with a PSK (2, 4, 6, 19, 20): WPA3_TRANSITION; SAE: WPA3_SAE; OWE
 * (18): OWE; 12 or 13: WPA3_ENTERPRISE_192 (the 192-bit mode has its own
 * value); 5, 11, 22, 23 with PMF required: WPA3_ENTERPRISE; any 802.1X:
 * WPA2_ENTERPRISE; PSK 2 or 4: WPA2_PSK; only SHA-256/384 PSKs:
 * WPA2_PSK_SHA256; otherwise UNKNOWN. PMF is REQUIRED only with MFPC and
 * MFPR both set, CAPABLE with MFPC. group_cipher is the RSN group, else
 * the WPA1 one. */
void ieee80211_classify(const struct ieee80211_ies *ies, bool privacy, struct ieee80211_class *ret);

/* Stable names for JSON and reports ("wpa3-sae", "pmf-required", ...). */
const char *ieee80211_security_to_string(enum ieee80211_security s);
const char *ieee80211_pmf_to_string(enum ieee80211_pmf p);

/* Short names of suites for text output: "CCMP-128", "SAE", ...; NULL for
 * a suite of another OUI or an unassigned number (print the selector). The
 * Microsoft OUI's WPA1 suites are named like the IEEE ones. */
const char *ieee80211_cipher_to_string(uint32_t suite);
const char *ieee80211_akm_to_string(uint32_t suite);
