/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "timeutil.h"

#include <stdio.h>

usec_t now_usec(clockid_t clock) {
        struct timespec ts;

        /* clock_gettime() cannot fail for the clocks we use. */
        (void) clock_gettime(clock, &ts);
        return timespec_load(&ts);
}

usec_t deadline_in(usec_t rel) {
        usec_t n = mono_now();

        if (rel == USEC_INFINITY || rel > USEC_INFINITY - n)
                return USEC_INFINITY;
        return n + rel;
}

int deadline_poll_ms(usec_t deadline) {
        usec_t n, left;

        if (deadline == USEC_INFINITY)
                return -1;
        n = mono_now();
        if (deadline <= n)
                return 0;
        left = (deadline - n + USEC_PER_MSEC - 1) / USEC_PER_MSEC;
        return left > INT32_MAX ? INT32_MAX : (int) left;
}

struct timespec *timespec_store(struct timespec *ts, usec_t u) {
        ts->tv_sec = (time_t) (u / USEC_PER_SEC);
        ts->tv_nsec = (long) ((u % USEC_PER_SEC) * NSEC_PER_USEC);
        return ts;
}

usec_t timespec_load(const struct timespec *ts) {
        return (usec_t) ts->tv_sec * USEC_PER_SEC + (usec_t) ts->tv_nsec / NSEC_PER_USEC;
}

char *format_rfc3339(char *buf, size_t size, usec_t realtime) {
        time_t sec = (time_t) (realtime / USEC_PER_SEC);
        struct tm tm;

        gmtime_r(&sec, &tm);
        snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%06uZ",
                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                 tm.tm_hour, tm.tm_min, tm.tm_sec,
                 (unsigned) (realtime % USEC_PER_SEC));
        return buf;
}
