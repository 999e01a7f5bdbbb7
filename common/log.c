/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <pthread.h>
#include <systemd/sd-journal.h>

static enum log_target log_target = LOG_TARGET_STDERR;
static int log_max_level = LOG_INFO;
/* One line at a time on stderr, even with several slot threads. */
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

void log_set_target(enum log_target t) {
        log_target = t;
}

void log_set_max_level(int level) {
        log_max_level = level;
}

int log_get_max_level(void) {
        return log_max_level;
}

void log_parse_environment(void) {
        static const char *const names[] = {
                [LOG_ERR] = "err", [LOG_WARNING] = "warning", [LOG_NOTICE] = "notice",
                [LOG_INFO] = "info", [LOG_DEBUG] = "debug",
        };
        const char *e = getenv("CERTBENCH_LOG_LEVEL");

        if (!e)
                return;
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (names[i] && strcasecmp(names[i], e) == 0)
                        log_max_level = (int) i;
}

static const char *level_name(int level) {
        switch (level) {
        case LOG_DEBUG: return "debug";
        case LOG_INFO: return "info";
        case LOG_NOTICE: return "notice";
        case LOG_WARNING: return "warning";
        default: return "error";
        }
}

int log_internal(int level, int error, const struct log_ctx *ctx,
                 const char *file, int line, const char *func,
                 const char *format, ...) {
        char msg[2048];
        va_list ap;
        int saved = errno;

        if (error < 0)
                error = -error;
        if (level > log_max_level) {
                errno = saved;
                return -error;
        }

        /* %m in the format refers to the error we were given. */
        errno = error;
        va_start(ap, format);
        vsnprintf(msg, sizeof(msg), format, ap);
        va_end(ap);

        if (log_target == LOG_TARGET_JOURNAL) {
                char cf[512], cl[32];

                snprintf(cf, sizeof(cf), "CODE_FILE=%s", file);
                snprintf(cl, sizeof(cl), "CODE_LINE=%d", line);
                sd_journal_send_with_location(
                        cf, cl, func,
                        "MESSAGE=%s", msg,
                        "PRIORITY=%d", level,
                        "RUN_ID=%s", ctx && ctx->run_id ? ctx->run_id : "",
                        "SLOT=%s", ctx && ctx->slot ? ctx->slot : "",
                        "DUT_SERIAL=%s", ctx && ctx->dut_serial ? ctx->dut_serial : "",
                        "CASE=%s", ctx && ctx->case_id ? ctx->case_id : "",
                        "ERRNO=%d", error,
                        NULL);
        } else {
                pthread_mutex_lock(&log_lock);
                fprintf(stderr, "certbench[%s]", level_name(level));
                if (ctx && ctx->slot)
                        fprintf(stderr, " slot=%s", ctx->slot);
                if (ctx && ctx->run_id)
                        fprintf(stderr, " run=%s", ctx->run_id);
                if (ctx && ctx->case_id)
                        fprintf(stderr, " case=%s", ctx->case_id);
                fprintf(stderr, ": %s\n", msg);
                pthread_mutex_unlock(&log_lock);
        }

        errno = saved;
        return -error;
}
