/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* bt.pairing, LE: the two SMP probes (bt-le.h). Everything the DUT sends
 * comes in through the ACL handler and the pure decoders (acl.h, smp.h);
 * the bench never acts on a PDU that did not decode. */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "drivers/bt/hci-pairing-events.h"
#include "testcases/bt-le.h"

#define streq(a, b) (strcmp((a), (b)) == 0)

#define HCI_LE_SET_SCAN_PARAMETERS 0x200b
#define HCI_LE_SET_SCAN_ENABLE     0x200c
#define HCI_LE_CREATE_CONN         0x200d
#define HCI_LE_CREATE_CONN_CANCEL  0x200e
#define HCI_DISCONNECT             0x0406

/* The bench's offer: KeyboardDisplay lets the DUT's own IO capability
 * decide the association model; MITM and bonding as a phone would ask. */
#define BENCH_IO  BT_IO_KEYBOARD_DISPLAY
#define BENCH_KEY_DIST 0x07   /* EncKey, IdKey, SignKey */

static const char *const answer_ids[_BT_LE_ANSWER_MAX] = {
        [BT_LE_ANSWER_NONE] = "none",
        [BT_LE_ANSWER_RESPONSE] = "pairing-response",
        [BT_LE_ANSWER_FAILED] = "pairing-failed",
};

/* One LE link as the ACL handler sees it. */
struct le_link {
        bool up;
        uint16_t handle;
        struct bt_l2cap_reasm reasm;
        bool have_pdu;
        uint8_t code;
        struct bt_smp_pairing pairing;
        uint8_t reason;
        bool security_request;
        uint64_t malformed;
};

struct le_run {
        const struct bt_le_args *a;
        struct le_link link;
        uint8_t conn_status;             /* of the last LE Connection Complete */
        /* the DUT */
        bool found;
        struct bt_addr addr;
        uint8_t addr_type;
        char name[32];
        bool want_addr;
        const char *want_name;
        struct bt_le_probe probes[2];
        size_t n_probes;
};

static int on_acl(const uint8_t *acl, size_t len, void *userdata) {
        struct le_link *l = userdata;
        struct bt_acl a;
        struct bt_l2cap_frame f;
        struct bt_smp_pdu p;
        int r;

        if (bt_acl_parse(acl, len, &a) < 0) {
                l->malformed++;
                return 0;
        }
        if (!l->up || a.handle != l->handle)
                return 0;
        r = bt_l2cap_reasm_feed(&l->reasm, a.pb != BT_ACL_PB_CONTINUATION, a.data, a.len, &f);
        if (r < 0)
                l->malformed++;
        if (r <= 0 || f.cid != BT_L2CAP_CID_SMP)
                return 0;
        if (bt_smp_parse(f.payload, f.len, &p) < 0) {
                l->malformed++;
                return 0;
        }
        if (p.code == BT_SMP_SECURITY_REQUEST) {
                /* A peripheral asking us to pair: we are about to anyway. */
                l->security_request = true;
                return 0;
        }
        l->code = p.code;
        l->pairing = p.pairing;
        l->reason = p.reason;
        l->have_pdu = true;
        return 1;
}

/* -------------------------------------------------------------- find */

static int adv_pred(const struct bt_hci_evt *e, void *userdata) {
        struct le_run *lr = userdata;
        size_t n;

        if (bt_hci_evt_le_adv_report_count(e, &n) < 0)
                return 0;
        for (size_t i = 0; i < n; i++) {
                struct bt_le_adv_report rep;
                const uint8_t *v = NULL;
                size_t vlen = 0;
                char name[32] = "";

                if (bt_hci_evt_le_adv_report_get(e, i, &rep) < 0)
                        continue;
                /* Connectable (ADV_IND, ADV_DIRECT_IND), or the scan
                 * response of a scannable one that carries the name. */
                if (rep.event_type > 0x01 && rep.event_type != 0x04)
                        continue;
                if (bt_eir_find(rep.data, rep.data_len, BT_EIR_NAME_COMPLETE, &v, &vlen) == 0 ||
                    bt_eir_find(rep.data, rep.data_len, BT_EIR_NAME_SHORT, &v, &vlen) == 0) {
                        size_t k = vlen < sizeof(name) - 1 ? vlen : sizeof(name) - 1;

                        /* Printable only: it goes into the evidence. */
                        for (size_t j = 0; j < k; j++)
                                name[j] = v[j] >= 0x20 && v[j] < 0x7f ? (char) v[j] : '?';
                        name[k] = 0;
                }
                if (lr->want_addr && !bt_addr_equal(&rep.addr, &lr->addr))
                        continue;
                if (lr->want_name && !streq(name, lr->want_name))
                        continue;
                if (rep.event_type == 0x04 && !lr->want_name && !lr->want_addr)
                        continue;
                lr->addr = rep.addr;
                /* 0/1 public/random; 2/3 their resolved identities. */
                lr->addr_type = rep.addr_type & 1;
                snprintf(lr->name, sizeof(lr->name), "%s", name);
                lr->found = true;
                return 1;
        }
        return 0;
}

static int le_find(struct le_run *lr) {
        const struct bt_le_args *a = lr->a;
        /* Active scan, 10 ms interval = window, public own address, no filter. */
        static const uint8_t params[7] = { 0x01, 0x10, 0x00, 0x10, 0x00, 0x00, 0x00 };
        uint8_t on[2] = { 0x01, 0x00 }, off[2] = { 0x00, 0x00 };
        usec_t dl = deadline_in((usec_t) a->scan_s * USEC_PER_SEC);
        int r;

        r = bt_host_cmd_ok(a->h, HCI_LE_SET_SCAN_PARAMETERS, params, sizeof(params), dl, a->abort_fd, NULL);
        if (r >= 0)
                r = bt_host_cmd_ok(a->h, HCI_LE_SET_SCAN_ENABLE, on, sizeof(on), dl, a->abort_fd, NULL);
        if (r >= 0) {
                /* Said once the controller scans, so a watcher knows it does. */
                case_ctx_progress(a->ctx, "LE scan for up to %u s", a->scan_s);
                r = bt_hci_wait_event(a->h, adv_pred, lr, dl, a->abort_fd, NULL);
        }
        /* Scanning off whatever happened, an abort included (so not
         * cancellable; bounded by its own deadline); a refusal here
         * changes nothing. */
        (void) bt_host_cmd(a->h, HCI_LE_SET_SCAN_ENABLE, off, sizeof(off), deadline_in(2 * USEC_PER_SEC), -1,
                           NULL);
        if (r == BT_HOST_WAKE_ACL)
                r = lr->found ? 1 : -ETIMEDOUT;
        return r < 0 ? r : lr->found ? 0 : -EHOSTUNREACH;
}

/* ----------------------------------------------------------- connect */

static int conn_pred(const struct bt_hci_evt *e, void *userdata) {
        struct le_run *lr = userdata;
        struct bt_le_conn_complete cc;

        if (bt_hci_evt_le_conn_complete(e, &cc) < 0)
                return 0;
        if (cc.status == 0 && !bt_addr_equal(&cc.peer, &lr->addr))
                return 0;
        {
                uint64_t malformed = lr->link.malformed;   /* counts over the whole case */

                lr->link = (struct le_link){ .up = cc.status == 0, .handle = cc.handle, .malformed = malformed };
        }
        lr->conn_status = cc.status;
        return cc.status == 0 ? 1 : bt_host_status_to_errno(cc.status);
}

static int never_pred(const struct bt_hci_evt *e, void *userdata) {
        return 0;
}

static int le_connect(struct le_run *lr, usec_t dl) {
        const struct bt_le_args *a = lr->a;
        uint8_t p[25] = {
                0x60, 0x00,             /* scan interval 60 ms */
                0x30, 0x00,             /* scan window 30 ms */
                0x00,                   /* the peer address below, no filter accept list */
                lr->addr_type,
                0, 0, 0, 0, 0, 0,       /* peer address */
                0x00,                   /* own address public */
                0x18, 0x00, 0x28, 0x00, /* connection interval 30-50 ms */
                0x00, 0x00,             /* latency */
                0xf4, 0x01,             /* supervision timeout 5 s */
                0x00, 0x00, 0x00, 0x00, /* CE length */
        };
        int r;

        memcpy(p + 6, lr->addr.b, 6);
        for (;;) {
                lr->conn_status = 0;
                r = bt_host_cmd_ok(a->h, HCI_LE_CREATE_CONN, p, sizeof(p), dl, a->abort_fd, NULL);
                if (r < 0)
                        return r;
                r = bt_hci_wait_event(a->h, conn_pred, lr, dl, a->abort_fd, NULL);
                if (r == -ETIMEDOUT || r == -ECANCELED) {
                        /* The controller keeps trying until told otherwise. */
                        (void) bt_host_cmd(a->h, HCI_LE_CREATE_CONN_CANCEL, NULL, 0, deadline_in(2 * USEC_PER_SEC),
                                           -1, NULL);
                        return r;
                }
                /* 0x3e, Connection Failed to be Established: the DUT was
                 * not advertising yet (it resumes after our previous
                 * connection; btvirt fails at once where a radio would
                 * keep listening). Try again until the deadline. */
                if (r < 0 && lr->conn_status == 0x3e && mono_now() + 100 * USEC_PER_MSEC < dl) {
                        r = bt_hci_wait_event(a->h, never_pred, NULL, deadline_in(100 * USEC_PER_MSEC), a->abort_fd,
                                              NULL);
                        if (r == -ECANCELED)
                                return r;
                        continue;
                }
                return r < 0 ? r : 0;
        }
}

static int disconn_pred(const struct bt_hci_evt *e, void *userdata) {
        struct le_run *lr = userdata;
        struct bt_hci_disconn_complete dc;

        if (bt_hci_evt_disconn_complete(e, &dc) == 0 && dc.handle == lr->link.handle) {
                lr->link.up = false;
                return 1;
        }
        return 0;
}

static void le_disconnect(struct le_run *lr) {
        const struct bt_le_args *a = lr->a;
        uint8_t p[3] = { (uint8_t) lr->link.handle, (uint8_t) (lr->link.handle >> 8), 0x13 };
        usec_t dl = deadline_in(5 * USEC_PER_SEC);
        struct bt_host_cmd_result res;

        if (!lr->link.up)
                return;
        /* Not cancellable: an abort still leaves the link closed. */
        if (bt_host_cmd(a->h, HCI_DISCONNECT, p, sizeof(p), dl, -1, &res) >= 0 && res.status == 0)
                while (lr->link.up && bt_hci_wait_event(a->h, disconn_pred, lr, dl, -1, NULL) == BT_HOST_WAKE_ACL)
                        ;
        lr->link.up = false;
}

/* ------------------------------------------------------------- probe */

/* One connection, one Pairing Request, the DUT's answer. 0 when the
 * probe ran (the answer may be NONE), -errno for a bench fault or a DUT
 * that could not be connected. */
static int le_probe(struct le_run *lr, bool sc, struct bt_le_probe *pr) {
        const struct bt_le_args *a = lr->a;
        usec_t dl = deadline_in(a->per_conn);
        uint8_t pdu[BT_SMP_PAIRING_LEN], fail[BT_SMP_FAILED_LEN];
        int r;

        *pr = (struct bt_le_probe){
                .offered_sc = sc,
                .request = {
                        .io_cap = BENCH_IO,
                        .auth_req = BT_SMP_AUTH_BONDING | BT_SMP_AUTH_MITM | (sc ? BT_SMP_AUTH_SC : 0),
                        .max_key_size = 16,
                        .init_key_dist = BENCH_KEY_DIST,
                        .resp_key_dist = BENCH_KEY_DIST,
                },
        };
        r = le_connect(lr, dl);
        if (r < 0)
                return r;
        (void) bt_smp_pairing_build(BT_SMP_PAIRING_REQUEST, &pr->request, pdu);
        r = bt_host_send_l2cap(a->h, lr->link.handle, 0x00, BT_L2CAP_CID_SMP, pdu, sizeof(pdu), dl, a->abort_fd);
        while (r >= 0) {
                r = bt_hci_wait_event(a->h, disconn_pred, lr, dl, a->abort_fd, NULL);
                if (r == 1) {
                        pr->disconnected = true;
                        r = 0;
                        break;
                }
                if (r != BT_HOST_WAKE_ACL || !lr->link.have_pdu)
                        continue;
                lr->link.have_pdu = false;
                if (lr->link.code == BT_SMP_PAIRING_RESPONSE) {
                        pr->answer = BT_LE_ANSWER_RESPONSE;
                        pr->response = lr->link.pairing;
                        break;
                }
                if (lr->link.code == BT_SMP_PAIRING_FAILED) {
                        pr->answer = BT_LE_ANSWER_FAILED;
                        pr->failed_reason = lr->link.reason;
                        break;
                }
                /* Any other PDU before a response is out of order; keep
                 * waiting for the answer (it is in the btsnoop evidence). */
        }
        pr->security_request = lr->link.security_request;
        if (r == -ETIMEDOUT)
                r = 0;   /* no answer: recorded as NONE */
        if (r >= 0 && pr->answer == BT_LE_ANSWER_RESPONSE && lr->link.up) {
                (void) bt_smp_failed_build(BT_SMP_ERR_UNSPECIFIED, fail);
                (void) bt_host_send_l2cap(a->h, lr->link.handle, 0x00, BT_L2CAP_CID_SMP, fail, sizeof(fail),
                                          deadline_in(2 * USEC_PER_SEC), -1);
        }
        le_disconnect(lr);
        return r;
}

/* ---------------------------------------------------------- evidence */

static json_t *probe_json(const struct bt_le_probe *p) {
        json_t *rsp = json_null();

        if (p->answer == BT_LE_ANSWER_RESPONSE)
                rsp = json_pack("{s:i, s:s, s:i, s:i, s:b, s:b, s:b, s:i, s:i, s:i}", "io_capability",
                                p->response.io_cap, "io_capability_name", bt_io_capability_to_string(p->response.io_cap),
                                "oob", p->response.oob, "auth_req", p->response.auth_req, "sc",
                                (p->response.auth_req & BT_SMP_AUTH_SC) != 0, "mitm",
                                (p->response.auth_req & BT_SMP_AUTH_MITM) != 0, "bonding",
                                (p->response.auth_req & 0x03) == BT_SMP_AUTH_BONDING, "max_key_size",
                                p->response.max_key_size, "init_key_dist", p->response.init_key_dist,
                                "resp_key_dist", p->response.resp_key_dist);
        return json_pack("{s:b, s:i, s:s, s:o, s:o, s:s?, s:b, s:b}", "offered_sc", p->offered_sc, "request_auth_req",
                         p->request.auth_req, "answer", answer_ids[p->answer], "response", rsp ? rsp : json_null(),
                         "failed_reason", p->answer == BT_LE_ANSWER_FAILED ? json_integer(p->failed_reason) : json_null(),
                         "failed_reason_name",
                         p->answer == BT_LE_ANSWER_FAILED ? bt_smp_reason_to_string(p->failed_reason) : NULL,
                         "disconnected_before_answer", p->disconnected, "security_request", p->security_request);
}

/* --------------------------------------------------------------- run */

int bt_le_check(const struct bt_le_args *a, struct bt_le_result *ret) {
        struct le_run lr = { .a = a };
        const char *addr_s = json_string_value(json_object_get(a->profile, "le_address"));
        const char *type_s = json_string_value(json_object_get(a->profile, "le_address_type"));
        const char *claim = json_string_value(json_object_get(a->profile, "pairing"));
        const char *declared_io = json_string_value(json_object_get(a->profile, "io_capability"));
        bool sc_only_claimed = claim && streq(claim, "secure-connections-only");
        struct bt_le_decision d = { .model = BT_ASSOC_UNKNOWN, .downgrade_refused = -1 };
        json_t *probes;
        char as[BT_ADDR_STR_MAX] = "";
        bool jw_noted = false;
        int r;

        *ret = (struct bt_le_result){ .outcome = CASE_ERROR };
        lr.want_name = json_string_value(json_object_get(a->profile, "name"));
        if (addr_s) {
                if (bt_addr_from_string(addr_s, &lr.addr) < 0) {
                        snprintf(ret->reason, sizeof(ret->reason),
                                 "radios.bluetooth.le_address is \"%s\", expected AA:BB:CC:DD:EE:FF", addr_s);
                        goto evidence;
                }
                lr.want_addr = true;
        }
        if (type_s && !streq(type_s, "public") && !streq(type_s, "random")) {
                snprintf(ret->reason, sizeof(ret->reason),
                         "radios.bluetooth.le_address_type is \"%s\", expected public or random", type_s);
                goto evidence;
        }
        lr.addr_type = type_s && streq(type_s, "random") ? 1 : 0;

        bt_host_set_acl_handler(a->h, on_acl, &lr.link);

        r = le_find(&lr);
        if (r < 0) {
                if (r == -ECANCELED)
                        ret->outcome = CASE_ABORTED;
                else
                        snprintf(ret->reason, sizeof(ret->reason),
                                 "no connectable LE advertiser%s%s was seen within %u s (%s); check the DUT advertises, or declare radios.bluetooth.le_address",
                                 lr.want_name ? " named " : "", lr.want_name ? lr.want_name : "", a->scan_s,
                                 strerror(-r));
                goto evidence;
        }
        bt_addr_to_string(&lr.addr, as, sizeof(as));
        case_ctx_progress(a->ctx, "LE DUT %s (%s)%s%s", as, lr.addr_type ? "random" : "public",
                          lr.name[0] ? " " : "", lr.name);

        /* Probe 1: the bench's best offer. */
        r = le_probe(&lr, true, &lr.probes[0]);
        lr.n_probes = 1;
        if (r < 0) {
                lr.n_probes = 0;
                if (r == -ECANCELED)
                        ret->outcome = CASE_ABORTED;
                else
                        snprintf(ret->reason, sizeof(ret->reason), "LE connection to %s failed: %s", as, strerror(-r));
                goto evidence;
        }
        bt_le_decide(lr.probes, 1, sc_only_claimed, ret->reason, sizeof(ret->reason), &d);
        if (d.model == BT_ASSOC_JUST_WORKS && declared_io && !streq(declared_io, "no-input-no-output")) {
                jw_noted = true;
                case_ctx_progress(a->ctx, "note: LE Just Works although the profile declares io_capability %s",
                                  declared_io);
        }
        if (!d.need_downgrade_probe)
                goto decided;

        /* Probe 2: the downgrade. */
        case_ctx_progress(a->ctx, "LE downgrade probe: Pairing Request with SC=0");
        r = le_probe(&lr, false, &lr.probes[1]);
        lr.n_probes = 2;
        if (r < 0) {
                lr.n_probes = 1;
                if (r == -ECANCELED)
                        ret->outcome = CASE_ABORTED;
                else
                        snprintf(ret->reason, sizeof(ret->reason),
                                 "the DUT pairs with LE Secure Connections, but the second LE connection (downgrade probe) failed: %s",
                                 strerror(-r));
                goto evidence;
        }
        bt_le_decide(lr.probes, 2, sc_only_claimed, ret->reason, sizeof(ret->reason), &d);
decided:
        ret->outcome = d.outcome;

evidence:
        bt_host_set_acl_handler(a->h, NULL, NULL);
        probes = json_array();
        for (size_t i = 0; probes && i < lr.n_probes; i++)
                json_array_append_new(probes, probe_json(&lr.probes[i]));
        ret->evidence = json_pack("{s:s?, s:s?, s:s?, s:o, s:s?, s:s?, s:o, s:b, s:b, s:s?, s:I}",
                                  "address", lr.found ? as : NULL,
                                  "address_type", lr.found ? (lr.addr_type ? "random" : "public") : NULL,
                                  "name", lr.found && lr.name[0] ? lr.name : NULL,
                                  "probes", probes ? probes : json_null(),
                                  "method", d.method,
                                  "association_model", d.method ? bt_assoc_model_to_id(d.model) : NULL,
                                  "downgrade_refused", d.downgrade_refused < 0 ? json_null() : json_boolean(d.downgrade_refused),
                                  "claimed_sc_only", sc_only_claimed,
                                  "just_works_on_io_capable_dut", jw_noted,
                                  "declared_io_capability", declared_io,
                                  "malformed_packets", (json_int_t) lr.link.malformed);
        return ret->evidence ? 0 : -ENOMEM;
}
