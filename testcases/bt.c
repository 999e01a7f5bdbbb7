/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* D-4, the latest Bluetooth pairing method (docs/bluetooth-cases.md).
 *
 * bt.pairing, BR/EDR: the bench radio (the slot's fixture radio of kind
 * bluetooth, any drivers/bt transport) becomes the only host of its
 * controller, finds the DUT (declared address, or the first device an
 * inquiry finds after power-on), connects, reads the remote features
 * pages, asks for authentication and lets the DUT show how it pairs. Every
 * packet both ways goes into a btsnoop file (evidence) and, as the same
 * records, into the pairing classifier lib/btpair, whose report is the
 * classification. A DUT that pairs legacy is offered the declared PIN,
 * then common fixed PINs, one connection each.
 *
 * LE (profile modes has "le"): testcases/bt-le.c, two SMP probes on the
 * same bench host after the BR/EDR half.
 *
 * Policy "latest" (default): FAIL on legacy PIN pairing, FAIL on Secure
 * Simple Pairing with a P-192 key only, FAIL on LE legacy pairing or an
 * accepted LE downgrade, PASS on Secure Connections.
 * Policy "ssp": SSP P-192 passes too. Bench faults are ERROR. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testcase.h"
#include "testcases/bt-bredr.h"
#include "testcases/bt-le.h"
#include "testcases/bt-le-verdict.h"

#define streq(a, b) (strcmp((a), (b)) == 0)

static const char *const bt_requirements[] = { "D-4", NULL };

/* ------------------------------------------------------------- records */

static void on_packet(enum bt_dir dir, const uint8_t *pkt, size_t len, usec_t realtime, void *userdata) {
        struct bt_run *run = userdata;
        struct btsnoop_record rec = {
                .number = ++run->records,
                .ts_usec = realtime,
                .dir = dir == BT_DIR_FROM_CONTROLLER ? BTSNOOP_DIR_RECEIVED : BTSNOOP_DIR_SENT,
        };

        (void) bt_snoop_writer_add(run->snoop, dir == BT_DIR_FROM_CONTROLLER, pkt, len, realtime);
        if (len < 1)
                return;
        rec.type = pkt[0] >= BTSNOOP_TYPE_COMMAND && pkt[0] <= BTSNOOP_TYPE_ISO ? (enum btsnoop_type) pkt[0]
                                                                                : BTSNOOP_TYPE_OTHER;
        rec.data = pkt + 1;
        rec.len = len - 1;
        btpair_feed(run->pair, &rec);
}

/* ----------------------------------------------------------- profile */

static json_t *profile_bt(struct case_ctx *ctx) {
        const struct dut_profile *p = case_ctx_profile(ctx);

        return p ? json_object_get(json_object_get(p->json, "radios"), "bluetooth") : NULL;
}

static bool json_list_has(json_t *arr, const char *s) {
        size_t i;
        json_t *v;

        json_array_foreach(arr, i, v)
                if (json_is_string(v) && streq(json_string_value(v), s))
                        return true;
        return false;
}

/* ------------------------------------------------------------ the case */

static const struct case_param pairing_params[] = {
        { .name = "interface", .type = CASE_PARAM_STRING,
          .help = "bench Bluetooth interface (default: the slot's fixture radio of kind bluetooth)" },
        { .name = "address", .type = CASE_PARAM_STRING,
          .help = "the DUT's BD_ADDR AA:BB:CC:DD:EE:FF (default: radios.bluetooth.address, else inquiry)" },
        { .name = "pin", .type = CASE_PARAM_STRING,
          .help = "the PIN to try first (default: radios.bluetooth.pin)" },
        { .name = "policy", .type = CASE_PARAM_STRING,
          .help = "latest or ssp (default: radios.bluetooth.policy, else latest)" },
        { .name = "power_on", .type = CASE_PARAM_INT, .min = 0, .max = 1,
          .help = "switch the DUT's power on first (default 1)" },
        { .name = "inquiry_s", .type = CASE_PARAM_INT, .min = 1, .max = 60,
          .help = "how long to look for the DUT (default 10)" },
        { .name = "le_scan_s", .type = CASE_PARAM_INT, .min = 1, .max = 60,
          .help = "how long to look for the DUT's LE advertising (default 10)" },
        { .name = "timeout_s", .type = CASE_PARAM_INT, .min = 5, .max = 300,
          .help = "per connection: connect, features, pairing (default 30)" },
        {},
};

static enum case_outcome pairing_run(struct case_ctx *ctx) {
        _cleanup_(bt_host_freep) struct bt_host *h = NULL;
        struct bt_run run = { .ctx = ctx, .abort_fd = case_ctx_abort_fd(ctx), .pscan_rep_mode = 0x01 };
        json_t *bt = profile_bt(ctx);
        json_t *modes = json_object_get(bt, "modes");
        const char *interface = case_bench_radio(ctx, "bluetooth", NULL);
        const char *policy = case_ctx_param_string(ctx, "policy", json_string_value(json_object_get(bt, "policy")));
        const char *addr_s = case_ctx_param_string(ctx, "address", json_string_value(json_object_get(bt, "address")));
        const char *pin_s = case_ctx_param_string(ctx, "pin", json_string_value(json_object_get(bt, "pin")));
        const char *declared_io = json_string_value(json_object_get(bt, "io_capability"));
        usec_t per_conn = (usec_t) case_ctx_param_int(ctx, "timeout_s", 30) * USEC_PER_SEC;
        bool want_bredr = json_list_has(modes, "br-edr"), want_le = json_list_has(modes, "le");
        enum case_outcome o = CASE_ERROR, o_bredr = CASE_PASS;
        char reason[1024] = "", reason_bredr[512] = "", bench_a[BT_ADDR_STR_MAX] = "";
        struct bt_le_result le = { .outcome = CASE_PASS };
        usec_t t_start = mono_now(), t_relay = 0, cpu_start = now_usec(CLOCK_THREAD_CPUTIME_ID);
        struct bt_addr bench_addr;
        int r;

        if (!bt) {
                case_ctx_reason(ctx, "the profile declares no Bluetooth (radios.bluetooth): nothing to check");
                return CASE_SKIPPED;
        }
        if (!want_bredr && !want_le) {
                case_ctx_reason(ctx, "the profile declares no Bluetooth mode to check (radios.bluetooth.modes: expected br-edr, le or both)");
                return CASE_SKIPPED;
        }
        if (!policy)
                policy = "latest";
        if (!streq(policy, "latest") && !streq(policy, "ssp")) {
                case_ctx_reason(ctx, "policy is \"%s\", expected latest or ssp", policy);
                return CASE_ERROR;
        }
        if (addr_s && bt_addr_from_string(addr_s, &run.peer) < 0) {
                case_ctx_reason(ctx, "address is \"%s\", expected AA:BB:CC:DD:EE:FF", addr_s);
                return CASE_ERROR;
        }
        run.policy = policy;
        run.pin_s = pin_s;
        run.declared_io = declared_io;
        run.addr_declared = addr_s != NULL;
        run.per_conn = per_conn;
        if (!interface) {
                case_ctx_reason(ctx, "slot %s has no radio of kind bluetooth in the fixture, expected one (or the interface param)",
                                case_ctx_slot_name(ctx));
                return CASE_ERROR;
        }

        run.snoop = bt_snoop_writer_new(64u << 20);
        run.pair = btpair_new(bt_bredr_on_pairing, &run);
        if (!run.snoop || !run.pair) {
                case_ctx_reason(ctx, "out of memory");
                goto out;
        }
        bt_bredr_add_pins(&run, pin_s);

        if (case_ctx_param_int(ctx, "power_on", 1)) {
                struct relay_result rr = {};
                usec_t t0 = mono_now();

                o = case_power_set(ctx, case_ctx_slot(ctx)->power, true, &rr);
                t_relay = mono_now() - t0;
                if (o != CASE_PASS)
                        goto out;
                o = CASE_ERROR;
        }

        r = bt_host_open(interface, &h);
        if (r < 0) {
                case_ctx_reason(ctx, "cannot open bench Bluetooth interface %s: %s%s", interface, strerror(-r),
                                r == -EPERM ? " (the kernel user channel needs CAP_NET_ADMIN)" : "");
                goto out;
        }
        run.h = h;
        bt_host_set_tap(h, on_packet, &run);
        {
                usec_t dl = deadline_in(10 * USEC_PER_SEC);
                uint8_t v = 1;

                r = bt_host_init(h, dl, run.abort_fd, &bench_addr);
                if (r >= 0)
                        r = bt_host_cmd_ok(h, 0x0c56, &v, 1, dl, run.abort_fd, NULL);   /* SSP on */
                if (r < 0) {
                        if (r == -ECANCELED) {
                                o = CASE_ABORTED;
                                goto out;
                        }
                        case_ctx_reason(ctx, "bench controller %s does not initialise: %s", interface, strerror(-r));
                        goto out;
                }
                bt_addr_to_string(&bench_addr, bench_a, sizeof(bench_a));
        }

        if (want_bredr)
                o_bredr = bt_bredr_check(&run, reason_bredr, sizeof(reason_bredr));
        if (want_le && o_bredr != CASE_ABORTED) {
                struct bt_le_args la = {
                        .ctx = ctx, .h = h, .abort_fd = run.abort_fd, .profile = bt, .policy = policy,
                        .per_conn = per_conn, .scan_s = (unsigned) case_ctx_param_int(ctx, "le_scan_s", 10),
                };

                r = bt_le_check(&la, &le);
                if (r < 0) {
                        case_ctx_reason(ctx, "out of memory");
                        goto out;
                }
        }
        o = bt_pairing_combine(want_bredr, o_bredr, reason_bredr, want_le, le.outcome, le.reason, reason, sizeof(reason));

        if (o == CASE_ERROR && !reason[0])
                snprintf(reason, sizeof(reason), "the bench could not decide");
        if (reason[0])
                case_ctx_reason(ctx, "%s", reason);
        {
                _cleanup_free_ char *doc = NULL;
                const uint8_t *data;
                size_t size;
                json_t *j;

                j = json_pack("{s:s, s:s, s:s, s:s?, s:s, s:s?, s:s}",
                              "interface", interface, "transport", h ? bt_host_transport(h) : "",
                              "bench_address", bench_a, "dut_address", run.found ? run.a : NULL, "policy", policy,
                              "declared_io_capability", declared_io,
                              "reason", reason[0] ? reason : o == CASE_ABORTED ? "aborted" : "");
                if (j) {
                        bt_bredr_evidence(&run, j);
                        usec_t total = mono_now() - t_start, wait = h ? bt_host_wait_usec(h) : 0;
                        usec_t own = total > wait + t_relay ? total - wait - t_relay : 0;

                        json_object_set_new(j, "modes", json_deep_copy(modes));
                        json_object_set_new(j, "br_edr_reason", want_bredr ? json_string(reason_bredr) : json_null());
                        json_object_set_new(j, "le", le.evidence ? le.evidence : json_null());
                        le.evidence = NULL;
                        /* What the radio and the DUT made us wait (blocked on
                         * the transport), the relay board's share, and the
                         * rest: our own overhead. */
                        /* cpu_us: what this thread itself burned, syscalls
                         * included; the rest of overhead_us is time the
                         * scheduler gave to others (btvirt, the DUT). */
                        json_object_set_new(j, "timing",
                                            json_pack("{s:I, s:I, s:I, s:I, s:I}", "total_us", (json_int_t) total,
                                                      "controller_wait_us", (json_int_t) wait, "relay_us",
                                                      (json_int_t) t_relay, "overhead_us", (json_int_t) own,
                                                      "cpu_us",
                                                      (json_int_t) (now_usec(CLOCK_THREAD_CPUTIME_ID) - cpu_start)));
                }
                doc = j ? json_dumps(j, JSON_INDENT(2)) : NULL;
                if (doc)
                        case_ctx_evidence(ctx, "bt-pairing.json", "application/json", doc, strlen(doc));
                json_decref(j);
                data = bt_snoop_writer_data(run.snoop, &size);
                case_ctx_evidence(ctx, "bt-pairing.btsnoop", "application/octet-stream", data, size);
        }
out:
        json_decref(le.evidence);
        btpair_free(run.pair);
        bt_snoop_writer_free(run.snoop);
        return o;
}

const struct case_def case_bt_pairing = {
        .id = "bt.pairing",
        .summary = "The DUT must pair with Secure Connections: no legacy PIN pairing, no P-192-only SSP, no LE legacy pairing or downgrade",
        .requirements = bt_requirements,
        .params = pairing_params,
        .run = pairing_run,
};
