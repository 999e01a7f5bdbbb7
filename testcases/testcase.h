/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Test cases: what a slot runs, one after another, reading like the lab
 * procedure. A case uses driver APIs through its struct case_ctx only.
 *
 * Thread: run() is called on the slot's worker thread and may block it
 * (that is what the worker is for), but every wait goes through
 * case_ctx_wait()/case_ctx_relay(), which end at the deadline or as soon
 * as the run is aborted (within milliseconds). A case returns its outcome;
 * a bench fault (relay unreachable, read-back mismatch, timeout) is
 * CASE_ERROR, never CASE_FAIL. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "common/macros.h"
#include "common/timeutil.h"
#include "drivers/relay/relay.h"
#include "lib/fixture/fixture.h"

enum case_outcome {
        CASE_PASS,
        CASE_FAIL,
        CASE_ERROR,
        CASE_SKIPPED,
        CASE_ABORTED,
        _CASE_OUTCOME_MAX,
};

const char *case_outcome_to_string(enum case_outcome o);
/* Worst of two, in the order PASS < SKIPPED < FAIL < ERROR < ABORTED. */
enum case_outcome case_outcome_worst(enum case_outcome a, enum case_outcome b);

struct case_ctx;

struct case_param {
        const char *name;
        enum { CASE_PARAM_INT, CASE_PARAM_STRING } type;
        int64_t min, max;        /* for ints */
        const char *help;
};

struct case_def {
        const char *id;                          /* "power.cycle" */
        const char *summary;
        const char *const *requirements;         /* NULL-terminated: "D-2", ... */
        const struct case_param *params;         /* terminated by .name == NULL */
        enum case_outcome (*run)(struct case_ctx *ctx);
};

/* Registry. */
const struct case_def *case_find(const char *id);
const struct case_def *const *case_list(void);   /* NULL-terminated */
/* Checks a params object against def->params; -EINVAL with a message
 * naming the parameter ("params.power.cycle.off_ms: expected ..."). */
int case_params_validate(const struct case_def *def, json_t *params, char **ret_message);

/* The context, implemented by the daemon (daemon/case-ctx.c). */
const char *case_ctx_slot_name(struct case_ctx *ctx);
const struct fx_slot *case_ctx_slot(struct case_ctx *ctx);
const struct dut_profile *case_ctx_profile(struct case_ctx *ctx);
const char *case_ctx_serial(struct case_ctx *ctx);
/* The bench fixture (radios, USB ports), owned by the daemon, read-only. */
const struct fixture *case_ctx_fixture(struct case_ctx *ctx);
int64_t case_ctx_param_int(struct case_ctx *ctx, const char *name, int64_t def);
const char *case_ctx_param_string(struct case_ctx *ctx, const char *name, const char *def);

/* Sleeps until the deadline; -ECANCELED as soon as the run is aborted. */
int case_ctx_wait(struct case_ctx *ctx, usec_t deadline);
bool case_ctx_aborted(struct case_ctx *ctx);
/* An fd that becomes readable (POLLIN) when the run is aborted and stays
 * so until the run ends; for driver calls that take an abort fd. Owned by
 * the daemon: never read, write or close it. */
int case_ctx_abort_fd(struct case_ctx *ctx);

/* A relay request on a fixture channel, with the run's abort honoured.
 * Emits relay.changed / relay.error events. Returns as relay_board_call. */
int case_ctx_relay(struct case_ctx *ctx, enum relay_op op, const char *channel, bool on,
                   usec_t width, usec_t deadline, struct relay_result *ret);

/* Switches the DUT's power channel on or off (progress line, 5 s
 * deadline): CASE_PASS, CASE_ABORTED, or CASE_ERROR with the reason set. */
enum case_outcome case_power_set(struct case_ctx *ctx, const char *channel, bool on, struct relay_result *ret);

/* The bench radio's interface: the case's "interface" param, else the
 * slot's first fixture radio of this kind (*ret_radio, may be NULL: its
 * fixture name, NULL for the param). NULL when there is none. */
const char *case_bench_radio(struct case_ctx *ctx, const char *kind, const char **ret_radio);

/* Evidence and results; stored before they are published. */
void case_ctx_progress(struct case_ctx *ctx, const char *fmt, ...) _printf_(2, 3);
void case_ctx_reason(struct case_ctx *ctx, const char *fmt, ...) _printf_(2, 3);
void case_ctx_measure(struct case_ctx *ctx, const char *name, double value, const char *unit);
int case_ctx_evidence(struct case_ctx *ctx, const char *name, const char *media_type,
                      const void *data, size_t size);
/* Emits a free-form case.progress event with data (stolen); for cases that
 * stream observations, and for the event benchmark. */
void case_ctx_event(struct case_ctx *ctx, const char *type, json_t *data);
