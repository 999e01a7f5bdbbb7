/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Time in certbench: microseconds as uint64_t. Deadlines are absolute
 * CLOCK_MONOTONIC values; wall-clock (CLOCK_REALTIME) is only for
 * timestamps shown to people and stored with events. All functions are
 * thread-safe and never block. */

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <time.h>

typedef uint64_t usec_t;

#define USEC_INFINITY ((usec_t) UINT64_MAX)
#define USEC_PER_SEC ((usec_t) 1000000ULL)
#define USEC_PER_MSEC ((usec_t) 1000ULL)
#define NSEC_PER_USEC ((uint64_t) 1000ULL)

usec_t now_usec(clockid_t clock);

static inline usec_t mono_now(void) {
        return now_usec(CLOCK_MONOTONIC);
}

/* Absolute monotonic deadline "rel" microseconds from now (saturating). */
usec_t deadline_in(usec_t rel);

/* Milliseconds left until an absolute monotonic deadline, clamped to
 * 0..INT32_MAX, rounded up so a wait never ends early; -1 for infinity.
 * Suits poll() and zmq_poll(). */
int deadline_poll_ms(usec_t deadline);

struct timespec *timespec_store(struct timespec *ts, usec_t u);
usec_t timespec_load(const struct timespec *ts);

/* Formats a CLOCK_REALTIME value as RFC 3339 UTC with microseconds,
 * "2026-11-27T08:01:02.123456Z". buf must hold at least 32 bytes. */
char *format_rfc3339(char *buf, size_t size, usec_t realtime);
#define RFC3339_MAX 32
