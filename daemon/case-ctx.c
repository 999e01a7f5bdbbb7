/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The daemon's side of struct case_ctx: what a test case may touch. It
 * runs on the slot worker; results leave through the mailbox. */

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/daemon.h"

struct case_ctx {
        struct slot *slot;
        struct run_plan *plan;
        const struct case_def *def;
        unsigned idx;
        json_t *params;          /* borrowed from plan */
        json_t *measurements;
        char *reason;
};

struct case_ctx *case_ctx_new(struct slot *s, struct run_plan *plan, const struct case_def *def,
                              unsigned idx) {
        struct case_ctx *ctx = calloc(1, sizeof(*ctx));

        if (!ctx)
                abort();
        ctx->slot = s;
        ctx->plan = plan;
        ctx->def = def;
        ctx->idx = idx;
        ctx->params = json_object_get(plan->params, def->id);
        ctx->measurements = json_object();
        return ctx;
}

void case_ctx_free(struct case_ctx *ctx) {
        if (!ctx)
                return;
        json_decref(ctx->measurements);
        free(ctx->reason);
        free(ctx);
}

char *case_ctx_take_reason(struct case_ctx *ctx) {
        return TAKE_PTR(ctx->reason);
}

json_t *case_ctx_take_measurements(struct case_ctx *ctx) {
        return TAKE_PTR(ctx->measurements);
}

const char *case_ctx_slot_name(struct case_ctx *ctx) {
        return ctx->slot->cfg->name;
}

const struct fx_slot *case_ctx_slot(struct case_ctx *ctx) {
        return ctx->slot->cfg;
}

const struct dut_profile *case_ctx_profile(struct case_ctx *ctx) {
        return ctx->plan->profile;
}

const struct fixture *case_ctx_fixture(struct case_ctx *ctx) {
        return ctx->slot->daemon->fixture;
}

int case_ctx_abort_fd(struct case_ctx *ctx) {
        return ctx->slot->abort_fd;
}

const char *case_ctx_serial(struct case_ctx *ctx) {
        return ctx->plan->serial;
}

int64_t case_ctx_param_int(struct case_ctx *ctx, const char *name, int64_t def) {
        json_t *v = json_object_get(ctx->params, name);

        /* Validated against the case's parameter table at run.start. */
        return json_is_integer(v) ? (int64_t) json_integer_value(v) : def;
}

const char *case_ctx_param_string(struct case_ctx *ctx, const char *name, const char *def) {
        json_t *v = json_object_get(ctx->params, name);

        return json_is_string(v) ? json_string_value(v) : def;
}

bool case_ctx_aborted(struct case_ctx *ctx) {
        return atomic_load(&ctx->slot->abort);
}

int case_ctx_wait(struct case_ctx *ctx, usec_t deadline) {
        for (;;) {
                struct pollfd p = { .fd = ctx->slot->abort_fd, .events = POLLIN };
                struct timespec ts;
                usec_t now = mono_now();
                int r;

                if (case_ctx_aborted(ctx))
                        return -ECANCELED;
                if (now >= deadline)
                        return 0;
                /* ppoll, not poll: cases time DUT power to the
                 * microsecond, and poll would round up to milliseconds. */
                r = ppoll(&p, 1, deadline == USEC_INFINITY ? NULL : timespec_store(&ts, deadline - now), NULL);
                if (r < 0 && errno != EINTR)
                        return -errno;
        }
}

int case_ctx_relay(struct case_ctx *ctx, enum relay_op op, const char *channel, bool on,
                   usec_t width, usec_t deadline, struct relay_result *ret) {
        struct relay_board *b = daemon_board_for(ctx->slot->daemon, channel);
        struct relay_result res = { .reason = "no such channel in the fixture" };
        const char *slot = ctx->slot->cfg->name;
        int r;

        if (!b)
                r = -ENOENT;
        else
                r = relay_board_call(b, op, channel, on, width, deadline, ctx->slot->abort_fd, &res);
        if (r < 0 && r != -ECANCELED)
                daemon_post_event(ctx->slot->daemon, slot, ctx->plan->run_id, "relay.error",
                                  json_pack("{s:s, s:s, s:s}", "channel", channel, "error",
                                            res.reason ? res.reason : strerror(-r), "source", "case"));
        else if (r == 0 && op != RELAY_OP_GET)
                daemon_post_event(ctx->slot->daemon, slot, ctx->plan->run_id, "relay.changed",
                                  json_pack("{s:s, s:b, s:s}", "channel", channel, "on", res.on,
                                            "source", "case"));
        if (ret)
                *ret = res;
        return r;
}

void case_ctx_progress(struct case_ctx *ctx, const char *fmt, ...) {
        char *step = NULL;
        va_list ap;

        va_start(ap, fmt);
        if (vasprintf(&step, fmt, ap) < 0)
                step = NULL;
        va_end(ap);
        daemon_post_event(ctx->slot->daemon, ctx->slot->cfg->name, ctx->plan->run_id, "case.progress",
                          json_pack("{s:i, s:s, s:s}", "idx", (int) ctx->idx, "case", ctx->def->id,
                                    "step", step ? step : ""));
        free(step);
}

void case_ctx_reason(struct case_ctx *ctx, const char *fmt, ...) {
        va_list ap;

        free(ctx->reason);
        va_start(ap, fmt);
        if (vasprintf(&ctx->reason, fmt, ap) < 0)
                ctx->reason = NULL;
        va_end(ap);
}

void case_ctx_measure(struct case_ctx *ctx, const char *name, double value, const char *unit) {
        json_object_set_new(ctx->measurements, name,
                            json_pack("{s:f, s:s}", "value", value, "unit", unit));
}

int case_ctx_evidence(struct case_ctx *ctx, const char *name, const char *media_type,
                      const void *data, size_t size) {
        struct daemon_msg *m = daemon_msg_new(DAEMON_MSG_EVIDENCE, ctx->slot->cfg->name,
                                              ctx->plan->run_id);

        m->idx = ctx->idx;
        m->case_id = strdup(ctx->def->id);
        m->name = strdup(name);
        m->media_type = strdup(media_type);
        m->blob = malloc(size ? size : 1);
        if (!m->blob) {
                daemon_msg_free(m);
                return -ENOMEM;
        }
        memcpy(m->blob, data, size);
        m->blob_size = size;
        m->type = strdup("evidence");
        m->data = json_pack("{s:i, s:s, s:s, s:s, s:I}", "idx", (int) ctx->idx, "case", ctx->def->id,
                            "name", name, "media_type", media_type, "size", (json_int_t) size);
        daemon_post(ctx->slot->daemon, m);
        return 0;
}

void case_ctx_event(struct case_ctx *ctx, const char *type, json_t *data) {
        daemon_post_event(ctx->slot->daemon, ctx->slot->cfg->name, ctx->plan->run_id, type, data);
}
