/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench-relay: what our relay layer costs over raw libmodbus, and how
 * precise pulses are as seen by the board (the simulator's log).
 *
 *   bench-relay [ITERATIONS [PULSES [WIDTH_MS]]]     (defaults 2000 100 10)
 *
 * Starts its own certbench-relaysim on a free loopback port. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <modbus.h>

#include "common/macros.h"
#include "drivers/relay/relay.h"
#include "simproc.h"

static uint64_t now_ns(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000000ULL + (uint64_t) ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;

        return x < y ? -1 : x > y;
}

static double pct(double *v, size_t n, double p) {
        size_t i = (size_t) (p * (double) (n - 1) + 0.5);

        return v[i < n ? i : n - 1];
}

struct stats {
        double p50, p99, max;
};

static struct stats stats_of(double *v, size_t n) {
        qsort(v, n, sizeof(*v), cmp_double);
        return (struct stats) { pct(v, n, 0.50), pct(v, n, 0.99), v[n - 1] };
}

int main(int argc, char **argv) {
        size_t iters = argc > 1 ? strtoul(argv[1], NULL, 10) : 2000;
        size_t pulses = argc > 2 ? strtoul(argv[2], NULL, 10) : 100;
        usec_t width = (argc > 3 ? strtoul(argv[3], NULL, 10) : 10) * USEC_PER_MSEC;
        struct fx_channel chans[] = {
                { .name = (char *) "set", .index = 1, .output = true },
                { .name = (char *) "pulse", .index = 2, .output = true },
        };
        char dir[64], logpath[96];
        _cleanup_free_ double *raw = NULL, *set = NULL, *perr = NULL, *ours = NULL;
        _cleanup_free_ struct simlog_entry *e = NULL;
        struct relay_board *board = NULL;
        struct simproc sim = {};
        struct stats rs, ss, ps, os;
        modbus_t *ctx = NULL;
        size_t n = 0, k = 0;
        int r, ret = EXIT_FAILURE;

        if (iters < 1 || pulses < 1 || width < 1) {
                fprintf(stderr, "usage: bench-relay [ITERATIONS [PULSES [WIDTH_MS]]]\n");
                return EXIT_FAILURE;
        }
        raw = calloc(iters, sizeof(double));
        set = calloc(iters, sizeof(double));
        perr = calloc(pulses, sizeof(double));
        ours = calloc(pulses, sizeof(double));
        if (!raw || !set || !perr || !ours || simproc_mkdtemp(dir, sizeof(dir), "bench-relay") < 0)
                return EXIT_FAILURE;
        snprintf(logpath, sizeof(logpath), "%s/sim.log", dir);
        r = simproc_start(&sim, RELAYSIM_PATH, 0, 8, logpath, -1);
        if (r < 0) {
                fprintf(stderr, "bench-relay: cannot start simulator: %s\n", strerror(-r));
                goto out;
        }

        ctx = modbus_new_tcp("127.0.0.1", (int) sim.port);
        if (!ctx || modbus_connect(ctx) < 0) {
                fprintf(stderr, "bench-relay: connect: %s\n", modbus_strerror(errno));
                goto out;
        }
        for (size_t i = 0; i < iters; i++) {
                uint64_t t = now_ns();

                if (modbus_write_bit(ctx, 0, (int) (i & 1)) != 1) {
                        fprintf(stderr, "bench-relay: write_bit: %s\n", modbus_strerror(errno));
                        goto out;
                }
                raw[i] = (double) (now_ns() - t) / 1000.0;
        }

        struct fx_relay_board cfg = {
                .name = (char *) "bench", .kind = (char *) "modbus-tcp",
                .host = (char *) "127.0.0.1", .port = sim.port, .unit = 1, .timeout_ms = 500,
                .channels = chans, .n_channels = ELEMENTSOF(chans),
        };
        r = relay_board_new(&cfg, &board);
        if (r < 0) {
                fprintf(stderr, "bench-relay: relay_board_new: %s\n", strerror(-r));
                goto out;
        }
        /* Connect outside the measurement. */
        (void) relay_board_call(board, RELAY_OP_GET, "set", false, 0, deadline_in(USEC_PER_SEC), -1, NULL);
        for (size_t i = 0; i < iters; i++) {
                uint64_t t = now_ns();

                r = relay_board_call(board, RELAY_OP_SET, "set", i & 1, 0, deadline_in(USEC_PER_SEC), -1, NULL);
                if (r < 0) {
                        fprintf(stderr, "bench-relay: set: %s\n", strerror(-r));
                        goto out;
                }
                set[i] = (double) (now_ns() - t) / 1000.0;
        }
        for (size_t i = 0; i < pulses; i++) {
                struct relay_result res;

                r = relay_board_call(board, RELAY_OP_PULSE, "pulse", true, width,
                                     deadline_in(width + USEC_PER_SEC), -1, &res);
                if (r < 0) {
                        fprintf(stderr, "bench-relay: pulse: %s (%s)\n", strerror(-r), strna(res.reason));
                        goto out;
                }
                ours[i] = (double) res.t_end - (double) res.t_start;
        }
        r = simlog_read(logpath, &e, &n);
        if (r < 0)
                goto out;
        for (size_t i = 0; i + 1 < n && k < pulses; i++)
                if (e[i].coil == 2 && e[i].value == 1 && e[i + 1].coil == 2 && e[i + 1].value == 0)
                        perr[k++] = (double) (e[i + 1].t - e[i].t) - (double) width;
        if (k != pulses) {
                fprintf(stderr, "bench-relay: %zu pulses in the simulator log, expected %zu\n", k, pulses);
                goto out;
        }
        for (size_t i = 0; i < pulses; i++)
                perr[i] = perr[i] < 0 ? -perr[i] : perr[i];

        rs = stats_of(raw, iters);
        ss = stats_of(set, iters);
        ps = stats_of(perr, pulses);
        os = stats_of(ours, pulses);
        printf("round trips, %zu each (µs):\n", iters);
        printf("  raw modbus_write_bit        median %8.1f  p99 %8.1f  max %8.1f\n", rs.p50, rs.p99, rs.max);
        printf("  relay_board_call(SET)+rb    median %8.1f  p99 %8.1f  max %8.1f\n", ss.p50, ss.p99, ss.max);
        printf("  ratio relay/raw             median %8.2f  p99 %8.2f\n", ss.p50 / rs.p50, ss.p99 / rs.p99);
        printf("pulse width error at the simulator, %zu pulses of %llu ms (µs):\n",
               pulses, (unsigned long long) (width / USEC_PER_MSEC));
        printf("  |measured - commanded|      p50 %8.1f  p99 %8.1f  max %8.1f  target p99 < 1000: %s\n",
               ps.p50, ps.p99, ps.max, ps.p99 < 1000.0 ? "met" : "MISSED");
        printf("  t_end - t_start (acks)      p50 %8.1f  p99 %8.1f  max %8.1f\n", os.p50, os.p99, os.max);
        ret = EXIT_SUCCESS;
out:
        relay_board_free(board);
        if (ctx) {
                modbus_close(ctx);
                modbus_free(ctx);
        }
        simproc_stop(&sim, false);
        unlink(logpath);
        rmdir(dir);
        return ret;
}
