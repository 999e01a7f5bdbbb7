/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* le-central: the smallest LE central that can ask the DUT simulator
 * (certbench-bt-dut, LE modes) to pair, for the rig test bt_sim_le.
 *
 * A FALLBACK for the kernel's own SMP: in the rig guest the kernel's
 * ecdh-nist-p256 self-test fails ("alg: ecdh-nist-p256: test failed on
 * vector 2, err=-14" at every boot), so the kernel registers no SMP
 * channel ("Bluetooth: hci0: Unable to create ECDH crypto context") and
 * `btmgmt pair` cannot pair over LE. This program drives hci0 itself
 * (HCI_CHANNEL_USER through drivers/bt/transport.h): LE Create Connection
 * to the peer's public address, one SMP Pairing Request (SC as asked,
 * NoInputNoOutput, bonding, key distribution 0x0f both ways), prints the
 * answer; after a Pairing Response it sends the next PDU of that pairing
 * (Public Key for SC, Confirm for legacy) with dummy values and prints the
 * answer to that too; then disconnects. It shares drivers/bt with the
 * simulator, so the test also reads a btmon capture of hci0 with tshark.
 *
 * Output: "CENTRAL-CONNECTED handle=N", "CENTRAL-RX code=0x.. ..." per SMP
 * PDU, "CENTRAL-DISCONNECTED". Exit 0 when an answer to the request came,
 * 1 otherwise. Every wait has a deadline (--timeout, default 20 s). */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/macros.h"
#include "drivers/bt/acl.h"
#include "drivers/bt/hci-pairing-events.h"
#include "drivers/bt/smp.h"
#include "drivers/bt/transport.h"

struct central {
        struct bt_addr peer;
        bool adv_seen;
        uint16_t handle;
        struct bt_l2cap_reasm reasm;
        bool have_pdu;
        uint8_t pdu[80];
        uint16_t pdu_len;
        bool connected, disconnected;
        struct bt_le_conn_complete cc;
};

static int addr_parse(const char *s, struct bt_addr *ret) {
        unsigned v[6];
        char end;

        if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[5], &v[4], &v[3], &v[2], &v[1], &v[0], &end) != 6)
                return -EINVAL;
        for (size_t i = 0; i < 6; i++)
                ret->b[i] = (uint8_t) v[i];
        return 0;
}

static int on_acl(const uint8_t *acl, size_t len, void *userdata) {
        struct central *c = userdata;
        struct bt_l2cap_frame f;
        struct bt_acl a;

        if (bt_acl_parse(acl, len, &a) < 0 || a.handle != c->handle)
                return 0;
        if (bt_l2cap_reasm_feed(&c->reasm, a.pb != BT_ACL_PB_CONTINUATION, a.data, a.len, &f) <= 0 ||
            f.cid != BT_L2CAP_CID_SMP || f.len > sizeof(c->pdu) || c->have_pdu)
                return 0;
        memcpy(c->pdu, f.payload, f.len);
        c->pdu_len = f.len;
        c->have_pdu = true;
        return 1;
}

static int on_event(const struct bt_hci_evt *e, void *userdata) {
        struct central *c = userdata;
        struct bt_hci_disconn_complete dc;

        if (!c->connected && bt_hci_evt_le_conn_complete(e, &c->cc) == 0)
                return 1;
        if (c->connected && bt_hci_evt_disconn_complete(e, &dc) == 0 && dc.handle == c->handle) {
                printf("CENTRAL-DISCONNECTED handle=%u reason=0x%02x\n", dc.handle, dc.reason);
                c->disconnected = true;
                return 1;
        }
        return 0;
}

/* The peer's advertising report: prints its type, Flags and name. */
static int on_adv(const struct bt_hci_evt *e, void *userdata) {
        struct central *c = userdata;
        struct bt_le_adv_report rep;
        size_t n;

        if (bt_hci_evt_le_adv_report_count(e, &n) < 0)
                return 0;
        for (size_t i = 0; i < n; i++) {
                char name[BT_HCI_ADV_MAX + 1] = "";
                int flags = -1;

                if (bt_hci_evt_le_adv_report_get(e, i, &rep) < 0 || !bt_addr_equal(&rep.addr, &c->peer))
                        continue;
                for (size_t o = 0; o + 1 < rep.data_len && rep.data[o] > 0; o += rep.data[o] + 1u) {
                        size_t l = rep.data[o];

                        if (o + 1 + l > rep.data_len)
                                break;
                        if (rep.data[o + 1] == 0x01 && l == 2)
                                flags = rep.data[o + 2];
                        else if (rep.data[o + 1] == 0x08 || rep.data[o + 1] == 0x09) {
                                memcpy(name, rep.data + o + 2, l - 1);
                                name[l - 1] = 0;
                        }
                }
                printf("CENTRAL-ADV type=%u addr_type=%u flags=0x%02x name=%s\n", rep.event_type, rep.addr_type,
                       flags < 0 ? 0 : flags, name);
                c->adv_seen = true;
                return 1;
        }
        return 0;
}

/* Waits for the next SMP PDU; prints it. 0 with *ret, -ETIMEDOUT, -ENOTCONN. */
static int smp_wait(struct bt_host *h, struct central *c, usec_t dl, struct bt_smp_pdu *ret) {
        int r;

        while (!c->have_pdu) {
                r = bt_hci_wait_event(h, on_event, c, dl, -1, NULL);
                if (r < 0)
                        return r;
                if (c->disconnected)
                        return -ENOTCONN;
        }
        c->have_pdu = false;
        r = bt_smp_parse(c->pdu, c->pdu_len, ret);
        if (r < 0) {
                printf("CENTRAL-RX malformed (%u octets)\n", c->pdu_len);
                return r;
        }
        if (ret->code == BT_SMP_PAIRING_RESPONSE)
                printf("CENTRAL-RX code=0x02 (Pairing Response) sc=%d mitm=%d bonding=%d io=0x%02x oob=%u "
                       "auth=0x%02x max_key=%u init_kd=0x%02x resp_kd=0x%02x\n",
                       !!(ret->pairing.auth_req & BT_SMP_AUTH_SC), !!(ret->pairing.auth_req & BT_SMP_AUTH_MITM),
                       (ret->pairing.auth_req & 0x03) == BT_SMP_AUTH_BONDING, ret->pairing.io_cap, ret->pairing.oob,
                       ret->pairing.auth_req, ret->pairing.max_key_size, ret->pairing.init_key_dist,
                       ret->pairing.resp_key_dist);
        else if (ret->code == BT_SMP_PAIRING_FAILED)
                printf("CENTRAL-RX code=0x05 (Pairing Failed) reason=0x%02x (%s)\n", ret->reason,
                       bt_smp_reason_to_string(ret->reason));
        else
                printf("CENTRAL-RX code=0x%02x (%s)\n", ret->code, bt_smp_code_to_string(ret->code));
        return 0;
}

int main(int argc, char **argv) {
        static const struct option opts[] = {
                { "interface", required_argument, NULL, 'i' },
                { "peer", required_argument, NULL, 'p' },
                { "sc", required_argument, NULL, 's' },
                { "timeout", required_argument, NULL, 't' },
                {},
        };
        _cleanup_(bt_host_freep) struct bt_host *h = NULL;
        const char *interface = "hci0";
        struct central c = {};
        bool have_peer = false, sc = true;
        unsigned timeout_s = 20;
        struct bt_smp_pdu pdu;
        usec_t dl;
        int o, r, answered = 0;

        while ((o = getopt_long(argc, argv, "i:p:s:t:", opts, NULL)) >= 0)
                switch (o) {
                case 'i':
                        interface = optarg;
                        break;
                case 'p':
                        have_peer = addr_parse(optarg, &c.peer) == 0;
                        break;
                case 's':
                        sc = strcmp(optarg, "1") == 0;
                        break;
                case 't':
                        timeout_s = (unsigned) strtoul(optarg, NULL, 10);
                        break;
                default:
                        return 2;
                }
        if (!have_peer) {
                fprintf(stderr, "usage: le-central [--interface hciN] --peer AA:BB:CC:DD:EE:FF [--sc 0|1] [--timeout S]\n");
                return 2;
        }
        setvbuf(stdout, NULL, _IOLBF, 0);
        dl = deadline_in(timeout_s * USEC_PER_SEC);

        r = bt_host_open(interface, &h);
        if (r < 0) {
                fprintf(stderr, "%s: %s\n", interface, strerror(-r));
                return 1;
        }
        r = bt_host_init(h, dl, -1, NULL);
        if (r >= 0) {
                /* Passive scan until the peer's advertisement: it shows the
                 * advertising data, and that the peer advertises again
                 * after an earlier connection. */
                static const uint8_t scan_params[7] = { 0x00, 0x60, 0x00, 0x30, 0x00, 0x00, 0x00 };
                static const uint8_t on[2] = { 0x01, 0x00 }, off[2] = { 0x00, 0x00 };

                r = bt_host_cmd_ok(h, 0x200b, scan_params, sizeof(scan_params), dl, -1, NULL);
                if (r >= 0)
                        r = bt_host_cmd_ok(h, 0x200c, on, sizeof(on), dl, -1, NULL);
                if (r >= 0)
                        r = bt_hci_wait_event(h, on_adv, &c, dl, -1, NULL);
                if (r >= 0)
                        r = bt_host_cmd_ok(h, 0x200c, off, sizeof(off), dl, -1, NULL);
                if (r < 0)
                        fprintf(stderr, "%s: scan: %s\n", interface, strerror(-r));
        }
        if (r >= 0) {
                uint8_t p[25] = {
                        0x60, 0x00, 0x30, 0x00,   /* scan interval 60 ms, window 30 ms */
                        0x00,                     /* no filter list: this peer */
                        0x00,                     /* peer address public */
                        0, 0, 0, 0, 0, 0,
                        0x00,                     /* own address public */
                        0x18, 0x00, 0x28, 0x00,   /* connection interval 30..50 ms */
                        0x00, 0x00,               /* latency */
                        0xf4, 0x01,               /* supervision timeout 5 s */
                        0x00, 0x00, 0x00, 0x00,
                };

                memcpy(p + 6, c.peer.b, 6);
                r = bt_host_cmd_ok(h, 0x200d, p, sizeof(p), dl, -1, NULL);   /* LE Create Connection */
        }
        if (r >= 0)
                r = bt_hci_wait_event(h, on_event, &c, dl, -1, NULL);
        if (r < 0) {
                fprintf(stderr, "%s: connect: %s\n", interface, strerror(-r));
                return 1;
        }
        if (c.cc.status != 0) {
                fprintf(stderr, "%s: LE Connection Complete status 0x%02x\n", interface, c.cc.status);
                return 1;
        }
        c.connected = true;
        c.handle = c.cc.handle;
        printf("CENTRAL-CONNECTED handle=%u\n", c.handle);
        bt_host_set_acl_handler(h, on_acl, &c);

        {
                struct bt_smp_pairing req = {
                        .io_cap = BT_IO_NO_INPUT_NO_OUTPUT,
                        .auth_req = BT_SMP_AUTH_BONDING | (sc ? BT_SMP_AUTH_SC : 0),
                        .max_key_size = 16,
                        .init_key_dist = 0x0f,
                        .resp_key_dist = 0x0f,
                };
                uint8_t out[BT_SMP_PAIRING_LEN];

                bt_smp_pairing_build(BT_SMP_PAIRING_REQUEST, &req, out);
                printf("CENTRAL-TX code=0x01 (Pairing Request) sc=%d\n", sc);
                r = bt_host_send_l2cap(h, c.handle, BT_ACL_PB_START_NO_FLUSH, BT_L2CAP_CID_SMP, out, sizeof(out), dl,
                                       -1);
        }
        if (r >= 0)
                r = smp_wait(h, &c, dl, &pdu);
        if (r >= 0) {
                answered = 1;
                if (pdu.code == BT_SMP_PAIRING_RESPONSE) {
                        /* The pairing's next step, with dummy values: the
                         * simulator must refuse it (no SMP crypto). */
                        uint8_t next[65] = { 0 };
                        bool rsp_sc = sc && (pdu.pairing.auth_req & BT_SMP_AUTH_SC);

                        next[0] = rsp_sc ? BT_SMP_PUBLIC_KEY : BT_SMP_PAIRING_CONFIRM;
                        printf("CENTRAL-TX code=0x%02x (%s)\n", next[0], bt_smp_code_to_string(next[0]));
                        r = bt_host_send_l2cap(h, c.handle, BT_ACL_PB_START_NO_FLUSH, BT_L2CAP_CID_SMP, next,
                                               rsp_sc ? 65 : 17, dl, -1);
                        if (r >= 0)
                                r = smp_wait(h, &c, dl, &pdu);
                }
        }
        if (r < 0)
                fprintf(stderr, "%s: SMP: %s\n", interface, strerror(-r));
        if (!c.disconnected) {
                uint8_t p[3] = { c.handle & 0xff, c.handle >> 8, 0x13 };   /* remote user terminated */

                if (bt_host_cmd_ok(h, 0x0406, p, sizeof(p), dl, -1, NULL) >= 0)
                        (void) bt_hci_wait_event(h, on_event, &c, dl, -1, NULL);
        }
        return answered ? 0 : 1;
}
