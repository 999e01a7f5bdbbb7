/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The command socket: one request frame in, one reply frame out, on the
 * main thread. Handlers validate everything before acting; nothing here
 * waits for hardware (relay commands reply later, from the mailbox). */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <zmq.h>

#include "common/log.h"
#include "daemon/bus-proto.h"
#include "daemon/daemon.h"

#define MAX_FRAMES 8

struct cmd_call {
        struct daemon *d;
        const void *ident;
        size_t ident_size;
        bool delim;
        struct bus_request *req;
        /* Set by a handler that fails: */
        enum bus_error err;
        char *msg;
};

/* Returns 0 with *ret_result for an immediate reply, 1 when the handler
 * replies later, -errno with c->err/c->msg set on failure. */
typedef int (*cmd_fn)(struct cmd_call *c, json_t **ret_result);

static int fail(struct cmd_call *c, enum bus_error e, const char *fmt, ...) _printf_(3, 4);
static int fail(struct cmd_call *c, enum bus_error e, const char *fmt, ...) {
        va_list ap;

        free(c->msg);
        va_start(ap, fmt);
        if (vasprintf(&c->msg, fmt, ap) < 0)
                c->msg = NULL;
        va_end(ap);
        c->err = e;
        return -EINVAL;
}

/* For the bus_args_* helpers, which already produced the message. */
static int fail_args(struct cmd_call *c, char *msg) {
        free(c->msg);
        c->msg = msg;
        c->err = BUS_ERROR_INVALID_ARGS;
        return -EINVAL;
}

static struct slot *slot_by_name(struct daemon *d, const char *name) {
        for (size_t i = 0; i < d->n_slots; i++)
                if (streq_ptr(d->slots[i].cfg->name, name))
                        return &d->slots[i];
        return NULL;
}

static int only(struct cmd_call *c, const char *const *allowed) {
        char *msg = NULL;

        if (bus_args_only(c->req->args, allowed, &msg) < 0)
                return fail_args(c, msg);
        return 0;
}

static int cmd_ping(struct cmd_call *c, json_t **ret) {
        static const char *const allowed[] = { NULL };
        char ts[RFC3339_MAX];

        if (only(c, allowed) < 0)
                return -EINVAL;
        *ret = json_pack("{s:b, s:i, s:s}", "pong", 1, "v", BUS_SCHEMA_VERSION,
                         "ts", format_rfc3339(ts, sizeof(ts), now_usec(CLOCK_REALTIME)));
        return 0;
}

static int cmd_status(struct cmd_call *c, json_t **ret) {
        static const char *const allowed[] = { NULL };
        struct daemon *d = c->d;
        json_t *slots = json_array(), *boards = json_array();

        if (only(c, allowed) < 0) {
                json_decref(slots);
                json_decref(boards);
                return -EINVAL;
        }
        for (size_t i = 0; i < d->n_slots; i++) {
                struct slot *s = &d->slots[i];
                json_t *o;

                pthread_mutex_lock(&s->lock);
                o = json_pack("{s:s, s:s, s:s?, s:s?, s:i, s:i}", "name", s->cfg->name,
                              "state", s->busy ? "running" : "idle", "run_id", s->run_id,
                              "case", s->current_case, "case_index", (int) s->case_index,
                              "case_count", (int) s->case_count);
                pthread_mutex_unlock(&s->lock);
                json_array_append_new(slots, o);
        }
        for (size_t i = 0; i < d->fixture->n_boards; i++)
                json_array_append_new(boards, json_pack("{s:s, s:s, s:b}",
                                                        "name", d->fixture->boards[i].name,
                                                        "kind", d->fixture->boards[i].kind,
                                                        "safe_state_confirmed", d->board_safe[i]));
        *ret = json_pack("{s:s, s:i, s:s, s:i, s:I, s:I, s:o, s:o}",
                         "bench", d->fixture->bench, "v", BUS_SCHEMA_VERSION,
                         "version", PROJECT_VERSION, "pid", (int) getpid(),
                         "uptime_s", (json_int_t) ((mono_now() - d->started_mono) / USEC_PER_SEC),
                         "last_seq", (json_int_t) store_event_last_seq(d->store),
                         "slots", slots, "boards", boards);
        return 0;
}

static char *run_id_new(void) {
        char ts[RFC3339_MAX], *id = NULL;
        uint8_t rnd[4] = {};
        usec_t now = now_usec(CLOCK_REALTIME);

        (void) !getrandom(rnd, sizeof(rnd), GRND_NONBLOCK);
        format_rfc3339(ts, sizeof(ts), now);
        /* "20261127T081502Z-1a2b3c4d": sorts by time, unique enough per bench. */
        if (asprintf(&id, "%.4s%.2s%.2sT%.2s%.2s%.2sZ-%02x%02x%02x%02x", ts, ts + 5, ts + 8,
                     ts + 11, ts + 14, ts + 17, rnd[0], rnd[1], rnd[2], rnd[3]) < 0)
                return NULL;
        return id;
}

static int cmd_run_start(struct cmd_call *c, json_t **ret) {
        static const char *const allowed[] = { "slot", "profile", "serial", "cases", "params", NULL };
        struct daemon *d = c->d;
        json_t *args = c->req->args, *cases, *params, *v;
        const char *slot_name = NULL, *profile_path = NULL, *serial = NULL, *k;
        struct run_plan *plan = NULL;
        _cleanup_free_ char *perr = NULL, *cases_json = NULL, *profile_json = NULL;
        struct dut_profile *profile = NULL;
        char *msg = NULL;
        struct slot *s;
        size_t i;
        int r;

        if (only(c, allowed) < 0)
                return -EINVAL;
        if (bus_args_string(args, "slot", true, &slot_name, &msg) < 0 ||
            bus_args_string(args, "profile", true, &profile_path, &msg) < 0 ||
            bus_args_string(args, "serial", true, &serial, &msg) < 0)
                return fail_args(c, msg);

        s = slot_by_name(d, slot_name);
        if (!s)
                return fail(c, BUS_ERROR_NOT_FOUND, "args.slot: no slot '%s' in fixture %s",
                            slot_name, d->fixture->path);
        if (s->busy)
                return fail(c, BUS_ERROR_BUSY, "slot %s is running run %s", slot_name, s->run_id);

        cases = json_object_get(args, "cases");
        if (!cases)
                cases = json_pack("[s]", "power.cycle");
        else if (!json_is_array(cases) || json_array_size(cases) == 0)
                return fail_args(c, strdup("args.cases: expected a non-empty array of case ids"));
        else
                json_incref(cases);
        json_array_foreach(cases, i, v) {
                if (!json_is_string(v) || !case_find(json_string_value(v))) {
                        json_decref(cases);
                        return fail(c, BUS_ERROR_INVALID_ARGS, "args.cases[%zu]: %s%s%s", i,
                                    json_is_string(v) ? "unknown case '" : "expected a case id string",
                                    json_is_string(v) ? json_string_value(v) : "",
                                    json_is_string(v) ? "'" : "");
                }
        }

        params = json_object_get(args, "params");
        if (params && !json_is_object(params)) {
                json_decref(cases);
                return fail_args(c, strdup("args.params: expected an object mapping case id to parameters"));
        }
        json_object_foreach(params, k, v) {
                const struct case_def *def = case_find(k);
                bool listed = false;

                for (i = 0; i < json_array_size(cases); i++)
                        if (streq_ptr(json_string_value(json_array_get(cases, i)), k))
                                listed = true;
                if (!def || !listed) {
                        json_decref(cases);
                        return fail(c, BUS_ERROR_INVALID_ARGS,
                                    "args.params.%s: no such case in args.cases", k);
                }
                if (case_params_validate(def, v, &msg) < 0) {
                        json_decref(cases);
                        return fail_args(c, msg);
                }
        }

        /* A profile is a small local file: reading it here is not hardware. */
        r = profile_load(profile_path, &profile, &perr);
        if (r < 0) {
                json_decref(cases);
                return fail(c, BUS_ERROR_INVALID_ARGS, "args.profile: %s", perr ? perr : strerror(-r));
        }

        plan = calloc(1, sizeof(*plan));
        if (!plan) {
                json_decref(cases);
                profile_free(profile);
                return fail(c, BUS_ERROR_INTERNAL, "out of memory");
        }
        plan->run_id = run_id_new();
        plan->serial = strdup(serial);
        plan->profile = profile;
        plan->cases = cases;
        plan->params = params ? json_incref(params) : json_object();

        cases_json = json_dumps(cases, JSON_COMPACT);
        profile_json = json_dumps(profile->json ? profile->json : json_object(), JSON_COMPACT);
        r = store_run_insert(d->store, plan->run_id, slot_name, serial, profile->path,
                             profile_json, cases_json, now_usec(CLOCK_REALTIME));
        if (r < 0) {
                run_plan_free(plan);
                return fail(c, BUS_ERROR_UNAVAILABLE, "store: cannot record the run: %s", strerror(-r));
        }

        s->busy = true;
        free(s->run_id);
        s->run_id = strdup(plan->run_id);
        *ret = json_pack("{s:s}", "run_id", plan->run_id);
        slot_assign(s, plan);
        return 0;
}

static int cmd_run_abort(struct cmd_call *c, json_t **ret) {
        static const char *const allowed[] = { "run_id", "slot", NULL };
        const char *run_id = NULL, *slot_name = NULL;
        struct slot *s = NULL;
        char *msg = NULL;

        if (only(c, allowed) < 0)
                return -EINVAL;
        if (bus_args_string(c->req->args, "run_id", false, &run_id, &msg) < 0 ||
            bus_args_string(c->req->args, "slot", false, &slot_name, &msg) < 0)
                return fail_args(c, msg);
        if (!run_id == !slot_name)
                return fail(c, BUS_ERROR_INVALID_ARGS, "args: expected exactly one of run_id, slot");

        if (slot_name) {
                s = slot_by_name(c->d, slot_name);
                if (!s)
                        return fail(c, BUS_ERROR_NOT_FOUND, "args.slot: no slot '%s'", slot_name);
                if (!s->busy)
                        return fail(c, BUS_ERROR_NOT_FOUND, "slot %s has no run in progress", slot_name);
        } else {
                for (size_t i = 0; i < c->d->n_slots; i++)
                        if (c->d->slots[i].busy && streq_ptr(c->d->slots[i].run_id, run_id))
                                s = &c->d->slots[i];
                if (!s)
                        return fail(c, BUS_ERROR_NOT_FOUND, "run %s is not in progress", run_id);
        }
        slot_abort(s, "aborted by request (run.abort)");
        *ret = json_pack("{s:s, s:b}", "run_id", s->run_id, "aborted", 1);
        return 0;
}

static int cmd_run_get(struct cmd_call *c, json_t **ret) {
        static const char *const allowed[] = { "run_id", NULL };
        const char *run_id = NULL;
        char *msg = NULL;
        int r;

        if (only(c, allowed) < 0)
                return -EINVAL;
        if (bus_args_string(c->req->args, "run_id", true, &run_id, &msg) < 0)
                return fail_args(c, msg);
        r = store_run_get(c->d->store, run_id, ret);
        if (r == -ENOENT)
                return fail(c, BUS_ERROR_NOT_FOUND, "no run '%s'", run_id);
        if (r < 0)
                return fail(c, BUS_ERROR_UNAVAILABLE, "store: %s", strerror(-r));
        return 0;
}

static int cmd_runs_list(struct cmd_call *c, json_t **ret) {
        static const char *const allowed[] = { "slot", "limit", NULL };
        const char *slot = NULL;
        int64_t limit = 50;
        char *msg = NULL;
        json_t *runs = NULL;
        int r;

        if (only(c, allowed) < 0)
                return -EINVAL;
        if (bus_args_string(c->req->args, "slot", false, &slot, &msg) < 0 ||
            bus_args_int(c->req->args, "limit", false, 1, 10000, &limit, &msg) < 0)
                return fail_args(c, msg);
        r = store_runs_list(c->d->store, slot, (unsigned) limit, &runs);
        if (r < 0)
                return fail(c, BUS_ERROR_UNAVAILABLE, "store: %s", strerror(-r));
        *ret = json_pack("{s:o}", "runs", runs);
        return 0;
}

static int cmd_events_since(struct cmd_call *c, json_t **ret) {
        static const char *const allowed[] = { "seq", "limit", NULL };
        int64_t seq = 0, limit = 1000;
        json_t *rows = NULL, *out, *row;
        char *msg = NULL;
        size_t i;
        int r;

        if (only(c, allowed) < 0)
                return -EINVAL;
        if (bus_args_int(c->req->args, "seq", true, 0, INT64_MAX, &seq, &msg) < 0 ||
            bus_args_int(c->req->args, "limit", false, 1, 10000, &limit, &msg) < 0)
                return fail_args(c, msg);
        r = store_events_since(c->d->store, (uint64_t) seq, (unsigned) limit, &rows);
        if (r < 0)
                return fail(c, BUS_ERROR_UNAVAILABLE, "store: %s", strerror(-r));

        /* The same shape as published, so a subscriber merges them as is. */
        out = json_array();
        json_array_foreach(rows, i, row) {
                _cleanup_free_ char *s = bus_event_encode(
                        (uint64_t) json_integer_value(json_object_get(row, "seq")),
                        (usec_t) json_integer_value(json_object_get(row, "ts")),
                        json_string_value(json_object_get(row, "type")), c->d->fixture->bench,
                        json_string_value(json_object_get(row, "slot")),
                        json_string_value(json_object_get(row, "run_id")),
                        json_object_get(row, "data"));
                if (s)
                        json_array_append_new(out, json_loads(s, 0, NULL));
        }
        json_decref(rows);
        *ret = json_pack("{s:o, s:I}", "events", out,
                         "last_seq", (json_int_t) store_event_last_seq(c->d->store));
        return 0;
}

/* Relay commands complete on the board thread; the reply travels back
 * through the mailbox so only the main thread touches the socket. */
struct relay_pending {
        struct daemon *d;
        enum relay_op op;
        char *channel;
        json_t *id;
        void *ident;
        size_t ident_size;
        bool delim;
};

static void relay_pending_free(struct relay_pending *p) {
        if (!p)
                return;
        free(p->channel);
        json_decref(p->id);
        free(p->ident);
        free(p);
}

static void relay_done(const struct relay_result *res, void *userdata) {
        struct relay_pending *p = userdata;
        struct daemon_msg *m = daemon_msg_new(DAEMON_MSG_REPLY, NULL, NULL);

        m->ident = TAKE_PTR(p->ident);
        m->ident_size = p->ident_size;
        m->delim = p->delim;
        if (res->r < 0) {
                _cleanup_free_ char *msg = NULL;

                if (asprintf(&msg, "%s: %s (%s)", p->channel, res->reason ? res->reason : "relay error",
                             strerror(-res->r)) < 0)
                        msg = NULL;
                m->reply = bus_reply_error(p->id, bus_error_from_errno(res->r), msg);
                m->type = strdup("relay.error");
                m->data = json_pack("{s:s, s:s, s:s}", "channel", p->channel, "error",
                                    msg ? msg : "relay error", "source", "command");
        } else if (p->op == RELAY_OP_GET) {
                m->reply = bus_reply_ok(p->id, json_pack("{s:s, s:b}", "channel", p->channel, "on", res->on));
        } else if (p->op == RELAY_OP_SET) {
                m->reply = bus_reply_ok(p->id, json_pack("{s:s, s:b, s:I}", "channel", p->channel,
                                                         "on", res->on, "latency_us",
                                                         (json_int_t) (res->t_start - res->t_queued)));
                m->type = strdup("relay.changed");
                m->data = json_pack("{s:s, s:b, s:s}", "channel", p->channel, "on", res->on,
                                    "source", "command");
        } else {
                m->reply = bus_reply_ok(p->id, json_pack("{s:s, s:b, s:I}", "channel", p->channel,
                                                         "on", res->on, "width_us_measured",
                                                         (json_int_t) (res->t_end - res->t_start)));
                m->type = strdup("relay.pulsed");
                m->data = json_pack("{s:s, s:I, s:s}", "channel", p->channel, "width_us",
                                    (json_int_t) (res->t_end - res->t_start), "source", "command");
        }
        daemon_post(p->d, m);
        relay_pending_free(p);
}

static int relay_common(struct cmd_call *c, enum relay_op op, const char *const *allowed) {
        const char *channel = NULL;
        bool on = false;
        int64_t width_ms = 0;
        struct relay_board *b;
        struct relay_pending *p;
        char *msg = NULL;
        int r;

        if (only(c, allowed) < 0)
                return -EINVAL;
        if (bus_args_string(c->req->args, "channel", true, &channel, &msg) < 0 ||
            (op == RELAY_OP_SET && bus_args_bool(c->req->args, "on", true, &on, &msg) < 0) ||
            (op == RELAY_OP_PULSE &&
             bus_args_int(c->req->args, "width_ms", true, 1, 600000, &width_ms, &msg) < 0))
                return fail_args(c, msg);

        b = daemon_board_for(c->d, channel);
        if (!b)
                return fail(c, BUS_ERROR_NOT_FOUND, "args.channel: no channel '%s' in fixture %s",
                            channel, c->d->fixture->path);

        p = calloc(1, sizeof(*p));
        if (!p)
                return fail(c, BUS_ERROR_INTERNAL, "out of memory");
        p->d = c->d;
        p->op = op;
        p->channel = strdup(channel);
        p->id = json_incref(c->req->id);
        p->ident = malloc(c->ident_size);
        if (!p->ident || !p->channel) {
                relay_pending_free(p);
                return fail(c, BUS_ERROR_INTERNAL, "out of memory");
        }
        memcpy(p->ident, c->ident, c->ident_size);
        p->ident_size = c->ident_size;
        p->delim = c->delim;

        /* A command must not reach the relay long after it was asked for:
         * the board drops it at its deadline instead of replaying it. */
        r = relay_board_submit(b, op, channel, on, (usec_t) width_ms * USEC_PER_MSEC,
                               deadline_in(2 * USEC_PER_SEC + (usec_t) width_ms * USEC_PER_MSEC),
                               relay_done, p);
        if (r < 0) {
                relay_pending_free(p);
                return fail(c, bus_error_from_errno(r), "%s: %s", channel,
                            r == -EPERM ? "is an input, it cannot be written" : strerror(-r));
        }
        return 1;
}

static int cmd_relay_set(struct cmd_call *c, json_t **ret) {
        static const char *const allowed[] = { "channel", "on", NULL };
        return relay_common(c, RELAY_OP_SET, allowed);
}

static int cmd_relay_get(struct cmd_call *c, json_t **ret) {
        static const char *const allowed[] = { "channel", NULL };
        return relay_common(c, RELAY_OP_GET, allowed);
}

static int cmd_relay_pulse(struct cmd_call *c, json_t **ret) {
        static const char *const allowed[] = { "channel", "width_ms", NULL };
        return relay_common(c, RELAY_OP_PULSE, allowed);
}

static char *base64_encode(const uint8_t *p, size_t n) {
        static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        char *out = malloc((n + 2) / 3 * 4 + 1), *o = out;

        if (!out)
                return NULL;
        for (size_t i = 0; i < n; i += 3) {
                uint32_t v = (uint32_t) p[i] << 16;
                if (i + 1 < n)
                        v |= (uint32_t) p[i + 1] << 8;
                if (i + 2 < n)
                        v |= p[i + 2];
                *o++ = tbl[(v >> 18) & 63];
                *o++ = tbl[(v >> 12) & 63];
                *o++ = i + 1 < n ? tbl[(v >> 6) & 63] : '=';
                *o++ = i + 2 < n ? tbl[v & 63] : '=';
        }
        *o = 0;
        return out;
}

static int cmd_evidence_get(struct cmd_call *c, json_t **ret) {
        static const char *const allowed[] = { "id", NULL };
        _cleanup_free_ void *data = NULL;
        _cleanup_free_ char *name = NULL, *media = NULL, *b64 = NULL;
        int64_t id = 0;
        size_t size = 0;
        char *msg = NULL;
        int r;

        if (only(c, allowed) < 0)
                return -EINVAL;
        if (bus_args_int(c->req->args, "id", true, 1, INT64_MAX, &id, &msg) < 0)
                return fail_args(c, msg);
        r = store_evidence_get(c->d->store, id, &data, &size, &name, &media);
        if (r == -ENOENT)
                return fail(c, BUS_ERROR_NOT_FOUND, "no evidence with id %lld", (long long) id);
        if (r < 0)
                return fail(c, BUS_ERROR_UNAVAILABLE, "store: %s", strerror(-r));
        b64 = base64_encode(data, size);
        *ret = json_pack("{s:I, s:s, s:s, s:I, s:s}", "id", (json_int_t) id, "name", name,
                         "media_type", media, "size", (json_int_t) size, "data_base64", b64 ? b64 : "");
        return 0;
}

static int cmd_cases_list(struct cmd_call *c, json_t **ret) {
        static const char *const allowed[] = { NULL };
        json_t *arr = json_array();

        if (only(c, allowed) < 0) {
                json_decref(arr);
                return -EINVAL;
        }
        for (const struct case_def *const *def = case_list(); *def; def++) {
                json_t *reqs = json_array(), *params = json_array();

                for (const char *const *r = (*def)->requirements; r && *r; r++)
                        json_array_append_new(reqs, json_string(*r));
                for (const struct case_param *p = (*def)->params; p && p->name; p++)
                        json_array_append_new(params, json_pack("{s:s, s:s, s:s}", "name", p->name,
                                                                "type", p->type == CASE_PARAM_INT ? "integer" : "string",
                                                                "help", p->help ? p->help : ""));
                json_array_append_new(arr, json_pack("{s:s, s:s, s:o, s:o}", "id", (*def)->id,
                                                     "summary", (*def)->summary, "requirements", reqs,
                                                     "params", params));
        }
        *ret = json_pack("{s:o}", "cases", arr);
        return 0;
}

static const struct {
        const char *name;
        cmd_fn fn;
} command_table[] = {
        { "ping", cmd_ping },
        { "status", cmd_status },
        { "run.start", cmd_run_start },
        { "run.abort", cmd_run_abort },
        { "run.get", cmd_run_get },
        { "runs.list", cmd_runs_list },
        { "events.since", cmd_events_since },
        { "relay.set", cmd_relay_set },
        { "relay.get", cmd_relay_get },
        { "relay.pulse", cmd_relay_pulse },
        { "evidence.get", cmd_evidence_get },
        { "cases.list", cmd_cases_list },
};

static void dispatch(struct daemon *d, const void *ident, size_t ident_size, bool delim,
                     const void *payload, size_t size) {
        struct bus_request req = {};
        struct cmd_call c = { .d = d, .ident = ident, .ident_size = ident_size, .delim = delim };
        json_t *result = NULL, *id = NULL;
        _cleanup_free_ char *reply = NULL;
        enum bus_error e;
        cmd_fn fn = NULL;
        int r;

        r = bus_request_parse(payload, size, d->config->max_message_bytes, &req, &e, &c.msg, &id);
        if (r < 0) {
                reply = bus_reply_error(id, e, c.msg);
                json_decref(id);
                goto send;
        }
        json_decref(id);
        c.req = &req;

        for (size_t i = 0; i < ELEMENTSOF(command_table); i++)
                if (streq_ptr(command_table[i].name, req.cmd))
                        fn = command_table[i].fn;
        if (!fn) {
                char list[512] = "";
                size_t n = 0;

                for (size_t i = 0; i < ELEMENTSOF(command_table) && n < sizeof(list); i++)
                        n += (size_t) snprintf(list + n, sizeof(list) - n, "%s%s", i ? ", " : "",
                                               command_table[i].name);
                fail(&c, BUS_ERROR_UNKNOWN_COMMAND, "unknown command '%.64s', expected one of: %s",
                     req.cmd, list);
                r = -EINVAL;
        } else
                r = fn(&c, &result);

        if (r == 1)
                goto out;           /* the handler replies later */
        if (r < 0)
                reply = bus_reply_error(req.id, c.err, c.msg ? c.msg : "failed");
        else
                reply = bus_reply_ok(req.id, result);
send:
        if (reply)
                daemon_send_reply(d, ident, ident_size, delim, reply);
out:
        free(c.msg);
        bus_request_done(&req);
}

void daemon_handle_command(struct daemon *d) {
        zmq_msg_t frames[MAX_FRAMES];
        size_t n = 0, total = 0;
        int more;

        /* Read the whole multipart message; keep the first few frames and
         * drop the rest, so garbage cannot desynchronise the socket. */
        do {
                zmq_msg_t tmp, *f = n < MAX_FRAMES ? &frames[n] : &tmp;

                zmq_msg_init(f);
                if (zmq_msg_recv(f, d->cmd_sock, ZMQ_DONTWAIT) < 0) {
                        zmq_msg_close(f);
                        break;
                }
                more = zmq_msg_more(f);
                total++;
                if (f == &tmp)
                        zmq_msg_close(f);
                else
                        n++;
        } while (more);

        if (n == 0)
                return;
        if (n == 1)
                goto done;          /* no payload at all: nothing to answer to */

        if (total == 2)
                dispatch(d, zmq_msg_data(&frames[0]), zmq_msg_size(&frames[0]), false,
                         zmq_msg_data(&frames[1]), zmq_msg_size(&frames[1]));
        else if (total == 3 && zmq_msg_size(&frames[1]) == 0)
                dispatch(d, zmq_msg_data(&frames[0]), zmq_msg_size(&frames[0]), true,
                         zmq_msg_data(&frames[2]), zmq_msg_size(&frames[2]));
        else {
                _cleanup_free_ char *msg = NULL, *reply = NULL;
                bool delim = zmq_msg_size(&frames[1]) == 0;

                if (asprintf(&msg, "expected one JSON frame (after an optional empty delimiter), got %zu frames",
                             total - 1 - (delim ? 1 : 0)) < 0)
                        msg = NULL;
                reply = bus_reply_error(NULL, BUS_ERROR_BAD_REQUEST, msg);
                if (reply)
                        daemon_send_reply(d, zmq_msg_data(&frames[0]), zmq_msg_size(&frames[0]), delim, reply);
        }
done:
        for (size_t i = 0; i < n; i++)
                zmq_msg_close(&frames[i]);
}
