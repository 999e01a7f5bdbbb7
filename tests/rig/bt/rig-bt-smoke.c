/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rig-bt-smoke: the Bluetooth smoke test of the kernel rig (issue 3).
 *
 * Opens two kernel HCI devices (default hci0 = scanner, hci1 = target)
 * through cb_bt, powers both up, reads both addresses; as a negative
 * control runs one short inquiry with the target's scans off, which must
 * not find it; then makes the target discoverable and connectable (Write
 * Scan Enable 0x03) and runs a BR/EDR inquiry from the scanner until the
 * target's address answers, then again in Extended Inquiry Result mode
 * until the target's EIR name comes back. With --le
 * it then makes the target advertise and LE-scans from the scanner until
 * an advertising report from the target's public address arrives.
 * Exit 0 only when everything asked for was found; 1 when not found or a
 * step failed; 2 on usage. Prints what it saw, with monotonic times.
 *
 * rig-bt-smoke [--le] [--inquiry-timeout S] [--le-timeout S] [SCANNER TARGET] */

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/macros.h"
#include "common/timeutil.h"
#include "drivers/bt/bt.h"

#define EIR_NAME "certbench-rig-eir"

static usec_t t0;

static double elapsed(void) {
        return (double) (mono_now() - t0) / USEC_PER_SEC;
}

struct want {
        struct bt_addr addr;
        bool need_eir;        /* only an Extended Inquiry Result with our name counts */
        unsigned seen;        /* responses/reports seen, any device */
        bool found;
};

static void print_name(const uint8_t *data, size_t len) {
        const uint8_t *v;
        size_t vlen;

        if (bt_eir_find(data, len, BT_EIR_NAME_COMPLETE, &v, &vlen) == 0 ||
            bt_eir_find(data, len, BT_EIR_NAME_SHORT, &v, &vlen) == 0) {
                printf(" name \"");
                for (size_t i = 0; i < vlen; i++)
                        putchar(v[i] >= 0x20 && v[i] < 0x7f ? v[i] : '?');
                printf("\"");
        }
}

static int on_inquiry(const struct bt_inquiry_info *info, void *userdata) {
        struct want *w = userdata;
        char a[BT_ADDR_STR_MAX];

        w->seen++;
        printf("[%7.3f] inquiry: %s class 0x%06x clock 0x%04x", elapsed(), bt_addr_to_string(&info->addr, a, sizeof(a)),
               (unsigned) info->class_of_device, info->clock_offset);
        if (info->has_rssi)
                printf(" rssi %d", info->rssi);
        if (info->eir)
                printf(" eir %zu octets", info->eir_len), print_name(info->eir, info->eir_len);
        printf("\n");
        if (bt_addr_equal(&info->addr, &w->addr)) {
                const uint8_t *v;
                size_t vlen;

                if (w->need_eir && !(info->eir && bt_eir_find(info->eir, info->eir_len, BT_EIR_NAME_COMPLETE, &v,
                                                               &vlen) == 0 &&
                                     vlen == strlen(EIR_NAME) && memcmp(v, EIR_NAME, vlen) == 0))
                        return 0;
                w->found = true;
                return 1;
        }
        return 0;
}

static int on_adv(const struct bt_le_adv_report *rep, void *userdata) {
        struct want *w = userdata;
        char a[BT_ADDR_STR_MAX];

        w->seen++;
        printf("[%7.3f] LE adv: %s type %u addr-type %u rssi %d data %u octets", elapsed(),
               bt_addr_to_string(&rep->addr, a, sizeof(a)), rep->event_type, rep->addr_type, rep->rssi, rep->data_len);
        print_name(rep->data, rep->data_len);
        printf("\n");
        if (rep->addr_type == 0 && bt_addr_equal(&rep->addr, &w->addr)) {
                w->found = true;
                return 1;
        }
        return 0;
}

static int open_up(int dev, struct bt_hci **ret, struct bt_addr *ret_addr) {
        _cleanup_(bt_hci_freep) struct bt_hci *h = NULL;
        char a[BT_ADDR_STR_MAX];
        int r;

        r = bt_hci_open(dev, &h);
        if (r < 0)
                return log_error_errno(r, "hci%d: open: %m", dev);
        r = bt_hci_up(h, deadline_in(15 * USEC_PER_SEC));
        if (r < 0)
                return log_error_errno(r, "hci%d: power up: %m", dev);
        r = bt_hci_read_bdaddr(h, deadline_in(5 * USEC_PER_SEC), ret_addr);
        if (r < 0)
                return log_error_errno(r, "hci%d: Read BD_ADDR: %m", dev);
        printf("[%7.3f] hci%d: up, address %s\n", elapsed(), dev, bt_addr_to_string(ret_addr, a, sizeof(a)));
        *ret = TAKE_PTR(h);
        return 0;
}

static int run_inquiry(struct bt_hci *scan, const struct bt_addr *target, bool need_eir, unsigned timeout_s) {
        struct want w = { .addr = *target, .need_eir = need_eir };
        usec_t deadline = deadline_in(timeout_s * USEC_PER_SEC), start = mono_now();
        unsigned rounds = 0;
        int r = 0;

        /* An inquiry that ends without the target is repeated until the deadline. */
        while (!w.found && mono_now() < deadline) {
                rounds++;
                r = bt_hci_inquiry(scan, 5, deadline, on_inquiry, &w);
                if (r < 0 && r != -ETIMEDOUT)
                        return log_error_errno(r, "inquiry: %m");
        }
        printf("[%7.3f] inquiry%s: %s after %.3f s, %u round(s), %u response(s)\n", elapsed(),
               need_eir ? " (EIR)" : "", w.found ? "FOUND target" : "target NOT found",
               (double) (mono_now() - start) / USEC_PER_SEC, rounds,
               w.seen);
        return w.found ? 0 : -ENOENT;
}

static int run_le(struct bt_hci *scan, struct bt_hci *adv, const struct bt_addr *target, unsigned timeout_s) {
        static const uint8_t ad[] = {
                0x02, 0x01, 0x06,                                             /* flags: LE general, no BR/EDR */
                0x0e, BT_EIR_NAME_COMPLETE, 'c', 'e', 'r', 't', 'b', 'e', 'n', 'c', 'h', '-', 'r', 'i', 'g',
        };
        struct want w = { .addr = *target };
        usec_t deadline = deadline_in(timeout_s * USEC_PER_SEC), start;
        int r;

        r = bt_hci_le_advertise_start(adv, ad, sizeof(ad), deadline_in(5 * USEC_PER_SEC));
        if (r < 0)
                return log_error_errno(r, "hci%d: LE advertising: %m", bt_hci_dev_id(adv));
        printf("[%7.3f] hci%d: advertising\n", elapsed(), bt_hci_dev_id(adv));
        start = mono_now();
        r = bt_hci_le_scan(scan, deadline, on_adv, &w);
        printf("[%7.3f] LE scan: %s after %.3f s, %u report(s)\n", elapsed(),
               w.found ? "FOUND target" : "target NOT found", (double) (mono_now() - start) / USEC_PER_SEC, w.seen);
        (void) bt_hci_le_advertise_stop(adv, deadline_in(5 * USEC_PER_SEC));
        if (r < 0 && r != -ETIMEDOUT)
                return log_error_errno(r, "LE scan: %m");
        return w.found ? 0 : -ENOENT;
}

int main(int argc, char **argv) {
        static const struct option opts[] = {
                { "le", no_argument, NULL, 'l' },
                { "inquiry-timeout", required_argument, NULL, 'i' },
                { "le-timeout", required_argument, NULL, 't' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        _cleanup_(bt_hci_freep) struct bt_hci *scan = NULL, *target = NULL;
        unsigned inq_timeout = 40, le_timeout = 20;
        struct bt_addr scan_addr, target_addr;
        int dev_scan = 0, dev_target = 1, c, r;
        bool le = false;

        t0 = mono_now();
        log_parse_environment();
        while ((c = getopt_long(argc, argv, "h", opts, NULL)) >= 0) {
                switch (c) {
                case 'l': le = true; break;
                case 'i': inq_timeout = (unsigned) atoi(optarg); break;
                case 't': le_timeout = (unsigned) atoi(optarg); break;
                case 'h':
                default:
                        fprintf(stderr, "usage: %s [--le] [--inquiry-timeout S] [--le-timeout S] [SCANNER TARGET]\n",
                                argv[0]);
                        return 2;
                }
        }
        if (argc - optind == 2) {
                dev_scan = atoi(argv[optind]);
                dev_target = atoi(argv[optind + 1]);
        } else if (argc != optind) {
                fprintf(stderr, "%s: give both device ids or none\n", argv[0]);
                return 2;
        }
        if (inq_timeout == 0 || le_timeout == 0 || dev_scan == dev_target) {
                fprintf(stderr, "%s: bad arguments\n", argv[0]);
                return 2;
        }

        if (open_up(dev_scan, &scan, &scan_addr) < 0 || open_up(dev_target, &target, &target_addr) < 0)
                return 1;
        /* Negative control first: with scans off the target must stay
         * unseen, or "found" below would prove nothing. One 1.28 s inquiry. */
        r = bt_hci_write_scan_enable(target, 0x00, deadline_in(5 * USEC_PER_SEC));
        if (r < 0) {
                log_error_errno(r, "hci%d: Write Scan Enable: %m", dev_target);
                return 1;
        }
        {
                struct want w = { .addr = target_addr };
                usec_t start = mono_now();

                r = bt_hci_inquiry(scan, 1, deadline_in(15 * USEC_PER_SEC), on_inquiry, &w);
                printf("[%7.3f] control inquiry (target not discoverable): %s after %.3f s\n", elapsed(),
                       w.found ? "target FOUND (wrong)" : r < 0 ? "failed" : "target not seen (right)",
                       (double) (mono_now() - start) / USEC_PER_SEC);
                if (r < 0 || w.found) {
                        if (r < 0)
                                log_error_errno(r, "control inquiry: %m");
                        return 1;
                }
        }
        r = bt_hci_write_scan_enable(target, 0x03, deadline_in(5 * USEC_PER_SEC));
        if (r < 0) {
                log_error_errno(r, "hci%d: Write Scan Enable: %m", dev_target);
                return 1;
        }
        printf("[%7.3f] hci%d: inquiry + page scan on\n", elapsed(), dev_target);

        r = run_inquiry(scan, &target_addr, false, inq_timeout);
        if (r == 0) {
                /* Extended Inquiry Result: the target answers with EIR data
                 * when it has some and the scanner asks for mode 2. */
                static const uint8_t eir[] = { 1 + sizeof(EIR_NAME) - 1, BT_EIR_NAME_COMPLETE, 'c', 'e', 'r', 't',
                                               'b', 'e', 'n', 'c', 'h', '-', 'r', 'i', 'g', '-', 'e', 'i', 'r' };
                r = bt_hci_write_eir(target, eir, sizeof(eir), deadline_in(5 * USEC_PER_SEC));
                if (r >= 0)
                        r = bt_hci_write_inquiry_mode(scan, 2, deadline_in(5 * USEC_PER_SEC));
                if (r < 0)
                        log_error_errno(r, "EIR setup: %m");
                else
                        r = run_inquiry(scan, &target_addr, true, inq_timeout);
        }
        if (le) {
                int k = run_le(scan, target, &target_addr, le_timeout);
                if (r == 0)
                        r = k;
        }
        printf("[%7.3f] rig-bt-smoke: %s\n", elapsed(), r == 0 ? "PASS" : "FAIL");
        return r == 0 ? 0 : 1;
}
