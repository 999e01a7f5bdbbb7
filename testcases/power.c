/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* power.cycle: switch the DUT off and on through its power channel, with
 * every write read back, and record how long the DUT really was without
 * power. It needs nothing but the relays, so the whole chain from the
 * command to the verdict runs on any bench. */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "testcase.h"

static const char *const power_cycle_requirements[] = { "BENCH", NULL };

static const struct case_param power_cycle_params[] = {
        { .name = "off_ms", .type = CASE_PARAM_INT, .min = 0, .max = 600000,
          .help = "how long the DUT stays unpowered (default 2000)" },
        { .name = "settle_ms", .type = CASE_PARAM_INT, .min = 0, .max = 600000,
          .help = "wait after power-on before the case ends (default 500)" },
        { .name = "tolerance_ms", .type = CASE_PARAM_INT, .min = 1, .max = 60000,
          .help = "allowed excess of the measured off time (default 250)" },
        { .name = "channel", .type = CASE_PARAM_STRING,
          .help = "power channel (default: the slot's power channel)" },
        {}
};

static enum case_outcome power_cycle_run(struct case_ctx *ctx) {
        const struct fx_slot *slot = case_ctx_slot(ctx);
        const char *channel = case_ctx_param_string(ctx, "channel", slot->power);
        usec_t off = (usec_t) case_ctx_param_int(ctx, "off_ms", 2000) * USEC_PER_MSEC;
        usec_t settle = (usec_t) case_ctx_param_int(ctx, "settle_ms", 500) * USEC_PER_MSEC;
        usec_t tolerance = (usec_t) case_ctx_param_int(ctx, "tolerance_ms", 250) * USEC_PER_MSEC;
        struct relay_result r_off, r_on;
        usec_t measured;
        char timeline[512];
        int r;

        case_ctx_progress(ctx, "power off %s", channel);
        r = case_ctx_relay(ctx, RELAY_OP_SET, channel, false, 0, deadline_in(5 * USEC_PER_SEC), &r_off);
        if (r == -ECANCELED)
                return CASE_ABORTED;
        if (r < 0) {
                case_ctx_reason(ctx, "could not switch %s off: %s (%s)", channel,
                                r_off.reason ? r_off.reason : "relay error", strerror(-r));
                return CASE_ERROR;
        }
        case_ctx_measure(ctx, "off_write_latency", (double) (r_off.t_start - r_off.t_queued), "us");

        case_ctx_progress(ctx, "off for %llu ms", (unsigned long long) (off / USEC_PER_MSEC));
        if (case_ctx_wait(ctx, r_off.t_start + off) < 0)
                return CASE_ABORTED;

        case_ctx_progress(ctx, "power on %s", channel);
        r = case_ctx_relay(ctx, RELAY_OP_SET, channel, true, 0, deadline_in(5 * USEC_PER_SEC), &r_on);
        if (r == -ECANCELED)
                return CASE_ABORTED;
        if (r < 0) {
                case_ctx_reason(ctx, "could not switch %s back on: %s (%s)", channel,
                                r_on.reason ? r_on.reason : "relay error", strerror(-r));
                return CASE_ERROR;
        }
        case_ctx_measure(ctx, "on_write_latency", (double) (r_on.t_start - r_on.t_queued), "us");

        measured = r_on.t_start - r_off.t_start;
        case_ctx_measure(ctx, "off_time_commanded", (double) off / 1000.0, "ms");
        case_ctx_measure(ctx, "off_time_measured", (double) measured / 1000.0, "ms");

        snprintf(timeline, sizeof(timeline),
                 "{\"channel\":\"%s\",\"off_queued_us\":%llu,\"off_applied_us\":%llu,"
                 "\"on_queued_us\":%llu,\"on_applied_us\":%llu,\"clock\":\"CLOCK_MONOTONIC\"}",
                 channel, (unsigned long long) r_off.t_queued, (unsigned long long) r_off.t_start,
                 (unsigned long long) r_on.t_queued, (unsigned long long) r_on.t_start);
        case_ctx_evidence(ctx, "power-timeline.json", "application/json", timeline, strlen(timeline));

        if (measured < off || measured > off + tolerance) {
                case_ctx_reason(ctx, "off time %.3f ms is outside %.3f..%.3f ms: the bench cannot time this DUT",
                                (double) measured / 1000.0, (double) off / 1000.0,
                                (double) (off + tolerance) / 1000.0);
                return CASE_ERROR;
        }

        if (settle > 0 && case_ctx_wait(ctx, r_on.t_start + settle) < 0)
                return CASE_ABORTED;

        case_ctx_reason(ctx, "%s switched off for %.1f ms and back on, both writes verified by read-back",
                        channel, (double) measured / 1000.0);
        return CASE_PASS;
}

const struct case_def case_power_cycle = {
        .id = "power.cycle",
        .summary = "Power the DUT off and on through its relay channel, verified and timed",
        .requirements = power_cycle_requirements,
        .params = power_cycle_params,
        .run = power_cycle_run,
};
