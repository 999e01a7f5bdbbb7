/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <pthread.h>
#include <endian.h>

#include "sd-notify.h"

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
                char prio[4], cl[16], errbuf[16];
                struct journal_field f[12] = {
                        { "MESSAGE", msg },
                        { "PRIORITY", prio },
                        { "SYSLOG_IDENTIFIER", program_invocation_short_name },
                        { "CODE_FILE", file },
                        { "CODE_LINE", cl },
                        { "CODE_FUNC", func },
                };
                size_t n = 6;

                snprintf(prio, sizeof(prio), "%d", level);
                snprintf(cl, sizeof(cl), "%d", line);
                if (error) {
                        snprintf(errbuf, sizeof(errbuf), "%d", error);
                        f[n++] = (struct journal_field) { "ERRNO", errbuf };
                }
                /* Context fields only where they mean something, so
                 * "journalctl RUN_ID=..." finds exactly that run. */
                if (ctx && ctx->run_id)
                        f[n++] = (struct journal_field) { "RUN_ID", ctx->run_id };
                if (ctx && ctx->slot)
                        f[n++] = (struct journal_field) { "SLOT", ctx->slot };
                if (ctx && ctx->dut_serial)
                        f[n++] = (struct journal_field) { "DUT_SERIAL", ctx->dut_serial };
                if (ctx && ctx->case_id)
                        f[n++] = (struct journal_field) { "CASE", ctx->case_id };
                if (journal_send(f, n) < 0)
                        fprintf(stderr, "<%d>%s\n", level, msg);
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
