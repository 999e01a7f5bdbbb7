/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* certbench-bt-dut: a Bluetooth DUT simulator. It drives its own
 * controller (any drivers/bt transport: "unix:/path" for btvirt -s, hciN,
 * a tty) the way a device's host stack would for one pairing mode.
 *
 * BR/EDR modes (discoverable and connectable, accepts every connection,
 * keeps no link keys: every connection pairs afresh):
 *   legacy-pin              SSP off, answers PIN Code Request with --pin
 *   ssp-just-works          SSP on, NoInputNoOutput, no MITM
 *   ssp-numeric-comparison  SSP on, DisplayYesNo, MITM, confirms the value
 *
 * LE modes (BR/EDR scans off; connectable undirected advertising with
 * Flags and the --name as Complete Local Name, re-enabled after every
 * disconnection; the peripheral answers the central's SMP Pairing Request
 * on L2CAP CID 0x0006):
 *   le-legacy   Pairing Response without the Secure Connections bit
 *   le-sc       Pairing Response with it, whatever the request asked for
 *   le-sc-only  a request without SC gets Pairing Failed 0x03
 *               (Authentication Requirements); with SC, an SC response
 * The response carries --io-cap, no OOB, bonding, MITM unless the IO
 * capability is NoInputNoOutput, max key size 16, and the request's key
 * distribution masked to what the resulting pairing can distribute.
 *
 * What the LE modes do NOT do: the SMP crypto. The simulator stops after
 * the Pairing Response: every later pairing PDU (Confirm, Random, Public
 * Key, DHKey Check, key distribution, ...) gets Pairing Failed 0x08
 * (Unspecified Reason), and an LE Long Term Key Request gets a negative
 * reply. That is all the D-4 case needs (it classifies the exchange from
 * the response and never completes pairing) and keeps the simulator free
 * of key material.
 *
 * Prints "READY bdaddr=AA:BB:CC:DD:EE:FF mode=MODE" once set up (the
 * controller's public address; the LE modes add "addr_type=public
 * io_cap=ID name=NAME"), then one line per pairing event and, in the LE
 * modes, per connection, disconnection and SMP PDU in and out. Ends on SIGTERM/SIGINT or when the
 * transport closes. */

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "common/log.h"
#include "common/macros.h"
#include "drivers/bt/acl.h"
#include "drivers/bt/hci-features.h"
#include "drivers/bt/hci-pairing-events.h"
#include "drivers/bt/smp.h"
#include "drivers/bt/transport.h"

enum mode {
        MODE_LEGACY_PIN,
        MODE_SSP_JUST_WORKS,
        MODE_SSP_NUMERIC,
        MODE_LE_LEGACY,
        MODE_LE_SC,
        MODE_LE_SC_ONLY,
        _MODE_MAX,
};

static const char *const mode_ids[_MODE_MAX] = {
        [MODE_LEGACY_PIN] = "legacy-pin",
        [MODE_SSP_JUST_WORKS] = "ssp-just-works",
        [MODE_SSP_NUMERIC] = "ssp-numeric-comparison",
        [MODE_LE_LEGACY] = "le-legacy",
        [MODE_LE_SC] = "le-sc",
        [MODE_LE_SC_ONLY] = "le-sc-only",
};

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

/* SMP PDUs the ACL handler has reassembled, waiting for the main loop:
 * the handler runs inside whatever call is reading the transport, where
 * sending is not safe, so it only queues. The largest SMP PDU is 65
 * octets (Public Key); anything longer is kept as "oversize". */
#define SMP_QUEUE_LEN 8
#define SMP_PDU_MAX   72

struct smp_queued {
        uint16_t handle;
        uint16_t len;
        bool oversize;
        uint8_t buf[SMP_PDU_MAX];
};

struct sim {
        struct bt_host *h;
        enum mode mode;
        const char *pin;
        uint8_t io_cap;              /* LE: SMP IO capability we answer with */
        int sfd;

        /* LE: one connection at a time (a peripheral that stops
         * advertising once connected has at most one). */
        bool le_connected;
        uint16_t le_handle;
        struct bt_l2cap_reasm reasm;
        struct smp_queued queue[SMP_QUEUE_LEN];
        size_t q_head, q_count;
        unsigned q_dropped;
};

static bool mode_is_le(enum mode m) {
        switch (m) {
        case MODE_LEGACY_PIN:
        case MODE_SSP_JUST_WORKS:
        case MODE_SSP_NUMERIC:
                return false;
        case MODE_LE_LEGACY:
        case MODE_LE_SC:
        case MODE_LE_SC_ONLY:
                return true;
        case _MODE_MAX:
                break;
        }
        return false;
}

static void say(const char *fmt, ...) _printf_(1, 2);
static void say(const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        putchar('\n');
        fflush(stdout);
}

static int reply(struct sim *s, uint16_t opcode, const void *p, uint8_t len) {
        return bt_host_send_cmd(s->h, opcode, p, len, deadline_in(5 * USEC_PER_SEC), s->sfd);
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
        say("SMP-%s handle=%u code=0x%02x (%s) sc=%d mitm=%d bonding=%d io=0x%02x oob=%u auth=0x%02x "
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
        say("SMP-OUT handle=%u code=0x%02x (%s) reason=0x%02x (%s)%s%s", handle, BT_SMP_PAIRING_FAILED,
            bt_smp_code_to_string(BT_SMP_PAIRING_FAILED), reason, bt_smp_reason_to_string(reason), why ? ": " : "",
            why ?: "");
        return sim_smp_send(s, handle, pdu, (uint16_t) n);
}

static int sim_smp_handle(struct sim *s, const struct smp_queued *q) {
        struct bt_smp_pairing rsp;
        struct bt_smp_pdu pdu;
        uint8_t out[BT_SMP_PAIRING_LEN];
        int r, n;

        r = q->oversize ? -EBADMSG : bt_smp_parse(q->buf, q->len, &pdu);
        if (r == -EPROTONOSUPPORT) {
                say("SMP-IN handle=%u code=0x%02x (unknown)", q->handle, q->len > 0 ? q->buf[0] : 0);
                return sim_smp_fail(s, q->handle, SIM_SMP_ERR_CMD_NOT_SUPP, NULL);
        }
        if (r < 0) {
                say("SMP-IN handle=%u malformed (%u octets, code 0x%02x)", q->handle, q->len,
                    q->len > 0 ? q->buf[0] : 0);
                return sim_smp_fail(s, q->handle, SIM_SMP_ERR_INVALID_PARAMS, NULL);
        }

        switch (pdu.code) {
        case BT_SMP_PAIRING_REQUEST:
                say_pairing("IN", q->handle, pdu.code, &pdu.pairing);
                r = sim_le_answer(s->mode, s->io_cap, &pdu.pairing, &rsp);
                if (r > 0)
                        return sim_smp_fail(s, q->handle, (uint8_t) r, "request without Secure Connections");
                n = bt_smp_pairing_build(BT_SMP_PAIRING_RESPONSE, &rsp, out);
                if (n < 0)
                        return n;
                say_pairing("OUT", q->handle, BT_SMP_PAIRING_RESPONSE, &rsp);
                return sim_smp_send(s, q->handle, out, (uint16_t) n);
        case BT_SMP_PAIRING_FAILED:
                say("SMP-IN handle=%u code=0x%02x (%s) reason=0x%02x (%s)", q->handle, pdu.code,
                    bt_smp_code_to_string(pdu.code), pdu.reason, bt_smp_reason_to_string(pdu.reason));
                return 0;
        default:
                say("SMP-IN handle=%u code=0x%02x (%s)", q->handle, pdu.code, bt_smp_code_to_string(pdu.code));
                return sim_smp_fail(s, q->handle, BT_SMP_ERR_UNSPECIFIED,
                                    "not implemented, the simulator does no SMP crypto");
        }
}

/* Drains what the ACL handler queued. */
static int sim_smp_drain(struct sim *s) {
        if (s->q_dropped > 0) {
                say("SMP-IN dropped=%u (queue full)", s->q_dropped);
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

/* Returns 0 when the event was an LE one we handled, -ENOMSG otherwise. */
static int on_le_event(struct sim *s, const struct bt_hci_evt *e, int *ret) {
        char a[BT_ADDR_STR_MAX];
        struct bt_le_conn_complete lc;
        struct bt_hci_disconn_complete dc;
        struct bt_hci_cmd_complete cc;
        uint16_t handle, ediv;

        if (bt_hci_evt_le_conn_complete(e, &lc) == 0) {
                say("LE-CONNECTED %s type=%u status=0x%02x handle=%u role=%s", bt_addr_to_string(&lc.peer, a, sizeof(a)),
                    lc.peer_addr_type, lc.status, lc.handle, lc.role == 1 ? "peripheral" : "central");
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

                say("LTK-REQUEST handle=%u ediv=0x%04x -> negative reply (no keys kept)", handle, ediv);
                *ret = reply(s, BT_HCI_CMD_LE_LTK_NEG_REPLY, p, sizeof(p));
                return 0;
        }
        if (bt_hci_evt_disconn_complete(e, &dc) == 0) {
                say("DISCONNECTED handle=%u reason=0x%02x", dc.handle, dc.reason);
                if (s->le_connected && dc.handle == s->le_handle) {
                        s->le_connected = false;
                        bt_l2cap_reasm_reset(&s->reasm);
                }
                /* Legacy advertising stops on connection: start it again
                 * so the bench can come back for its second probe. */
                *ret = sim_le_advertise(s, true, deadline_in(5 * USEC_PER_SEC), false);
                return 0;
        }
        if (bt_hci_evt_cmd_complete(e, &cc) == 0 && cc.opcode == 0x200a && cc.rlen >= 1 && cc.rparams[0] != 0) {
                say("ADVERTISE status=0x%02x", cc.rparams[0]);
                *ret = 0;
                return 0;
        }
        return -ENOMSG;
}

static int on_event(const struct bt_hci_evt *e, void *userdata) {
        struct sim *s = userdata;
        char a[BT_ADDR_STR_MAX];
        struct bt_hci_conn_request cr;
        struct bt_hci_conn_complete cc;
        struct bt_addr addr;
        uint32_t value;
        uint8_t st;
        int r = 0;

        if (mode_is_le(s->mode) && on_le_event(s, e, &r) == 0)
                return r < 0 ? r : 0;
        if (bt_hci_evt_conn_request(e, &cr) == 0) {
                uint8_t p[7];

                memcpy(p, cr.addr.b, 6);
                p[6] = 0x01;   /* stay peripheral */
                say("CONNECT-REQUEST %s", bt_addr_to_string(&cr.addr, a, sizeof(a)));
                r = reply(s, 0x0409, p, sizeof(p));
        } else if (bt_hci_evt_conn_complete(e, &cc) == 0) {
                say("CONNECTED %s status=0x%02x handle=%u", bt_addr_to_string(&cc.addr, a, sizeof(a)), cc.status,
                    cc.handle);
        } else if (bt_hci_evt_bdaddr(e, BT_HCI_EVT_LINK_KEY_REQUEST, &addr) == 0) {
                r = reply(s, BT_HCI_CMD_LINK_KEY_NEG_REPLY, addr.b, 6);
        } else if (bt_hci_evt_bdaddr(e, BT_HCI_EVT_PIN_CODE_REQUEST, &addr) == 0) {
                uint8_t p[6 + 1 + 16] = { 0 };
                size_t n = s->pin ? strlen(s->pin) : 0;

                memcpy(p, addr.b, 6);
                say("PIN-REQUEST %s", bt_addr_to_string(&addr, a, sizeof(a)));
                if (s->mode != MODE_LEGACY_PIN || n == 0)
                        r = reply(s, BT_HCI_CMD_PIN_CODE_NEG_REPLY, addr.b, 6);
                else {
                        p[6] = (uint8_t) n;
                        memcpy(p + 7, s->pin, n);
                        r = reply(s, BT_HCI_CMD_PIN_CODE_REPLY, p, sizeof(p));
                }
        } else if (bt_hci_evt_bdaddr(e, BT_HCI_EVT_IO_CAPABILITY_REQUEST, &addr) == 0) {
                uint8_t p[9];

                memcpy(p, addr.b, 6);
                p[6] = s->mode == MODE_SSP_NUMERIC ? BT_IO_DISPLAY_YES_NO : BT_IO_NO_INPUT_NO_OUTPUT;
                p[7] = 0x00;                                        /* no OOB data */
                p[8] = s->mode == MODE_SSP_NUMERIC ? 0x05 : 0x04;   /* general bonding, MITM or not */
                say("IO-CAPABILITY-REQUEST %s", bt_addr_to_string(&addr, a, sizeof(a)));
                r = reply(s, BT_HCI_CMD_IO_CAPABILITY_REPLY, p, sizeof(p));
        } else if (bt_hci_evt_user_confirm_request(e, &addr, &value) == 0) {
                say("CONFIRM %s %06u", bt_addr_to_string(&addr, a, sizeof(a)), value);
                r = reply(s, BT_HCI_CMD_USER_CONFIRM_REPLY, addr.b, 6);
        } else if (bt_hci_evt_bdaddr(e, BT_HCI_EVT_USER_PASSKEY_REQUEST, &addr) == 0) {
                r = reply(s, BT_HCI_CMD_USER_PASSKEY_NEG_REPLY, addr.b, 6);
        } else if (bt_hci_evt_simple_pairing_complete(e, &st, &addr) == 0) {
                say("SIMPLE-PAIRING-COMPLETE %s status=0x%02x", bt_addr_to_string(&addr, a, sizeof(a)), st);
        } else if (e->code == BT_HCI_EVT_LINK_KEY_NOTIFY) {
                struct bt_hci_link_key_notify lk;

                if (bt_hci_evt_link_key_notify(e, &lk) == 0)
                        say("LINK-KEY %s type=0x%02x", bt_addr_to_string(&lk.addr, a, sizeof(a)), lk.key_type);
        } else if (e->code == BT_HCI_EVT_DISCONN_COMPLETE) {
                struct bt_hci_disconn_complete dc;

                if (bt_hci_evt_disconn_complete(e, &dc) == 0)
                        say("DISCONNECTED handle=%u reason=0x%02x", dc.handle, dc.reason);
        }
        return r < 0 ? r : 0;
}

/* LE peripheral setup: BR/EDR scans off (an LE DUT is not found by
 * inquiry), LE host support for dual-mode controllers, then connectable
 * undirected advertising on all three channels every 20-30 ms, with
 * Flags (LE General Discoverable, BR/EDR Not Supported) and the name. */
/* BR/EDR: discoverable and connectable, SSP as the mode wants. */
static int sim_bredr_setup(struct sim *s, usec_t dl) {
        static const uint8_t cod[3] = { 0x00, 0x05, 0x24 };   /* "audio/video", arbitrary */
        uint8_t v;
        int r;

        r = bt_host_cmd_ok(s->h, 0x0c24, cod, 3, dl, s->sfd, NULL);   /* Write Class of Device */
        if (r < 0)
                return r;
        v = s->mode == MODE_LEGACY_PIN ? 0 : 1;
        r = bt_host_cmd_ok(s->h, 0x0c56, &v, 1, dl, s->sfd, NULL);   /* Write Simple Pairing Mode */
        if (r < 0)
                return r;
        v = 0x03;   /* inquiry + page scan */
        return bt_host_cmd_ok(s->h, 0x0c1a, &v, 1, dl, s->sfd, NULL);
}

static int sim_le_setup(struct sim *s, const char *name, usec_t dl) {
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

        r = bt_host_cmd_ok(s->h, 0x0c1a, &v, 1, dl, s->sfd, NULL);   /* Write Scan Enable: none */
        if (r < 0)
                return r;
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
        ad[3] = 0x06;
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

static int usage(FILE *f, int rc) {
        fprintf(f,
                "Usage: certbench-bt-dut --interface IF --mode MODE [--pin PIN] [--name NAME] [--io-cap IO]\n"
                "  IF: unix:/path (btvirt -s), hciN, /dev/ttyX[:BAUD]\n"
                "  MODE: legacy-pin, ssp-just-works, ssp-numeric-comparison (BR/EDR),\n"
                "        le-legacy, le-sc, le-sc-only (LE)\n"
                "  IO (LE modes): no-input-no-output (default), display-only, display-yes-no,\n"
                "      keyboard-only, keyboard-display\n");
        return rc;
}

int main(int argc, char **argv) {
        static const struct option opts[] = {
                { "interface", required_argument, NULL, 'i' },
                { "mode", required_argument, NULL, 'm' },
                { "pin", required_argument, NULL, 'p' },
                { "name", required_argument, NULL, 'n' },
                { "io-cap", required_argument, NULL, 'o' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        _cleanup_(bt_host_freep) struct bt_host *h = NULL;
        const char *interface = NULL, *name = "certbench-dut";
        struct sim s = { .mode = _MODE_MAX, .io_cap = BT_IO_NO_INPUT_NO_OUTPUT, .sfd = -1 };
        bool io_cap_set = false;
        struct bt_addr addr;
        char a[BT_ADDR_STR_MAX];
        sigset_t mask;
        usec_t dl;
        int c, r;

        while ((c = getopt_long(argc, argv, "i:m:p:n:o:h", opts, NULL)) >= 0)
                switch (c) {
                case 'i':
                        interface = optarg;
                        break;
                case 'm':
                        for (int m = 0; m < _MODE_MAX; m++)
                                if (strcmp(optarg, mode_ids[m]) == 0)
                                        s.mode = (enum mode) m;
                        if (s.mode == _MODE_MAX) {
                                fprintf(stderr, "--mode: \"%s\", expected legacy-pin, ssp-just-works, ssp-numeric-comparison, le-legacy, le-sc or le-sc-only\n", optarg);
                                return 2;
                        }
                        break;
                case 'p':
                        if (strlen(optarg) < 1 || strlen(optarg) > 16) {
                                fprintf(stderr, "--pin: expected 1..16 characters\n");
                                return 2;
                        }
                        s.pin = optarg;
                        break;
                case 'n':
                        name = optarg;
                        break;
                case 'o':
                        io_cap_set = false;
                        for (size_t i = 0; i < ELEMENTSOF(io_cap_ids); i++)
                                if (strcmp(optarg, io_cap_ids[i]) == 0) {
                                        s.io_cap = (uint8_t) i;
                                        io_cap_set = true;
                                }
                        if (!io_cap_set) {
                                fprintf(stderr, "--io-cap: \"%s\", expected no-input-no-output, display-only, "
                                        "display-yes-no, keyboard-only or keyboard-display\n", optarg);
                                return 2;
                        }
                        break;
                case 'h':
                        return usage(stdout, 0);
                default:
                        return usage(stderr, 2);
                }
        if (!interface || s.mode == _MODE_MAX)
                return usage(stderr, 2);
        if (s.mode == MODE_LEGACY_PIN && !s.pin) {
                fprintf(stderr, "--mode legacy-pin needs --pin\n");
                return 2;
        }
        if (io_cap_set && !mode_is_le(s.mode)) {
                fprintf(stderr, "--io-cap applies to the LE modes only\n");
                return 2;
        }

        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        s.sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        if (s.sfd < 0) {
                perror("signalfd");
                return 1;
        }
        r = bt_host_open(interface, &h);
        if (r < 0) {
                fprintf(stderr, "%s: %s\n", interface, strerror(-r));
                return 1;
        }
        s.h = h;
        dl = deadline_in(10 * USEC_PER_SEC);
        r = bt_host_init(h, dl, s.sfd, &addr);
        if (r >= 0) {
                uint8_t lname[248] = { 0 };

                strncpy((char *) lname, name, sizeof(lname) - 1);
                r = bt_host_cmd_ok(h, 0x0c13, lname, sizeof(lname), dl, s.sfd, NULL);   /* Write Local Name */
        }
        if (r >= 0)
                r = mode_is_le(s.mode) ? sim_le_setup(&s, name, dl) : sim_bredr_setup(&s, dl);
        if (r < 0) {
                fprintf(stderr, "%s: controller setup: %s\n", interface, strerror(-r));
                return 1;
        }
        if (mode_is_le(s.mode))
                say("READY bdaddr=%s mode=%s addr_type=public io_cap=%s name=%s", bt_addr_to_string(&addr, a, sizeof(a)),
                    mode_ids[s.mode], io_cap_ids[s.io_cap], name);
        else
                say("READY bdaddr=%s mode=%s", bt_addr_to_string(&addr, a, sizeof(a)), mode_ids[s.mode]);

        for (;;) {
                r = bt_hci_wait_event(h, on_event, &s, USEC_INFINITY, s.sfd, NULL);
                if (r != BT_HOST_WAKE_ACL)
                        break;
                r = sim_smp_drain(&s);
                if (r < 0)
                        break;
        }
        if (r == -ECANCELED)
                return 0;
        fprintf(stderr, "%s: %s\n", interface, strerror(-r));
        return r == -ECONNRESET ? 0 : 1;
}
