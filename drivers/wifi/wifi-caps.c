/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Radio capabilities over nl80211 (libnl-genl).
 *
 * Two requests on one throwaway socket: GET_INTERFACE names the wiphy
 * behind the interface, then a GET_WIPHY dump filtered to that wiphy with
 * NL80211_ATTR_SPLIT_WIPHY_DUMP. Without the split flag modern kernels
 * leave out most of the wiphy (the full description no longer fits one
 * message); with it the description comes in several messages, each
 * carrying NL80211_ATTR_WIPHY, and the pieces are merged here. A kernel
 * that ignores the flag sends one message: merged the same way.
 *
 * The kernel's errno is taken from the NLMSG_ERROR message in our error
 * callback: what nl_recvmsgs() returns afterwards is libnl's folded
 * version of it (ENETDOWN, ENODEV and others become NLE_FAILURE). */
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netlink.h>
#include <linux/nl80211.h>
#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "common/log.h"
#include "common/macros.h"
#include "wifi.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* A radio lists a dozen ciphers; a hostile or broken reply cannot make us
 * keep more than this. */
#define CIPHERS_MAX 64u

static int caps_nle_to_errno(int nle) {
        switch (nle < 0 ? -nle : nle) {
        case NLE_SUCCESS: return 0;
        case NLE_INTR: return -EINTR;
        case NLE_AGAIN: return -EAGAIN;
        case NLE_NOMEM: return -ENOMEM;
        case NLE_INVAL: return -EINVAL;
        case NLE_RANGE: return -ERANGE;
        case NLE_MSGSIZE: return -EMSGSIZE;
        case NLE_OPNOTSUPP: return -EOPNOTSUPP;
        case NLE_OBJ_NOTFOUND: return -ENOENT;
        case NLE_SEQ_MISMATCH: return -EPROTO;
        case NLE_MSG_TRUNC: return -EMSGSIZE;
        case NLE_PERM: return -EPERM;
        case NLE_NOACCESS: return -EACCES;
        case NLE_NODEV: return -ENODEV;
        case NLE_BUSY: return -EBUSY;
        case NLE_DUMP_INTR: return -EINTR;
        case NLE_PARSE_ERR: return -EBADMSG;
        default: return -EIO;
        }
}

static const uint8_t iftype_from_nl[] = {
        [NL80211_IFTYPE_ADHOC] = WIFI_IFTYPE_ADHOC,
        [NL80211_IFTYPE_STATION] = WIFI_IFTYPE_STATION,
        [NL80211_IFTYPE_AP] = WIFI_IFTYPE_AP,
        [NL80211_IFTYPE_AP_VLAN] = WIFI_IFTYPE_AP_VLAN,
        [NL80211_IFTYPE_WDS] = WIFI_IFTYPE_WDS,
        [NL80211_IFTYPE_MONITOR] = WIFI_IFTYPE_MONITOR,
        [NL80211_IFTYPE_MESH_POINT] = WIFI_IFTYPE_MESH_POINT,
        [NL80211_IFTYPE_P2P_CLIENT] = WIFI_IFTYPE_P2P_CLIENT,
        [NL80211_IFTYPE_P2P_GO] = WIFI_IFTYPE_P2P_GO,
        [NL80211_IFTYPE_P2P_DEVICE] = WIFI_IFTYPE_P2P_DEVICE,
        [NL80211_IFTYPE_OCB] = WIFI_IFTYPE_OCB,
        [NL80211_IFTYPE_NAN] = WIFI_IFTYPE_NAN,
};

/* NL80211_IFTYPE_UNSPECIFIED (0) and types newer than this table are not
 * ours to name: false. */
static bool iftype_map(int nl, enum wifi_iftype *ret) {
        if (nl <= NL80211_IFTYPE_UNSPECIFIED || (size_t) nl >= ELEMENTSOF(iftype_from_nl))
                return false;
        *ret = (enum wifi_iftype) iftype_from_nl[nl];
        return true;
}

static bool band_map(int nl, enum wifi_band *ret) {
        switch (nl) {
        case NL80211_BAND_2GHZ: *ret = WIFI_BAND_2GHZ; return true;
        case NL80211_BAND_5GHZ: *ret = WIFI_BAND_5GHZ; return true;
        case NL80211_BAND_60GHZ: *ret = WIFI_BAND_60GHZ; return true;
        case NL80211_BAND_6GHZ: *ret = WIFI_BAND_6GHZ; return true;
        case NL80211_BAND_S1GHZ: *ret = WIFI_BAND_S1GHZ; return true;
        default: return false;
        }
}

const char *wifi_iftype_to_string(enum wifi_iftype t) {
        switch (t) {
        case WIFI_IFTYPE_ADHOC: return "adhoc";
        case WIFI_IFTYPE_STATION: return "station";
        case WIFI_IFTYPE_AP: return "ap";
        case WIFI_IFTYPE_AP_VLAN: return "ap-vlan";
        case WIFI_IFTYPE_WDS: return "wds";
        case WIFI_IFTYPE_MONITOR: return "monitor";
        case WIFI_IFTYPE_MESH_POINT: return "mesh";
        case WIFI_IFTYPE_P2P_CLIENT: return "p2p-client";
        case WIFI_IFTYPE_P2P_GO: return "p2p-go";
        case WIFI_IFTYPE_P2P_DEVICE: return "p2p-device";
        case WIFI_IFTYPE_OCB: return "ocb";
        case WIFI_IFTYPE_NAN: return "nan";
        case _WIFI_IFTYPE_MAX: break;
        }
        return NULL;
}

const char *wifi_band_to_string(enum wifi_band b) {
        switch (b) {
        case WIFI_BAND_2GHZ: return "2.4ghz";
        case WIFI_BAND_5GHZ: return "5ghz";
        case WIFI_BAND_60GHZ: return "60ghz";
        case WIFI_BAND_6GHZ: return "6ghz";
        case WIFI_BAND_S1GHZ: return "s1ghz";
        case _WIFI_BAND_MAX: break;
        }
        return NULL;
}

bool wifi_radio_has_cipher(const struct wifi_radio_caps *c, uint32_t suite) {
        for (size_t i = 0; c && i < c->n_ciphers; i++)
                if (c->ciphers[i] == suite)
                        return true;
        return false;
}

void wifi_radio_caps_done(struct wifi_radio_caps *c) {
        if (!c)
                return;
        free(c->wiphy_name);
        free(c->ciphers);
        *c = (struct wifi_radio_caps) {};
}

struct caps_req {
        int (*parse)(struct nlattr **tb, void *userdata);
        void *userdata;
        int error;        /* the kernel's, from NLMSG_ERROR */
        int parse_error;
        bool done;
};

static int caps_valid(struct nl_msg *msg, void *arg) {
        struct caps_req *q = arg;
        struct nlattr *tb[NL80211_ATTR_MAX + 1];
        int r;

        if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, NL80211_ATTR_MAX, NULL) < 0)
                return NL_SKIP; /* not ours to judge; the merge checks what it needs */
        r = q->parse(tb, q->userdata);
        if (r < 0) {
                q->parse_error = r;
                return NL_STOP;
        }
        return NL_OK;
}

static int caps_finish(struct nl_msg *msg, void *arg) {
        struct caps_req *q = arg;

        q->done = true;
        return NL_STOP;
}

static int caps_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg) {
        struct caps_req *q = arg;

        q->error = e->error < 0 ? e->error : -EPROTO;
        q->done = true;
        return NL_STOP;
}

static void caps_cb_putp(struct nl_cb **p) {
        if (*p)
                nl_cb_put(*p);
}

static void caps_msg_freep(struct nl_msg **p) {
        if (*p)
                nlmsg_free(*p);
}

static void caps_sock_freep(struct nl_sock **p) {
        if (*p)
                nl_socket_free(*p);
}

/* Sends msg and receives until its ack, error or the end of the dump. */
static int caps_request(struct nl_sock *sk, struct nl_msg *msg,
                        int (*parse)(struct nlattr **, void *), void *userdata, usec_t deadline) {
        _cleanup_(caps_cb_putp) struct nl_cb *cb = NULL;
        struct caps_req q = { .parse = parse, .userdata = userdata };
        int r;

        cb = nl_cb_alloc(NL_CB_DEFAULT);
        if (!cb)
                return -ENOMEM;
        nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, caps_valid, &q);
        nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, caps_finish, &q);
        nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, caps_finish, &q);
        nl_cb_err(cb, NL_CB_CUSTOM, caps_error, &q);

        r = nl_send_auto(sk, msg);
        if (r < 0)
                return caps_nle_to_errno(r);
        while (!q.done) {
                struct pollfd p = { .fd = nl_socket_get_fd(sk), .events = POLLIN };
                int ms = deadline_poll_ms(deadline);

                if (ms == 0)
                        return -ETIMEDOUT;
                r = poll(&p, 1, ms);
                if (r < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                if (r == 0)
                        return -ETIMEDOUT;
                r = nl_recvmsgs(sk, cb);
                if (q.parse_error < 0)
                        return q.parse_error;
                if (q.error < 0)
                        return q.error; /* the kernel's errno, not libnl's fold of it */
                if (r == -NLE_AGAIN || r >= 0)
                        continue;
                return r == -NLE_NOMEM ? -ENOBUFS : caps_nle_to_errno(r);
        }
        return q.error;
}

struct iface_reply {
        bool has_wiphy;
        uint32_t wiphy;
        bool has_iftype;
        enum wifi_iftype iftype;
};

static int iface_parse(struct nlattr **tb, void *userdata) {
        struct iface_reply *ir = userdata;

        if (tb[NL80211_ATTR_WIPHY] && nla_len(tb[NL80211_ATTR_WIPHY]) >= 4) {
                ir->has_wiphy = true;
                ir->wiphy = nla_get_u32(tb[NL80211_ATTR_WIPHY]);
        }
        if (tb[NL80211_ATTR_IFTYPE] && nla_len(tb[NL80211_ATTR_IFTYPE]) >= 4)
                ir->has_iftype = iftype_map((int) nla_get_u32(tb[NL80211_ATTR_IFTYPE]), &ir->iftype);
        return 0;
}

struct wiphy_merge {
        uint32_t wiphy;
        struct wifi_radio_caps caps;
        unsigned n_msgs;
};

static int wiphy_parse(struct nlattr **tb, void *userdata) {
        struct wiphy_merge *m = userdata;
        struct nlattr *a;
        int rem;

        /* Older kernels ignore the dump filter: keep only our wiphy. */
        if (!tb[NL80211_ATTR_WIPHY] || nla_len(tb[NL80211_ATTR_WIPHY]) < 4 ||
            nla_get_u32(tb[NL80211_ATTR_WIPHY]) != m->wiphy)
                return 0;
        m->n_msgs++;

        if (tb[NL80211_ATTR_WIPHY_NAME] && !m->caps.wiphy_name) {
                a = tb[NL80211_ATTR_WIPHY_NAME];
                if (nla_len(a) > 0 && memchr(nla_data(a), 0, (size_t) nla_len(a))) {
                        m->caps.wiphy_name = strdup(nla_data(a));
                        if (!m->caps.wiphy_name)
                                return -ENOMEM;
                }
        }
        if (tb[NL80211_ATTR_SUPPORTED_IFTYPES])
                nla_for_each_nested(a, tb[NL80211_ATTR_SUPPORTED_IFTYPES], rem) {
                        enum wifi_iftype t;

                        if (iftype_map(nla_type(a), &t))
                                m->caps.iftypes |= 1u << t;
                }
        if (tb[NL80211_ATTR_WIPHY_BANDS])
                nla_for_each_nested(a, tb[NL80211_ATTR_WIPHY_BANDS], rem) {
                        enum wifi_band b;

                        if (band_map(nla_type(a), &b))
                                m->caps.bands |= 1u << b;
                }
        if (tb[NL80211_ATTR_CIPHER_SUITES]) {
                const uint8_t *p = nla_data(tb[NL80211_ATTR_CIPHER_SUITES]);
                size_t n = (size_t) nla_len(tb[NL80211_ATTR_CIPHER_SUITES]) / sizeof(uint32_t);

                for (size_t i = 0; i < n; i++) {
                        uint32_t suite;
                        uint32_t *c;

                        memcpy(&suite, p + i * sizeof(suite), sizeof(suite));
                        if (wifi_radio_has_cipher(&m->caps, suite))
                                continue; /* a split dump may repeat it */
                        if (m->caps.n_ciphers >= CIPHERS_MAX)
                                break;
                        c = reallocarray(m->caps.ciphers, m->caps.n_ciphers + 1, sizeof(*c));
                        if (!c)
                                return -ENOMEM;
                        c[m->caps.n_ciphers++] = suite;
                        m->caps.ciphers = c;
                }
        }
        return 0;
}

static int caps_msg_new(int family, uint8_t cmd, int flags, struct nl_msg **ret) {
        _cleanup_(caps_msg_freep) struct nl_msg *msg = NULL;

        msg = nlmsg_alloc();
        if (!msg)
                return -ENOMEM;
        if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, flags, cmd, 0))
                return -ENOMEM;
        *ret = TAKE_PTR(msg);
        return 0;
}

int wifi_radio_capabilities(const char *ifname, usec_t deadline, struct wifi_radio_caps *ret) {
        _cleanup_(caps_sock_freep) struct nl_sock *sk = NULL;
        _cleanup_(caps_msg_freep) struct nl_msg *msg = NULL;
        struct iface_reply ir = {};
        struct wiphy_merge m = {};
        unsigned ifindex;
        int family, one = 1, r;

        if (!ifname || !ret)
                return -EINVAL;
        ifindex = if_nametoindex(ifname);
        if (ifindex == 0)
                return log_debug_errno(negative_errno(), "wifi: %s: no such interface: %m", ifname);

        sk = nl_socket_alloc();
        if (!sk)
                return -ENOMEM;
        r = genl_connect(sk);
        if (r < 0)
                return log_debug_errno(caps_nle_to_errno(r), "wifi: generic netlink socket: %m");
        (void) setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
        /* Answered by the local kernel at once (libnl's resolver needs the
         * socket blocking); the requests below are bounded by the deadline. */
        family = genl_ctrl_resolve(sk, NL80211_GENL_NAME);
        if (family < 0)
                return log_debug_errno(caps_nle_to_errno(family), "wifi: resolving nl80211: %m");
        r = nl_socket_set_nonblocking(sk);
        if (r < 0)
                return caps_nle_to_errno(r);

        r = caps_msg_new(family, NL80211_CMD_GET_INTERFACE, 0, &msg);
        if (r < 0)
                return r;
        if (nla_put_u32(msg, NL80211_ATTR_IFINDEX, ifindex) < 0)
                return -ENOMEM;
        r = caps_request(sk, msg, iface_parse, &ir, deadline);
        if (r < 0)
                return log_debug_errno(r, "wifi: %s: GET_INTERFACE: %m", ifname);
        if (!ir.has_wiphy)
                return log_debug_errno(-EBADMSG, "wifi: %s: GET_INTERFACE named no wiphy", ifname);
        nlmsg_free(TAKE_PTR(msg));

        r = caps_msg_new(family, NL80211_CMD_GET_WIPHY, NLM_F_DUMP, &msg);
        if (r < 0)
                return r;
        if (nla_put_flag(msg, NL80211_ATTR_SPLIT_WIPHY_DUMP) < 0 ||
            nla_put_u32(msg, NL80211_ATTR_WIPHY, ir.wiphy) < 0)
                return -ENOMEM;
        m.wiphy = ir.wiphy;
        r = caps_request(sk, msg, wiphy_parse, &m, deadline);
        if (r >= 0 && m.n_msgs == 0)
                r = log_debug_errno(-EBADMSG, "wifi: %s: GET_WIPHY returned nothing for phy%u",
                                    ifname, ir.wiphy);
        if (r < 0) {
                wifi_radio_caps_done(&m.caps);
                return log_debug_errno(r, "wifi: %s: GET_WIPHY: %m", ifname);
        }
        log_debug("wifi: %s: phy%u: %u wiphy message(s), %zu cipher(s)", ifname, ir.wiphy,
                  m.n_msgs, m.caps.n_ciphers);

        m.caps.wiphy = ir.wiphy;
        m.caps.has_iftype = ir.has_iftype;
        m.caps.iftype = ir.iftype;
        *ret = m.caps;
        return 0;
}
