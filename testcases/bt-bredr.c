/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* bt.pairing, BR/EDR (bt-bredr.h): inquiry, connection, feature pages,
 * authentication, PIN trials. Every event comes through the pure decoders
 * of drivers/bt; the bench answers as a phone would (DisplayYesNo, MITM,
 * general bonding), so the association model follows the DUT. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/bt/hci-features.h"
#include "testcases/bt-bredr.h"

#define streq(a, b) (strcmp((a), (b)) == 0)

static const char *const common_pins[] = { "0000", "1234", "1111", "1212", "8888", "9999", "0001", "123456", "000000" };

void bt_bredr_on_pairing(const struct btpair_result *r, void *userdata) {
        struct bt_run *run = userdata;

        if (r->transport != BTPAIR_TRANSPORT_BREDR || (r->peer_known && !bt_addr_equal(&r->peer, &run->peer)))
                return;
        run->result = *r;
        run->have_result = true;
        if (r->outcome == BTPAIR_OUTCOME_SUCCESS) {
                run->success = *r;
                run->have_success = true;
        }
}

static void hex8(const uint8_t f[8], char out[17]) {
        for (int i = 0; i < 8; i++)
                snprintf(out + 2 * i, 3, "%02x", f[i]);
}

/* -------------------------------------------------------------- steps */

struct find_state {
        struct bt_run *run;
        bool found;
};

static int inquiry_pred(const struct bt_hci_evt *e, void *userdata) {
        struct find_state *fs = userdata;
        size_t n;
        uint8_t st;

        if (bt_hci_evt_inquiry_result_count(e, &n) == 0 && n > 0) {
                struct bt_inquiry_info info;

                if (bt_hci_evt_inquiry_result_get(e, 0, &info) == 0) {
                        fs->run->peer = info.addr;
                        fs->run->pscan_rep_mode = info.pscan_rep_mode;
                        fs->run->clock_offset = info.clock_offset;
                        fs->found = true;
                        return 1;
                }
        }
        if (bt_hci_evt_inquiry_complete(e, &st) == 0)
                return 1;
        return 0;
}

static int find_dut(struct bt_run *run, unsigned seconds) {
        uint8_t p[5] = { 0x33, 0x8b, 0x9e, 0, 0 };
        struct find_state fs = { .run = run };
        usec_t dl = deadline_in((usec_t) (seconds + 5) * USEC_PER_SEC);
        int r;

        p[3] = (uint8_t) (seconds * 100 / 128 + 1 > 0x30 ? 0x30 : seconds * 100 / 128 + 1);
        r = bt_host_cmd_ok(run->h, 0x0401, p, sizeof(p), dl, run->abort_fd, NULL);
        if (r < 0)
                return r;
        r = bt_hci_wait_event(run->h, inquiry_pred, &fs, dl, run->abort_fd, NULL);
        /* Cancel whatever is left of it, after an abort too (so not
         * cancellable; bounded by its own deadline); "no inquiry running"
         * is fine. */
        (void) bt_host_cmd(run->h, 0x0402, NULL, 0, deadline_in(2 * USEC_PER_SEC), -1, NULL);
        if (r < 0)
                return r;
        return fs.found ? 0 : -EHOSTUNREACH;
}

struct conn {
        struct bt_run *run;
        struct pin_try *pin;            /* NULL: refuse PIN requests */
        uint16_t handle;
        bool connected, auth_done, disconnected, link_key;
        uint8_t status;                 /* Connection / Authentication Complete */
        uint8_t want_page;
        int err;
};

static int reply(struct conn *c, uint16_t opcode, const void *p, uint8_t len) {
        int r = bt_host_send_cmd(c->run->h, opcode, p, len, deadline_in(5 * USEC_PER_SEC), c->run->abort_fd);

        if (r < 0)
                c->err = r;
        return r;
}

static int connect_pred(const struct bt_hci_evt *e, void *userdata) {
        struct conn *c = userdata;
        struct bt_hci_conn_complete cc;
        struct bt_addr a;

        if (bt_hci_evt_conn_complete(e, &cc) == 0 && bt_addr_equal(&cc.addr, &c->run->peer)) {
                c->status = cc.status;
                c->handle = cc.handle;
                c->connected = cc.status == 0;
                return 1;
        }
        if (bt_hci_evt_bdaddr(e, BT_HCI_EVT_LINK_KEY_REQUEST, &a) == 0)
                return reply(c, BT_HCI_CMD_LINK_KEY_NEG_REPLY, a.b, 6) < 0 ? c->err : 0;
        return 0;
}

static int features_pred(const struct bt_hci_evt *e, void *userdata) {
        struct conn *c = userdata;
        struct bt_hci_remote_features f;
        struct bt_hci_disconn_complete dc;

        if (bt_hci_evt_remote_features(e, &f) == 0 && f.handle == c->handle && f.page == c->want_page) {
                if (f.status == 0 && f.page < 3) {
                        memcpy(c->run->pages[f.page], f.features, 8);
                        c->run->page_valid[f.page] = true;
                        if (f.page > 0 && f.max_page > c->run->max_page)
                                c->run->max_page = f.max_page;
                }
                c->status = f.status;
                return 1;
        }
        if (bt_hci_evt_disconn_complete(e, &dc) == 0 && dc.handle == c->handle) {
                c->disconnected = true;
                return -ENOTCONN;
        }
        return 0;
}

static int pairing_pred(const struct bt_hci_evt *e, void *userdata) {
        struct conn *c = userdata;
        struct bt_run *run = c->run;
        struct bt_addr a;
        struct bt_io_capability io;
        struct bt_hci_link_key_notify lk;
        struct bt_hci_disconn_complete dc;
        uint32_t value;
        uint16_t handle;
        uint8_t st;

        if (bt_hci_evt_bdaddr(e, BT_HCI_EVT_LINK_KEY_REQUEST, &a) == 0)
                return reply(c, BT_HCI_CMD_LINK_KEY_NEG_REPLY, a.b, 6) < 0 ? c->err : 0;
        if (bt_hci_evt_bdaddr(e, BT_HCI_EVT_PIN_CODE_REQUEST, &a) == 0) {
                uint8_t p[6 + 1 + 16] = { 0 };
                size_t n;

                if (!c->pin)
                        return reply(c, BT_HCI_CMD_PIN_CODE_NEG_REPLY, a.b, 6) < 0 ? c->err : 0;
                c->pin->requested = true;
                n = strlen(c->pin->pin);
                memcpy(p, a.b, 6);
                p[6] = (uint8_t) n;
                memcpy(p + 7, c->pin->pin, n);
                return reply(c, BT_HCI_CMD_PIN_CODE_REPLY, p, sizeof(p)) < 0 ? c->err : 0;
        }
        if (bt_hci_evt_bdaddr(e, BT_HCI_EVT_IO_CAPABILITY_REQUEST, &a) == 0) {
                /* The bench: a display with yes/no, MITM wanted, general
                 * bonding. The association model then follows the DUT. */
                uint8_t p[9];

                memcpy(p, a.b, 6);
                p[6] = BT_IO_DISPLAY_YES_NO;
                p[7] = 0x00;
                p[8] = 0x05;
                return reply(c, BT_HCI_CMD_IO_CAPABILITY_REPLY, p, sizeof(p)) < 0 ? c->err : 0;
        }
        if (bt_hci_evt_io_capability_response(e, &io) == 0 && bt_addr_equal(&io.addr, &run->peer)) {
                run->dut_io = io;
                run->dut_io_known = true;
                return 0;
        }
        if (bt_hci_evt_user_confirm_request(e, &a, &value) == 0)
                return reply(c, BT_HCI_CMD_USER_CONFIRM_REPLY, a.b, 6) < 0 ? c->err : 0;
        if (bt_hci_evt_bdaddr(e, BT_HCI_EVT_USER_PASSKEY_REQUEST, &a) == 0)
                return reply(c, BT_HCI_CMD_USER_PASSKEY_NEG_REPLY, a.b, 6) < 0 ? c->err : 0;
        if (bt_hci_evt_bdaddr(e, BT_HCI_EVT_REMOTE_OOB_REQUEST, &a) == 0)
                return reply(c, 0x0433, a.b, 6) < 0 ? c->err : 0;   /* Remote OOB Data Request Negative Reply */
        if (bt_hci_evt_link_key_notify(e, &lk) == 0) {
                c->link_key = true;
                return 0;
        }
        if (bt_hci_evt_auth_complete(e, &st, &handle) == 0 && handle == c->handle) {
                c->auth_done = true;
                c->status = st;
                return 1;
        }
        if (bt_hci_evt_disconn_complete(e, &dc) == 0 && dc.handle == c->handle) {
                c->disconnected = true;
                c->status = dc.reason;
                return 1;
        }
        return 0;
}

static int disconn_pred(const struct bt_hci_evt *e, void *userdata) {
        struct conn *c = userdata;
        struct bt_hci_disconn_complete dc;

        if (bt_hci_evt_disconn_complete(e, &dc) == 0 && dc.handle == c->handle) {
                c->disconnected = true;
                return 1;
        }
        return 0;
}

/* One connection: connect, features (first time), authenticate,
 * disconnect. 0 when the connection was made and pairing ran (its outcome
 * in c), -errno for a bench fault or a DUT we could not reach. */
static int attempt(struct bt_run *run, struct pin_try *pin, usec_t deadline, struct conn *c) {
        struct bt_host_cmd_result res;
        uint8_t p[13];
        int r, r2;

        *c = (struct conn){ .run = run, .pin = pin };
        memcpy(p, run->peer.b, 6);
        p[6] = 0x18;   /* packet types DM1 DH1 DM3 DH3 DM5 DH5 */
        p[7] = 0xcc;
        p[8] = run->pscan_rep_mode;
        p[9] = 0x00;
        p[10] = (uint8_t) run->clock_offset;
        p[11] = (uint8_t) (run->clock_offset >> 8);
        p[12] = 0x01;   /* allow role switch */
        r = bt_host_cmd(run->h, 0x0405, p, sizeof(p), deadline, run->abort_fd, &res);
        if (r < 0)
                return r;
        if (res.status != 0)
                return bt_host_status_to_errno(res.status);
        r = bt_hci_wait_event(run->h, connect_pred, c, deadline, run->abort_fd, NULL);
        if (r < 0)
                return r;
        if (!c->connected)
                return bt_host_status_to_errno(c->status);

        if (!run->features_read) {
                uint8_t hp[3] = { (uint8_t) c->handle, (uint8_t) (c->handle >> 8), 0 };

                c->want_page = 0;
                r = bt_host_cmd_ok(run->h, 0x041b, hp, 2, deadline, run->abort_fd, NULL);
                if (r >= 0)
                        r = bt_hci_wait_event(run->h, features_pred, c, deadline, run->abort_fd, NULL);
                if (r >= 0 && run->page_valid[0] && bt_features_lmp_extended(run->pages[0])) {
                        run->max_page = 1;
                        for (uint8_t pg = 1; r >= 0 && pg <= run->max_page && pg < 3; pg++) {
                                hp[2] = pg;
                                c->want_page = pg;
                                r = bt_host_cmd_ok(run->h, 0x041c, hp, 3, deadline, run->abort_fd, NULL);
                                if (r >= 0)
                                        r = bt_hci_wait_event(run->h, features_pred, c, deadline, run->abort_fd, NULL);
                        }
                }
                if (r < 0 && r != -ENOTCONN && r != -EOPNOTSUPP)
                        return r;
                run->features_read = true;
                if (c->disconnected)
                        return 0;
        }

        {
                uint8_t hp[2] = { (uint8_t) c->handle, (uint8_t) (c->handle >> 8) };

                r = bt_host_cmd(run->h, BT_HCI_CMD_AUTH_REQUESTED, hp, 2, deadline, run->abort_fd, &res);
                if (r < 0)
                        return r;
                if (res.status != 0) {
                        c->auth_done = true;
                        c->status = res.status;
                } else {
                        r = bt_hci_wait_event(run->h, pairing_pred, c, deadline, run->abort_fd, NULL);
                        if (c->err < 0)
                                return c->err;
                        if (r < 0)
                                return r;
                }
        }
        if (!c->disconnected) {
                uint8_t dp[3] = { (uint8_t) c->handle, (uint8_t) (c->handle >> 8), 0x13 };

                r2 = bt_host_cmd(run->h, 0x0406, dp, 3, deadline, run->abort_fd, &res);
                if (r2 >= 0 && res.status == 0)
                        r2 = bt_hci_wait_event(run->h, disconn_pred, c, deadline, run->abort_fd, NULL);
                if (r2 == -ECANCELED)
                        return r2;
        }
        return 0;
}

/* The BR/EDR half on an initialised bench host: find, connect, pair,
 * PIN trials, classification. reason gets one sentence. */
enum case_outcome bt_bredr_check(struct bt_run *run, char *reason, size_t rsize) {
        enum case_outcome o = CASE_ERROR;
        int r;

        if (!run->addr_declared) {
                unsigned secs = (unsigned) case_ctx_param_int(run->ctx, "inquiry_s", 10);

                case_ctx_progress(run->ctx, "inquiry for up to %u s", secs);
                r = find_dut(run, secs);
                if (r < 0) {
                        if (r == -ECANCELED)
                                o = CASE_ABORTED;
                        else
                                snprintf(reason, rsize, "no BR/EDR device answered an inquiry within %u s (%s); declare radios.bluetooth.address or check the DUT is discoverable",
                                         secs, strerror(-r));
                        return o;
                }
        }
        run->found = true;
        case_ctx_progress(run->ctx, "DUT %s", bt_addr_to_string(&run->peer, run->a, sizeof(run->a)));

        /* One connection per PIN while the DUT asks for PINs; an SSP DUT
         * shows everything on the first connection. */
        for (size_t i = 0; i < run->n_pins; i++) {
                struct pin_try *pt = &run->pins[i];
                struct conn c;

                if (i > 0)
                        case_ctx_progress(run->ctx, "legacy pairing: trying PIN %s", pt->pin);
                r = attempt(run, pt, deadline_in(run->per_conn), &c);
                if (r < 0) {
                        if (r == -ECANCELED) {
                                o = CASE_ABORTED;
                                return o;
                        }
                        snprintf(reason, rsize, "connection to %s failed: %s", run->a, strerror(-r));
                        return o;
                }
                if (!pt->requested)
                        break;
                pt->status = c.status;
                pt->accepted = c.auth_done && c.status == 0;
                if (pt->accepted) {
                        run->accepted_pin = pt->pin;
                        break;
                }
        }

        if (!run->have_result) {
                btpair_finish(run->pair);
        }
        if (!run->have_result) {
                snprintf(reason, rsize, "the DUT %s connected but no pairing was seen after Authentication Requested", run->a);
                return o;
        }
        {
                const struct btpair_result *res = run->have_success ? &run->success : &run->result;
                const struct btpair_side *dut = res->local_is_initiator ? &res->responder : &res->initiator;

                switch (res->method) {
                case BTPAIR_METHOD_LEGACY_PIN:
                        o = CASE_FAIL;
                        if (run->accepted_pin)
                                snprintf(reason, rsize,
                                         "the DUT paired with legacy PIN pairing and accepted PIN %s (%s), not Secure Connections",
                                         run->accepted_pin, run->pin_s && streq(run->accepted_pin, run->pin_s) ? "the declared PIN" : "a common fixed PIN");
                        else
                                snprintf(reason, rsize,
                                         "the DUT pairs with legacy PIN pairing (PIN Code Request), not Secure Connections; none of the %zu PINs tried was accepted",
                                         run->n_pins);
                        break;
                case BTPAIR_METHOD_SSP:
                        if (res->outcome != BTPAIR_OUTCOME_SUCCESS) {
                                o = CASE_ERROR;
                                snprintf(reason, rsize, "Secure Simple Pairing (%s) did not complete: %s",
                                         bt_assoc_model_to_string(res->model), res->reason ? res->reason : "no link key");
                                break;
                        }
                        o = streq(run->policy, "latest") ? CASE_FAIL : CASE_PASS;
                        snprintf(reason, rsize,
                                 "the DUT paired with Secure Simple Pairing (%s) and a P-192 link key (%s) only, not Secure Connections%s",
                                 bt_assoc_model_to_string(res->model),
                                 res->key_type_known ? bt_link_key_type_to_string(res->key_type) : "key type unknown",
                                 o == CASE_PASS ? "; policy ssp accepts it" : "");
                        break;
                case BTPAIR_METHOD_SSP_SC:
                        o = res->outcome == BTPAIR_OUTCOME_SUCCESS ? CASE_PASS : CASE_ERROR;
                        snprintf(reason, rsize, "the DUT paired with Secure Connections (%s, %s link key)%s",
                                 bt_assoc_model_to_string(res->model),
                                 bt_link_key_type_to_string(res->key_type),
                                 o == CASE_PASS ? " and offered no legacy pairing" : " but did not complete");
                        break;
                case BTPAIR_METHOD_UNKNOWN:
                case BTPAIR_METHOD_LE_LEGACY:
                case BTPAIR_METHOD_LE_SC:
                case _BTPAIR_METHOD_MAX:
                        snprintf(reason, rsize, "the pairing with %s could not be classified", run->a);
                        break;
                }
                if (res->model == BT_ASSOC_JUST_WORKS && run->declared_io && !streq(run->declared_io, "no-input-no-output")) {
                        run->jw_noted = true;
                        case_ctx_progress(run->ctx, "note: Just Works although the profile declares io_capability %s", run->declared_io);
                }
                (void) dut;
        }

        return o;
}

static void add_pin(struct bt_run *run, const char *pin) {
        if (!pin || strlen(pin) < 1 || strlen(pin) > 16 || run->n_pins >= BT_PINS_MAX)
                return;
        for (size_t i = 0; i < run->n_pins; i++)
                if (streq(run->pins[i].pin, pin))
                        return;
        snprintf(run->pins[run->n_pins++].pin, sizeof(run->pins[0].pin), "%s", pin);
}

static json_t *io_json(const struct btpair_side *s) {
        if (!s->known)
                return json_null();
        return json_pack("{s:i, s:s, s:i, s:i, s:b}", "io_capability", s->io_cap, "name",
                         bt_io_capability_to_string(s->io_cap), "oob", s->oob, "auth_req", s->auth_req, "mitm",
                         (s->auth_req & 1) != 0);
}

void bt_bredr_add_pins(struct bt_run *run, const char *declared) {
        add_pin(run, declared);
        for (size_t i = 0; i < ELEMENTSOF(common_pins); i++)
                add_pin(run, common_pins[i]);
}

void bt_bredr_evidence(const struct bt_run *run, json_t *j) {
        const struct btpair_result *res = run->have_success ? &run->success : run->have_result ? &run->result : NULL;
        char p0[17] = "", p1[17] = "", p2[17] = "";
        json_t *feat, *pairing = json_null(), *pins_json;

        if (run->page_valid[0])
                hex8(run->pages[0], p0);
        if (run->page_valid[1])
                hex8(run->pages[1], p1);
        if (run->page_valid[2])
                hex8(run->pages[2], p2);
        feat = json_pack("{s:s?, s:s?, s:s?, s:i, s:o, s:o, s:o, s:o, s:o}",
                         "page0", run->page_valid[0] ? p0 : NULL, "page1", run->page_valid[1] ? p1 : NULL,
                         "page2", run->page_valid[2] ? p2 : NULL, "max_page", run->max_page,
                         "lmp_extended", run->page_valid[0] ? json_boolean(bt_features_lmp_extended(run->pages[0])) : json_null(),
                         "ssp_controller", run->page_valid[0] ? json_boolean(bt_features_ssp_controller(run->pages[0])) : json_null(),
                         "ssp_host", run->page_valid[1] ? json_boolean(bt_features_ssp_host(run->pages[1])) : json_null(),
                         "sc_host", run->page_valid[1] ? json_boolean(bt_features_sc_host(run->pages[1])) : json_null(),
                         "sc_controller", run->page_valid[2] ? json_boolean(bt_features_sc_controller(run->pages[2])) : json_null());
        if (res) {
                const struct btpair_side *dut = res->local_is_initiator ? &res->responder : &res->initiator;
                const struct btpair_side *bench = res->local_is_initiator ? &res->initiator : &res->responder;

                pairing = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:s}",
                                    "method", btpair_method_to_id(res->method),
                                    "method_name", btpair_method_to_string(res->method),
                                    "association_model", bt_assoc_model_to_id(res->model),
                                    "outcome", btpair_outcome_to_id(res->outcome),
                                    "dut_io", io_json(dut), "bench_io", io_json(bench),
                                    "key_type", res->key_type_known ? json_integer(res->key_type) : json_null(),
                                    "key_type_name", res->key_type_known ? json_string(bt_link_key_type_to_string(res->key_type)) : json_null(),
                                    "classifier_reason", res->reason ? res->reason : "");
        }
        pins_json = json_array();
        for (size_t i = 0; i < run->n_pins; i++)
                if (run->pins[i].requested)
                        json_array_append_new(pins_json, json_pack("{s:s, s:b, s:i}", "pin", run->pins[i].pin,
                                                                   "accepted", run->pins[i].accepted,
                                                                   "auth_status", run->pins[i].status));
        json_object_set_new(j, "features", feat ? feat : json_null());
        json_object_set_new(j, "pairing", pairing ? pairing : json_null());
        json_object_set_new(j, "pins_tried", pins_json ? pins_json : json_null());
        json_object_set_new(j, "pin_accepted", run->accepted_pin ? json_string(run->accepted_pin) : json_null());
        json_object_set_new(j, "just_works_on_io_capable_dut", json_boolean(run->jw_noted));
}
