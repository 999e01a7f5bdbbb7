/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* certbench-bt-dut, the LE half: a peripheral that advertises and answers
 * the central's SMP Pairing Request on L2CAP CID 0x0006 the way its LE
 * mode says (sim/bt-dut.c has the modes and what they answer). It stops
 * after the Pairing Response: no SMP crypto, no keys kept. */

#include <errno.h>
#include <string.h>

#include "drivers/bt/hci-features.h"
#include "drivers/bt/hci-pairing-events.h"
#include "drivers/bt/smp.h"
#include "sim/bt-dut.h"

/* SMP IO capability names, as the CLI spells them. */
static const char *const io_cap_ids[] = {
        [BT_IO_DISPLAY_ONLY] = "display-only",
        [BT_IO_DISPLAY_YES_NO] = "display-yes-no",
        [BT_IO_KEYBOARD_ONLY] = "keyboard-only",
        [BT_IO_NO_INPUT_NO_OUTPUT] = "no-input-no-output",
        [BT_IO_KEYBOARD_DISPLAY] = "keyboard-display",
};

/* SMP Pairing Failed reasons smp.h does not name. */
#define SIM_SMP_ERR_CMD_NOT_SUPP     0x07
#define SIM_SMP_ERR_INVALID_PARAMS   0x0a

/* Key distribution bits (SMP Pairing Request/Response). */
#define SIM_SMP_DIST_ENC_KEY   0x01
#define SIM_SMP_DIST_ID_KEY    0x02
#define SIM_SMP_DIST_SIGN      0x04
#define SIM_SMP_DIST_LINK_KEY  0x08

/* AD Flags: LE General Discoverable, plus either "BR/EDR Not Supported"
 * (an LE-only DUT) or "simultaneous LE and BR/EDR to the same device,
 * controller and host" (a dual-mode one). */
#define SIM_AD_FLAGS_LE_ONLY  0x06
#define SIM_AD_FLAGS_DUAL     0x1a

int sim_io_cap_from_string(const char *id) {
        for (size_t i = 0; i < ELEMENTSOF(io_cap_ids); i++)
                if (io_cap_ids[i] && strcmp(id, io_cap_ids[i]) == 0)
                        return (int) i;
        return -EINVAL;
}

const char *sim_io_cap_to_string(uint8_t io_cap) {
        return io_cap < ELEMENTSOF(io_cap_ids) && io_cap_ids[io_cap] ? io_cap_ids[io_cap] : "unknown";
}

/* The DUT's answer to a Pairing Request, decided from the mode alone (no
 * I/O): 0 with *ret_rsp for a Pairing Response, or a Pairing Failed
 * reason (> 0). */
static int sim_le_answer(enum mode mode, uint8_t io_cap, const struct bt_smp_pairing *req,
                         struct bt_smp_pairing *ret_rsp) {
        bool req_sc = req->auth_req & BT_SMP_AUTH_SC, offer_sc = mode != MODE_LE_LEGACY;
        uint8_t dist;

        if (mode == MODE_LE_SC_ONLY && !req_sc)
                return BT_SMP_ERR_AUTH_REQUIREMENTS;
        /* Both sides must set SC for an SC pairing. In SC the LTK is
         * derived, not sent, and the BR/EDR link key may be derived from
         * it; legacy pairing sends the LTK and cannot derive a link key. */
        if (req_sc && offer_sc)
                dist = SIM_SMP_DIST_ID_KEY | SIM_SMP_DIST_SIGN | SIM_SMP_DIST_LINK_KEY;
        else
                dist = SIM_SMP_DIST_ENC_KEY | SIM_SMP_DIST_ID_KEY | SIM_SMP_DIST_SIGN;
        *ret_rsp = (struct bt_smp_pairing) {
                .io_cap = io_cap,
                .oob = 0,
                .auth_req = BT_SMP_AUTH_BONDING | (io_cap != BT_IO_NO_INPUT_NO_OUTPUT ? BT_SMP_AUTH_MITM : 0) |
                            (offer_sc ? BT_SMP_AUTH_SC : 0),
                .max_key_size = 16,
                .init_key_dist = req->init_key_dist & dist,
                .resp_key_dist = req->resp_key_dist & dist,
        };
        return 0;
}

static void say_pairing(const char *dir, uint16_t handle, uint8_t code, const struct bt_smp_pairing *p) {
        sim_say("SMP-%s handle=%u code=0x%02x (%s) sc=%d mitm=%d bonding=%d io=0x%02x oob=%u auth=0x%02x "
                "max_key=%u init_kd=0x%02x resp_kd=0x%02x",
                dir, handle, code, bt_smp_code_to_string(code), !!(p->auth_req & BT_SMP_AUTH_SC),
                !!(p->auth_req & BT_SMP_AUTH_MITM), (p->auth_req & 0x03) == BT_SMP_AUTH_BONDING, p->io_cap, p->oob,
                p->auth_req, p->max_key_size, p->init_key_dist, p->resp_key_dist);
}

static int sim_smp_send(struct sim *s, uint16_t handle, const uint8_t *pdu, uint16_t len) {
        return bt_host_send_l2cap(s->h, handle, BT_ACL_PB_START_NO_FLUSH, BT_L2CAP_CID_SMP, pdu, len,
                                  deadline_in(5 * USEC_PER_SEC), s->sfd);
}

static int sim_smp_fail(struct sim *s, uint16_t handle, uint8_t reason, const char *why) {
        uint8_t pdu[BT_SMP_FAILED_LEN];
        int n;

        n = bt_smp_failed_build(reason, pdu);
        if (n < 0)
                return n;
        sim_say("SMP-OUT handle=%u code=0x%02x (%s) reason=0x%02x (%s)%s%s", handle, BT_SMP_PAIRING_FAILED,
                bt_smp_code_to_string(BT_SMP_PAIRING_FAILED), reason, bt_smp_reason_to_string(reason),
                why ? ": " : "", why ?: "");
        return sim_smp_send(s, handle, pdu, (uint16_t) n);
}

static int sim_smp_handle(struct sim *s, const struct smp_queued *q) {
        struct bt_smp_pairing rsp;
        struct bt_smp_pdu pdu;
        uint8_t out[BT_SMP_PAIRING_LEN];
        int r, n;

        r = q->oversize ? -EBADMSG : bt_smp_parse(q->buf, q->len, &pdu);
        if (r == -EPROTONOSUPPORT) {
                sim_say("SMP-IN handle=%u code=0x%02x (unknown)", q->handle, q->len > 0 ? q->buf[0] : 0);
                return sim_smp_fail(s, q->handle, SIM_SMP_ERR_CMD_NOT_SUPP, NULL);
        }
        if (r < 0) {
                sim_say("SMP-IN handle=%u malformed (%u octets, code 0x%02x)", q->handle, q->len,
                        q->len > 0 ? q->buf[0] : 0);
                return sim_smp_fail(s, q->handle, SIM_SMP_ERR_INVALID_PARAMS, NULL);
        }

        switch (pdu.code) {
        case BT_SMP_PAIRING_REQUEST:
                say_pairing("IN", q->handle, pdu.code, &pdu.pairing);
                r = sim_le_answer(s->le_mode, s->io_cap, &pdu.pairing, &rsp);
                if (r > 0)
                        return sim_smp_fail(s, q->handle, (uint8_t) r, "request without Secure Connections");
                n = bt_smp_pairing_build(BT_SMP_PAIRING_RESPONSE, &rsp, out);
                if (n < 0)
                        return n;
                say_pairing("OUT", q->handle, BT_SMP_PAIRING_RESPONSE, &rsp);
                return sim_smp_send(s, q->handle, out, (uint16_t) n);
        case BT_SMP_PAIRING_FAILED:
                sim_say("SMP-IN handle=%u code=0x%02x (%s) reason=0x%02x (%s)", q->handle, pdu.code,
                        bt_smp_code_to_string(pdu.code), pdu.reason, bt_smp_reason_to_string(pdu.reason));
                return 0;
        default:
                sim_say("SMP-IN handle=%u code=0x%02x (%s)", q->handle, pdu.code, bt_smp_code_to_string(pdu.code));
                return sim_smp_fail(s, q->handle, BT_SMP_ERR_UNSPECIFIED,
                                    "not implemented, the simulator does no SMP crypto");
        }
}

int sim_le_drain(struct sim *s) {
        if (s->q_dropped > 0) {
                sim_say("SMP-IN dropped=%u (queue full)", s->q_dropped);
                s->q_dropped = 0;
        }
        while (s->q_count > 0) {
                struct smp_queued q = s->queue[s->q_head];
                int r;

                s->q_head = (s->q_head + 1) % SMP_QUEUE_LEN;
                s->q_count--;
                if (!s->le_connected || q.handle != s->le_handle)
                        continue;   /* the link went away meanwhile */
                r = sim_smp_handle(s, &q);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Only the LE link's SMP channel is ours: in dual mode BR/EDR ACL data
 * arrives here too and is left alone. */
static int on_acl(const uint8_t *acl, size_t len, void *userdata) {
        struct sim *s = userdata;
        struct bt_l2cap_frame f;
        struct smp_queued *q;
        struct bt_acl a;

        if (bt_acl_parse(acl, len, &a) < 0 || !s->le_connected || a.handle != s->le_handle)
                return 0;
        if (bt_l2cap_reasm_feed(&s->reasm, a.pb != BT_ACL_PB_CONTINUATION, a.data, a.len, &f) <= 0)
                return 0;
        if (f.cid != BT_L2CAP_CID_SMP)
                return 0;
        if (s->q_count == SMP_QUEUE_LEN) {
                s->q_dropped++;
                return 1;
        }
        q = &s->queue[(s->q_head + s->q_count) % SMP_QUEUE_LEN];
        *q = (struct smp_queued) {
                .handle = a.handle,
                .len = f.len,
                .oversize = f.len > SMP_PDU_MAX,
        };
        memcpy(q->buf, f.payload, q->oversize ? SMP_PDU_MAX : f.len);
        s->q_count++;
        return 1;
}

static int sim_le_advertise(struct sim *s, bool on, usec_t deadline, bool wait) {
        uint8_t v = on;

        if (!wait)
                return bt_host_send_cmd(s->h, 0x200a, &v, 1, deadline, s->sfd);
        return bt_host_cmd_ok(s->h, 0x200a, &v, 1, deadline, s->sfd, NULL);   /* LE Set Advertising Enable */
}

int sim_le_on_event(struct sim *s, const struct bt_hci_evt *e, int *ret) {
        char a[BT_ADDR_STR_MAX];
        struct bt_le_conn_complete lc;
        struct bt_hci_disconn_complete dc;
        struct bt_hci_cmd_complete cc;
        uint16_t handle, ediv;

        if (bt_hci_evt_le_conn_complete(e, &lc) == 0) {
                sim_say("LE-CONNECTED %s type=%u status=0x%02x handle=%u role=%s",
                        bt_addr_to_string(&lc.peer, a, sizeof(a)), lc.peer_addr_type, lc.status, lc.handle,
                        lc.role == 1 ? "peripheral" : "central");
                if (lc.status != 0) {
                        /* Advertising ends with a failed connection too. */
                        *ret = sim_le_advertise(s, true, deadline_in(5 * USEC_PER_SEC), false);
                        return 0;
                }
                s->le_connected = true;
                s->le_handle = lc.handle;
                bt_l2cap_reasm_reset(&s->reasm);
                *ret = 0;
                return 0;
        }
        if (bt_hci_evt_le_ltk_request(e, &handle, &ediv) == 0) {
                uint8_t p[2] = { handle & 0xff, handle >> 8 };

                sim_say("LTK-REQUEST handle=%u ediv=0x%04x -> negative reply (no keys kept)", handle, ediv);
                *ret = sim_reply(s, BT_HCI_CMD_LE_LTK_NEG_REPLY, p, sizeof(p));
                return 0;
        }
        if (bt_hci_evt_disconn_complete(e, &dc) == 0) {
                bool ours = s->le_connected && dc.handle == s->le_handle;

                /* In dual mode a BR/EDR link going away is the BR/EDR
                 * half's; advertising did not stop for it. */
                if (!ours && sim_has_bredr(s))
                        return -ENOMSG;
                sim_say("DISCONNECTED handle=%u reason=0x%02x", dc.handle, dc.reason);
                if (ours) {
                        s->le_connected = false;
                        bt_l2cap_reasm_reset(&s->reasm);
                }
                /* Legacy advertising stops on connection: start it again
                 * so the bench can come back for its second probe. */
                *ret = sim_le_advertise(s, true, deadline_in(5 * USEC_PER_SEC), false);
                return 0;
        }
        if (bt_hci_evt_cmd_complete(e, &cc) == 0 && cc.opcode == 0x200a && cc.rlen >= 1 && cc.rparams[0] != 0) {
                sim_say("ADVERTISE status=0x%02x", cc.rparams[0]);
                *ret = 0;
                return 0;
        }
        return -ENOMSG;
}

/* LE peripheral setup: BR/EDR scans off when LE is all the DUT does (an
 * LE DUT is not found by inquiry), LE host support for dual-mode
 * controllers, then connectable undirected advertising on all three
 * channels every 20-30 ms, with Flags and the name. */
int sim_le_setup(struct sim *s, const char *name, usec_t dl) {
        static const uint8_t le_host[2] = { 0x01, 0x00 };
        static const uint8_t adv_params[15] = {
                0x20, 0x00,     /* interval min: 32 x 0.625 ms = 20 ms */
                0x30, 0x00,     /* interval max: 48 x 0.625 ms = 30 ms */
                0x00,           /* ADV_IND: connectable undirected */
                0x00,           /* own address: public */
                0x00, 0, 0, 0, 0, 0, 0,   /* peer (unused for ADV_IND) */
                0x07,           /* channels 37, 38, 39 */
                0x00,           /* no filter */
        };
        uint8_t ad[1 + BT_HCI_ADV_MAX] = { 0 }, v = 0;
        size_t n = strlen(name), room = BT_HCI_ADV_MAX - 3 - 2;
        int r;

        if (!sim_has_bredr(s)) {
                r = bt_host_cmd_ok(s->h, 0x0c1a, &v, 1, dl, s->sfd, NULL);   /* Write Scan Enable: none */
                if (r < 0)
                        return r;
        }
        r = bt_host_cmd_ok(s->h, 0x0c6d, le_host, sizeof(le_host), dl, s->sfd, NULL);   /* Write LE Host Supported */
        if (r < 0)
                return r;
        r = bt_host_cmd_ok(s->h, 0x2006, adv_params, sizeof(adv_params), dl, s->sfd, NULL);
        if (r < 0)
                return r;
        /* Flags, then the name: Complete when it fits the 31 octets,
         * Shortened otherwise. */
        ad[1] = 2;
        ad[2] = 0x01;
        ad[3] = sim_has_bredr(s) ? SIM_AD_FLAGS_DUAL : SIM_AD_FLAGS_LE_ONLY;
        ad[4] = (uint8_t) ((n > room ? room : n) + 1);
        ad[5] = n > room ? 0x08 : 0x09;
        memcpy(ad + 6, name, n > room ? room : n);
        ad[0] = (uint8_t) (3 + 1 + ad[4]);
        r = bt_host_cmd_ok(s->h, 0x2008, ad, sizeof(ad), dl, s->sfd, NULL);   /* LE Set Advertising Data */
        if (r < 0)
                return r;
        bt_host_set_acl_handler(s->h, on_acl, s);
        return sim_le_advertise(s, true, dl, true);
}
