/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nl80211 scan over libnl-genl.
 *
 * Two sockets: "cmd" carries our requests (TRIGGER_SCAN, GET_SCAN dump)
 * through libnl with sequence checks; "ev" is subscribed to nl80211's
 * "scan" multicast group before we trigger, so the end of our scan cannot
 * slip by between the trigger and the subscription. The event socket is
 * read with recvmsg() directly rather than nl_recvmsgs(): libnl reports
 * ENOBUFS as -NLE_NOMEM, indistinguishable from a failed malloc, and
 * ENOBUFS (the kernel dropped notifications because our receive buffer was
 * full) is precisely the case we must recognise and recover from: that
 * is what made `iw scan` hang in the rig. Recovery is "resync": drop what
 * is queued and trigger again; -EBUSY then means the scan is still
 * running and we wait for its end, else a fresh scan starts. Everything is
 * bounded by the caller's deadline; waits are poll() on the socket. */
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

/* Event datagrams are small (a few hundred bytes; the frequency list of a
 * full scan is the largest part); a truncated one counts as lost. */
#define EV_BUF_SIZE (64u * 1024u)
#define EV_RCVBUF (1 << 20)
/* seen_ms_ago comes from jiffies; allow for their granularity. */
#define FRESH_SLACK_MS 50u

struct wifi_scan {
        char *ifname;
        unsigned ifindex;
        int family;
        int scan_group;
        struct nl_sock *cmd;
        struct nl_sock *ev;
        uint8_t *evbuf;
        uint32_t *freqs;
        size_t n_freqs;
        int abort_fd;            /* -1: none */
        struct wifi_scan_stats stats;
};

static int nle_to_errno(int nle) {
        switch (nle < 0 ? -nle : nle) {
        case NLE_SUCCESS: return 0;
        case NLE_INTR: return -EINTR;
        case NLE_BAD_SOCK: return -EBADF;
        case NLE_AGAIN: return -EAGAIN;
        case NLE_NOMEM: return -ENOMEM;
        case NLE_EXIST: return -EEXIST;
        case NLE_INVAL: return -EINVAL;
        case NLE_RANGE: return -ERANGE;
        case NLE_MSGSIZE: return -EMSGSIZE;
        case NLE_OPNOTSUPP: return -EOPNOTSUPP;
        case NLE_AF_NOSUPPORT: return -EAFNOSUPPORT;
        case NLE_OBJ_NOTFOUND: return -ENOENT;
        case NLE_NOATTR: return -ENODATA;
        case NLE_MISSING_ATTR: return -EINVAL;
        case NLE_AF_MISMATCH: return -EAFNOSUPPORT;
        case NLE_SEQ_MISMATCH: return -EPROTO;
        case NLE_MSG_OVERFLOW: return -EOVERFLOW;
        case NLE_MSG_TRUNC: return -EMSGSIZE;
        case NLE_NOADDR: return -EADDRNOTAVAIL;
        case NLE_SRCRT_NOSUPPORT: return -EOPNOTSUPP;
        case NLE_MSG_TOOSHORT: return -EBADMSG;
        case NLE_MSGTYPE_NOSUPPORT: return -EOPNOTSUPP;
        case NLE_OBJ_MISMATCH: return -EINVAL;
        case NLE_NOCACHE: return -ENOENT;
        case NLE_BUSY: return -EBUSY;
        case NLE_PROTO_MISMATCH: return -EPROTONOSUPPORT;
        case NLE_NOACCESS: return -EACCES;
        case NLE_PERM: return -EPERM;
        case NLE_PKTLOC_FILE: return -ENOENT;
        case NLE_PARSE_ERR: return -EBADMSG;
        case NLE_NODEV: return -ENODEV;
        case NLE_IMMUTABLE: return -EROFS;
        case NLE_DUMP_INTR: return -EINTR;
        case NLE_ATTRSIZE: return -EBADMSG;
        default: return -EIO;
        }
}

/* Waits until fd is readable, the deadline passes or abort_fd (if >= 0)
 * becomes readable (-ECANCELED; it wins when both are). */
static int fd_wait(int fd, int abort_fd, usec_t deadline) {
        for (;;) {
                struct pollfd p[2] = { { .fd = fd, .events = POLLIN },
                                       { .fd = abort_fd, .events = POLLIN } };
                int ms = deadline_poll_ms(deadline), r;

                if (ms == 0)
                        return -ETIMEDOUT;
                r = poll(p, abort_fd >= 0 ? 2 : 1, ms);
                if (r < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                if (r == 0)
                        return -ETIMEDOUT;
                if (abort_fd >= 0 && p[1].revents)
                        return -ECANCELED;
                if (p[0].revents & (POLLERR | POLLIN))
                        return 0; /* POLLERR: recv() reports it (ENOBUFS) */
                return -EIO;
        }
}

static bool abort_pending(const struct wifi_scan *s) {
        struct pollfd p = { .fd = s->abort_fd, .events = POLLIN };

        return s->abort_fd >= 0 && poll(&p, 1, 0) > 0 && p.revents;
}

static void nl_sock_freep(struct nl_sock **p) {
        if (*p)
                nl_socket_free(*p);
}

static int cmd_socket_open(bool nonblocking, struct nl_sock **ret) {
        _cleanup_(nl_sock_freep) struct nl_sock *sk = NULL;
        int one = 1, r;

        sk = nl_socket_alloc();
        if (!sk)
                return -ENOMEM;
        r = genl_connect(sk);
        if (r < 0)
                return nle_to_errno(r);
        /* The kernel's reason for a refusal, for the debug log; optional. */
        (void) setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
        if (nonblocking) {
                r = nl_socket_set_nonblocking(sk);
                if (r < 0)
                        return nle_to_errno(r);
        }
        *ret = TAKE_PTR(sk);
        return 0;
}

/* After a failed or abandoned request the socket may still hold the rest
 * of a dump (and the kernel refuses a second dump while one is running on
 * it): start over on a fresh socket instead of draining. */
static int cmd_socket_reset(struct wifi_scan *s) {
        struct nl_sock *sk = NULL;
        int r;

        r = cmd_socket_open(true, &sk);
        if (r < 0)
                return r;
        if (s->cmd)
                nl_socket_free(s->cmd);
        s->cmd = sk;
        return 0;
}

struct request {
        int (*parse)(struct nl_msg *msg, void *userdata);
        void *userdata;
        int error;      /* from the kernel: NLMSG_ERROR, -errno */
        int parse_error;
        bool done;
};

static int request_valid(struct nl_msg *msg, void *arg) {
        struct request *q = arg;
        int r;

        if (!q->parse)
                return NL_OK;
        r = q->parse(msg, q->userdata);
        if (r < 0) {
                q->parse_error = r;
                return NL_STOP;
        }
        return NL_OK;
}

static int request_finish(struct nl_msg *msg, void *arg) {
        struct request *q = arg;

        q->done = true;
        return NL_STOP;
}

static void request_log_ext_ack(const struct nlmsgerr *e) {
        const struct nlmsghdr *nlh = (const struct nlmsghdr *) ((const uint8_t *) e - NLMSG_HDRLEN);
        size_t off, payload = sizeof(*e);
        struct nlattr *a;

        if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
                return;
        if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
                if (e->msg.nlmsg_len < NLMSG_HDRLEN)
                        return;
                payload += e->msg.nlmsg_len - NLMSG_HDRLEN;
        }
        off = NLMSG_ALIGN(NLMSG_HDRLEN + payload);
        if (off >= nlh->nlmsg_len)
                return;
        a = nla_find((struct nlattr *) ((uint8_t *) nlh + off), (int) (nlh->nlmsg_len - off),
                     NLMSGERR_ATTR_MSG);
        if (a && nla_len(a) > 0 && memchr(nla_data(a), 0, (size_t) nla_len(a)))
                log_debug("wifi: kernel says: %s", (const char *) nla_data(a));
}

static int request_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg) {
        struct request *q = arg;

        q->error = e->error < 0 ? e->error : -EPROTO;
        q->done = true;
        request_log_ext_ack(e);
        return NL_STOP;
}

static void nl_cb_putp(struct nl_cb **p) {
        if (*p)
                nl_cb_put(*p);
}

/* Sends msg on the command socket and receives until its ack, error or
 * the end of the dump, calling parse for each message. */
static int request_run(struct wifi_scan *s, struct nl_msg *msg,
                       int (*parse)(struct nl_msg *, void *), void *userdata, usec_t deadline) {
        _cleanup_(nl_cb_putp) struct nl_cb *cb = NULL;
        struct request q = { .parse = parse, .userdata = userdata };
        int r;

        cb = nl_cb_alloc(NL_CB_DEFAULT);
        if (!cb)
                return -ENOMEM;
        nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, request_valid, &q);
        nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, request_finish, &q);
        nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, request_finish, &q);
        nl_cb_err(cb, NL_CB_CUSTOM, request_error, &q);

        r = nl_send_auto(s->cmd, msg);
        if (r < 0) {
                r = nle_to_errno(r);
                goto fail;
        }
        while (!q.done) {
                r = fd_wait(nl_socket_get_fd(s->cmd), s->abort_fd, deadline);
                if (r < 0)
                        goto fail;
                r = nl_recvmsgs(s->cmd, cb);
                if (q.parse_error < 0) {
                        r = q.parse_error;
                        goto fail;
                }
                /* The kernel's errno as it sent it: nl_recvmsgs() returns
                 * libnl's fold of it (ENETDOWN becomes NLE_FAILURE, -EIO).
                 * The error message ended the request; the socket is clean. */
                if (q.error < 0)
                        return q.error;
                if (r == -NLE_AGAIN || r >= 0)
                        continue;
                /* libnl reports the receive buffer overrun (ENOBUFS) as
                 * NLE_NOMEM; for a request both mean "ask again". */
                r = r == -NLE_NOMEM ? -ENOBUFS : nle_to_errno(r);
                goto fail;
        }
        return q.error;

fail:
        (void) cmd_socket_reset(s);
        return r;
}

static void nlmsg_freep(struct nl_msg **p) {
        if (*p)
                nlmsg_free(*p);
}

static int scan_msg_new(struct wifi_scan *s, uint8_t cmd, int flags, struct nl_msg **ret) {
        _cleanup_(nlmsg_freep) struct nl_msg *msg = NULL;

        msg = nlmsg_alloc();
        if (!msg)
                return -ENOMEM;
        if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, s->family, 0, flags, cmd, 0))
                return -ENOMEM;
        if (nla_put_u32(msg, NL80211_ATTR_IFINDEX, s->ifindex) < 0)
                return -ENOMEM;
        *ret = TAKE_PTR(msg);
        return 0;
}

static int scan_trigger(struct wifi_scan *s, const char *ssid, usec_t deadline) {
        _cleanup_(nlmsg_freep) struct nl_msg *msg = NULL;
        struct nlattr *nest;
        int r;

        r = scan_msg_new(s, NL80211_CMD_TRIGGER_SCAN, 0, &msg);
        if (r < 0)
                return r;
        /* Active scan: probe for the SSID asked for, else the wildcard. */
        nest = nla_nest_start(msg, NL80211_ATTR_SCAN_SSIDS);
        if (!nest || nla_put(msg, 1, ssid ? (int) strlen(ssid) : 0, ssid ? ssid : "") < 0)
                return -ENOMEM;
        nla_nest_end(msg, nest);
        if (s->n_freqs > 0) {
                nest = nla_nest_start(msg, NL80211_ATTR_SCAN_FREQUENCIES);
                if (!nest)
                        return -ENOMEM;
                for (size_t i = 0; i < s->n_freqs; i++)
                        if (nla_put_u32(msg, (int) i + 1, s->freqs[i]) < 0)
                                return -ENOMEM;
                nla_nest_end(msg, nest);
        }
        r = request_run(s, msg, NULL, NULL, deadline);
        if (r < 0)
                log_debug_errno(r, "wifi: %s: TRIGGER_SCAN: %m", s->ifname);
        return r;
}

enum {
        EV_END_NONE,
        EV_END_RESULTS,
        EV_END_ABORTED,
};

/* Reads every queued event datagram without blocking. *ret_end (if not
 * NULL) gets the last end-of-scan event for our interface. Returns 0 or
 * -ENOBUFS when notifications were lost (the queue is then read on anyway,
 * so the error is reported once and the socket keeps working). */
static int ev_read(struct wifi_scan *s, int *ret_end) {
        bool lost = false;
        int end = EV_END_NONE;

        for (;;) {
                struct sockaddr_nl sa = {};
                struct iovec iov = { .iov_base = s->evbuf, .iov_len = EV_BUF_SIZE };
                struct msghdr mh = { .msg_name = &sa, .msg_namelen = sizeof(sa),
                                     .msg_iov = &iov, .msg_iovlen = 1 };
                ssize_t n = recvmsg(nl_socket_get_fd(s->ev), &mh, MSG_DONTWAIT);
                int len;

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN)
                                break;
                        if (errno == ENOBUFS) {
                                lost = true;
                                continue;
                        }
                        return negative_errno();
                }
                if (mh.msg_flags & MSG_TRUNC) {
                        lost = true;
                        continue;
                }
                if (sa.nl_pid != 0) /* only the kernel speaks on this socket */
                        continue;
                len = (int) n;
                for (struct nlmsghdr *nlh = (struct nlmsghdr *) s->evbuf; NLMSG_OK(nlh, len);
                     nlh = NLMSG_NEXT(nlh, len)) {
                        struct nlattr *tb[NL80211_ATTR_MAX + 1];
                        struct genlmsghdr *gnlh;

                        if (nlh->nlmsg_type != s->family || !genlmsg_valid_hdr(nlh, 0))
                                continue;
                        if (genlmsg_parse(nlh, 0, tb, NL80211_ATTR_MAX, NULL) < 0)
                                continue;
                        if (!tb[NL80211_ATTR_IFINDEX] || nla_len(tb[NL80211_ATTR_IFINDEX]) < 4 ||
                            nla_get_u32(tb[NL80211_ATTR_IFINDEX]) != s->ifindex)
                                continue;
                        gnlh = nlmsg_data(nlh);
                        switch (gnlh->cmd) {
                        case NL80211_CMD_NEW_SCAN_RESULTS:
                                end = EV_END_RESULTS;
                                break;
                        case NL80211_CMD_SCAN_ABORTED:
                                end = EV_END_ABORTED;
                                break;
                        case NL80211_CMD_TRIGGER_SCAN:
                                log_debug("wifi: %s: scan started", s->ifname);
                                break;
                        default:
                                break;
                        }
                }
        }
        if (lost) {
                s->stats.enobufs++;
                log_debug("wifi: %s: scan notifications lost (ENOBUFS), resyncing", s->ifname);
                return -ENOBUFS;
        }
        if (ret_end)
                *ret_end = end;
        return 0;
}

/* Waits for the end of the scan running on our interface: 0 results are
 * ready, 1 the kernel aborted the scan, -ENOBUFS events were lost
 * (resync), -ECANCELED our caller's abort fd fired, or -ETIMEDOUT. */
static int ev_wait_end(struct wifi_scan *s, usec_t deadline) {
        for (;;) {
                int end = EV_END_NONE, r;

                r = ev_read(s, &end);
                if (r < 0)
                        return r;
                if (end == EV_END_RESULTS)
                        return 0;
                if (end == EV_END_ABORTED)
                        return 1;
                r = fd_wait(nl_socket_get_fd(s->ev), s->abort_fd, deadline);
                if (r < 0)
                        return r;
        }
}

struct dump {
        struct wifi_scan *scan;
        const char *ssid;
        usec_t triggered;
        struct wifi_bss *bss;
        size_t n_bss, n_alloc;
};

static void bss_done(struct wifi_bss *b) {
        free(b->ies);
        free(b->beacon_ies);
}

static int blob_dup(const struct nlattr *a, uint8_t **ret, size_t *ret_len) {
        size_t len;

        if (!a || nla_len(a) <= 0) {
                *ret = NULL;
                *ret_len = 0;
                return 0;
        }
        len = (size_t) nla_len(a);
        *ret = malloc(len);
        if (!*ret)
                return -ENOMEM;
        memcpy(*ret, nla_data(a), len);
        *ret_len = len;
        return 0;
}

static bool bss_ssid_matches(const struct wifi_bss *b, const char *want) {
        const uint8_t *ssid = NULL;
        size_t len = 0;
        int r;

        r = wifi_ie_find_ssid(b->ies, b->ies_len, &ssid, &len);
        if (r < 0)
                r = wifi_ie_find_ssid(b->beacon_ies, b->beacon_ies_len, &ssid, &len);
        return r >= 0 && len == strlen(want) && memcmp(ssid, want, len) == 0;
}

static int dump_parse(struct nl_msg *msg, void *userdata) {
        static struct nla_policy policy[NL80211_BSS_MAX + 1] = {
                [NL80211_BSS_BSSID] = { .type = NLA_UNSPEC, .minlen = 6 },
                [NL80211_BSS_FREQUENCY] = { .type = NLA_U32 },
                [NL80211_BSS_CAPABILITY] = { .type = NLA_U16 },
                [NL80211_BSS_SIGNAL_MBM] = { .type = NLA_U32 },
                [NL80211_BSS_SEEN_MS_AGO] = { .type = NLA_U32 },
                [NL80211_BSS_INFORMATION_ELEMENTS] = { .type = NLA_UNSPEC },
                [NL80211_BSS_BEACON_IES] = { .type = NLA_UNSPEC },
                [NL80211_BSS_PRESP_DATA] = { .type = NLA_FLAG },
        };
        struct dump *d = userdata;
        struct nlattr *tb[NL80211_ATTR_MAX + 1], *bss[NL80211_BSS_MAX + 1];
        struct wifi_bss b = {};
        uint64_t elapsed_ms;
        int r;

        r = genlmsg_parse(nlmsg_hdr(msg), 0, tb, NL80211_ATTR_MAX, NULL);
        if (r < 0 || !tb[NL80211_ATTR_BSS])
                return 0;
        r = nla_parse_nested(bss, NL80211_BSS_MAX, tb[NL80211_ATTR_BSS], policy);
        if (r < 0 || !bss[NL80211_BSS_BSSID]) {
                log_debug("wifi: %s: malformed BSS entry skipped", d->scan->ifname);
                return 0;
        }
        memcpy(b.bssid, nla_data(bss[NL80211_BSS_BSSID]), 6);
        if (bss[NL80211_BSS_FREQUENCY])
                b.frequency = nla_get_u32(bss[NL80211_BSS_FREQUENCY]);
        if (bss[NL80211_BSS_CAPABILITY])
                b.capability = nla_get_u16(bss[NL80211_BSS_CAPABILITY]);
        if (bss[NL80211_BSS_SIGNAL_MBM]) {
                b.has_signal = true;
                b.signal_mbm = (int32_t) nla_get_u32(bss[NL80211_BSS_SIGNAL_MBM]);
        }
        if (bss[NL80211_BSS_SEEN_MS_AGO]) {
                b.seen_ms_ago = nla_get_u32(bss[NL80211_BSS_SEEN_MS_AGO]);
                /* Entries the kernel keeps from earlier scans (up to 30 s)
                 * are not evidence of this one. */
                elapsed_ms = (mono_now() - d->triggered) / USEC_PER_MSEC;
                if (b.seen_ms_ago > elapsed_ms + FRESH_SLACK_MS)
                        return 0;
        }
        b.ies_from_probe_resp = bss[NL80211_BSS_PRESP_DATA] != NULL;

        if (blob_dup(bss[NL80211_BSS_INFORMATION_ELEMENTS], &b.ies, &b.ies_len) < 0 ||
            blob_dup(bss[NL80211_BSS_BEACON_IES], &b.beacon_ies, &b.beacon_ies_len) < 0) {
                bss_done(&b);
                return -ENOMEM;
        }
        if (d->ssid && !bss_ssid_matches(&b, d->ssid)) {
                bss_done(&b);
                return 0;
        }
        if (d->n_bss == d->n_alloc) {
                size_t n = d->n_alloc ? d->n_alloc * 2 : 16;
                struct wifi_bss *p = reallocarray(d->bss, n, sizeof(*p));

                if (!p) {
                        bss_done(&b);
                        return -ENOMEM;
                }
                d->bss = p;
                d->n_alloc = n;
        }
        d->bss[d->n_bss++] = b;
        return 0;
}

static void dump_clear(struct dump *d) {
        for (size_t i = 0; i < d->n_bss; i++)
                bss_done(&d->bss[i]);
        free(d->bss);
        d->bss = NULL;
        d->n_bss = d->n_alloc = 0;
}

static int scan_dump(struct wifi_scan *s, struct dump *d, usec_t deadline) {
        for (;;) {
                _cleanup_(nlmsg_freep) struct nl_msg *msg = NULL;
                int r;

                r = scan_msg_new(s, NL80211_CMD_GET_SCAN, NLM_F_DUMP, &msg);
                if (r < 0)
                        return r;
                r = request_run(s, msg, dump_parse, d, deadline);
                if (r >= 0)
                        return 0;
                dump_clear(d);
                /* The BSS table changed under the dump, or the reply
                 * overran our buffer: the answer is incomplete, ask again. */
                if (r != -EINTR && r != -ENOBUFS)
                        return log_debug_errno(r, "wifi: %s: GET_SCAN: %m", s->ifname);
                s->stats.dump_restarts++;
                log_debug_errno(r, "wifi: %s: GET_SCAN incomplete, restarting: %m", s->ifname);
        }
}

int wifi_scan_run(struct wifi_scan *s, const char *ssid_filter, usec_t deadline,
                  struct wifi_bss_list **ret_list) {
        _cleanup_free_ struct wifi_bss_list *l = NULL;
        struct dump d = { .scan = s, .ssid = ssid_filter };
        bool aborted_once = false;
        int r;

        if (!s || !ret_list || (ssid_filter && strlen(ssid_filter) > WIFI_SSID_MAX))
                return -EINVAL;

        /* What is queued predates this run and is not about our scan. */
        (void) ev_read(s, NULL);

        for (;;) {
                if (abort_pending(s))
                        return -ECANCELED;
                if (mono_now() >= deadline)
                        return -ETIMEDOUT;
                d.triggered = mono_now();
                r = scan_trigger(s, ssid_filter, deadline);
                if (r == -EBUSY) {
                        /* A scan is running: someone else's, or ours whose
                         * end notification we lost. Let it end, then ours. */
                        s->stats.busy++;
                        r = ev_wait_end(s, deadline);
                        if (r < 0 && r != -ENOBUFS)
                                return r;
                        continue;
                }
                if (r < 0)
                        return r;
                s->stats.triggers++;

                r = ev_wait_end(s, deadline);
                if (r == 0)
                        break;
                if (r > 0) {
                        s->stats.aborted++;
                        log_debug("wifi: %s: scan aborted%s", s->ifname,
                                  aborted_once ? "" : ", retrying");
                        if (aborted_once)
                                return -ECANCELED;
                        aborted_once = true;
                        continue;
                }
                if (r == -ENOBUFS)
                        continue; /* resync: trigger again (EBUSY if still running) */
                return log_debug_errno(r, "wifi: %s: waiting for scan results: %m", s->ifname);
        }

        r = scan_dump(s, &d, deadline);
        if (r < 0)
                return r;
        l = calloc(1, sizeof(*l));
        if (!l) {
                dump_clear(&d);
                return -ENOMEM;
        }
        l->bss = TAKE_PTR(d.bss);
        l->n_bss = d.n_bss;
        *ret_list = TAKE_PTR(l);
        return 0;
}

void wifi_bss_list_free(struct wifi_bss_list *l) {
        if (!l)
                return;
        for (size_t i = 0; i < l->n_bss; i++)
                bss_done(&l->bss[i]);
        free(l->bss);
        free(l);
}

const struct wifi_scan_stats *wifi_scan_get_stats(const struct wifi_scan *s) {
        return &s->stats;
}

int wifi_scan_set_abort_fd(struct wifi_scan *s, int fd) {
        if (!s || fd < -1)
                return -EINVAL;
        s->abort_fd = fd;
        return 0;
}

int wifi_scan_set_frequencies(struct wifi_scan *s, const uint32_t *mhz, size_t n) {
        uint32_t *copy = NULL;

        if (!s || (n > 0 && !mhz))
                return -EINVAL;
        if (n > 0) {
                copy = reallocarray(NULL, n, sizeof(*copy));
                if (!copy)
                        return -ENOMEM;
                memcpy(copy, mhz, n * sizeof(*copy));
        }
        free(s->freqs);
        s->freqs = copy;
        s->n_freqs = n;
        return 0;
}

struct wifi_scan *wifi_scan_free(struct wifi_scan *s) {
        if (!s)
                return NULL;
        if (s->ev)
                nl_socket_free(s->ev);
        if (s->cmd)
                nl_socket_free(s->cmd);
        free(s->evbuf);
        free(s->freqs);
        free(s->ifname);
        free(s);
        return NULL;
}

DEFINE_TRIVIAL_CLEANUP_FUNC(struct wifi_scan *, wifi_scan_free);

int wifi_scan_new(const char *ifname, struct wifi_scan **ret) {
        _cleanup_(wifi_scan_freep) struct wifi_scan *s = NULL;
        _cleanup_(nl_sock_freep) struct nl_sock *ctl = NULL;
        int r, size = EV_RCVBUF;

        if (!ifname || !ret)
                return -EINVAL;
        s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        s->abort_fd = -1;
        s->ifname = strdup(ifname);
        s->evbuf = malloc(EV_BUF_SIZE);
        if (!s->ifname || !s->evbuf)
                return -ENOMEM;
        s->ifindex = if_nametoindex(ifname);
        if (s->ifindex == 0)
                return log_debug_errno(negative_errno(), "wifi: %s: no such interface: %m", ifname);

        /* Family and group lookups are answered by the local kernel at once;
         * they are the only calls here without a deadline (libnl's
         * resolvers need a blocking socket: a throwaway one). */
        r = cmd_socket_open(false, &ctl);
        if (r < 0)
                return log_debug_errno(r, "wifi: generic netlink socket: %m");
        s->family = genl_ctrl_resolve(ctl, NL80211_GENL_NAME);
        if (s->family < 0)
                return log_debug_errno(nle_to_errno(s->family), "wifi: resolving nl80211: %m");
        s->scan_group = genl_ctrl_resolve_grp(ctl, NL80211_GENL_NAME,
                                              NL80211_MULTICAST_GROUP_SCAN);
        if (s->scan_group < 0)
                return log_debug_errno(nle_to_errno(s->scan_group),
                                       "wifi: resolving nl80211 group \"scan\": %m");
        r = cmd_socket_reset(s);
        if (r < 0)
                return r;

        s->ev = nl_socket_alloc();
        if (!s->ev)
                return -ENOMEM;
        nl_socket_disable_seq_check(s->ev);
        r = genl_connect(s->ev);
        if (r < 0)
                return log_debug_errno(nle_to_errno(r), "wifi: event socket: %m");
        /* A roomy buffer makes overruns rare; they are handled anyway. */
        if (setsockopt(nl_socket_get_fd(s->ev), SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
                (void) setsockopt(nl_socket_get_fd(s->ev), SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
        r = nl_socket_add_membership(s->ev, s->scan_group);
        if (r < 0)
                return log_debug_errno(nle_to_errno(r), "wifi: joining nl80211 \"scan\": %m");

        *ret = TAKE_PTR(s);
        return 0;
}
