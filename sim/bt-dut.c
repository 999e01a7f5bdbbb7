/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* certbench-bt-dut: a Bluetooth DUT simulator. It drives its own
 * controller (any drivers/bt transport: "unix:/path" for btvirt -s, hciN,
 * a tty) the way a device's host stack would for its pairing mode(s).
 *
 * BR/EDR modes (discoverable and connectable, accepts every connection,
 * keeps no link keys: every connection pairs afresh):
 *   legacy-pin              SSP off, answers PIN Code Request with --pin
 *   ssp-just-works          SSP on, NoInputNoOutput, no MITM
 *   ssp-numeric-comparison  SSP on, DisplayYesNo, MITM, confirms the value
 *
 * LE modes (sim/bt-dut-le.c; connectable undirected advertising with
 * Flags and the --name as Complete Local Name, re-enabled after every
 * disconnection of the LE link; the peripheral answers the central's SMP
 * Pairing Request on L2CAP CID 0x0006):
 *   le-legacy   Pairing Response without the Secure Connections bit
 *   le-sc       Pairing Response with it, whatever the request asked for
 *   le-sc-only  a request without SC gets Pairing Failed 0x03
 *               (Authentication Requirements); with SC, an SC response
 * The response carries --io-cap, no OOB, bonding, MITM unless the IO
 * capability is NoInputNoOutput, max key size 16, and the request's key
 * distribution masked to what the resulting pairing can distribute.
 *
 * One --mode: that half alone (an LE-only DUT turns the BR/EDR scans
 * off). Two --mode, one BR/EDR and one LE: a dual-mode DUT on one
 * controller, BR/EDR inquiry and page scan with its pairing answers and,
 * at the same time, LE advertising with its SMP answers.
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
 * controller's public address; in dual mode MODE is BREDR+LE, e.g.
 * "legacy-pin+le-sc-only"; with an LE mode the line adds "addr_type=public
 * io_cap=ID name=NAME"), then one line per pairing event and, for LE, per
 * connection, disconnection and SMP PDU in and out. Ends on SIGTERM/SIGINT
 * or when the transport closes. */

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
#include "drivers/bt/hci-features.h"
#include "drivers/bt/hci-pairing-events.h"
#include "sim/bt-dut.h"

const char *const sim_mode_ids[_MODE_MAX] = {
        [MODE_LEGACY_PIN] = "legacy-pin",
        [MODE_SSP_JUST_WORKS] = "ssp-just-works",
        [MODE_SSP_NUMERIC] = "ssp-numeric-comparison",
        [MODE_LE_LEGACY] = "le-legacy",
        [MODE_LE_SC] = "le-sc",
        [MODE_LE_SC_ONLY] = "le-sc-only",
};

bool sim_mode_is_le(enum mode m) {
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

void sim_say(const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        putchar('\n');
        fflush(stdout);
}

int sim_reply(struct sim *s, uint16_t opcode, const void *p, uint8_t len) {
        return bt_host_send_cmd(s->h, opcode, p, len, deadline_in(5 * USEC_PER_SEC), s->sfd);
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

        if (sim_has_le(s) && sim_le_on_event(s, e, &r) == 0)
                return r < 0 ? r : 0;
        if (bt_hci_evt_conn_request(e, &cr) == 0) {
                uint8_t p[7];

                memcpy(p, cr.addr.b, 6);
                p[6] = 0x01;   /* stay peripheral */
                sim_say("CONNECT-REQUEST %s", bt_addr_to_string(&cr.addr, a, sizeof(a)));
                r = sim_reply(s, 0x0409, p, sizeof(p));
        } else if (bt_hci_evt_conn_complete(e, &cc) == 0) {
                sim_say("CONNECTED %s status=0x%02x handle=%u", bt_addr_to_string(&cc.addr, a, sizeof(a)), cc.status,
                        cc.handle);
        } else if (bt_hci_evt_bdaddr(e, BT_HCI_EVT_LINK_KEY_REQUEST, &addr) == 0) {
                r = sim_reply(s, BT_HCI_CMD_LINK_KEY_NEG_REPLY, addr.b, 6);
        } else if (bt_hci_evt_bdaddr(e, BT_HCI_EVT_PIN_CODE_REQUEST, &addr) == 0) {
                uint8_t p[6 + 1 + 16] = { 0 };
                size_t n = s->pin ? strlen(s->pin) : 0;

                memcpy(p, addr.b, 6);
                sim_say("PIN-REQUEST %s", bt_addr_to_string(&addr, a, sizeof(a)));
                if (s->bredr_mode != MODE_LEGACY_PIN || n == 0)
                        r = sim_reply(s, BT_HCI_CMD_PIN_CODE_NEG_REPLY, addr.b, 6);
                else {
                        p[6] = (uint8_t) n;
                        memcpy(p + 7, s->pin, n);
                        r = sim_reply(s, BT_HCI_CMD_PIN_CODE_REPLY, p, sizeof(p));
                }
        } else if (bt_hci_evt_bdaddr(e, BT_HCI_EVT_IO_CAPABILITY_REQUEST, &addr) == 0) {
                uint8_t p[9];

                memcpy(p, addr.b, 6);
                p[6] = s->bredr_mode == MODE_SSP_NUMERIC ? BT_IO_DISPLAY_YES_NO : BT_IO_NO_INPUT_NO_OUTPUT;
                p[7] = 0x00;                                              /* no OOB data */
                p[8] = s->bredr_mode == MODE_SSP_NUMERIC ? 0x05 : 0x04;   /* general bonding, MITM or not */
                sim_say("IO-CAPABILITY-REQUEST %s", bt_addr_to_string(&addr, a, sizeof(a)));
                r = sim_reply(s, BT_HCI_CMD_IO_CAPABILITY_REPLY, p, sizeof(p));
        } else if (bt_hci_evt_user_confirm_request(e, &addr, &value) == 0) {
                sim_say("CONFIRM %s %06u", bt_addr_to_string(&addr, a, sizeof(a)), value);
                r = sim_reply(s, BT_HCI_CMD_USER_CONFIRM_REPLY, addr.b, 6);
        } else if (bt_hci_evt_bdaddr(e, BT_HCI_EVT_USER_PASSKEY_REQUEST, &addr) == 0) {
                r = sim_reply(s, BT_HCI_CMD_USER_PASSKEY_NEG_REPLY, addr.b, 6);
        } else if (bt_hci_evt_simple_pairing_complete(e, &st, &addr) == 0) {
                sim_say("SIMPLE-PAIRING-COMPLETE %s status=0x%02x", bt_addr_to_string(&addr, a, sizeof(a)), st);
        } else if (e->code == BT_HCI_EVT_LINK_KEY_NOTIFY) {
                struct bt_hci_link_key_notify lk;

                if (bt_hci_evt_link_key_notify(e, &lk) == 0)
                        sim_say("LINK-KEY %s type=0x%02x", bt_addr_to_string(&lk.addr, a, sizeof(a)), lk.key_type);
        } else if (e->code == BT_HCI_EVT_DISCONN_COMPLETE) {
                struct bt_hci_disconn_complete dc;

                if (bt_hci_evt_disconn_complete(e, &dc) == 0)
                        sim_say("DISCONNECTED handle=%u reason=0x%02x", dc.handle, dc.reason);
        }
        return r < 0 ? r : 0;
}

/* BR/EDR: discoverable and connectable, SSP as the mode wants. */
static int sim_bredr_setup(struct sim *s, usec_t dl) {
        static const uint8_t cod[3] = { 0x00, 0x05, 0x24 };   /* "audio/video", arbitrary */
        uint8_t v;
        int r;

        r = bt_host_cmd_ok(s->h, 0x0c24, cod, 3, dl, s->sfd, NULL);   /* Write Class of Device */
        if (r < 0)
                return r;
        v = s->bredr_mode == MODE_LEGACY_PIN ? 0 : 1;
        r = bt_host_cmd_ok(s->h, 0x0c56, &v, 1, dl, s->sfd, NULL);   /* Write Simple Pairing Mode */
        if (r < 0)
                return r;
        v = 0x03;   /* inquiry + page scan */
        return bt_host_cmd_ok(s->h, 0x0c1a, &v, 1, dl, s->sfd, NULL);
}

static int usage(FILE *f, int rc) {
        fprintf(f,
                "Usage: certbench-bt-dut --interface IF --mode MODE [--mode MODE] [--pin PIN] [--name NAME]\n"
                "                        [--io-cap IO]\n"
                "  IF: unix:/path (btvirt -s), hciN, /dev/ttyX[:BAUD]\n"
                "  MODE: legacy-pin, ssp-just-works, ssp-numeric-comparison (BR/EDR),\n"
                "        le-legacy, le-sc, le-sc-only (LE); one BR/EDR and one LE mode\n"
                "        together make a dual-mode DUT\n"
                "  IO (LE modes): no-input-no-output (default), display-only, display-yes-no,\n"
                "      keyboard-only, keyboard-display\n");
        return rc;
}

/* --mode ID into the BR/EDR or the LE slot; 0, or 2 (usage error, said). */
static int mode_parse(struct sim *s, const char *id) {
        enum mode m = _MODE_MAX, *slot;

        for (int i = 0; i < _MODE_MAX; i++)
                if (strcmp(id, sim_mode_ids[i]) == 0)
                        m = (enum mode) i;
        if (m == _MODE_MAX) {
                fprintf(stderr, "--mode: \"%s\", expected legacy-pin, ssp-just-works, ssp-numeric-comparison, "
                        "le-legacy, le-sc or le-sc-only\n", id);
                return 2;
        }
        slot = sim_mode_is_le(m) ? &s->le_mode : &s->bredr_mode;
        if (*slot != _MODE_MAX) {
                fprintf(stderr, "--mode: %s and %s are both %s modes; a dual-mode DUT takes one BR/EDR mode "
                        "and one LE mode\n", sim_mode_ids[*slot], id, sim_mode_is_le(m) ? "LE" : "BR/EDR");
                return 2;
        }
        *slot = m;
        return 0;
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
        struct sim s = { .bredr_mode = _MODE_MAX, .le_mode = _MODE_MAX, .io_cap = BT_IO_NO_INPUT_NO_OUTPUT,
                         .sfd = -1 };
        bool io_cap_set = false;
        struct bt_addr addr;
        char a[BT_ADDR_STR_MAX], mode_s[64];
        sigset_t mask;
        usec_t dl;
        int c, r;

        while ((c = getopt_long(argc, argv, "i:m:p:n:o:h", opts, NULL)) >= 0)
                switch (c) {
                case 'i':
                        interface = optarg;
                        break;
                case 'm':
                        if (mode_parse(&s, optarg) != 0)
                                return 2;
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
                        r = sim_io_cap_from_string(optarg);
                        if (r < 0) {
                                fprintf(stderr, "--io-cap: \"%s\", expected no-input-no-output, display-only, "
                                        "display-yes-no, keyboard-only or keyboard-display\n", optarg);
                                return 2;
                        }
                        s.io_cap = (uint8_t) r;
                        io_cap_set = true;
                        break;
                case 'h':
                        return usage(stdout, 0);
                default:
                        return usage(stderr, 2);
                }
        if (!interface || (!sim_has_bredr(&s) && !sim_has_le(&s)))
                return usage(stderr, 2);
        if (s.bredr_mode == MODE_LEGACY_PIN && !s.pin) {
                fprintf(stderr, "--mode legacy-pin needs --pin\n");
                return 2;
        }
        if (io_cap_set && !sim_has_le(&s)) {
                fprintf(stderr, "--io-cap applies to the LE modes only\n");
                return 2;
        }
        if (sim_has_bredr(&s) && sim_has_le(&s))
                snprintf(mode_s, sizeof(mode_s), "%s+%s", sim_mode_ids[s.bredr_mode], sim_mode_ids[s.le_mode]);
        else
                snprintf(mode_s, sizeof(mode_s), "%s", sim_mode_ids[sim_has_le(&s) ? s.le_mode : s.bredr_mode]);

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
        /* BR/EDR first: in dual mode the LE setup leaves its scans on. */
        if (r >= 0 && sim_has_bredr(&s))
                r = sim_bredr_setup(&s, dl);
        if (r >= 0 && sim_has_le(&s))
                r = sim_le_setup(&s, name, dl);
        if (r < 0) {
                fprintf(stderr, "%s: controller setup: %s\n", interface, strerror(-r));
                return 1;
        }
        if (sim_has_le(&s))
                sim_say("READY bdaddr=%s mode=%s addr_type=public io_cap=%s name=%s",
                        bt_addr_to_string(&addr, a, sizeof(a)), mode_s, sim_io_cap_to_string(s.io_cap), name);
        else
                sim_say("READY bdaddr=%s mode=%s", bt_addr_to_string(&addr, a, sizeof(a)), mode_s);

        for (;;) {
                r = bt_hci_wait_event(h, on_event, &s, USEC_INFINITY, s.sfd, NULL);
                if (r != BT_HOST_WAKE_ACL)
                        break;
                r = sim_le_drain(&s);
                if (r < 0)
                        break;
        }
        if (r == -ECANCELED)
                return 0;
        fprintf(stderr, "%s: %s\n", interface, strerror(-r));
        return r == -ECONNRESET ? 0 : 1;
}
