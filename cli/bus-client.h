/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Client side of the certbench bus (docs/bus.md).
 *
 * A struct bus_client owns one ZeroMQ context, a DEALER connected to the
 * daemon's command socket and, once bus_client_subscribe() was called, a
 * SUB connected to its event socket. Both sockets have ZMQ_LINGER 0, so
 * freeing never blocks. Single thread: the thread that created the client
 * uses it; nothing here is shared.
 *
 * Requests carry an integer id; replies with another id (late answers to
 * a request that already timed out) are dropped.
 *
 * Events: the client remembers the last seq it handed out. Live events at
 * or below it are duplicates and are dropped; a live event beyond
 * last_seq + 1 means a gap, which is filled from events.since before any
 * later event is handed out, so callers see every stored event once, in
 * order. While no event arrives the client also asks events.since now and
 * then (catch-up), which covers the subscribe/connect race of a new SUB. */

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>

#include "common/macros.h"
#include "common/timeutil.h"

#define BUS_DEFAULT_COMMAND "ipc:///run/certbench/command"
#define BUS_DEFAULT_EVENTS "ipc:///run/certbench/events"
#define BUS_DEFAULT_TIMEOUT (5 * USEC_PER_SEC)
#define BUS_EVENTS_PAGE 1000

struct bus_client;

/* json_decrefp() comes with jansson >= 2.9. */
#define _cleanup_json_ _cleanup_(json_decrefp)

/* Creates the context and connects the DEALER (connecting does not need
 * the daemon to be up). Returns 0, -ENOMEM, or -errno from ZeroMQ (-EINVAL
 * for a malformed endpoint). event_endpoint may be NULL when the caller
 * never subscribes. */
int bus_client_new(const char *command_endpoint, const char *event_endpoint,
                   usec_t timeout, struct bus_client **ret);
struct bus_client *bus_client_free(struct bus_client *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct bus_client *, bus_client_free);

const char *bus_client_command_endpoint(const struct bus_client *c);
usec_t bus_client_timeout(const struct bus_client *c);

/* Sends {"id", "cmd", "args"} and waits for the matching reply until now +
 * extra + the client timeout. args is borrowed (may be NULL).
 * Returns:
 *   0           *ret_result (new reference) holds "result"
 *   -EREMOTEIO  the daemon answered ok:false; *ret_error (new reference,
 *               optional) holds the {code, message} object
 *   -ETIMEDOUT  no reply in time (daemon down or hung)
 *   -EBADMSG    the reply is not a valid reply object
 *   -EINTR      a signal arrived while waiting
 * Blocks the calling thread. */
int bus_client_call(struct bus_client *c, const char *cmd, json_t *args, usec_t extra,
                    json_t **ret_result, json_t **ret_error);

/* Like bus_client_call(), but on failure writes one line to stderr
 * ("certbench: CMD: daemon error CODE: MESSAGE" or "... no reply from
 * ENDPOINT within N s") and returns the same -errno. */
int bus_client_call_report(struct bus_client *c, const char *cmd, json_t *args, usec_t extra,
                           json_t **ret_result);

/* One events.since page: events with seq > after. *ret_events (array) and
 * *ret_last_seq (the store's newest seq as the daemon reports it) are set
 * on success. Errors as bus_client_call(). */
int bus_client_events_since(struct bus_client *c, uint64_t after, unsigned limit,
                            json_t **ret_events, uint64_t *ret_last_seq);

/* Connects the SUB to the event endpoint and subscribes to every topic.
 * Returns 0, -EINVAL when there is no event endpoint, -errno from ZeroMQ. */
int bus_client_subscribe(struct bus_client *c);

/* Sets the seq of the last event the caller has seen; the next event
 * handed out is seq + 1. Marks the client as possibly behind, so the next
 * bus_client_event_next() first asks events.since. */
void bus_client_set_last_seq(struct bus_client *c, uint64_t seq);
uint64_t bus_client_get_last_seq(const struct bus_client *c);

/* Catch-up interval while the SUB is silent (default 1 s, 0 disables). */
void bus_client_set_catchup(struct bus_client *c, usec_t interval);

/* Next event in seq order. deadline is absolute monotonic (USEC_INFINITY
 * to wait forever). Returns 0 with *ret_event (new reference),
 * -ETIMEDOUT at the deadline, -EINTR on a signal, or a bus_client_call()
 * error from events.since (already reported on stderr). Events without a
 * seq (not stored) are handed out as they come. */
int bus_client_event_next(struct bus_client *c, usec_t deadline, json_t **ret_event);

/* Seq of an event object, 0 when absent or not a positive integer. */
uint64_t bus_event_seq(json_t *event);
