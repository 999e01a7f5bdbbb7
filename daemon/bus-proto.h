/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Encoding and decoding of the bus messages (docs/bus.md). Pure functions
 * over bytes and jansson values: no sockets, no I/O, any thread. Every
 * error message names the field and what was expected. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "common/timeutil.h"

#define BUS_SCHEMA_VERSION 1

enum bus_error {
        BUS_ERROR_PARSE,
        BUS_ERROR_BAD_REQUEST,
        BUS_ERROR_TOO_LARGE,
        BUS_ERROR_UNKNOWN_COMMAND,
        BUS_ERROR_INVALID_ARGS,
        BUS_ERROR_NOT_FOUND,
        BUS_ERROR_BUSY,
        BUS_ERROR_UNAVAILABLE,
        BUS_ERROR_TIMEOUT,
        BUS_ERROR_INTERNAL,
        _BUS_ERROR_MAX,
};

const char *bus_error_to_string(enum bus_error e);
/* Maps a driver/store -errno to the error code a client sees. */
enum bus_error bus_error_from_errno(int r);

struct bus_request {
        json_t *root;            /* owns everything below */
        json_t *id;              /* borrowed; json_null() when absent */
        const char *cmd;
        json_t *args;            /* borrowed object; an empty object when absent */
};

/* Parses one request frame. On error returns -EINVAL (or -EMSGSIZE for
 * size > max) and sets *ret_error and *ret_message (caller frees); *ret_id
 * (optional) then gets the request's id if it could be read, else NULL. */
int bus_request_parse(const void *data, size_t size, size_t max, struct bus_request *ret,
                      enum bus_error *ret_error, char **ret_message, json_t **ret_id);
void bus_request_done(struct bus_request *req);

/* Replies. result is stolen (may be NULL for {}); id is borrowed (NULL → null).
 * Return a malloc'd compact JSON string, NULL only on -ENOMEM. */
char *bus_reply_ok(json_t *id, json_t *result);
char *bus_reply_error(json_t *id, enum bus_error e, const char *message);

/* Typed argument access. Each returns 0, or -EINVAL with *ret_message
 * ("args.slot: expected a string, got integer" / "args.slot: missing,
 * expected a string"). Optional getters leave *ret untouched when absent. */
int bus_args_string(json_t *args, const char *key, bool required, const char **ret, char **ret_message);
int bus_args_bool(json_t *args, const char *key, bool required, bool *ret, char **ret_message);
int bus_args_int(json_t *args, const char *key, bool required, int64_t min, int64_t max,
                 int64_t *ret, char **ret_message);
/* Rejects keys not in the NULL-terminated list allowed. */
int bus_args_only(json_t *args, const char *const *allowed, char **ret_message);

/* One event as published and as returned by events.since. data is
 * borrowed. Returns a malloc'd compact JSON string. */
char *bus_event_encode(uint64_t seq, usec_t ts, const char *type, const char *bench,
                       const char *slot, const char *run_id, json_t *data);
/* The same from data already serialised as a compact JSON object (NULL
 * for {}), so the hot path serialises each event's data only once. */
char *bus_event_encode_text(uint64_t seq, usec_t ts, const char *type, const char *bench,
                            const char *slot, const char *run_id, const char *data);
