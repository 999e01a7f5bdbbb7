/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Logging for certbench programs. Thread-safe. Two targets: stderr (the
 * foreground, tests) and the journal with structured fields RUN_ID=,
 * SLOT=, DUT_SERIAL=, CASE= taken from a struct log_ctx. Drivers log at
 * debug only; callers report once. The *_errno variants return -abs(r) so
 * "return log_error_errno(r, ...)" both logs and propagates. */

#include <syslog.h>

#include "macros.h"

enum log_target {
        LOG_TARGET_STDERR,
        LOG_TARGET_JOURNAL,
        _LOG_TARGET_MAX,
};

struct log_ctx {
        const char *run_id;
        const char *slot;
        const char *dut_serial;
        const char *case_id;
};

void log_set_target(enum log_target t);
void log_set_max_level(int level);
int log_get_max_level(void);
/* Reads CERTBENCH_LOG_LEVEL (debug|info|notice|warning|err) if set. */
void log_parse_environment(void);

int log_internal(int level, int error, const struct log_ctx *ctx,
                 const char *file, int line, const char *func,
                 const char *format, ...) _printf_(7, 8);

#define log_full_errno_ctx(level, error, ctx, ...) \
        log_internal(level, error, ctx, __FILE__, __LINE__, __func__, __VA_ARGS__)

#define log_debug(...)   log_full_errno_ctx(LOG_DEBUG, 0, NULL, __VA_ARGS__)
#define log_info(...)    log_full_errno_ctx(LOG_INFO, 0, NULL, __VA_ARGS__)
#define log_notice(...)  log_full_errno_ctx(LOG_NOTICE, 0, NULL, __VA_ARGS__)
#define log_warning(...) log_full_errno_ctx(LOG_WARNING, 0, NULL, __VA_ARGS__)
#define log_error(...)   log_full_errno_ctx(LOG_ERR, 0, NULL, __VA_ARGS__)

#define log_debug_errno(r, ...)   log_full_errno_ctx(LOG_DEBUG, r, NULL, __VA_ARGS__)
#define log_warning_errno(r, ...) log_full_errno_ctx(LOG_WARNING, r, NULL, __VA_ARGS__)
#define log_error_errno(r, ...)   log_full_errno_ctx(LOG_ERR, r, NULL, __VA_ARGS__)

#define log_ctx_info(ctx, ...)    log_full_errno_ctx(LOG_INFO, 0, ctx, __VA_ARGS__)
#define log_ctx_warning(ctx, ...) log_full_errno_ctx(LOG_WARNING, 0, ctx, __VA_ARGS__)
#define log_ctx_error_errno(ctx, r, ...) log_full_errno_ctx(LOG_ERR, r, ctx, __VA_ARGS__)
