/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Store first, then publish. The main thread takes every message queued by
 * the workers in one go, writes them and their events in one transaction
 * (a group commit: one fsync for thousands of events), and publishes the
 * events only after the commit. seq comes from the store, so what a
 * subscriber sees can always be fetched again with events.since. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "common/log.h"
#include "daemon/bus-proto.h"
#include "daemon/daemon.h"

struct daemon_msg *daemon_msg_new(enum daemon_msg_kind kind, const char *slot, const char *run_id) {
        struct daemon_msg *m = calloc(1, sizeof(*m));

        /* Losing a verdict silently is worse than stopping; and with
         * overcommit this does not happen in practice. */
        if (!m)
                abort();
        m->kind = kind;
        m->ts = now_usec(CLOCK_REALTIME);
        m->slot = slot ? strdup(slot) : NULL;
        m->run_id = run_id ? strdup(run_id) : NULL;
        return m;
}

void daemon_msg_free(struct daemon_msg *m) {
        if (!m)
                return;
        free(m->slot);
        free(m->run_id);
        free(m->type);
        json_decref(m->data);
        free(m->case_id);
        free(m->outcome);
        free(m->reason);
        free(m->text1);
        free(m->text2);
        free(m->name);
        free(m->media_type);
        free(m->blob);
        free(m->ident);
        free(m->reply);
        free(m);
}

static void daemon_msg_item_free(struct mailbox_item *i) {
        daemon_msg_free((struct daemon_msg *) i);
}

mailbox_item_free_fn daemon_msg_item_free_fn = daemon_msg_item_free;

_Thread_local bool daemon_thread_is_worker = false;

void daemon_post(struct daemon *d, struct daemon_msg *m) {
        if (daemon_thread_is_worker)
                mailbox_post_wait(d->mailbox, &m->item);
        else
                mailbox_post(d->mailbox, &m->item);
}

void daemon_post_event(struct daemon *d, const char *slot, const char *run_id,
                       const char *type, json_t *data) {
        struct daemon_msg *m = daemon_msg_new(DAEMON_MSG_EVENT, slot, run_id);

        m->type = strdup(type);
        m->data = data ? data : json_object();
        daemon_post(d, m);
}

void daemon_send_reply(struct daemon *d, const void *ident, size_t ident_size, bool delim,
                       const char *reply) {
        /* Never block the loop on a slow or vanished client: ROUTER drops
         * what it cannot route. */
        if (zmq_send(d->cmd_sock, ident, ident_size, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0)
                return;
        if (delim && zmq_send(d->cmd_sock, "", 0, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0)
                return;
        (void) zmq_send(d->cmd_sock, reply, strlen(reply), ZMQ_DONTWAIT);
}

static struct slot *daemon_slot_by_name(struct daemon *d, const char *name) {
        for (size_t i = 0; i < d->n_slots; i++)
                if (streq_ptr(d->slots[i].cfg->name, name))
                        return &d->slots[i];
        return NULL;
}

/* Applies one message's store operation. */
static int flush_store_one(struct daemon *d, struct daemon_msg *m) {
        switch (m->kind) {
        case DAEMON_MSG_EVENT:
        case DAEMON_MSG_REPLY:
                return 0;
        case DAEMON_MSG_RUN_RUNNING:
                return store_run_set_state(d->store, m->run_id, STORE_RUN_RUNNING, NULL, NULL, m->ts);
        case DAEMON_MSG_CASE_BEGIN:
                return store_case_begin(d->store, m->run_id, m->idx, m->case_id, m->text1, m->text2, m->ts);
        case DAEMON_MSG_CASE_FINISH:
                return store_case_finish(d->store, m->run_id, m->idx, m->outcome, m->reason, m->text1, m->ts);
        case DAEMON_MSG_EVIDENCE: {
                int64_t id = 0;
                int r = store_evidence_add(d->store, m->run_id, m->idx, m->name, m->media_type,
                                           m->blob, m->blob_size, m->ts, &id);
                if (r >= 0 && m->data)
                        json_object_set_new(m->data, "id", json_integer(id));
                return r;
        }
        case DAEMON_MSG_RUN_FINISH:
                return store_run_set_state(d->store, m->run_id,
                                           m->aborted ? STORE_RUN_ABORTED : STORE_RUN_FINISHED,
                                           m->outcome, m->reason, m->ts);
        case _DAEMON_MSG_KIND_MAX:
                break;
        }
        return -EINVAL;
}

struct pending_pub {
        const char *topic;
        char *json;
};

void daemon_flush(struct daemon *d) {
        /* Bounded, so one transaction stays within SQLite's page cache and
         * the first events of a flood are published without waiting for
         * the last. */
        struct mailbox_item *head = mailbox_take(d->mailbox, DAEMON_FLUSH_BATCH), *i, *next;
        struct pending_pub *pubs = NULL;
        size_t n_pubs = 0, cap = 0;
        int r;

        if (!head)
                return;

        /* A command's reply is not an event: the client waiting on the
         * board's answer gets it before the batch is written. */
        for (i = head; i; i = i->next) {
                struct daemon_msg *m = (struct daemon_msg *) i;

                if (m->kind == DAEMON_MSG_REPLY && m->reply)
                        daemon_send_reply(d, m->ident, m->ident_size, m->delim, m->reply);
        }

        r = store_begin(d->store);
        if (r < 0)
                log_error_errno(r, "store: cannot begin a transaction: %m");

        for (i = head; i; i = i->next) {
                struct daemon_msg *m = (struct daemon_msg *) i;
                uint64_t seq = 0;
                _cleanup_free_ char *data = NULL;

                r = flush_store_one(d, m);
                if (r < 0)
                        log_error_errno(r, "store: %s for run %s failed: %m",
                                        m->type ? m->type : "operation", strna(m->run_id));
                if (!m->type)
                        continue;

                data = json_dumps(m->data ? m->data : json_object(), JSON_COMPACT);
                r = data ? store_event_append(d->store, m->ts, m->type, m->slot, m->run_id, data, &seq)
                         : -ENOMEM;
                if (r < 0) {
                        log_error_errno(r, "store: event %s not stored: %m", m->type);
                        continue;
                }
                if (n_pubs == cap) {
                        size_t ncap = cap ? cap * 2 : 64;
                        struct pending_pub *np = realloc(pubs, ncap * sizeof(*np));
                        if (!np)
                                abort();
                        pubs = np;
                        cap = ncap;
                }
                pubs[n_pubs++] = (struct pending_pub) {
                        .topic = m->type,
                        .json = bus_event_encode_text(seq, m->ts, m->type, d->fixture->bench, m->slot,
                                                      m->run_id, data),
                };
        }

        r = store_commit(d->store);
        if (r < 0)
                log_error_errno(r, "store: commit failed, %zu event(s) not published: %m", n_pubs);

        for (size_t k = 0; k < n_pubs; k++) {
                if (r >= 0 && pubs[k].json) {
                        /* Both frames or neither: topic first so SUB can filter. */
                        if (zmq_send(d->pub_sock, pubs[k].topic, strlen(pubs[k].topic),
                                     ZMQ_SNDMORE | ZMQ_DONTWAIT) >= 0)
                                (void) zmq_send(d->pub_sock, pubs[k].json, strlen(pubs[k].json),
                                                ZMQ_DONTWAIT);
                }
                free(pubs[k].json);
        }
        free(pubs);

        /* After the commit: slot bookkeeping. */
        for (i = head; i; i = next) {
                struct daemon_msg *m = (struct daemon_msg *) i;

                next = i->next;
                if (m->kind == DAEMON_MSG_RUN_FINISH) {
                        struct slot *s = daemon_slot_by_name(d, m->slot);
                        if (s && streq_ptr(s->run_id, m->run_id)) {
                                s->busy = false;
                                free(s->run_id);
                                s->run_id = NULL;
                        }
                }
                daemon_msg_free(m);
        }
}

struct relay_board *daemon_board_for(struct daemon *d, const char *channel) {
        for (size_t b = 0; b < d->fixture->n_boards; b++)
                for (size_t c = 0; c < d->fixture->boards[b].n_channels; c++)
                        if (streq_ptr(d->fixture->boards[b].channels[c].name, channel))
                                return d->boards[b];
        return NULL;
}
