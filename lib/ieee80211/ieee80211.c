/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <string.h>

#include "common/macros.h"
#include "lib/ieee80211/ieee80211.h"

#define EID_SSID 0
#define EID_RSN 48
#define EID_VENDOR 221
#define EID_RSNXE 244

#define OUI_WFA 0x506f9a
#define WFA_TYPE_OWE_TRANSITION 28
#define MS_TYPE_WPA 1
#define MS_TYPE_WPS 4

#define WPS_ATTR_CONFIG_METHODS 0x1008
#define WPS_ATTR_STATE 0x1044
#define WPS_ATTR_SELECTED_REGISTRAR_CONFIG_METHODS 0x1053
/* Label, Display (also set in Virtual/Physical Display), Keypad. */
#define WPS_CONFIG_PIN_MASK (0x0004 | 0x0008 | 0x0100)

/* A cursor over one element's body: every read checks the bytes remain
 * and a short read leaves the cursor where it was. */
struct cursor {
        const uint8_t *p;
        size_t left;
};

static bool cursor_u16le(struct cursor *c, uint16_t *ret) {
        if (c->left < 2)
                return false;
        *ret = (uint16_t) (c->p[0] | (c->p[1] << 8));
        c->p += 2;
        c->left -= 2;
        return true;
}

/* A suite selector is OUI (3 octets, transmission order) then type. */
static bool cursor_suite(struct cursor *c, uint32_t *ret) {
        if (c->left < 4)
                return false;
        *ret = IEEE80211_SUITE(((uint32_t) c->p[0] << 16) | ((uint32_t) c->p[1] << 8) | c->p[2], c->p[3]);
        c->p += 4;
        c->left -= 4;
        return true;
}

/* count, then count suites. Keeps up to IEEE80211_MAX_SUITES; a count that
 * promises more suites than the element holds keeps those that are there
 * and reports truncation. Returns false when decoding must stop. */
static bool cursor_suite_list(struct cursor *c, uint32_t *list, size_t *n, bool *truncated) {
        uint16_t count;

        *n = 0;
        if (c->left == 0)
                return false;                   /* field absent: the element simply ends */
        if (!cursor_u16le(c, &count)) {
                *truncated = true;
                return false;
        }
        for (unsigned i = 0; i < count; i++) {
                uint32_t s;

                if (!cursor_suite(c, &s)) {
                        *truncated = true;
                        return false;
                }
                if (*n < IEEE80211_MAX_SUITES)
                        list[(*n)++] = s;
        }
        return true;
}

/* The RSN element body and the WPA1 body (after OUI and type) share the
 * layout: version, group, pairwise list, AKM list, capabilities; RSN adds
 * the PMKID list and the group management cipher. */
static void rsn_body_parse(const uint8_t *body, size_t len, bool rsn, struct ieee80211_rsn *ret) {
        struct cursor c = { body, len };
        uint16_t u;

        memset(ret, 0, sizeof(*ret));
        ret->present = true;

        if (!cursor_u16le(&c, &ret->version)) {
                ret->truncated = true;
                return;
        }
        if (c.left == 0)
                return;
        if (!cursor_suite(&c, &ret->group)) {
                ret->truncated = true;
                return;
        }
        ret->has_group = true;
        if (!cursor_suite_list(&c, ret->pairwise, &ret->n_pairwise, &ret->truncated))
                return;
        if (!cursor_suite_list(&c, ret->akm, &ret->n_akm, &ret->truncated))
                return;
        if (c.left == 0)
                return;
        if (!cursor_u16le(&c, &ret->capabilities)) {
                ret->truncated = true;
                return;
        }
        ret->has_capabilities = true;
        ret->mfpr = ret->capabilities & (1u << 6);
        ret->mfpc = ret->capabilities & (1u << 7);
        if (!rsn || c.left == 0)
                return;
        if (!cursor_u16le(&c, &u)) {
                ret->truncated = true;
                return;
        }
        ret->n_pmkid = u;
        if (c.left < (size_t) u * 16) {
                ret->truncated = true;
                return;
        }
        c.p += (size_t) u * 16;
        c.left -= (size_t) u * 16;
        if (c.left == 0)
                return;
        if (!cursor_suite(&c, &ret->group_mgmt)) {
                ret->truncated = true;
                return;
        }
        ret->has_group_mgmt = true;
        /* Anything after is a later amendment's field: ignored, not an error. */
}

void ieee80211_rsn_parse(const uint8_t *body, size_t len, struct ieee80211_rsn *ret) {
        rsn_body_parse(body, len, true, ret);
}

static bool rsn_equal(const struct ieee80211_rsn *a, const struct ieee80211_rsn *b) {
        return a->version == b->version && a->has_group == b->has_group && a->group == b->group &&
               a->n_pairwise == b->n_pairwise &&
               memcmp(a->pairwise, b->pairwise, a->n_pairwise * sizeof(uint32_t)) == 0 &&
               a->n_akm == b->n_akm && memcmp(a->akm, b->akm, a->n_akm * sizeof(uint32_t)) == 0 &&
               a->has_capabilities == b->has_capabilities && a->capabilities == b->capabilities &&
               a->has_group_mgmt == b->has_group_mgmt && a->group_mgmt == b->group_mgmt &&
               a->truncated == b->truncated;
}

/* WPS attributes are big-endian type, length, value. */
static void wps_parse(const uint8_t *p, size_t len, struct ieee80211_wps *wps) {
        bool selected_registrar = false;
        uint16_t selected_methods = 0;

        wps->present = true;
        while (len > 0) {
                uint16_t type, alen;

                if (len < 4) {
                        wps->malformed = true;
                        break;
                }
                type = (uint16_t) ((p[0] << 8) | p[1]);
                alen = (uint16_t) ((p[2] << 8) | p[3]);
                p += 4;
                len -= 4;
                if (alen > len) {
                        wps->malformed = true;
                        break;
                }
                switch (type) {
                case WPS_ATTR_STATE:
                        if (alen >= 1)
                                wps->configured = p[0] == 2;
                        else
                                wps->malformed = true;
                        break;
                case WPS_ATTR_CONFIG_METHODS:
                        if (alen >= 2) {
                                wps->has_config_methods = true;
                                wps->config_methods = (uint16_t) ((p[0] << 8) | p[1]);
                        } else
                                wps->malformed = true;
                        break;
                case WPS_ATTR_SELECTED_REGISTRAR_CONFIG_METHODS:
                        if (alen >= 2) {
                                selected_registrar = true;
                                selected_methods = (uint16_t) ((p[0] << 8) | p[1]);
                        } else
                                wps->malformed = true;
                        break;
                default:
                        break;
                }
                p += alen;
                len -= alen;
        }
        /* Beacons often carry only the Selected Registrar Config Methods;
         * probe responses carry Config Methods. Prefer the latter. */
        if (!wps->has_config_methods && selected_registrar) {
                wps->has_config_methods = true;
                wps->config_methods = selected_methods;
        }
        if (wps->has_config_methods)
                wps->pin_methods = (wps->config_methods & WPS_CONFIG_PIN_MASK) != 0;
}

static void vendor_parse(const uint8_t *body, size_t len, struct ieee80211_ies *ret) {
        uint32_t oui;

        if (len < 4)
                return;                         /* too short to name an OUI and type */
        oui = ((uint32_t) body[0] << 16) | ((uint32_t) body[1] << 8) | body[2];
        if (oui == IEEE80211_OUI_MS && body[3] == MS_TYPE_WPA) {
                struct ieee80211_rsn w;

                rsn_body_parse(body + 4, len - 4, false, &w);
                if (ret->n_wpa++ == 0)
                        ret->wpa = w;
        } else if (oui == IEEE80211_OUI_MS && body[3] == MS_TYPE_WPS) {
                /* A second WPS element continues the first (fragmentation);
                 * attributes split across the boundary read as malformed. */
                wps_parse(body + 4, len - 4, &ret->wps);
        } else if (oui == OUI_WFA && body[3] == WFA_TYPE_OWE_TRANSITION)
                ret->owe_transition = true;
}

void ieee80211_ies_parse(const uint8_t *ies, size_t len, struct ieee80211_ies *ret) {
        size_t pos = 0;

        memset(ret, 0, sizeof(*ret));
        if (!ies)
                len = 0;

        while (pos < len) {
                uint8_t id, elen;
                const uint8_t *body;

                if (len - pos < 2 || len - pos - 2 < ies[pos + 1]) {
                        ret->malformed = true;
                        break;
                }
                id = ies[pos];
                elen = ies[pos + 1];
                body = ies + pos + 2;
                pos += 2 + (size_t) elen;
                ret->n_elements++;

                switch (id) {
                case EID_SSID:
                        if (!ret->ssid) {
                                ret->ssid = body;
                                ret->ssid_len = elen;
                        }
                        break;
                case EID_RSN: {
                        struct ieee80211_rsn r;

                        ieee80211_rsn_parse(body, elen, &r);
                        if (ret->n_rsn++ == 0)
                                ret->rsn = r;
                        else if (!rsn_equal(&ret->rsn, &r))
                                ret->rsn_differs = true;
                        break;
                }
                case EID_RSNXE:
                        ret->has_rsnxe = true;
                        /* Bits 0-3 are the field length; bit 5 SAE H2E. */
                        if (elen >= 1)
                                ret->sae_h2e = body[0] & (1u << 5);
                        break;
                case EID_VENDOR:
                        vendor_parse(body, elen, ret);
                        break;
                default:
                        break;
                }
        }
}

/* ---- classification ---- */

bool ieee80211_akm_is_ft(uint32_t akm) {
        if ((akm >> 8) != IEEE80211_OUI_IEEE)
                return false;
        switch (akm & 0xff) {
        case IEEE80211_AKM_FT_8021X:
        case IEEE80211_AKM_FT_PSK:
        case IEEE80211_AKM_FT_SAE:
        case IEEE80211_AKM_FT_8021X_SHA384:
        case IEEE80211_AKM_FT_FILS_SHA256:
        case IEEE80211_AKM_FT_FILS_SHA384:
        case IEEE80211_AKM_FT_PSK_SHA384:
        case IEEE80211_AKM_FT_8021X_SHA384_2:
        case IEEE80211_AKM_FT_SAE_EXT_KEY:
                return true;
        default:
                return false;
        }
}

static bool cipher_is(uint32_t suite, uint8_t type) {
        /* The WPA1 element uses the same numbers under the Microsoft OUI. */
        return suite == IEEE80211_SUITE(IEEE80211_OUI_IEEE, type) ||
               suite == IEEE80211_SUITE(IEEE80211_OUI_MS, type);
}

static bool cipher_is_tkip(uint32_t s) {
        return cipher_is(s, IEEE80211_CIPHER_TKIP);
}

static bool cipher_is_wep(uint32_t s) {
        return cipher_is(s, IEEE80211_CIPHER_WEP40) || cipher_is(s, IEEE80211_CIPHER_WEP104);
}

static void scan_ciphers(const struct ieee80211_rsn *r, struct ieee80211_class *c, bool *strong_pairwise) {
        if (!r->present)
                return;
        if (r->has_group) {
                if (cipher_is_tkip(r->group))
                        c->tkip = true;
                if (cipher_is_wep(r->group))
                        c->wep = true;
        }
        for (size_t i = 0; i < r->n_pairwise; i++) {
                if (cipher_is_tkip(r->pairwise[i]))
                        c->tkip = true;
                else if (!cipher_is_wep(r->pairwise[i]) && !cipher_is(r->pairwise[i], IEEE80211_CIPHER_USE_GROUP))
                        *strong_pairwise = true;
        }
}

void ieee80211_classify(const struct ieee80211_ies *ies, bool privacy, struct ieee80211_class *ret) {
        const struct ieee80211_rsn *rsn = &ies->rsn;
        bool have_rsn = ies->n_rsn > 0 && rsn->n_akm > 0;
        bool have_wpa = ies->n_wpa > 0;
        bool strong_pairwise = false;
        bool sae = false, psk = false, psk_plain = false, owe = false, eap = false, eap_sha256 = false,
             eap_192 = false;
        struct ieee80211_class c = {};

        if (ies->n_rsn > 0 && rsn->has_capabilities) {
                if (rsn->mfpc && rsn->mfpr)
                        c.pmf = IEEE80211_PMF_REQUIRED;
                else if (rsn->mfpc)
                        c.pmf = IEEE80211_PMF_CAPABLE;
        }
        if (ies->n_rsn > 0 && rsn->has_group)
                c.group_cipher = rsn->group;
        else if (have_wpa && ies->wpa.has_group)
                c.group_cipher = ies->wpa.group;

        if (ies->n_rsn > 0)
                scan_ciphers(rsn, &c, &strong_pairwise);
        if (have_wpa) {
                bool ignored = false;
                scan_ciphers(&ies->wpa, &c, &ignored);
        }

        for (size_t i = 0; ies->n_rsn > 0 && i < rsn->n_akm; i++) {
                uint32_t a = rsn->akm[i];

                if (ieee80211_akm_is_ft(a))
                        c.ft = true;
                if ((a >> 8) != IEEE80211_OUI_IEEE)
                        continue;
                switch (a & 0xff) {
                case IEEE80211_AKM_PSK:
                case IEEE80211_AKM_FT_PSK:
                        psk = psk_plain = true;
                        break;
                case IEEE80211_AKM_PSK_SHA256:
                case IEEE80211_AKM_FT_PSK_SHA384:
                case IEEE80211_AKM_PSK_SHA384:
                        psk = true;
                        break;
                case IEEE80211_AKM_SAE:
                case IEEE80211_AKM_FT_SAE:
                case IEEE80211_AKM_SAE_EXT_KEY:
                case IEEE80211_AKM_FT_SAE_EXT_KEY:
                        sae = true;
                        break;
                case IEEE80211_AKM_OWE:
                        owe = true;
                        break;
                case IEEE80211_AKM_8021X:
                case IEEE80211_AKM_FT_8021X:
                        eap = true;
                        break;
                case IEEE80211_AKM_8021X_SHA256:
                case IEEE80211_AKM_8021X_SUITE_B:
                case IEEE80211_AKM_8021X_SHA384:
                case IEEE80211_AKM_FT_8021X_SHA384_2:
                        eap = eap_sha256 = true;
                        break;
                case IEEE80211_AKM_8021X_SUITE_B_192:
                case IEEE80211_AKM_FT_8021X_SHA384:
                        eap = eap_192 = true;
                        break;
                default:
                        break;
                }
        }

        if (!have_rsn && !have_wpa) {
                if (ies->n_rsn > 0)
                        c.security = IEEE80211_SEC_UNKNOWN;     /* an RSN element without AKMs */
                else if (privacy) {
                        c.security = IEEE80211_SEC_WEP;
                        c.wep = true;
                } else if (ies->owe_transition)
                        c.security = IEEE80211_SEC_OWE_TRANSITION;
                else
                        c.security = IEEE80211_SEC_OPEN;
        } else if (have_wpa && have_rsn)
                c.security = IEEE80211_SEC_WPA_WPA2_MIXED;
        else if (have_wpa)
                c.security = IEEE80211_SEC_WPA_TKIP;
        else if (!strong_pairwise && c.tkip)
                c.security = IEEE80211_SEC_WPA_TKIP;
        else if (sae && psk)
                c.security = IEEE80211_SEC_WPA3_TRANSITION;
        else if (sae)
                c.security = IEEE80211_SEC_WPA3_SAE;
        else if (owe)
                c.security = IEEE80211_SEC_OWE;
        else if (eap_192)
                c.security = IEEE80211_SEC_WPA3_ENTERPRISE_192;
        else if (eap_sha256 && c.pmf == IEEE80211_PMF_REQUIRED)
                c.security = IEEE80211_SEC_WPA3_ENTERPRISE;
        else if (eap)
                c.security = IEEE80211_SEC_WPA2_ENTERPRISE;
        else if (psk_plain)
                c.security = IEEE80211_SEC_WPA2_PSK;
        else if (psk)
                c.security = IEEE80211_SEC_WPA2_PSK_SHA256;
        else
                c.security = IEEE80211_SEC_UNKNOWN;

        *ret = c;
}

static const char *const security_names[_IEEE80211_SEC_MAX] = {
        [IEEE80211_SEC_OPEN] = "open",
        [IEEE80211_SEC_OWE] = "owe",
        [IEEE80211_SEC_OWE_TRANSITION] = "owe-transition",
        [IEEE80211_SEC_WEP] = "wep",
        [IEEE80211_SEC_WPA_TKIP] = "wpa-tkip",
        [IEEE80211_SEC_WPA_WPA2_MIXED] = "wpa-wpa2-mixed",
        [IEEE80211_SEC_WPA2_PSK] = "wpa2-psk",
        [IEEE80211_SEC_WPA2_PSK_SHA256] = "wpa2-psk-sha256",
        [IEEE80211_SEC_WPA2_ENTERPRISE] = "wpa2-enterprise",
        [IEEE80211_SEC_WPA3_SAE] = "wpa3-sae",
        [IEEE80211_SEC_WPA3_TRANSITION] = "wpa3-transition",
        [IEEE80211_SEC_WPA3_ENTERPRISE] = "wpa3-enterprise",
        [IEEE80211_SEC_WPA3_ENTERPRISE_192] = "wpa3-enterprise-192",
        [IEEE80211_SEC_UNKNOWN] = "unknown",
};

const char *ieee80211_security_to_string(enum ieee80211_security s) {
        if ((unsigned) s >= _IEEE80211_SEC_MAX)
                return NULL;
        return security_names[s];
}

static const char *const pmf_names[_IEEE80211_PMF_MAX] = {
        [IEEE80211_PMF_NONE] = "pmf-none",
        [IEEE80211_PMF_CAPABLE] = "pmf-capable",
        [IEEE80211_PMF_REQUIRED] = "pmf-required",
};

const char *ieee80211_pmf_to_string(enum ieee80211_pmf p) {
        if ((unsigned) p >= _IEEE80211_PMF_MAX)
                return NULL;
        return pmf_names[p];
}

static const char *const cipher_names[] = {
        [IEEE80211_CIPHER_USE_GROUP] = "use-group",
        [IEEE80211_CIPHER_WEP40] = "WEP-40",
        [IEEE80211_CIPHER_TKIP] = "TKIP",
        [IEEE80211_CIPHER_CCMP] = "CCMP-128",
        [IEEE80211_CIPHER_WEP104] = "WEP-104",
        [IEEE80211_CIPHER_BIP_CMAC_128] = "BIP-CMAC-128",
        [IEEE80211_CIPHER_NO_GROUP] = "no-group",
        [IEEE80211_CIPHER_GCMP_128] = "GCMP-128",
        [IEEE80211_CIPHER_GCMP_256] = "GCMP-256",
        [IEEE80211_CIPHER_CCMP_256] = "CCMP-256",
        [IEEE80211_CIPHER_BIP_GMAC_128] = "BIP-GMAC-128",
        [IEEE80211_CIPHER_BIP_GMAC_256] = "BIP-GMAC-256",
        [IEEE80211_CIPHER_BIP_CMAC_256] = "BIP-CMAC-256",
};

static const char *const akm_names[] = {
        [IEEE80211_AKM_8021X] = "802.1X",
        [IEEE80211_AKM_PSK] = "PSK",
        [IEEE80211_AKM_FT_8021X] = "FT-802.1X",
        [IEEE80211_AKM_FT_PSK] = "FT-PSK",
        [IEEE80211_AKM_8021X_SHA256] = "802.1X-SHA256",
        [IEEE80211_AKM_PSK_SHA256] = "PSK-SHA256",
        [IEEE80211_AKM_TDLS] = "TDLS",
        [IEEE80211_AKM_SAE] = "SAE",
        [IEEE80211_AKM_FT_SAE] = "FT-SAE",
        [IEEE80211_AKM_AP_PEERKEY] = "AP-PeerKey",
        [IEEE80211_AKM_8021X_SUITE_B] = "802.1X-Suite-B",
        [IEEE80211_AKM_8021X_SUITE_B_192] = "802.1X-Suite-B-192",
        [IEEE80211_AKM_FT_8021X_SHA384] = "FT-802.1X-SHA384",
        [IEEE80211_AKM_FILS_SHA256] = "FILS-SHA256",
        [IEEE80211_AKM_FILS_SHA384] = "FILS-SHA384",
        [IEEE80211_AKM_FT_FILS_SHA256] = "FT-FILS-SHA256",
        [IEEE80211_AKM_FT_FILS_SHA384] = "FT-FILS-SHA384",
        [IEEE80211_AKM_OWE] = "OWE",
        [IEEE80211_AKM_FT_PSK_SHA384] = "FT-PSK-SHA384",
        [IEEE80211_AKM_PSK_SHA384] = "PSK-SHA384",
        [IEEE80211_AKM_PASN] = "PASN",
        [IEEE80211_AKM_FT_8021X_SHA384_2] = "FT-802.1X-SHA384",
        [IEEE80211_AKM_8021X_SHA384] = "802.1X-SHA384",
        [IEEE80211_AKM_SAE_EXT_KEY] = "SAE-EXT-KEY",
        [IEEE80211_AKM_FT_SAE_EXT_KEY] = "FT-SAE-EXT-KEY",
};

static const char *suite_name(uint32_t suite, const char *const *names, size_t n, bool ms_too) {
        uint32_t oui = suite >> 8, type = suite & 0xff;

        if (oui != IEEE80211_OUI_IEEE && !(ms_too && oui == IEEE80211_OUI_MS))
                return NULL;
        if (type >= n)
                return NULL;
        return names[type];
}

const char *ieee80211_cipher_to_string(uint32_t suite) {
        /* WPA1 numbers ciphers alike (1 WEP-40, 2 TKIP, 4 CCMP, 5 WEP-104) up to 5. */
        if ((suite >> 8) == IEEE80211_OUI_MS && (suite & 0xff) > IEEE80211_CIPHER_WEP104)
                return NULL;
        return suite_name(suite, cipher_names, ELEMENTSOF(cipher_names), true);
}

const char *ieee80211_akm_to_string(uint32_t suite) {
        /* WPA1 has only 1 (802.1X) and 2 (PSK). */
        if ((suite >> 8) == IEEE80211_OUI_MS && (suite & 0xff) > IEEE80211_AKM_PSK)
                return NULL;
        return suite_name(suite, akm_names, ELEMENTSOF(akm_names), true);
}
