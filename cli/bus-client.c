/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <zmq.h>

#include "bus-client.h"

#define CATCHUP_DEFAULT (1 * USEC_PER_SEC)

struct bus_client {
        void *ctx;
        void *dealer;
        void *sub;
        char *command_endpoint;
        char *event_endpoint;
        usec_t timeout;
        int64_t next_id;

        uint64_t last_seq;
        bool behind;             /* events.since may have more for us */
        usec_t catchup;
        json_t *queue;           /* events fetched but not handed out yet */
        size_t queue_pos;
};

struct bus_client *bus_client_free(struct bus_client *c) {
        if (!c)
                return NULL;
        if (c->sub)
                zmq_close(c->sub);
        if (c->dealer)
                zmq_close(c->dealer);
        if (c->ctx)
                zmq_ctx_term(c->ctx);
        free(c->command_endpoint);
        free(c->event_endpoint);
        json_decref(c->queue);
        free(c);
        return NULL;
}

static int zmq_errno_neg(void) {
        int e = zmq_errno();
        return e > 0 ? -e : -EIO;
}

static int socket_new(void *ctx, int type, void **ret) {
        void *s = zmq_socket(ctx, type);
        int linger = 0;

        if (!s)
                return zmq_errno_neg();
        if (zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof(linger)) < 0) {
                int r = zmq_errno_neg();
                zmq_close(s);
                return r;
        }
        *ret = s;
        return 0;
}

int bus_client_new(const char *command_endpoint, const char *event_endpoint,
                   usec_t timeout, struct bus_client **ret) {
        _cleanup_(bus_client_freep) struct bus_client *c = NULL;
        int r;

        c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        c->timeout = timeout;
        c->next_id = 1;
        c->catchup = CATCHUP_DEFAULT;
        c->command_endpoint = strdup(command_endpoint);
        if (!c->command_endpoint)
                return -ENOMEM;
        if (event_endpoint) {
                c->event_endpoint = strdup(event_endpoint);
                if (!c->event_endpoint)
                        return -ENOMEM;
        }
        c->queue = json_array();
        if (!c->queue)
                return -ENOMEM;

        c->ctx = zmq_ctx_new();
        if (!c->ctx)
                return zmq_errno_neg();
        r = socket_new(c->ctx, ZMQ_DEALER, &c->dealer);
        if (r < 0)
                return r;
        if (zmq_connect(c->dealer, command_endpoint) < 0)
                return zmq_errno_neg();

        *ret = TAKE_PTR(c);
        return 0;
}

const char *bus_client_command_endpoint(const struct bus_client *c) {
        return c->command_endpoint;
}

usec_t bus_client_timeout(const struct bus_client *c) {
        return c->timeout;
}

/* Receives one whole message and returns its last frame as parsed JSON
 * (a REQ-style empty delimiter before it is skipped). NULL result with 0
 * means the message was not JSON. */
static int socket_recv_json(void *s, json_t **ret) {
        _cleanup_free_ char *last = NULL;
        size_t last_size = 0;
        int more = 0;
        size_t more_size = sizeof(more);

        do {
                zmq_msg_t msg;
                zmq_msg_init(&msg);
                if (zmq_msg_recv(&msg, s, ZMQ_DONTWAIT) < 0) {
                        int r = zmq_errno_neg();
                        zmq_msg_close(&msg);
                        return r;
                }
                free(last);
                last_size = zmq_msg_size(&msg);
                last = malloc(last_size + 1);
                if (!last) {
                        zmq_msg_close(&msg);
                        return -ENOMEM;
                }
                memcpy(last, zmq_msg_data(&msg), last_size);
                last[last_size] = 0;
                zmq_msg_close(&msg);
                if (zmq_getsockopt(s, ZMQ_RCVMORE, &more, &more_size) < 0)
                        return zmq_errno_neg();
        } while (more);

        *ret = json_loadb(last, last_size, 0, NULL);
        return 0;
}

int bus_client_call(struct bus_client *c, const char *cmd, json_t *args, usec_t extra,
                    json_t **ret_result, json_t **ret_error) {
        _cleanup_json_ json_t *req = NULL;
        _cleanup_free_ char *text = NULL;
        int64_t id = c->next_id++;
        usec_t deadline;

        req = json_pack("{s:I, s:s, s:o}", "id", (json_int_t) id, "cmd", cmd,
                        "args", args ? json_incref(args) : json_object());
        if (!req)
                return -ENOMEM;
        text = json_dumps(req, JSON_COMPACT);
        if (!text)
                return -ENOMEM;

        deadline = deadline_in(c->timeout + extra);
        for (;;) {
                /* With no peer yet the DEALER blocks on send; poll for
                 * writability so an absent daemon reads as a timeout. */
                zmq_pollitem_t item = { .socket = c->dealer, .events = ZMQ_POLLOUT };
                int n = zmq_poll(&item, 1, deadline_poll_ms(deadline));
                if (n < 0)
                        return zmq_errno_neg();
                if (n == 0)
                        return -ETIMEDOUT;
                if (zmq_send(c->dealer, text, strlen(text), ZMQ_DONTWAIT) >= 0)
                        break;
                if (zmq_errno() != EAGAIN)
                        return zmq_errno_neg();
        }

        for (;;) {
                _cleanup_json_ json_t *reply = NULL;
                zmq_pollitem_t item = { .socket = c->dealer, .events = ZMQ_POLLIN };
                json_t *rid, *ok;
                int n, r;

                n = zmq_poll(&item, 1, deadline_poll_ms(deadline));
                if (n < 0)
                        return zmq_errno_neg();
                if (n == 0)
                        return -ETIMEDOUT;
                r = socket_recv_json(c->dealer, &reply);
                if (r == -EAGAIN)
                        continue;
                if (r < 0)
                        return r;
                if (!json_is_object(reply))
                        return -EBADMSG;
                rid = json_object_get(reply, "id");
                if (json_is_integer(rid) && json_integer_value(rid) != id)
                        continue;  /* a late reply to an earlier request */
                ok = json_object_get(reply, "ok");
                if (!json_is_boolean(ok))
                        return -EBADMSG;
                if (json_is_true(ok)) {
                        json_t *result = json_object_get(reply, "result");
                        if (!result)
                                return -EBADMSG;
                        *ret_result = json_incref(result);
                        return 0;
                }
                if (ret_error) {
                        json_t *err = json_object_get(reply, "error");
                        *ret_error = err ? json_incref(err) : json_object();
                }
                return -EREMOTEIO;
        }
}

int bus_client_call_report(struct bus_client *c, const char *cmd, json_t *args, usec_t extra,
                           json_t **ret_result) {
        _cleanup_json_ json_t *err = NULL;
        int r;

        r = bus_client_call(c, cmd, args, extra, ret_result, &err);
        switch (r) {
        case 0:
        case -EINTR:
                break;
        case -EREMOTEIO:
                fprintf(stderr, "certbench: %s: daemon error %s: %s\n", cmd,
                        strna(json_string_value(json_object_get(err, "code"))),
                        strna(json_string_value(json_object_get(err, "message"))));
                break;
        case -ETIMEDOUT:
                fprintf(stderr,
                        "certbench: %s: no reply from %s within %.1f s "
                        "(is certbenchd running? see --endpoint, --timeout)\n",
                        cmd, c->command_endpoint, (double) (c->timeout + extra) / USEC_PER_SEC);
                break;
        case -EBADMSG:
                fprintf(stderr, "certbench: %s: malformed reply from %s\n", cmd,
                        c->command_endpoint);
                break;
        default:
                fprintf(stderr, "certbench: %s: %s\n", cmd, strerror(-r));
                break;
        }
        return r;
}

static bool json_get_u64(json_t *v, uint64_t *ret) {
        if (!json_is_integer(v) || json_integer_value(v) < 0)
                return false;
        *ret = (uint64_t) json_integer_value(v);
        return true;
}

uint64_t bus_event_seq(json_t *event) {
        uint64_t seq = 0;

        if (!json_get_u64(json_object_get(event, "seq"), &seq))
                return 0;
        return seq;
}

int bus_client_events_since(struct bus_client *c, uint64_t after, unsigned limit,
                            json_t **ret_events, uint64_t *ret_last_seq) {
        _cleanup_json_ json_t *args = NULL, *result = NULL;
        json_t *events;
        uint64_t last = 0;
        int r;

        args = json_pack("{s:I, s:i}", "seq", (json_int_t) after, "limit", (int) limit);
        if (!args)
                return -ENOMEM;
        r = bus_client_call_report(c, "events.since", args, 0, &result);
        if (r < 0)
                return r;
        events = json_object_get(result, "events");
        if (!json_is_array(events)) {
                fprintf(stderr, "certbench: events.since: reply has no events array\n");
                return -EBADMSG;
        }
        (void) json_get_u64(json_object_get(result, "last_seq"), &last);
        *ret_events = json_incref(events);
        *ret_last_seq = last;
        return 0;
}

int bus_client_subscribe(struct bus_client *c) {
        int r;

        if (c->sub)
                return 0;
        if (!c->event_endpoint)
                return -EINVAL;
        r = socket_new(c->ctx, ZMQ_SUB, &c->sub);
        if (r < 0)
                return r;
        if (zmq_setsockopt(c->sub, ZMQ_SUBSCRIBE, "", 0) < 0)
                return zmq_errno_neg();
        if (zmq_connect(c->sub, c->event_endpoint) < 0)
                return zmq_errno_neg();
        return 0;
}

void bus_client_set_last_seq(struct bus_client *c, uint64_t seq) {
        c->last_seq = seq;
        c->behind = true;
        json_array_clear(c->queue);
        c->queue_pos = 0;
}

uint64_t bus_client_get_last_seq(const struct bus_client *c) {
        return c->last_seq;
}

void bus_client_set_catchup(struct bus_client *c, usec_t interval) {
        c->catchup = interval;
}

/* Fetches one page after last_seq into the queue. */
static int client_fetch(struct bus_client *c) {
        _cleanup_json_ json_t *events = NULL;
        uint64_t store_last = 0, seq = 0;
        size_t i, n;
        json_t *ev;
        int r;

        r = bus_client_events_since(c, c->last_seq, BUS_EVENTS_PAGE, &events, &store_last);
        if (r < 0)
                return r;

        json_array_clear(c->queue);
        c->queue_pos = 0;
        n = json_array_size(events);
        json_array_foreach(events, i, ev) {
                seq = bus_event_seq(ev);
                if (seq <= c->last_seq)
                        continue;  /* never hand out anything twice */
                if (json_array_append(c->queue, ev) < 0)
                        return -ENOMEM;
        }
        /* A full page, or one that ends before the store's newest seq,
         * leaves more to fetch. */
        c->behind = n > 0 && (n >= BUS_EVENTS_PAGE || seq < store_last);
        return 0;
}

static int client_pop(struct bus_client *c, json_t **ret) {
        json_t *ev;

        if (c->queue_pos >= json_array_size(c->queue))
                return 0;
        ev = json_array_get(c->queue, c->queue_pos++);
        c->last_seq = bus_event_seq(ev);
        *ret = json_incref(ev);
        return 1;
}

int bus_client_event_next(struct bus_client *c, usec_t deadline, json_t **ret_event) {
        usec_t idle_since = mono_now();
        int r;

        for (;;) {
                _cleanup_json_ json_t *ev = NULL;
                zmq_pollitem_t item;
                usec_t wake, now;
                uint64_t seq;
                int n;

                if (client_pop(c, ret_event))
                        return 0;
                if (c->behind) {
                        r = client_fetch(c);
                        if (r < 0)
                                return r;
                        idle_since = mono_now();
                        continue;
                }

                now = mono_now();
                if (deadline != USEC_INFINITY && now >= deadline)
                        return -ETIMEDOUT;
                wake = deadline;
                if (c->catchup > 0 && idle_since + c->catchup < wake)
                        wake = idle_since + c->catchup;

                if (!c->sub) {
                        /* No subscription: only catch-up polling. */
                        if (wake == USEC_INFINITY)
                                return -EINVAL;
                        struct timespec ts;
                        if (wake > now && nanosleep(timespec_store(&ts, wake - now), NULL) < 0)
                                return -EINTR;
                        if (wake != deadline)
                                c->behind = true;
                        continue;
                }

                item = (zmq_pollitem_t) { .socket = c->sub, .events = ZMQ_POLLIN };
                n = zmq_poll(&item, 1, deadline_poll_ms(wake));
                if (n < 0)
                        return zmq_errno_neg();
                if (n == 0) {
                        if (c->catchup > 0 && mono_now() >= idle_since + c->catchup)
                                c->behind = true;
                        continue;
                }

                r = socket_recv_json(c->sub, &ev);
                if (r == -EAGAIN)
                        continue;
                if (r < 0)
                        return r;
                idle_since = mono_now();
                if (!json_is_object(ev))
                        continue;  /* not ours to judge; the store has the truth */

                seq = bus_event_seq(ev);
                if (seq == 0) {
                        *ret_event = TAKE_PTR(ev);
                        return 0;
                }
                if (seq <= c->last_seq)
                        continue;
                if (seq == c->last_seq + 1) {
                        c->last_seq = seq;
                        *ret_event = TAKE_PTR(ev);
                        return 0;
                }
                /* A gap: the missing events (and this one) come from the
                 * store, in order. */
                c->behind = true;
        }
}
