/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* certbench-bt-dut: a Bluetooth BR/EDR DUT simulator. It drives its own
 * controller (any drivers/bt transport: "unix:/path" for btvirt -s, hciN,
 * a tty) the way a device's host stack would for one pairing mode:
 *   legacy-pin              SSP off, answers PIN Code Request with --pin
 *   ssp-just-works          SSP on, NoInputNoOutput, no MITM
 *   ssp-numeric-comparison  SSP on, DisplayYesNo, MITM, confirms the value
 * It accepts every connection, keeps no link keys (every connection pairs
 * afresh), and is discoverable and connectable. Prints
 * "READY bdaddr=AA:BB:CC:DD:EE:FF" once set up, then one line per
 * pairing event. Ends on SIGTERM/SIGINT or when the transport closes. */

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
#include "drivers/bt/transport.h"

enum mode {
        MODE_LEGACY_PIN,
        MODE_SSP_JUST_WORKS,
        MODE_SSP_NUMERIC,
        _MODE_MAX,
};

static const char *const mode_ids[_MODE_MAX] = {
        [MODE_LEGACY_PIN] = "legacy-pin",
        [MODE_SSP_JUST_WORKS] = "ssp-just-works",
        [MODE_SSP_NUMERIC] = "ssp-numeric-comparison",
};

struct sim {
        struct bt_host *h;
        enum mode mode;
        const char *pin;
        int sfd;
};

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

static int on_event(const struct bt_hci_evt *e, void *userdata) {
        struct sim *s = userdata;
        char a[BT_ADDR_STR_MAX];
        struct bt_hci_conn_request cr;
        struct bt_hci_conn_complete cc;
        struct bt_addr addr;
        uint32_t value;
        uint8_t st;
        int r = 0;

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

static int usage(FILE *f, int rc) {
        fprintf(f,
                "Usage: certbench-bt-dut --interface IF --mode MODE [--pin PIN] [--name NAME]\n"
                "  IF: unix:/path (btvirt -s), hciN, /dev/ttyX[:BAUD]\n"
                "  MODE: legacy-pin, ssp-just-works, ssp-numeric-comparison\n");
        return rc;
}

int main(int argc, char **argv) {
        static const struct option opts[] = {
                { "interface", required_argument, NULL, 'i' },
                { "mode", required_argument, NULL, 'm' },
                { "pin", required_argument, NULL, 'p' },
                { "name", required_argument, NULL, 'n' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        _cleanup_(bt_host_freep) struct bt_host *h = NULL;
        const char *interface = NULL, *name = "certbench-dut";
        struct sim s = { .mode = _MODE_MAX, .sfd = -1 };
        struct bt_addr addr;
        char a[BT_ADDR_STR_MAX];
        sigset_t mask;
        usec_t dl;
        uint8_t v;
        int c, r;

        while ((c = getopt_long(argc, argv, "i:m:p:n:h", opts, NULL)) >= 0)
                switch (c) {
                case 'i':
                        interface = optarg;
                        break;
                case 'm':
                        for (int m = 0; m < _MODE_MAX; m++)
                                if (strcmp(optarg, mode_ids[m]) == 0)
                                        s.mode = (enum mode) m;
                        if (s.mode == _MODE_MAX) {
                                fprintf(stderr, "--mode: \"%s\", expected legacy-pin, ssp-just-works or ssp-numeric-comparison\n", optarg);
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
        if (r >= 0) {
                static const uint8_t cod[3] = { 0x00, 0x05, 0x24 };   /* "audio/video", arbitrary */

                r = bt_host_cmd_ok(h, 0x0c24, cod, 3, dl, s.sfd, NULL);   /* Write Class of Device */
        }
        if (r >= 0) {
                v = s.mode == MODE_LEGACY_PIN ? 0 : 1;
                r = bt_host_cmd_ok(h, 0x0c56, &v, 1, dl, s.sfd, NULL);   /* Write Simple Pairing Mode */
        }
        if (r >= 0) {
                v = 0x03;   /* inquiry + page scan */
                r = bt_host_cmd_ok(h, 0x0c1a, &v, 1, dl, s.sfd, NULL);
        }
        if (r < 0) {
                fprintf(stderr, "%s: controller setup: %s\n", interface, strerror(-r));
                return 1;
        }
        say("READY bdaddr=%s mode=%s", bt_addr_to_string(&addr, a, sizeof(a)), mode_ids[s.mode]);

        r = bt_hci_wait_event(h, on_event, &s, USEC_INFINITY, s.sfd, NULL);
        if (r == -ECANCELED)
                return 0;
        fprintf(stderr, "%s: %s\n", interface, strerror(-r));
        return r == -ECONNRESET ? 0 : 1;
}
