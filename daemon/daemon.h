/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* certbenchd's shared state. The struct daemon and everything it points
 * to belong to the main thread, except where a field says otherwise:
 * slots carry a mutex for the few fields their worker shares, boards have
 * their own thread behind relay.h, and the mailbox is the one way back
 * from any thread to the main loop. */

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <jansson.h>

#include "common/timeutil.h"
#include "daemon/mailbox.h"
#include "daemon/store.h"
#include "drivers/relay/relay.h"
#include "lib/fixture/fixture.h"
#include "testcases/testcase.h"

struct daemon;

/* A run handed from the main thread to a slot worker. Owned by the worker
 * once handed over. */
struct run_plan {
        char *run_id;
        char *serial;
        struct dut_profile *profile;
        json_t *cases;           /* array of case id strings */
        json_t *params;          /* object: case id -> params object */
};

void run_plan_free(struct run_plan *p);

struct slot {
        struct daemon *daemon;
        const struct fx_slot *cfg;
        pthread_t thread;
        bool thread_started;

        /* Main thread only: a run is assigned and not yet reported finished. */
        bool busy;
        char *run_id;

        /* Shared with the worker, under lock. */
        pthread_mutex_t lock;
        pthread_cond_t cond;
        struct run_plan *pending;
        bool quit;
        char *current_case;      /* for status */
        unsigned case_index, case_count;

        /* Abort: the flag for checks, the eventfd to wake waits, and why
         * (a static string, set before the flag). */
        atomic_bool abort;
        const char *_Atomic abort_reason;
        int abort_fd;
};

struct daemon {
        struct daemon_config *config;
        struct fixture *fixture;
        struct store *store;
        struct mailbox *mailbox;

        struct relay_board **boards;     /* parallel to fixture->boards */
        bool *board_safe;                /* safe state confirmed at start */
        struct slot *slots;              /* parallel to fixture->slots */
        size_t n_slots;

        void *zmq_ctx;
        void *cmd_sock;
        void *pub_sock;

        usec_t started_mono;
        bool quitting;
};

/* Worker → main messages. */
enum daemon_msg_kind {
        DAEMON_MSG_EVENT,        /* only an event */
        DAEMON_MSG_RUN_RUNNING,
        DAEMON_MSG_CASE_BEGIN,
        DAEMON_MSG_CASE_FINISH,
        DAEMON_MSG_EVIDENCE,
        DAEMON_MSG_RUN_FINISH,
        DAEMON_MSG_REPLY,        /* a deferred bus reply (relay commands) */
        _DAEMON_MSG_KIND_MAX,
};

struct daemon_msg {
        struct mailbox_item item;
        enum daemon_msg_kind kind;
        usec_t ts;               /* CLOCK_REALTIME */
        char *slot;
        char *run_id;
        /* The event stored and published with this message, if type is set. */
        char *type;
        json_t *data;
        /* Store operation payload. */
        unsigned idx;
        char *case_id;
        char *outcome;
        char *reason;
        char *text1;             /* requirements / measurements JSON */
        char *text2;             /* params JSON */
        bool aborted;
        char *name;              /* evidence name and media type */
        char *media_type;
        void *blob;
        size_t blob_size;
        /* DAEMON_MSG_REPLY */
        void *ident;
        size_t ident_size;
        bool delim;
        char *reply;
};

/* Set on slot worker threads: their posts wait for room in the mailbox
 * (back-pressure on a case that streams events); everyone else's never
 * wait. */
extern _Thread_local bool daemon_thread_is_worker;

/* Most messages a flush stores in one transaction. */
#define DAEMON_FLUSH_BATCH 4096
/* Queued messages at which slot workers wait. */
#define DAEMON_MAILBOX_HIGH_WATER 32768

struct daemon_msg *daemon_msg_new(enum daemon_msg_kind kind, const char *slot, const char *run_id);
void daemon_msg_free(struct daemon_msg *m);
/* Any thread. */
void daemon_post(struct daemon *d, struct daemon_msg *m);
/* Posts an event only (data stolen). Any thread. */
void daemon_post_event(struct daemon *d, const char *slot, const char *run_id,
                       const char *type, json_t *data);

/* Main thread: store everything queued (one transaction), then publish. */
void daemon_flush(struct daemon *d);
/* Main thread: handle one request on the command socket. */
void daemon_handle_command(struct daemon *d);
/* Main thread: sends a reply through the ROUTER envelope. */
void daemon_send_reply(struct daemon *d, const void *ident, size_t ident_size, bool delim,
                       const char *reply);

/* Board lookup for a channel; NULL when the fixture has no such channel. */
struct relay_board *daemon_board_for(struct daemon *d, const char *channel);

/* Slots (daemon/slot.c). */
int slot_start(struct daemon *d, struct slot *s, const struct fx_slot *cfg);
/* Hands a run to an idle slot (main thread; the slot must not be busy). */
void slot_assign(struct slot *s, struct run_plan *plan);
/* Any thread; returns immediately. reason: static text for the record. */
void slot_abort(struct slot *s, const char *reason);
/* Asks the worker to quit after its current run. */
void slot_request_quit(struct slot *s);
/* Joins the worker if it has ended and releases the slot: 0, or -EBUSY
 * while it still runs. The main thread keeps draining the mailbox between
 * tries, since a worker may be waiting for room there. */
int slot_try_join(struct slot *s);
/* Drives the slot's power and reset channels to their safe state. Blocks
 * the calling (worker or shutdown) thread up to deadline. */
int slot_apply_safe(struct slot *s, usec_t deadline);

/* Case context (daemon/case-ctx.c) used by slot.c. */
struct case_ctx *case_ctx_new(struct slot *s, struct run_plan *plan, const struct case_def *def,
                              unsigned idx);
void case_ctx_free(struct case_ctx *ctx);
char *case_ctx_take_reason(struct case_ctx *ctx);
json_t *case_ctx_take_measurements(struct case_ctx *ctx);
