/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A JSON syntax check for the store's hot path (event append): no
 * allocation, one pass, about ten times cheaper than parsing with jansson.
 * It accepts exactly what json_loadb(text, len, JSON_DECODE_ANY) accepts
 * (strict UTF-8, no \u0000, integers within json_int_t, no overflowing
 * reals), so whatever it lets into the store parses again when read back.
 * The one deliberate difference: nesting deeper than STORE_JSON_MAX_DEPTH
 * is refused. Pure function, any thread. */

#include <stdbool.h>
#include <stddef.h>

#define STORE_JSON_MAX_DEPTH 256

/* want_object: the top-level value must be an object. */
bool store_json_is_valid(const char *text, size_t len, bool want_object);
