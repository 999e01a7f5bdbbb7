/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Relay boards: DUT power and reset lines.
 *
 * A struct relay_board owns one physical board (a Modbus unit or a GPIO
 * chip) and one thread that alone talks to it, so libmodbus/libgpiod
 * contexts never cross threads and access from several slots is
 * serialised. Requests are queued with an absolute CLOCK_MONOTONIC
 * deadline; a request still queued when its deadline passes fails with
 * -ETIMEDOUT and is never applied late (no replay burst, no chatter).
 * A board that cannot be reached answers -EHOSTUNREACH at once and is
 * reconnected on the next request.
 *
 * Channels are logical: "on" means the DUT side is energised; the
 * channel's invert flag maps it to the physical coil/line level. Every
 * write is read back; a mismatch is -EIO. A pulse owns its channel until
 * it ends: any other request on that channel meanwhile gets -EBUSY.
 *
 * Drivers never log above debug. Nothing here includes daemon/ headers. */

#include <stdbool.h>
#include <stdint.h>

#include "common/timeutil.h"
#include "lib/fixture/fixture.h"

/* Backend ops: called only from the board's own thread. Each returns
 * 0 or -errno (library errors mapped to errno). */
struct relay_backend_ops {
        const char *kind;
        int (*open)(const struct fx_relay_board *cfg, void **ret_state);
        int (*connect)(void *state, usec_t deadline);
        void (*disconnect)(void *state);
        int (*write)(void *state, const struct fx_channel *ch, bool physical, usec_t deadline);
        int (*read)(void *state, const struct fx_channel *ch, bool *ret_physical, usec_t deadline);
        /* Optional: write, then read back, in one exchange where the
         * transport allows pipelining. *ret_ack is when the board
         * acknowledged the write (monotonic), *ret_physical the level
         * read back. Without it the board thread calls write then read. */
        int (*write_verify)(void *state, const struct fx_channel *ch, bool physical, usec_t deadline,
                            usec_t *ret_ack, bool *ret_physical);
        void (*free)(void *state);
};

/* Registry by kind name ("modbus-tcp", "modbus-rtu", "gpio"); NULL if unknown. */
const struct relay_backend_ops *relay_backend_find(const char *kind);

enum relay_op {
        RELAY_OP_SET,
        RELAY_OP_GET,
        RELAY_OP_PULSE,     /* set "on", hold "width", set back to the level before
                             * (always logical on: the "on" argument is ignored) */
        _RELAY_OP_MAX,
};

struct relay_result {
        int r;                   /* 0 or -errno */
        const char *reason;      /* static text when r < 0 ("read-back mismatch", ...) */
        bool on;                 /* logical level read back (SET/GET) or restored (PULSE) */
        usec_t t_queued;         /* monotonic: request accepted */
        usec_t t_start;          /* monotonic: first write acknowledged by the board */
        usec_t t_end;            /* monotonic: PULSE: end write acknowledged; else == t_start */
};

/* Called on the board thread when a request completes. Must not block. */
typedef void (*relay_done_fn)(const struct relay_result *res, void *userdata);

struct relay_board;

/* Clarifications (added by the driver; nothing above changed):
 *  - done may be NULL. done runs on the board thread, without locks held;
 *    it may submit again but must not call relay_board_free().
 *  - Requests on a channel owned by a pulse fail -EBUSY, GET included.
 *  - PULSE: the deadline bounds the whole pulse: one that cannot end before
 *    its deadline fails -ETIMEDOUT and is not started. Once started, the
 *    end write is always attempted, whatever the deadline. The width runs
 *    from when the first write is sent to when the end write is sent.
 *    If the end write fails the channel state is unknown (r < 0): apply the
 *    safe state.
 *  - relay_board_submit() also returns -ECANCELED while the board is
 *    being freed, and -ENOMEM.
 *  - relay_board_call(): *ret (may be NULL) is written when the request
 *    completed, also when it failed (ret->r == return value, ret->reason
 *    says why); it is left untouched when the wait itself ended with
 *    -ETIMEDOUT or -ECANCELED (abort).
 *  - The safe state (relay_board_apply_safe*) pre-empts a pulse on the same
 *    channel: the pulse completes -ECANCELED and the channel goes to its
 *    safe level. apply_safe carries on after an error.
 *  - From a pulse's start until no pulse is in flight the board thread asks for SCHED_FIFO
 *    (priority 1; CAP_SYS_NICE or RLIMIT_RTPRIO >= 1), best effort. */

/* Starts the board thread; does not connect yet (the first request does).
 * Returns -EINVAL for an unknown kind, -ENOMEM. */
int relay_board_new(const struct fx_relay_board *cfg, struct relay_board **ret);
/* Fails queued requests with -ECANCELED, stops the thread. NULL is fine. */
void relay_board_free(struct relay_board *b);
const char *relay_board_name(const struct relay_board *b);

/* Queues a request; returns 0 (done will be called exactly once) or
 * -ENOENT for an unknown channel, -EPERM for writing an input channel,
 * -EINVAL for a bad width (done is then not called). Any thread. */
int relay_board_submit(struct relay_board *b, enum relay_op op, const char *channel,
                       bool on, usec_t width, usec_t deadline,
                       relay_done_fn done, void *userdata);

/* Synchronous form for slot workers: submits and waits until completion,
 * the deadline, or abort_fd (an eventfd, -1 for none) becoming readable.
 * Returns the request's r, -ETIMEDOUT, or -ECANCELED on abort (the request
 * itself still completes on the board thread). Blocks the caller only. */
int relay_board_call(struct relay_board *b, enum relay_op op, const char *channel,
                     bool on, usec_t width, usec_t deadline, int abort_fd,
                     struct relay_result *ret);

/* Drives every output channel to its safe level, waiting up to deadline.
 * Returns 0 when all were applied and verified, else the first error. */
int relay_board_apply_safe(struct relay_board *b, usec_t deadline);

/* One channel to its safe level, pre-empting a pulse on it (see above).
 * -ENOENT unknown channel, -EPERM an input; else as relay_board_call. */
int relay_board_apply_safe_channel(struct relay_board *b, const char *channel, usec_t deadline);
