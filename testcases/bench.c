/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* bench.flood: emits a burst of events from a slot worker, through the
 * same path every case uses (mailbox, group commit, publish). It exists
 * for bench/ to measure the event pipeline; it touches no hardware. */

#include "testcase.h"

static const char *const bench_flood_requirements[] = { NULL };

static const struct case_param bench_flood_params[] = {
        { .name = "count", .type = CASE_PARAM_INT, .min = 0, .max = 100000000,
          .help = "number of events (default 1000)" },
        {}
};

static enum case_outcome bench_flood_run(struct case_ctx *ctx) {
        int64_t n = case_ctx_param_int(ctx, "count", 1000);

        for (int64_t i = 0; i < n; i++) {
                if ((i & 1023) == 0 && case_ctx_aborted(ctx))
                        return CASE_ABORTED;
                case_ctx_event(ctx, "bench.tick", json_pack("{s:I}", "i", (json_int_t) i));
        }
        case_ctx_reason(ctx, "emitted %lld events", (long long) n);
        return CASE_PASS;
}

const struct case_def case_bench_flood = {
        .id = "bench.flood",
        .summary = "Emit a burst of events (event pipeline benchmark)",
        .requirements = bench_flood_requirements,
        .params = bench_flood_params,
        .run = bench_flood_run,
};
