/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "bus-proto.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/macros.h"

static const char *const bus_error_table[_BUS_ERROR_MAX] = {
        [BUS_ERROR_PARSE] = "parse-error",
        [BUS_ERROR_BAD_REQUEST] = "bad-request",
        [BUS_ERROR_TOO_LARGE] = "too-large",
        [BUS_ERROR_UNKNOWN_COMMAND] = "unknown-command",
        [BUS_ERROR_INVALID_ARGS] = "invalid-args",
        [BUS_ERROR_NOT_FOUND] = "not-found",
        [BUS_ERROR_BUSY] = "busy",
        [BUS_ERROR_UNAVAILABLE] = "unavailable",
        [BUS_ERROR_TIMEOUT] = "timeout",
        [BUS_ERROR_INTERNAL] = "internal",
};

const char *bus_error_to_string(enum bus_error e) {
        if ((unsigned) e >= _BUS_ERROR_MAX)
                return "internal";
        return bus_error_table[e];
}

enum bus_error bus_error_from_errno(int r) {
        switch (-r) {
        case ENOENT: return BUS_ERROR_NOT_FOUND;
        case EBUSY: case EALREADY: return BUS_ERROR_BUSY;
        case ETIMEDOUT: return BUS_ERROR_TIMEOUT;
        case EINVAL: case EPERM: case ERANGE: return BUS_ERROR_INVALID_ARGS;
        case EHOSTUNREACH: case ECONNREFUSED: case ECONNRESET: case EIO:
        case ENODEV: case EPIPE: case ENOTCONN: case EHOSTDOWN:
                return BUS_ERROR_UNAVAILABLE;
        default: return BUS_ERROR_INTERNAL;
        }
}

static char *strdup_printf(const char *fmt, ...) _printf_(1, 2);
static char *strdup_printf(const char *fmt, ...) {
        va_list ap;
        char *s = NULL;

        va_start(ap, fmt);
        if (vasprintf(&s, fmt, ap) < 0)
                s = NULL;
        va_end(ap);
        return s;
}

static const char *json_type_name(const json_t *j) {
        switch (json_typeof(j)) {
        case JSON_OBJECT: return "object";
        case JSON_ARRAY: return "array";
        case JSON_STRING: return "string";
        case JSON_INTEGER: return "integer";
        case JSON_REAL: return "number";
        case JSON_TRUE: case JSON_FALSE: return "boolean";
        case JSON_NULL: return "null";
        }
        return "unknown";
}

int bus_request_parse(const void *data, size_t size, size_t max, struct bus_request *ret,
                      enum bus_error *ret_error, char **ret_message, json_t **ret_id) {
        json_error_t jerr;
        json_t *root, *id, *cmd, *args;
        const char *k;
        json_t *v;

        if (ret_id)
                *ret_id = NULL;
        if (size > max) {
                *ret_error = BUS_ERROR_TOO_LARGE;
                *ret_message = strdup_printf("request is %zu bytes, the limit is %zu", size, max);
                return -EMSGSIZE;
        }
        if (size == 0) {
                *ret_error = BUS_ERROR_PARSE;
                *ret_message = strdup_printf("empty frame, expected a JSON object");
                return -EINVAL;
        }
        /* Reject duplicate keys: "cmd" twice must not mean the last one. */
        root = json_loadb(data, size, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
        if (!root) {
                *ret_error = BUS_ERROR_PARSE;
                *ret_message = strdup_printf("invalid JSON at line %d column %d: %s",
                                             jerr.line, jerr.column, jerr.text);
                return -EINVAL;
        }
        if (!json_is_object(root)) {
                *ret_error = BUS_ERROR_BAD_REQUEST;
                *ret_message = strdup_printf("request is a JSON %s, expected an object",
                                             json_type_name(root));
                json_decref(root);
                return -EINVAL;
        }

        id = json_object_get(root, "id");
        if (id && !json_is_string(id) && !json_is_integer(id) && !json_is_null(id)) {
                *ret_error = BUS_ERROR_BAD_REQUEST;
                *ret_message = strdup_printf("id: expected a string or integer, got %s",
                                             json_type_name(id));
                json_decref(root);
                return -EINVAL;
        }
        if (ret_id && id)
                *ret_id = json_incref(id);

        json_object_foreach(root, k, v)
                if (!streq_ptr(k, "id") && !streq_ptr(k, "cmd") && !streq_ptr(k, "args")) {
                        *ret_error = BUS_ERROR_BAD_REQUEST;
                        *ret_message = strdup_printf("unknown field '%s', expected id, cmd, args", k);
                        json_decref(root);
                        return -EINVAL;
                }

        cmd = json_object_get(root, "cmd");
        if (!cmd) {
                *ret_error = BUS_ERROR_BAD_REQUEST;
                *ret_message = strdup_printf("cmd: missing, expected a command name string");
                json_decref(root);
                return -EINVAL;
        }
        if (!json_is_string(cmd) || json_string_length(cmd) == 0 ||
            strlen(json_string_value(cmd)) != json_string_length(cmd)) {
                *ret_error = BUS_ERROR_BAD_REQUEST;
                *ret_message = strdup_printf("cmd: expected a non-empty string, got %s",
                                             json_is_string(cmd) ? "an empty or NUL-containing string"
                                                                 : json_type_name(cmd));
                json_decref(root);
                return -EINVAL;
        }

        args = json_object_get(root, "args");
        if (args && json_is_null(args))
                args = NULL;
        if (args && !json_is_object(args)) {
                *ret_error = BUS_ERROR_BAD_REQUEST;
                *ret_message = strdup_printf("args: expected an object, got %s", json_type_name(args));
                json_decref(root);
                return -EINVAL;
        }
        if (!args) {
                args = json_object();
                if (!args || json_object_set_new(root, "args", args) < 0) {
                        json_decref(root);
                        return -ENOMEM;
                }
        }

        *ret = (struct bus_request) {
                .root = root,
                .id = id ? id : json_null(),
                .cmd = json_string_value(cmd),
                .args = args,
        };
        return 0;
}

void bus_request_done(struct bus_request *req) {
        json_decref(req->root);
        *req = (struct bus_request) {};
}

char *bus_reply_ok(json_t *id, json_t *result) {
        json_t *o;
        char *s;

        o = json_pack("{s:O, s:b, s:o}", "id", id ? id : json_null(), "ok", 1,
                      "result", result ? result : json_object());
        if (!o)
                return NULL;
        s = json_dumps(o, JSON_COMPACT);
        json_decref(o);
        return s;
}

char *bus_reply_error(json_t *id, enum bus_error e, const char *message) {
        json_t *o;
        char *s;

        o = json_pack("{s:O, s:b, s:{s:s, s:s}}", "id", id ? id : json_null(), "ok", 0,
                      "error", "code", bus_error_to_string(e), "message", message ? message : "");
        if (!o)
                return NULL;
        s = json_dumps(o, JSON_COMPACT);
        json_decref(o);
        return s;
}

static int arg_missing(const char *key, const char *what, char **ret_message) {
        *ret_message = strdup_printf("args.%s: missing, expected %s", key, what);
        return -EINVAL;
}

static int arg_wrong(const char *key, const char *what, json_t *v, char **ret_message) {
        *ret_message = strdup_printf("args.%s: expected %s, got %s", key, what, json_type_name(v));
        return -EINVAL;
}

int bus_args_string(json_t *args, const char *key, bool required, const char **ret, char **ret_message) {
        json_t *v = json_object_get(args, key);

        if (!v)
                return required ? arg_missing(key, "a string", ret_message) : 0;
        if (!json_is_string(v))
                return arg_wrong(key, "a string", v, ret_message);
        if (json_string_length(v) == 0 || strlen(json_string_value(v)) != json_string_length(v)) {
                *ret_message = strdup_printf("args.%s: expected a non-empty string without NUL bytes", key);
                return -EINVAL;
        }
        *ret = json_string_value(v);
        return 0;
}

int bus_args_bool(json_t *args, const char *key, bool required, bool *ret, char **ret_message) {
        json_t *v = json_object_get(args, key);

        if (!v)
                return required ? arg_missing(key, "a boolean", ret_message) : 0;
        if (!json_is_boolean(v))
                return arg_wrong(key, "a boolean", v, ret_message);
        *ret = json_is_true(v);
        return 0;
}

int bus_args_int(json_t *args, const char *key, bool required, int64_t min, int64_t max,
                 int64_t *ret, char **ret_message) {
        json_t *v = json_object_get(args, key);
        json_int_t i;

        if (!v)
                return required ? arg_missing(key, "an integer", ret_message) : 0;
        if (!json_is_integer(v))
                return arg_wrong(key, "an integer", v, ret_message);
        i = json_integer_value(v);
        if (i < min || i > max) {
                *ret_message = strdup_printf("args.%s: %lld is out of range, expected %lld..%lld",
                                             key, (long long) i, (long long) min, (long long) max);
                return -EINVAL;
        }
        *ret = i;
        return 0;
}

int bus_args_only(json_t *args, const char *const *allowed, char **ret_message) {
        const char *k;
        json_t *v;

        json_object_foreach(args, k, v) {
                bool ok = false;
                char list[512] = "";
                size_t n = 0;

                for (const char *const *a = allowed; *a; a++)
                        if (streq_ptr(*a, k))
                                ok = true;
                if (ok)
                        continue;
                for (const char *const *a = allowed; *a && n < sizeof(list); a++)
                        n += (size_t) snprintf(list + n, sizeof(list) - n, "%s%s",
                                               a == allowed ? "" : ", ", *a);
                *ret_message = strdup_printf("args.%s: unknown argument, expected %s", k,
                                             allowed[0] ? list : "no arguments");
                return -EINVAL;
        }
        return 0;
}

/* A string as JSON, quotes included; NULL as null. Our own strings only
 * (fixture names, run ids, event types): valid UTF-8 is taken as is. */
static size_t json_put_string(char *out, const char *v) {
        static const char hex[] = "0123456789abcdef";
        size_t n = 0;

        if (!v) {
                if (out)
                        memcpy(out, "null", 4);
                return 4;
        }
        if (out)
                out[n] = '"';
        n++;
        for (const unsigned char *p = (const unsigned char *) v; *p; p++) {
                if (*p == '"' || *p == '\\') {
                        if (out) {
                                out[n] = '\\';
                                out[n + 1] = (char) *p;
                        }
                        n += 2;
                } else if (*p < 0x20) {
                        if (out)
                                memcpy(out + n, (char[]) { '\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15] }, 6);
                        n += 6;
                } else {
                        if (out)
                                out[n] = (char) *p;
                        n++;
                }
        }
        if (out)
                out[n] = '"';
        return n + 1;
}

char *bus_event_encode_text(uint64_t seq, usec_t ts, const char *type, const char *bench,
                            const char *slot, const char *run_id, const char *data) {
        const char *fields[] = { type, bench, slot, run_id };
        static const char *const names[] = { ",\"type\":", ",\"bench\":", ",\"slot\":", ",\"run_id\":" };
        char head[96], tsbuf[RFC3339_MAX];
        size_t len, pos;
        char *out;
        int h;

        if (!data)
                data = "{}";
        h = snprintf(head, sizeof(head), "{\"v\":%d,\"seq\":%" PRIu64 ",\"ts\":\"%s\"",
                     BUS_SCHEMA_VERSION, seq, format_rfc3339(tsbuf, sizeof(tsbuf), ts));
        /* Sized first, then written: one allocation per event. */
        len = (size_t) h + strlen(",\"data\":") + strlen(data) + 2;
        for (size_t i = 0; i < ELEMENTSOF(fields); i++)
                len += strlen(names[i]) + json_put_string(NULL, fields[i]);
        out = malloc(len);
        if (!out)
                return NULL;
        memcpy(out, head, (size_t) h);
        pos = (size_t) h;
        for (size_t i = 0; i < ELEMENTSOF(fields); i++) {
                size_t k = strlen(names[i]);
                memcpy(out + pos, names[i], k);
                pos += k;
                pos += json_put_string(out + pos, fields[i]);
        }
        memcpy(out + pos, ",\"data\":", 8);
        pos += 8;
        memcpy(out + pos, data, strlen(data));
        pos += strlen(data);
        out[pos++] = '}';
        out[pos] = 0;
        return out;
}

char *bus_event_encode(uint64_t seq, usec_t ts, const char *type, const char *bench,
                       const char *slot, const char *run_id, json_t *data) {
        _cleanup_free_ char *d = data ? json_dumps(data, JSON_COMPACT) : NULL;

        if (data && !d)
                return NULL;
        return bus_event_encode_text(seq, ts, type, bench, slot, run_id, d);
}
