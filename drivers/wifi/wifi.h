/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Wi-Fi scan driver: nl80211 over libnl-genl.
 *
 * Contract
 * - A struct wifi_scan belongs to one thread at a time (no internal
 *   locking); different objects may be used from different threads.
 * - wifi_scan_new() only talks to the local kernel (resolves the nl80211
 *   family and its "scan" multicast group); it does not touch the radio
 *   and does not wait for it.
 * - wifi_scan_run() blocks until the scan's results are dumped or the
 *   absolute CLOCK_MONOTONIC deadline passes (-ETIMEDOUT). It never sleeps
 *   blindly: it waits in poll() on the netlink sockets. Lost notifications
 *   (ENOBUFS on the event socket) are resynchronised by triggering again;
 *   a scan the kernel aborts is retried once (then -ECANCELED); a scan
 *   already running on the radio (-EBUSY) is waited out and ours follows.
 * - Errors are -errno. Kernel refusals come back as the kernel's errno;
 *   libnl's -NLE_* codes are mapped to -errno. The kernel's extended-ack
 *   message, if any, goes to the debug log (drivers log at debug only).
 * - Ownership: the caller owns the returned list and frees it with
 *   wifi_bss_list_free(); every IE buffer in it is a private copy.
 *
 * Errors worth knowing: -ENODEV no such interface; -ENOENT the kernel has
 * no nl80211 (no cfg80211, e.g. a host without WLAN support); -ENETDOWN the
 * interface is down; -EOPNOTSUPP the interface cannot scan (e.g. AP mode
 * on some drivers); -ETIMEDOUT deadline passed; -ECANCELED aborted twice. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/timeutil.h"

#define WIFI_SSID_MAX 32
/* 802.11 capability information field, bit 4: Privacy (WEP or better). */
#define WIFI_CAPABILITY_PRIVACY 0x0010
#define WIFI_EID_SSID 0

struct wifi_scan;

struct wifi_bss {
        uint8_t bssid[6];
        uint32_t frequency;      /* MHz */
        uint16_t capability;     /* capability information field, host order */
        bool has_signal;
        int32_t signal_mbm;      /* 100 * dBm, valid when has_signal */
        uint32_t seen_ms_ago;    /* age of the entry when dumped */
        bool ies_from_probe_resp; /* the kernel says ies came from a probe response */
        uint8_t *ies;            /* raw elements, owned; NULL when ies_len == 0 */
        size_t ies_len;
        uint8_t *beacon_ies;     /* raw elements of the last beacon, owned, may be NULL */
        size_t beacon_ies_len;
};

struct wifi_bss_list {
        struct wifi_bss *bss;
        size_t n_bss;
};

/* Counters of the recoveries wifi_scan_run() made, for evidence and tests. */
struct wifi_scan_stats {
        unsigned triggers;       /* TRIGGER_SCAN requests the kernel accepted */
        unsigned busy;           /* TRIGGER_SCAN answered -EBUSY (someone else's scan) */
        unsigned aborted;        /* SCAN_ABORTED seen for ours */
        unsigned enobufs;        /* event socket overruns (lost notifications) */
        unsigned dump_restarts;  /* GET_SCAN dumps restarted (interrupted or overrun) */
};

/* Opens the nl80211 sockets for interface ifname. *ret owned by the caller
 * (wifi_scan_free). Returns 0 or -errno. */
int wifi_scan_new(const char *ifname, struct wifi_scan **ret);
struct wifi_scan *wifi_scan_free(struct wifi_scan *s);

/* Restricts later scans to these channels (MHz); n == 0: all channels.
 * The list is copied. Returns 0 or -ENOMEM/-EINVAL. */
int wifi_scan_set_frequencies(struct wifi_scan *s, const uint32_t *mhz, size_t n);

/* Triggers an active scan (wildcard SSID, or probing for ssid_filter when
 * given), waits for its end and dumps the kernel's BSS table. Only BSSes
 * seen during this scan are returned; with ssid_filter, only those whose
 * SSID element equals it (byte for byte; filters cannot contain NUL). On
 * success *ret_list (possibly empty) is the caller's; on failure it is not
 * written. */
int wifi_scan_run(struct wifi_scan *s, const char *ssid_filter, usec_t deadline,
                  struct wifi_bss_list **ret_list);

const struct wifi_scan_stats *wifi_scan_get_stats(const struct wifi_scan *s);

/* Makes later wifi_scan_run() calls abortable: when fd becomes readable
 * (POLLIN, e.g. the daemon's abort fd) the wait ends with -ECANCELED at
 * once. The scan already triggered is left to finish in the kernel (it
 * cannot be taken back; the next run waits it out as -EBUSY). The fd is
 * only polled, never read or closed; -1 removes it. Returns 0 or -EINVAL. */
int wifi_scan_set_abort_fd(struct wifi_scan *s, int fd);

void wifi_bss_list_free(struct wifi_bss_list *l);

static inline bool wifi_bss_privacy(const struct wifi_bss *b) {
        return b->capability & WIFI_CAPABILITY_PRIVACY;
}

/* Pure helper, no I/O: finds the first SSID element in raw elements.
 * *ret_ssid points into ies (not a C string), *ret_len is 0..32.
 * -ENOENT: none; -EBADMSG: an element runs past the end before an SSID
 * was found, or the SSID element is longer than 32 bytes. */
int wifi_ie_find_ssid(const uint8_t *ies, size_t len, const uint8_t **ret_ssid,
                      size_t *ret_len);

/* Radio capabilities (wifi-caps.c): what the radio behind an interface can
 * do, as nl80211 reports it (GET_INTERFACE for the wiphy, then a split
 * GET_WIPHY dump of that wiphy). */
enum wifi_iftype {
        WIFI_IFTYPE_ADHOC,
        WIFI_IFTYPE_STATION,
        WIFI_IFTYPE_AP,
        WIFI_IFTYPE_AP_VLAN,
        WIFI_IFTYPE_WDS,
        WIFI_IFTYPE_MONITOR,
        WIFI_IFTYPE_MESH_POINT,
        WIFI_IFTYPE_P2P_CLIENT,
        WIFI_IFTYPE_P2P_GO,
        WIFI_IFTYPE_P2P_DEVICE,
        WIFI_IFTYPE_OCB,
        WIFI_IFTYPE_NAN,
        _WIFI_IFTYPE_MAX,
};

enum wifi_band {
        WIFI_BAND_2GHZ,
        WIFI_BAND_5GHZ,
        WIFI_BAND_60GHZ,
        WIFI_BAND_6GHZ,
        WIFI_BAND_S1GHZ,
        _WIFI_BAND_MAX,
};

struct wifi_radio_caps {
        uint32_t wiphy;                  /* wiphy index (phy<N>) */
        char *wiphy_name;                /* "phy0", owned; NULL if not reported */
        bool has_iftype;
        enum wifi_iftype iftype;         /* the interface's current type */
        uint32_t iftypes;                /* supported: bit (1u << WIFI_IFTYPE_*) */
        uint32_t bands;                  /* bit (1u << WIFI_BAND_*) */
        uint32_t *ciphers;               /* suite selectors (0x000fac04 CCMP), owned */
        size_t n_ciphers;
};

/* Asks nl80211 about the radio behind ifname; blocks in poll() until the
 * answer or the absolute CLOCK_MONOTONIC deadline (-ETIMEDOUT). Any thread;
 * opens and closes its own netlink socket. On success *ret is filled and
 * its contents are the caller's (wifi_radio_caps_done); on failure *ret is
 * not written. Errors: -ENODEV no such interface (or not a wireless one,
 * as the kernel says), -ENOENT no nl80211 in this kernel, -ETIMEDOUT,
 * -EBADMSG the reply had no wiphy, other kernel refusals as their errno. */
int wifi_radio_capabilities(const char *ifname, usec_t deadline, struct wifi_radio_caps *ret);
/* Frees what *c owns and zeroes it; takes NULL and a zeroed struct. */
void wifi_radio_caps_done(struct wifi_radio_caps *c);

static inline bool wifi_radio_supports(const struct wifi_radio_caps *c, enum wifi_iftype t) {
        return c->iftypes & (1u << t);
}
bool wifi_radio_has_cipher(const struct wifi_radio_caps *c, uint32_t suite);

/* "station", "ap", "monitor", "mesh", "p2p-client", ...; "2.4ghz", "5ghz", ... */
const char *wifi_iftype_to_string(enum wifi_iftype t);
const char *wifi_band_to_string(enum wifi_band b);
