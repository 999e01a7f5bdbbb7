/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The pairing classifier. One table of connections; a BR/EDR entry is
 * found by peer address (the security events carry the address, not the
 * handle) and gets its handle from Connection Complete; an LE entry is
 * found by handle (HCI) or access address (sniff). Each entry holds at
 * most one pairing in progress. */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/macros.h"
#include "drivers/bt/acl.h"
#include "drivers/bt/hci-pairing-events.h"
#include "lib/btpair/btpair.h"

/* Within one LE connection event the packets are T_IFS (150 us) plus at
 * most one 251-octet PDU (2.1 ms at 1M PHY) apart; a gap longer than this,
 * or another channel, starts the next event, whose first packet is the
 * central's. Used only for sniffs, which carry no direction. */
#define LL_EVENT_GAP_USEC 2500

enum conn_key {
        KEY_HANDLE,                     /* HCI connection handle */
        KEY_ADDR,                       /* BR/EDR peer address, handle not known yet */
        KEY_AA,                         /* LE sniff: access address */
};

struct session {
        bool active;
        struct btpair_result res;
        struct btpair_side local, remote;   /* SSP: before roles are known */
        bool local_first;               /* SSP: the local host sent its IO capability first */
        bool remote_first;
        bool init_seen, resp_seen;      /* LE: Pairing Request / Response */
        bool failed;                    /* a refusal seen; the end comes later */
        uint8_t fail_status;
        const char *fail_reason;
};

struct conn {
        bool used;
        uint64_t last_use;
        uint16_t index;
        enum conn_key key;
        uint16_t handle;
        uint32_t aa;
        bool transport_known;
        enum btpair_transport transport;
        bool addr_known;
        struct bt_addr addr;
        uint8_t addr_type;
        bool auth_requested;            /* the local host asked to authenticate (BR/EDR) */
        struct session s;
        struct bt_l2cap_reasm reasm[2]; /* [0] sent / central, [1] received / peripheral */
        /* sniff direction heuristic */
        uint64_t ll_last_ts;
        uint8_t ll_last_channel;
        unsigned ll_pos;
        bool ll_encrypting;             /* LL_ENC_RSP / LL_START_ENC_REQ seen since the last LL_ENC_REQ */
};

struct btpair {
        btpair_report_fn report;
        void *userdata;
        struct conn conns[BTPAIR_CONN_MAX];
        uint64_t clock;                 /* records fed, for least-recently-used reuse */
        const struct btsnoop_record *rec;   /* the record being fed */
        struct btpair_stats stats;
};

struct btpair *btpair_new(btpair_report_fn report, void *userdata) {
        struct btpair *p = calloc(1, sizeof(*p));

        if (!p)
                return NULL;
        p->report = report;
        p->userdata = userdata;
        return p;
}

struct btpair *btpair_free(struct btpair *p) {
        free(p);
        return NULL;
}

void btpair_stats_get(const struct btpair *p, struct btpair_stats *ret) {
        *ret = p->stats;
}

const char *btpair_transport_to_id(enum btpair_transport t) {
        switch (t) {
        case BTPAIR_TRANSPORT_BREDR:
                return "bredr";
        case BTPAIR_TRANSPORT_LE:
                return "le";
        case _BTPAIR_TRANSPORT_MAX:
                break;
        }
        return "unknown";
}

const char *btpair_method_to_id(enum btpair_method m) {
        switch (m) {
        case BTPAIR_METHOD_UNKNOWN:
                return "unknown";
        case BTPAIR_METHOD_LEGACY_PIN:
                return "legacy-pin";
        case BTPAIR_METHOD_SSP:
                return "ssp";
        case BTPAIR_METHOD_SSP_SC:
                return "ssp-sc";
        case BTPAIR_METHOD_LE_LEGACY:
                return "le-legacy";
        case BTPAIR_METHOD_LE_SC:
                return "le-sc";
        case _BTPAIR_METHOD_MAX:
                break;
        }
        return "unknown";
}

const char *btpair_method_to_string(enum btpair_method m) {
        switch (m) {
        case BTPAIR_METHOD_UNKNOWN:
                return "unknown";
        case BTPAIR_METHOD_LEGACY_PIN:
                return "BR/EDR legacy pairing (PIN code)";
        case BTPAIR_METHOD_SSP:
                return "BR/EDR Secure Simple Pairing (P-192)";
        case BTPAIR_METHOD_SSP_SC:
                return "BR/EDR Secure Connections (P-256)";
        case BTPAIR_METHOD_LE_LEGACY:
                return "LE legacy pairing";
        case BTPAIR_METHOD_LE_SC:
                return "LE Secure Connections";
        case _BTPAIR_METHOD_MAX:
                break;
        }
        return "unknown";
}

const char *btpair_outcome_to_id(enum btpair_outcome o) {
        switch (o) {
        case BTPAIR_OUTCOME_SUCCESS:
                return "success";
        case BTPAIR_OUTCOME_FAILURE:
                return "failure";
        case BTPAIR_OUTCOME_ABORTED:
                return "aborted";
        case _BTPAIR_OUTCOME_MAX:
                break;
        }
        return "unknown";
}

/* ---- the connection table ---- */

static struct conn *conn_new(struct btpair *p, uint16_t index, enum conn_key key) {
        struct conn *victim = NULL;

        for (size_t i = 0; i < BTPAIR_CONN_MAX; i++)
                if (!p->conns[i].used) {
                        victim = &p->conns[i];
                        break;
                }
        if (!victim) {
                /* Full: reuse the least recently used idle entry, else the
                 * least recently used one (its pairing is lost). */
                for (size_t i = 0; i < BTPAIR_CONN_MAX; i++) {
                        struct conn *c = &p->conns[i];
                        if (c->s.active)
                                continue;
                        if (!victim || c->last_use < victim->last_use)
                                victim = c;
                }
                if (!victim) {
                        victim = &p->conns[0];
                        for (size_t i = 1; i < BTPAIR_CONN_MAX; i++)
                                if (p->conns[i].last_use < victim->last_use)
                                        victim = &p->conns[i];
                }
        }
        memset(victim, 0, sizeof(*victim));
        victim->used = true;
        victim->index = index;
        victim->key = key;
        victim->handle = 0xffff;
        victim->last_use = p->clock;
        return victim;
}

static struct conn *conn_by_handle(struct btpair *p, uint16_t index, uint16_t handle) {
        for (size_t i = 0; i < BTPAIR_CONN_MAX; i++) {
                struct conn *c = &p->conns[i];
                if (c->used && c->key == KEY_HANDLE && c->index == index && c->handle == handle) {
                        c->last_use = p->clock;
                        return c;
                }
        }
        return NULL;
}

static struct conn *conn_by_addr(struct btpair *p, uint16_t index, const struct bt_addr *a) {
        struct conn *found = NULL;

        /* BR/EDR only; prefer the entry with a live handle. */
        for (size_t i = 0; i < BTPAIR_CONN_MAX; i++) {
                struct conn *c = &p->conns[i];
                if (!c->used || c->index != index || !c->addr_known || !bt_addr_equal(&c->addr, a) ||
                    c->key == KEY_AA || (c->transport_known && c->transport != BTPAIR_TRANSPORT_BREDR))
                        continue;
                if (!found || (found->key == KEY_ADDR && c->key == KEY_HANDLE))
                        found = c;
        }
        if (found)
                found->last_use = p->clock;
        return found;
}

static struct conn *bredr_conn(struct btpair *p, uint16_t index, const struct bt_addr *a) {
        struct conn *c = conn_by_addr(p, index, a);

        if (c)
                return c;
        c = conn_new(p, index, KEY_ADDR);
        c->addr_known = true;
        c->addr = *a;
        c->transport_known = true;
        c->transport = BTPAIR_TRANSPORT_BREDR;
        return c;
}

/* ---- sessions ---- */

static void session_start(struct btpair *p, struct conn *c, enum btpair_transport t, enum btpair_method m) {
        struct session *s = &c->s;

        *s = (struct session){ .active = true };
        s->res.first_record = p->rec->number;
        s->res.ts_usec = p->rec->ts_usec;
        s->res.index = c->index;
        s->res.transport = t;
        s->res.method = m;
        s->res.model = m == BTPAIR_METHOD_LEGACY_PIN ? BT_ASSOC_PIN : BT_ASSOC_UNKNOWN;
        if (!c->transport_known) {
                c->transport_known = true;
                c->transport = t;
        }
}

static void ssp_roles(struct session *s) {
        struct btpair_result *r = &s->res;

        if (!s->local.known && !s->remote.known)
                return;
        r->local_known = true;
        /* The initiating host gets IO Capability Request first and
         * answers before the peer's IO Capability Response arrives. */
        r->local_is_initiator = s->local_first || (!s->remote_first && s->local.known);
        r->initiator = r->local_is_initiator ? s->local : s->remote;
        r->responder = r->local_is_initiator ? s->remote : s->local;
        if (r->initiator.known && r->responder.known)
                r->model = bt_ssp_assoc_model(r->initiator.io_cap, r->initiator.oob, r->initiator.auth_req,
                                              r->responder.io_cap, r->responder.oob, r->responder.auth_req);
}

static void session_end(struct btpair *p, struct conn *c, enum btpair_outcome o, uint8_t status, bool smp_reason,
                        const char *reason) {
        struct session *s = &c->s;
        struct btpair_result *r = &s->res;

        if (!s->active)
                return;
        if (o != BTPAIR_OUTCOME_SUCCESS && s->failed) {
                o = BTPAIR_OUTCOME_FAILURE;
                if (!status) {
                        status = s->fail_status;
                        reason = s->fail_reason;
                }
        }
        if (r->method == BTPAIR_METHOD_SSP || r->method == BTPAIR_METHOD_SSP_SC)
                ssp_roles(s);
        r->last_record = p->rec ? p->rec->number : r->first_record;
        r->handle = c->key == KEY_HANDLE ? c->handle : 0xffff;
        r->peer_known = c->addr_known;
        r->peer = c->addr;
        r->peer_addr_type = c->addr_type;
        r->outcome = o;
        r->status = o == BTPAIR_OUTCOME_FAILURE ? status : 0;
        r->smp_reason = o == BTPAIR_OUTCOME_FAILURE && smp_reason;
        r->reason = reason;
        s->active = false;
        p->stats.pairings++;
        if (p->report)
                p->report(r, p->userdata);
}

static void conn_drop(struct btpair *p, struct conn *c, const char *why) {
        session_end(p, c, BTPAIR_OUTCOME_ABORTED, 0, false, why);
        memset(c, 0, sizeof(*c));
}

/* ---- LE: SMP ---- */

static void side_from_smp(struct btpair_side *side, const struct bt_smp_pairing *sp) {
        *side = (struct btpair_side){
                .known = true,
                .io_cap = sp->io_cap,
                .oob = sp->oob,
                .auth_req = sp->auth_req,
                .max_key_size = sp->max_key_size,
                .init_key_dist = sp->init_key_dist,
                .resp_key_dist = sp->resp_key_dist,
        };
}

static void le_classify(struct session *s) {
        struct btpair_result *r = &s->res;
        struct bt_smp_pairing i, q;
        bool sc;

        if (!s->init_seen || !s->resp_seen) {
                if (s->init_seen && !(r->initiator.auth_req & BT_SMP_AUTH_SC))
                        r->method = BTPAIR_METHOD_LE_LEGACY;
                return;
        }
        sc = (r->initiator.auth_req & r->responder.auth_req & BT_SMP_AUTH_SC) != 0;
        r->method = sc ? BTPAIR_METHOD_LE_SC : BTPAIR_METHOD_LE_LEGACY;
        i = (struct bt_smp_pairing){ .io_cap = r->initiator.io_cap, .oob = r->initiator.oob,
                                     .auth_req = r->initiator.auth_req };
        q = (struct bt_smp_pairing){ .io_cap = r->responder.io_cap, .oob = r->responder.oob,
                                     .auth_req = r->responder.auth_req };
        r->model = bt_smp_assoc_model(&i, &q, sc);
        r->enc_key_size = r->initiator.max_key_size < r->responder.max_key_size ? r->initiator.max_key_size
                                                                                 : r->responder.max_key_size;
}

static void le_smp(struct btpair *p, struct conn *c, enum btsnoop_dir dir, const uint8_t *buf, size_t len) {
        struct session *s = &c->s;
        struct bt_smp_pdu pdu;

        if (bt_smp_parse(buf, len, &pdu) < 0) {
                p->stats.malformed++;
                return;
        }
        switch (pdu.code) {
        case BT_SMP_PAIRING_REQUEST:
                if (s->active)
                        session_end(p, c, BTPAIR_OUTCOME_ABORTED, 0, false,
                                    "a new Pairing Request restarted pairing");
                session_start(p, c, BTPAIR_TRANSPORT_LE, BTPAIR_METHOD_UNKNOWN);
                side_from_smp(&s->res.initiator, &pdu.pairing);
                s->init_seen = true;
                if (dir != BTSNOOP_DIR_UNKNOWN) {
                        s->res.local_known = true;
                        s->res.local_is_initiator = dir == BTSNOOP_DIR_SENT;
                }
                le_classify(s);
                break;
        case BT_SMP_PAIRING_RESPONSE:
                if (!s->active) {
                        /* The request is not in the trace. */
                        session_start(p, c, BTPAIR_TRANSPORT_LE, BTPAIR_METHOD_UNKNOWN);
                        if (dir != BTSNOOP_DIR_UNKNOWN) {
                                s->res.local_known = true;
                                s->res.local_is_initiator = dir == BTSNOOP_DIR_RECEIVED;
                        }
                }
                side_from_smp(&s->res.responder, &pdu.pairing);
                s->resp_seen = true;
                le_classify(s);
                break;
        case BT_SMP_PAIRING_FAILED:
                if (!s->active)
                        break;          /* refusing a Security Request, or a stray */
                session_end(p, c, BTPAIR_OUTCOME_FAILURE, pdu.reason, true, bt_smp_reason_to_string(pdu.reason));
                break;
        default:
                /* Confirm, Random, Public Key, DHKey Check, key distribution,
                 * Security Request: the classification does not change. */
                break;
        }
}

/* The link got encrypted (status 0) or failed to. */
static void le_encrypted(struct btpair *p, struct conn *c, uint8_t status) {
        struct session *s = &c->s;

        if (!s->active || c->transport != BTPAIR_TRANSPORT_LE) {
                if (status == 0 && c->transport_known && c->transport == BTPAIR_TRANSPORT_LE)
                        p->stats.bonded_reconnects++;   /* a stored LTK, no pairing */
                return;
        }
        if (status != 0) {
                session_end(p, c, BTPAIR_OUTCOME_FAILURE, status, false, "encryption with the new key failed");
                return;
        }
        if (!s->resp_seen)
                return;                 /* encryption without a completed exchange: not this pairing's */
        session_end(p, c, BTPAIR_OUTCOME_SUCCESS, 0, false, "the link was encrypted with the new key");
}

static void l2cap_frame(struct btpair *p, struct conn *c, enum btsnoop_dir dir, const struct bt_l2cap_frame *f) {
        if (f->cid == BT_L2CAP_CID_SMP)
                le_smp(p, c, dir, f->payload, f->len);
        /* CID 0x0007 (SMP over BR/EDR) derives LE keys from a BR/EDR
         * pairing that was already reported: not a pairing of its own. */
}

static void acl_packet(struct btpair *p, const struct btsnoop_record *rec) {
        struct bt_l2cap_frame f;
        struct bt_acl acl;
        struct conn *c;
        int k;

        if (bt_acl_parse(rec->data, rec->len, &acl) < 0) {
                p->stats.malformed++;
                return;
        }
        c = conn_by_handle(p, rec->index, acl.handle);
        if (!c) {
                /* The trace started after Connection Complete. */
                c = conn_new(p, rec->index, KEY_HANDLE);
                c->handle = acl.handle;
        }
        k = bt_l2cap_reasm_feed(&c->reasm[rec->dir == BTSNOOP_DIR_SENT ? 0 : 1], acl.pb != BT_ACL_PB_CONTINUATION,
                                acl.data, acl.len, &f);
        if (k < 0)
                p->stats.malformed++;
        if (k > 0)
                l2cap_frame(p, c, rec->dir, &f);
}

/* ---- LE link layer (sniffs) ---- */

static struct conn *conn_by_aa(struct btpair *p, uint32_t aa) {
        for (size_t i = 0; i < BTPAIR_CONN_MAX; i++) {
                struct conn *c = &p->conns[i];
                if (c->used && c->key == KEY_AA && c->aa == aa) {
                        c->last_use = p->clock;
                        return c;
                }
        }
        return NULL;
}

static void ll_packet(struct btpair *p, const struct btsnoop_record *rec) {
        struct bt_l2cap_frame f;
        struct bt_ll_pdu pdu;
        struct conn *c;
        unsigned side;
        uint8_t llid;
        int k;

        if (bt_ll_parse(rec->data, rec->len, true, &pdu) < 0) {
                p->stats.malformed++;
                return;
        }
        if (pdu.access_address == BT_LL_ADV_ACCESS_ADDRESS) {
                struct bt_ll_connect_ind ci;

                if (bt_ll_connect_ind(&pdu, &ci) < 0)
                        return;
                c = conn_by_aa(p, ci.access_address);
                if (c)
                        conn_drop(p, c, "a new connection took its access address");
                c = conn_new(p, rec->index, KEY_AA);
                c->aa = ci.access_address;
                c->transport_known = true;
                c->transport = BTPAIR_TRANSPORT_LE;
                /* The DUT is the peripheral a bench or phone connects to. */
                c->addr_known = true;
                c->addr = ci.adv_addr;
                c->addr_type = ci.adv_random;
                return;
        }
        c = conn_by_aa(p, pdu.access_address);
        if (!c) {
                c = conn_new(p, rec->index, KEY_AA);
                c->aa = pdu.access_address;
                c->transport_known = true;
                c->transport = BTPAIR_TRANSPORT_LE;
        }
        /* Which side sent it: position within the connection event. */
        if (c->ll_pos == 0 || rec->rf_channel != c->ll_last_channel || rec->ts_usec < c->ll_last_ts ||
            rec->ts_usec - c->ll_last_ts > LL_EVENT_GAP_USEC)
                c->ll_pos = 0;
        side = c->ll_pos % 2;
        c->ll_pos++;
        c->ll_last_channel = rec->rf_channel;
        c->ll_last_ts = rec->ts_usec;

        llid = pdu.header & 0x03;
        if (llid == BT_LL_LLID_CONTROL) {
                if (pdu.len >= 1 && pdu.payload[0] == BT_LL_CTRL_ENC_REQ)
                        c->ll_encrypting = false;
                else if (pdu.len >= 1 &&
                         (pdu.payload[0] == BT_LL_CTRL_ENC_RSP || pdu.payload[0] == BT_LL_CTRL_START_ENC_REQ)) {
                        /* One encryption start shows both; a missed one either. */
                        if (!c->ll_encrypting)
                                le_encrypted(p, c, 0);
                        c->ll_encrypting = true;
                } else if (pdu.len >= 1 && pdu.payload[0] == BT_LL_CTRL_TERMINATE_IND)
                        conn_drop(p, c, "the connection was terminated during pairing");
                return;
        }
        if (llid == BT_LL_LLID_CONTINUATION && pdu.len == 0)
                return;                 /* empty PDU */
        if (llid == BT_LL_LLID_CONTINUATION && !c->reasm[side].active && c->reasm[!side].active)
                side = !side;           /* a packet of the event was not captured */
        k = bt_l2cap_reasm_feed(&c->reasm[side], llid == BT_LL_LLID_START, pdu.payload, pdu.len, &f);
        if (k > 0)
                l2cap_frame(p, c, BTSNOOP_DIR_UNKNOWN, &f);
}

/* ---- HCI events and commands ---- */

static void side_from_io(struct btpair_side *side, const struct bt_io_capability *io) {
        *side = (struct btpair_side){ .known = true, .io_cap = io->io_cap, .oob = io->oob, .auth_req = io->auth_req };
}

static void bredr_key(struct btpair *p, const struct btsnoop_record *rec, const struct bt_hci_link_key_notify *n) {
        struct conn *c = bredr_conn(p, rec->index, &n->addr);
        struct session *s = &c->s;
        enum btpair_method m;

        if (n->key_type <= BT_LINK_KEY_REMOTE_UNIT)
                m = BTPAIR_METHOD_LEGACY_PIN;
        else if (n->key_type == BT_LINK_KEY_UNAUTH_P256 || n->key_type == BT_LINK_KEY_AUTH_P256)
                m = BTPAIR_METHOD_SSP_SC;
        else
                m = BTPAIR_METHOD_SSP;
        if (!s->active) {
                if (n->key_type == BT_LINK_KEY_CHANGED_COMBINATION)
                        return;         /* Change Connection Link Key: no pairing */
                session_start(p, c, BTPAIR_TRANSPORT_BREDR, m);
        }
        if (s->res.method == BTPAIR_METHOD_UNKNOWN || (s->res.method == BTPAIR_METHOD_SSP && m == BTPAIR_METHOD_SSP_SC))
                s->res.method = m;
        s->res.key_type_known = true;
        s->res.key_type = n->key_type;
        session_end(p, c, BTPAIR_OUTCOME_SUCCESS, 0, false, "a link key was created");
}

static void hci_event(struct btpair *p, const struct btsnoop_record *rec) {
        struct bt_hci_evt e;
        struct conn *c;
        struct bt_addr a;
        uint8_t status;
        uint16_t handle, ediv;

        if (bt_hci_evt_parse(rec->data, rec->len, &e) < 0) {
                p->stats.malformed++;
                return;
        }
        switch (e.code) {
        case BT_HCI_EVT_CONN_COMPLETE: {
                struct bt_hci_conn_complete cc;

                if (bt_hci_evt_conn_complete(&e, &cc) < 0)
                        goto bad;
                if (cc.link_type != 1)
                        return;         /* SCO/eSCO */
                c = conn_by_addr(p, rec->index, &cc.addr);
                if (cc.status != 0) {
                        if (c && c->key == KEY_ADDR)
                                conn_drop(p, c, "the connection failed during pairing");
                        return;
                }
                if (!c || c->key == KEY_HANDLE) {
                        struct conn *old = conn_by_handle(p, rec->index, cc.handle);
                        if (old)
                                conn_drop(p, old, "the connection handle was reused");
                        c = conn_new(p, rec->index, KEY_HANDLE);
                        c->addr_known = true;
                        c->addr = cc.addr;
                        c->transport_known = true;
                        c->transport = BTPAIR_TRANSPORT_BREDR;
                }
                c->key = KEY_HANDLE;
                c->handle = cc.handle;
                return;
        }
        case BT_HCI_EVT_DISCONN_COMPLETE: {
                struct bt_hci_disconn_complete dc;

                if (bt_hci_evt_disconn_complete(&e, &dc) < 0)
                        goto bad;
                if (dc.status != 0)
                        return;
                c = conn_by_handle(p, rec->index, dc.handle);
                if (c)
                        conn_drop(p, c, "the connection dropped during pairing");
                return;
        }
        case BT_HCI_EVT_AUTH_COMPLETE:
                if (bt_hci_evt_auth_complete(&e, &status, &handle) < 0)
                        goto bad;
                c = conn_by_handle(p, rec->index, handle);
                if (!c)
                        return;
                c->auth_requested = false;
                if (status != 0)
                        session_end(p, c, BTPAIR_OUTCOME_FAILURE, status, false, "authentication failed");
                return;
        case BT_HCI_EVT_ENCRYPT_CHANGE:
        case BT_HCI_EVT_ENCRYPT_CHANGE_V2: {
                struct bt_hci_encrypt_change ec;

                if (bt_hci_evt_encrypt_change(&e, &ec) < 0)
                        goto bad;
                c = conn_by_handle(p, rec->index, ec.handle);
                if (!c)
                        return;
                if (!c->transport_known)
                        return;
                if (c->transport == BTPAIR_TRANSPORT_LE)
                        le_encrypted(p, c, ec.status ? ec.status : (ec.enabled ? 0 : 0x06));
                return;
        }
        case BT_HCI_EVT_LINK_KEY_REQUEST:
                if (bt_hci_evt_bdaddr(&e, e.code, &a) < 0)
                        goto bad;
                (void) bredr_conn(p, rec->index, &a);
                return;
        case BT_HCI_EVT_PIN_CODE_REQUEST:
                if (bt_hci_evt_bdaddr(&e, e.code, &a) < 0)
                        goto bad;
                c = bredr_conn(p, rec->index, &a);
                if (!c->s.active) {
                        session_start(p, c, BTPAIR_TRANSPORT_BREDR, BTPAIR_METHOD_LEGACY_PIN);
                        c->s.res.local_known = true;
                        c->s.res.local_is_initiator = c->auth_requested;
                }
                c->s.res.method = BTPAIR_METHOD_LEGACY_PIN;
                c->s.res.model = BT_ASSOC_PIN;
                return;
        case BT_HCI_EVT_IO_CAPABILITY_REQUEST:
                if (bt_hci_evt_bdaddr(&e, e.code, &a) < 0)
                        goto bad;
                c = bredr_conn(p, rec->index, &a);
                if (!c->s.active)
                        session_start(p, c, BTPAIR_TRANSPORT_BREDR, BTPAIR_METHOD_SSP);
                return;
        case BT_HCI_EVT_IO_CAPABILITY_RESPONSE: {
                struct bt_io_capability io;

                if (bt_hci_evt_io_capability_response(&e, &io) < 0)
                        goto bad;
                c = bredr_conn(p, rec->index, &io.addr);
                if (!c->s.active)
                        session_start(p, c, BTPAIR_TRANSPORT_BREDR, BTPAIR_METHOD_SSP);
                side_from_io(&c->s.remote, &io);
                if (!c->s.local.known)
                        c->s.remote_first = true;
                return;
        }
        case BT_HCI_EVT_SIMPLE_PAIRING_COMPLETE:
                if (bt_hci_evt_simple_pairing_complete(&e, &status, &a) < 0)
                        goto bad;
                c = conn_by_addr(p, rec->index, &a);
                if (c && status != 0)
                        session_end(p, c, BTPAIR_OUTCOME_FAILURE, status, false, "Simple Pairing failed");
                return;
        case BT_HCI_EVT_LINK_KEY_NOTIFY: {
                struct bt_hci_link_key_notify n;

                if (bt_hci_evt_link_key_notify(&e, &n) < 0)
                        goto bad;
                bredr_key(p, rec, &n);
                return;
        }
        case BT_HCI_EVT_LE_META: {
                struct bt_le_conn_complete lc;
                int k;

                k = bt_hci_evt_le_conn_complete(&e, &lc);
                if (k == 0) {
                        if (lc.status != 0)
                                return;
                        c = conn_by_handle(p, rec->index, lc.handle);
                        if (c)
                                conn_drop(p, c, "the connection handle was reused");
                        c = conn_new(p, rec->index, KEY_HANDLE);
                        c->handle = lc.handle;
                        c->transport_known = true;
                        c->transport = BTPAIR_TRANSPORT_LE;
                        c->addr_known = true;
                        c->addr = lc.peer;
                        c->addr_type = lc.peer_addr_type;
                        return;
                }
                if (k == -EBADMSG)
                        goto bad;
                k = bt_hci_evt_le_ltk_request(&e, &handle, &ediv);
                if (k == -EBADMSG)
                        goto bad;
                return;
        }
        default:
                return;
        }
bad:
        p->stats.malformed++;
}

static void hci_command(struct btpair *p, const struct btsnoop_record *rec) {
        struct bt_hci_cmd cmd;
        struct conn *c;
        struct bt_addr a;
        uint16_t handle;

        if (bt_hci_cmd_parse(rec->data, rec->len, &cmd) < 0) {
                p->stats.malformed++;
                return;
        }
        switch (cmd.opcode) {
        case BT_HCI_CMD_AUTH_REQUESTED:
                if (bt_hci_cmd_handle(&cmd, &handle) < 0)
                        goto bad;
                c = conn_by_handle(p, rec->index, handle);
                if (c)
                        c->auth_requested = true;
                return;
        case BT_HCI_CMD_LINK_KEY_REPLY:
                if (bt_hci_cmd_bdaddr(&cmd, &a) < 0)
                        goto bad;
                /* A stored key answers: a bonded reconnect, no pairing. */
                p->stats.bonded_reconnects++;
                return;
        case BT_HCI_CMD_PIN_CODE_REPLY: {
                const uint8_t *pin;
                uint8_t n;

                if (bt_hci_cmd_pin_code_reply(&cmd, &a, &pin, &n) < 0)
                        goto bad;
                c = conn_by_addr(p, rec->index, &a);
                if (!c || !c->s.active)
                        return;
                c->s.res.pin_known = true;
                c->s.res.pin_len = n;
                memcpy(c->s.res.pin, pin, n);
                c->s.res.pin[n] = 0;
                return;
        }
        case BT_HCI_CMD_IO_CAPABILITY_REPLY: {
                struct bt_io_capability io;

                if (bt_hci_cmd_io_capability_reply(&cmd, &io) < 0)
                        goto bad;
                c = bredr_conn(p, rec->index, &io.addr);
                if (!c->s.active)
                        session_start(p, c, BTPAIR_TRANSPORT_BREDR, BTPAIR_METHOD_SSP);
                side_from_io(&c->s.local, &io);
                if (!c->s.remote.known)
                        c->s.local_first = true;
                return;
        }
        case BT_HCI_CMD_PIN_CODE_NEG_REPLY:
        case BT_HCI_CMD_IO_CAPABILITY_NEG_REPLY:
        case BT_HCI_CMD_USER_CONFIRM_NEG_REPLY:
        case BT_HCI_CMD_USER_PASSKEY_NEG_REPLY:
                if (bt_hci_cmd_bdaddr(&cmd, &a) < 0)
                        goto bad;
                c = conn_by_addr(p, rec->index, &a);
                if (!c || !c->s.active)
                        return;
                c->s.failed = true;
                c->s.fail_status = 0x05;        /* Authentication Failure */
                c->s.fail_reason = cmd.opcode == BT_HCI_CMD_PIN_CODE_NEG_REPLY ? "the host refused to give a PIN"
                                                                               : "the host rejected the pairing";
                return;
        case BT_HCI_CMD_LE_LTK_REPLY:
        case BT_HCI_CMD_LE_START_ENCRYPTION:
        case BT_HCI_CMD_LE_LTK_NEG_REPLY:
                if (bt_hci_cmd_handle(&cmd, &handle) < 0)
                        goto bad;
                return;
        default:
                return;
        }
bad:
        p->stats.malformed++;
}

void btpair_feed(struct btpair *p, const struct btsnoop_record *rec) {
        p->clock++;
        p->stats.records++;
        p->rec = rec;
        switch (rec->type) {
        case BTSNOOP_TYPE_EVENT:
                hci_event(p, rec);
                break;
        case BTSNOOP_TYPE_COMMAND:
                hci_command(p, rec);
                break;
        case BTSNOOP_TYPE_ACL:
                acl_packet(p, rec);
                break;
        case BTSNOOP_TYPE_LE_LL:
                ll_packet(p, rec);
                break;
        case BTSNOOP_TYPE_OTHER:
        case BTSNOOP_TYPE_SCO:
        case BTSNOOP_TYPE_ISO:
        case _BTSNOOP_TYPE_MAX:
                break;
        }
        p->rec = NULL;
}

void btpair_finish(struct btpair *p) {
        for (size_t i = 0; i < BTPAIR_CONN_MAX; i++) {
                struct conn *c = &p->conns[i];
                if (c->used && c->s.active)
                        session_end(p, c, BTPAIR_OUTCOME_ABORTED, 0, false, "the trace ended during pairing");
        }
}
