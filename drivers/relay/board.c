/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The board thread. It alone calls the backend, so a libmodbus or libgpiod
 * context never crosses threads. The queue is the only state shared with
 * submitters (under b->lock); channel ownership and the connection belong
 * to the board thread.
 *
 * Scheduling, in order of priority on every turn of the loop:
 *  1. queued requests whose deadline passed fail -ETIMEDOUT, and requests
 *     on a channel owned by a pulse fail -EBUSY, without touching the board;
 *  2. a pulse due within RELAY_PULSE_SPIN is ended: the thread sleeps with
 *     clock_nanosleep(TIMER_ABSTIME) to the exact end and writes;
 *  3. the head of the queue runs, but only when no pulse ends within the
 *     worst case a request can take (a few response timeouts), so a slow
 *     board can never stretch a pulse. Safe-state requests always run.
 *  4. otherwise wait on the condvar (CLOCK_MONOTONIC) until the next
 *     queued deadline or RELAY_PULSE_SPIN before the next pulse end. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>

#include "common/log.h"
#include "common/macros.h"
#include "relay-internal.h"

/* The condvar wait ends this long before a pulse end; the rest is slept
 * with clock_nanosleep, whose wake-up error (with timer slack 1 ns) is a
 * few tens of µs where a condvar's is scheduler-bound. */
#define RELAY_PULSE_SPIN (2 * USEC_PER_MSEC)
/* clock_nanosleep wakes ~50-150 µs late on a loaded or virtual machine,
 * always late, never early: it sleeps until this long before the end and
 * the thread spins on the vDSO clock for the rest. */
#define RELAY_PULSE_BUSYWAIT (300 * USEC_PER_MSEC / 1000)

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#elif defined(__aarch64__)
        __asm__ __volatile__("yield");
#endif
}

struct relay_request {
        struct relay_request *next;
        enum relay_op op;
        size_t ch;
        bool on;
        bool force;              /* safe state: pre-empts a pulse on its channel */
        usec_t width;
        usec_t deadline;
        relay_done_fn done;
        void *userdata;
        struct relay_result res;
        usec_t pulse_end;        /* PULSE in progress: when the end write goes out */
        bool restore_physical;   /* PULSE in progress: level before the pulse */
};

struct relay_board {
        struct fx_relay_board cfg;          /* deep copy, owned */
        const struct relay_backend_ops *ops;
        void *state;
        usec_t timeout;

        /* board thread only */
        bool connected;
        bool rt, rt_denied;                 /* SCHED_FIFO now / refused */
        struct relay_request **pulses;      /* per channel: owning pulse or NULL */

        pthread_mutex_t lock;
        pthread_cond_t cond;
        bool lock_ok, cond_ok, thread_ok;
        pthread_t thread;
        /* under lock */
        struct relay_request *head, *tail;
        bool stop;
};

static void relay_cfg_done(struct fx_relay_board *c) {
        for (size_t i = 0; c->channels && i < c->n_channels; i++)
                free(c->channels[i].name);
        free(c->channels);
        free(c->name);
        free(c->kind);
        free(c->host);
        free(c->device);
        free(c->chip);
        memset(c, 0, sizeof(*c));
}

static int strdup_opt(const char *s, char **ret) {
        *ret = NULL;
        if (!s)
                return 0;
        *ret = strdup(s);
        return *ret ? 0 : -ENOMEM;
}

static int relay_cfg_copy(struct fx_relay_board *dst, const struct fx_relay_board *src) {
        *dst = *src;
        dst->name = dst->kind = dst->host = dst->device = dst->chip = NULL;
        dst->channels = NULL;
        dst->n_channels = 0;
        if (strdup_opt(src->name ? src->name : "relay", &dst->name) < 0 ||
            strdup_opt(src->kind, &dst->kind) < 0 ||
            strdup_opt(src->host, &dst->host) < 0 ||
            strdup_opt(src->device, &dst->device) < 0 ||
            strdup_opt(src->chip, &dst->chip) < 0)
                return -ENOMEM;
        dst->channels = calloc(src->n_channels ? src->n_channels : 1, sizeof(*dst->channels));
        if (!dst->channels)
                return -ENOMEM;
        for (size_t i = 0; i < src->n_channels; i++) {
                dst->channels[i] = src->channels[i];
                dst->channels[i].name = NULL;
                dst->n_channels = i + 1;
                if (!src->channels[i].name)
                        return -EINVAL;
                if (strdup_opt(src->channels[i].name, &dst->channels[i].name) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static usec_t usec_min(usec_t a, usec_t b) {
        return a < b ? a : b;
}

/* Worst case one request can keep the thread busy: connect, read, write,
 * read back, each bounded by the response timeout. */
static usec_t relay_board_budget(const struct relay_board *b) {
        return 4 * b->timeout + RELAY_PULSE_SPIN;
}

static void relay_request_complete(struct relay_request *req, int r, const char *reason) {
        req->res.r = r;
        req->res.reason = r < 0 ? reason : NULL;
        if (req->done)
                req->done(&req->res, req->userdata);
        free(req);
}

static void relay_request_list_complete(struct relay_request *list) {
        while (list) {
                struct relay_request *next = list->next;

                relay_request_complete(list, list->res.r, list->res.reason);
                list = next;
        }
}

/* Drops the link after an error that leaves it unusable, and turns
 * "the board is gone" into -EHOSTUNREACH. */
static int relay_board_io_error(struct relay_board *b, int r, usec_t deadline, const char **reason) {
        if (r == -ENOMEM) {
                *reason = "out of memory";
                return r;
        }
        if (relay_errno_is_link(r) || r == -ETIMEDOUT || r == -EBADMSG) {
                b->ops->disconnect(b->state);
                b->connected = false;
        }
        if (relay_errno_is_link(r)) {
                *reason = "board unreachable";
                return -EHOSTUNREACH;
        }
        if (r == -ETIMEDOUT) {
                if (mono_now() < deadline) {
                        *reason = "board did not answer";
                        return -EHOSTUNREACH;
                }
                *reason = "deadline passed";
                return r;
        }
        *reason = r == -EBADMSG ? "malformed answer from board" : "board refused the request";
        return r;
}

static int relay_board_ensure_connected(struct relay_board *b, usec_t deadline, const char **reason) {
        int r;

        if (b->connected)
                return 0;
        r = b->ops->connect(b->state, deadline);
        if (r < 0) {
                b->ops->disconnect(b->state);
                if (r == -ENOMEM) {
                        *reason = "out of memory";
                        return r;
                }
                if (r == -ETIMEDOUT && mono_now() >= deadline) {
                        *reason = "deadline passed while connecting";
                        return r;
                }
                log_debug_errno(r, "relay %s: connect failed: %m", b->cfg.name);
                *reason = "board unreachable";
                return -EHOSTUNREACH;
        }
        b->connected = true;
        return 0;
}

static int relay_board_read(struct relay_board *b, const struct fx_channel *ch, bool *ret_physical,
                            usec_t deadline, const char **reason) {
        int r = b->ops->read(b->state, ch, ret_physical, deadline);

        return r < 0 ? relay_board_io_error(b, r, deadline, reason) : 0;
}

/* Write, stamp the acknowledgement, read back. */
static int relay_board_write_verified(struct relay_board *b, const struct fx_channel *ch, bool physical,
                                      usec_t deadline, usec_t *ret_ack, const char **reason) {
        bool got;
        int r;

        if (b->ops->write_verify) {
                r = b->ops->write_verify(b->state, ch, physical, deadline, ret_ack, &got);
                if (r < 0)
                        return relay_board_io_error(b, r, deadline, reason);
        } else {
                r = b->ops->write(b->state, ch, physical, deadline);
                if (r < 0)
                        return relay_board_io_error(b, r, deadline, reason);
                *ret_ack = mono_now();
                r = relay_board_read(b, ch, &got, deadline, reason);
                if (r < 0)
                        return r;
        }
        if (got != physical) {
                log_debug("relay %s: %s read back %d after writing %d", b->cfg.name, ch->name, got, physical);
                *reason = "read-back mismatch";
                return -EIO;
        }
        return 0;
}

/* A pulse's end is only as precise as the board thread's wake-up. While a
 * pulse is in flight the thread runs SCHED_FIFO (granted by CAP_SYS_NICE
 * or RLIMIT_RTPRIO, e.g. systemd's LimitRTPRIO=1), so a busy CPU cannot
 * delay the end by a scheduler tick or more; otherwise it goes back to
 * SCHED_OTHER, where wake-ups from the submitting thread are cheaper
 * (the scheduler keeps us on the waker's CPU). The thread never runs
 * long: it sleeps, or waits on I/O with timeouts, or spins at most
 * RELAY_PULSE_BUSYWAIT. Best effort: without the privilege the thread
 * stays SCHED_OTHER and pulses are as precise as the load allows. */
static void relay_board_thread_realtime(struct relay_board *b, bool rt) {
        struct sched_param sp = { .sched_priority = rt ? 1 : 0 };
        int r;

        if (rt == b->rt || (rt && b->rt_denied))
                return;
        r = pthread_setschedparam(pthread_self(), rt ? SCHED_FIFO : SCHED_OTHER, &sp);
        if (r != 0) {
                log_debug_errno(-r, "relay %s: cannot switch to %s: %m", b->cfg.name,
                                rt ? "SCHED_FIFO" : "SCHED_OTHER");
                b->rt_denied = rt;
                return;
        }
        b->rt = rt;
}

static void relay_board_pulse_end(struct relay_board *b, struct relay_request *req, bool now) {
        const struct fx_channel *ch = &b->cfg.channels[req->ch];
        const char *reason = NULL;
        usec_t deadline;
        int r;

        if (!now) {
                struct timespec ts;

                timespec_store(&ts, req->pulse_end - RELAY_PULSE_BUSYWAIT);
                while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
                        ;
                while (mono_now() < req->pulse_end)
                        cpu_relax();
        }
        b->pulses[req->ch] = NULL;
        /* Ending a pulse is never skipped for the caller's deadline: a
         * channel left in its pulsed state is worse than a late answer. */
        deadline = mono_now() + 2 * b->timeout;
        r = relay_board_ensure_connected(b, deadline, &reason);
        if (r >= 0)
                r = relay_board_write_verified(b, ch, req->restore_physical, deadline, &req->res.t_end, &reason);
        req->res.on = req->restore_physical ^ ch->invert;
        if (r >= 0 && now) {
                r = -ECANCELED;
                reason = "pulse cut short: board closing";
        }
        relay_request_complete(req, r, reason);
}

static void relay_board_run(struct relay_board *b, struct relay_request *req) {
        const struct fx_channel *ch = &b->cfg.channels[req->ch];
        const char *reason = NULL;
        usec_t ack;
        bool physical;
        int r;

        if (req->force && b->pulses[req->ch]) {
                struct relay_request *p = TAKE_PTR(b->pulses[req->ch]);

                p->res.on = p->restore_physical ^ ch->invert;
                relay_request_complete(p, -ECANCELED, "pulse pre-empted by the safe state");
        }
        if (mono_now() >= req->deadline)
                return relay_request_complete(req, -ETIMEDOUT, "deadline passed while queued");
        if (req->op == RELAY_OP_PULSE && mono_now() + req->width >= req->deadline)
                return relay_request_complete(req, -ETIMEDOUT, "pulse cannot end before the deadline");

        r = relay_board_ensure_connected(b, req->deadline, &reason);
        if (r < 0)
                return relay_request_complete(req, r, reason);

        switch (req->op) {
        case RELAY_OP_GET:
                r = relay_board_read(b, ch, &physical, req->deadline, &reason);
                if (r < 0)
                        break;
                req->res.on = physical ^ ch->invert;
                req->res.t_start = req->res.t_end = mono_now();
                break;
        case RELAY_OP_SET:
                physical = req->on ^ ch->invert;
                r = relay_board_write_verified(b, ch, physical, req->deadline, &ack, &reason);
                if (r < 0)
                        break;
                req->res.on = req->on;
                req->res.t_start = req->res.t_end = ack;
                break;
        case RELAY_OP_PULSE:
                /* Real-time from before the first write: preempted between
                 * it and the first wait, we would start the clock late. */
                relay_board_thread_realtime(b, true);
                r = relay_board_read(b, ch, &req->restore_physical, req->deadline, &reason);
                if (r < 0)
                        break;
                /* A pulse always energises: relay.h, "set on". */
                physical = !ch->invert;
                r = relay_board_write_verified(b, ch, physical, req->deadline, &ack, &reason);
                if (r < 0) {
                        const char *ignored;
                        usec_t ignored_t;

                        if (r == -EIO)   /* best effort: put back what was there */
                                (void) relay_board_write_verified(b, ch, req->restore_physical,
                                                                  mono_now() + b->timeout, &ignored_t, &ignored);
                        break;
                }
                /* Timed from the acknowledgement, not from when the start
                 * write left: the level is applied somewhere in between,
                 * so a slow start write may lengthen a pulse slightly but
                 * can never cut a reset hold short. */
                req->res.t_start = ack;
                req->pulse_end = ack + req->width;
                b->pulses[req->ch] = req;
                return;
        case _RELAY_OP_MAX:
                r = -EINVAL;
                reason = "bad operation";
                break;
        }
        relay_request_complete(req, r, reason);
}

static struct relay_request *relay_board_next_pulse(struct relay_board *b) {
        struct relay_request *p = NULL;

        for (size_t i = 0; i < b->cfg.n_channels; i++)
                if (b->pulses[i] && (!p || b->pulses[i]->pulse_end < p->pulse_end))
                        p = b->pulses[i];
        return p;
}

/* Unlinks what can be answered without the board. Under lock. */
static struct relay_request *relay_board_reap_locked(struct relay_board *b, usec_t now) {
        struct relay_request *out = NULL, **out_tail = &out, **pp = &b->head, *last = NULL;

        while (*pp) {
                struct relay_request *r = *pp;

                if (r->deadline <= now) {
                        r->res.r = -ETIMEDOUT;
                        r->res.reason = "deadline passed while queued";
                } else if (b->pulses[r->ch] && !r->force) {
                        r->res.r = -EBUSY;
                        r->res.reason = "channel held by a pulse";
                } else {
                        last = r;
                        pp = &r->next;
                        continue;
                }
                *pp = r->next;
                r->next = NULL;
                *out_tail = r;
                out_tail = &r->next;
        }
        b->tail = last;
        return out;
}

static void *relay_board_thread(void *userdata) {
        struct relay_board *b = userdata;
        struct relay_request *q;

        /* Default slack (50 µs) would be added to every pulse end. */
        (void) prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);

        pthread_mutex_lock(&b->lock);
        while (!b->stop) {
                usec_t now = mono_now(), wake;
                struct relay_request *reaped, *p, *req;

                reaped = relay_board_reap_locked(b, now);
                if (reaped) {
                        pthread_mutex_unlock(&b->lock);
                        relay_request_list_complete(reaped);
                        pthread_mutex_lock(&b->lock);
                        continue;
                }
                p = relay_board_next_pulse(b);
                if (p && p->pulse_end <= now + RELAY_PULSE_SPIN) {
                        pthread_mutex_unlock(&b->lock);
                        relay_board_pulse_end(b, p, false);
                        pthread_mutex_lock(&b->lock);
                        continue;
                }
                req = b->head;
                if (req && (req->force || !p || p->pulse_end > now + relay_board_budget(b))) {
                        b->head = req->next;
                        if (!b->head)
                                b->tail = NULL;
                        req->next = NULL;
                        pthread_mutex_unlock(&b->lock);
                        relay_board_run(b, req);
                        pthread_mutex_lock(&b->lock);
                        continue;
                }
                relay_board_thread_realtime(b, p);
                wake = p ? p->pulse_end - RELAY_PULSE_SPIN : USEC_INFINITY;
                for (struct relay_request *r = b->head; r; r = r->next)
                        wake = usec_min(wake, r->deadline);
                if (wake == USEC_INFINITY)
                        pthread_cond_wait(&b->cond, &b->lock);
                else {
                        struct timespec ts;

                        pthread_cond_timedwait(&b->cond, &b->lock, timespec_store(&ts, wake));
                }
        }
        q = TAKE_PTR(b->head);
        b->tail = NULL;
        pthread_mutex_unlock(&b->lock);

        while (q) {
                struct relay_request *next = q->next;

                relay_request_complete(q, -ECANCELED, "board closing");
                q = next;
        }
        for (size_t i = 0; i < b->cfg.n_channels; i++)
                if (b->pulses[i])
                        relay_board_pulse_end(b, b->pulses[i], true);
        return NULL;
}

void relay_board_free(struct relay_board *b) {
        if (!b)
                return;
        if (b->thread_ok) {
                pthread_mutex_lock(&b->lock);
                b->stop = true;
                pthread_cond_signal(&b->cond);
                pthread_mutex_unlock(&b->lock);
                pthread_join(b->thread, NULL);
        }
        if (b->state)
                b->ops->free(b->state);
        if (b->cond_ok)
                pthread_cond_destroy(&b->cond);
        if (b->lock_ok)
                pthread_mutex_destroy(&b->lock);
        free(b->pulses);
        relay_cfg_done(&b->cfg);
        free(b);
}

DEFINE_TRIVIAL_CLEANUP_FUNC(struct relay_board *, relay_board_free);

int relay_board_new(const struct fx_relay_board *cfg, struct relay_board **ret) {
        _cleanup_(relay_board_freep) struct relay_board *b = NULL;
        pthread_condattr_t ca;
        int r;

        if (!cfg || !ret)
                return -EINVAL;
        b = calloc(1, sizeof(*b));
        if (!b)
                return -ENOMEM;
        b->ops = relay_backend_find(cfg->kind);
        if (!b->ops)
                return -EINVAL;
        r = relay_cfg_copy(&b->cfg, cfg);
        if (r < 0)
                return r;
        b->timeout = (usec_t) (cfg->timeout_ms ? cfg->timeout_ms : 500) * USEC_PER_MSEC;
        b->pulses = calloc(cfg->n_channels ? cfg->n_channels : 1, sizeof(*b->pulses));
        if (!b->pulses)
                return -ENOMEM;
        r = b->ops->open(&b->cfg, &b->state);
        if (r < 0)
                return r;

        r = -pthread_mutex_init(&b->lock, NULL);
        if (r < 0)
                return r;
        b->lock_ok = true;
        r = -pthread_condattr_init(&ca);
        if (r < 0)
                return r;
        r = -pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        if (r == 0)
                r = -pthread_cond_init(&b->cond, &ca);
        pthread_condattr_destroy(&ca);
        if (r < 0)
                return r;
        b->cond_ok = true;
        r = -pthread_create(&b->thread, NULL, relay_board_thread, b);
        if (r < 0)
                return r;
        b->thread_ok = true;
        *ret = TAKE_PTR(b);
        return 0;
}

const char *relay_board_name(const struct relay_board *b) {
        return b ? b->cfg.name : NULL;
}

static int relay_board_find_channel(const struct relay_board *b, const char *name, size_t *ret) {
        for (size_t i = 0; i < b->cfg.n_channels; i++)
                if (strcmp(b->cfg.channels[i].name, name) == 0) {
                        *ret = i;
                        return 0;
                }
        return -ENOENT;
}

static int relay_board_submit_full(struct relay_board *b, enum relay_op op, const char *channel,
                                   bool on, usec_t width, usec_t deadline, bool force,
                                   relay_done_fn done, void *userdata) {
        struct relay_request *req;
        size_t idx;
        int r;

        if (!b || !channel || (int) op < 0 || op >= _RELAY_OP_MAX)
                return -EINVAL;
        r = relay_board_find_channel(b, channel, &idx);
        if (r < 0)
                return r;
        if (op != RELAY_OP_GET && !b->cfg.channels[idx].output)
                return -EPERM;
        if (op == RELAY_OP_PULSE && (width == 0 || width == USEC_INFINITY))
                return -EINVAL;
        req = calloc(1, sizeof(*req));
        if (!req)
                return -ENOMEM;
        *req = (struct relay_request) {
                .op = op,
                .ch = idx,
                .on = on,
                .force = force,
                .width = op == RELAY_OP_PULSE ? width : 0,
                .deadline = deadline,
                .done = done,
                .userdata = userdata,
                .res.t_queued = mono_now(),
        };

        pthread_mutex_lock(&b->lock);
        if (b->stop) {
                pthread_mutex_unlock(&b->lock);
                free(req);
                return -ECANCELED;
        }
        if (b->tail)
                b->tail->next = req;
        else
                b->head = req;
        b->tail = req;
        pthread_cond_signal(&b->cond);
        pthread_mutex_unlock(&b->lock);
        return 0;
}

int relay_board_submit(struct relay_board *b, enum relay_op op, const char *channel,
                       bool on, usec_t width, usec_t deadline,
                       relay_done_fn done, void *userdata) {
        return relay_board_submit_full(b, op, channel, on, width, deadline, false, done, userdata);
}

/* Shared by the waiting caller and the completion callback; whichever
 * lets go last frees it, so an abandoned call (timeout, abort) is safe. */
struct relay_call {
        int refs;
        int efd;
        struct relay_result res;
};

static void relay_call_unref(struct relay_call *c) {
        if (__atomic_sub_fetch(&c->refs, 1, __ATOMIC_ACQ_REL) > 0)
                return;
        if (c->efd >= 0)
                close(c->efd);
        free(c);
}

static void relay_call_done(const struct relay_result *res, void *userdata) {
        struct relay_call *c = userdata;

        c->res = *res;
        (void) eventfd_write(c->efd, 1);
        relay_call_unref(c);
}

static int relay_board_call_full(struct relay_board *b, enum relay_op op, const char *channel,
                                 bool on, usec_t width, usec_t deadline, bool force, int abort_fd,
                                 struct relay_result *ret) {
        struct relay_call *c;
        int r;

        c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        c->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (c->efd < 0) {
                r = negative_errno();
                free(c);
                return r;
        }
        c->refs = 2;
        r = relay_board_submit_full(b, op, channel, on, width, deadline, force, relay_call_done, c);
        if (r < 0) {
                close(c->efd);
                free(c);
                return r;
        }
        for (;;) {
                struct pollfd p[2] = {
                        { .fd = c->efd, .events = POLLIN },
                        { .fd = abort_fd, .events = POLLIN },
                };
                int n = poll(p, abort_fd >= 0 ? 2 : 1, deadline_poll_ms(deadline));

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        r = negative_errno();
                        break;
                }
                if (p[0].revents & POLLIN) {
                        __atomic_thread_fence(__ATOMIC_ACQUIRE);
                        if (ret)
                                *ret = c->res;
                        r = c->res.r;
                        break;
                }
                if (abort_fd >= 0 && (p[1].revents & (POLLIN | POLLHUP | POLLERR))) {
                        r = -ECANCELED;
                        break;
                }
                if (n == 0 && mono_now() >= deadline) {
                        r = -ETIMEDOUT;
                        break;
                }
        }
        relay_call_unref(c);
        return r;
}

int relay_board_call(struct relay_board *b, enum relay_op op, const char *channel,
                     bool on, usec_t width, usec_t deadline, int abort_fd,
                     struct relay_result *ret) {
        return relay_board_call_full(b, op, channel, on, width, deadline, false, abort_fd, ret);
}

int relay_board_apply_safe_channel(struct relay_board *b, const char *channel, usec_t deadline) {
        size_t i;
        int r;

        if (!b || !channel)
                return -EINVAL;
        r = relay_board_find_channel(b, channel, &i);
        if (r < 0)
                return r;
        if (!b->cfg.channels[i].output)
                return -EPERM;
        return relay_board_call_full(b, RELAY_OP_SET, channel, b->cfg.channels[i].safe_on, 0, deadline,
                                     true, -1, NULL);
}

int relay_board_apply_safe(struct relay_board *b, usec_t deadline) {
        int first = 0;

        if (!b)
                return -EINVAL;
        for (size_t i = 0; i < b->cfg.n_channels; i++) {
                const struct fx_channel *ch = &b->cfg.channels[i];
                int r;

                if (!ch->output)
                        continue;
                r = relay_board_call_full(b, RELAY_OP_SET, ch->name, ch->safe_on, 0, deadline,
                                          true, -1, NULL);
                if (r < 0 && first == 0)
                        first = r;
        }
        return first;
}
