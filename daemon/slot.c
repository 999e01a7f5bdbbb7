/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* A slot's worker thread: takes one run at a time from the main thread and
 * executes its cases in order. Everything it learns goes back through the
 * mailbox; the main thread stores it and then publishes it. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>

#include "common/log.h"
#include "daemon/daemon.h"

void run_plan_free(struct run_plan *p) {
        if (!p)
                return;
        free(p->run_id);
        free(p->serial);
        profile_free(p->profile);
        json_decref(p->cases);
        json_decref(p->params);
        free(p);
}

static void slot_set_case(struct slot *s, const char *case_id, unsigned idx, unsigned count) {
        pthread_mutex_lock(&s->lock);
        free(s->current_case);
        s->current_case = case_id ? strdup(case_id) : NULL;
        s->case_index = idx;
        s->case_count = count;
        pthread_mutex_unlock(&s->lock);
}

int slot_apply_safe(struct slot *s, usec_t deadline) {
        const char *channels[] = { s->cfg->power, s->cfg->reset };
        int ret = 0;

        for (size_t i = 0; i < ELEMENTSOF(channels); i++) {
                const struct fx_channel *ch;
                struct relay_board *b;
                int r;

                if (!channels[i])
                        continue;
                ch = fixture_find_channel(s->daemon->fixture, channels[i], NULL);
                b = daemon_board_for(s->daemon, channels[i]);
                if (!ch || !b || !ch->output)
                        continue;
                /* Pre-empts a pulse still holding the channel: safety first. */
                r = relay_board_apply_safe_channel(b, ch->name, deadline);
                if (r < 0) {
                        daemon_post_event(s->daemon, s->cfg->name, NULL, "relay.error",
                                          json_pack("{s:s, s:s, s:s}", "channel", ch->name,
                                                    "error", strerror(-r),
                                                    "source", "safe-state"));
                        if (ret == 0)
                                ret = r;
                } else
                        daemon_post_event(s->daemon, s->cfg->name, NULL, "relay.changed",
                                          json_pack("{s:s, s:b, s:s}", "channel", ch->name,
                                                    "on", ch->safe_on, "source", "safe-state"));
        }
        return ret;
}

static void slot_run_execute(struct slot *s, struct run_plan *plan) {
        struct daemon *d = s->daemon;
        struct log_ctx lc = { .run_id = plan->run_id, .slot = s->cfg->name, .dut_serial = plan->serial };
        enum case_outcome overall = CASE_PASS;
        unsigned n = (unsigned) json_array_size(plan->cases);
        struct daemon_msg *m;
        json_t *summary = json_object();
        bool aborted = false;
        char *first_bad = NULL;

        m = daemon_msg_new(DAEMON_MSG_RUN_RUNNING, s->cfg->name, plan->run_id);
        m->type = strdup("run.started");
        m->data = json_pack("{s:s, s:s, s:O}", "serial", plan->serial, "profile",
                            plan->profile->path, "cases", plan->cases);
        daemon_post(d, m);
        log_ctx_info(&lc, "run started, %u case(s)", n);

        for (unsigned i = 0; i < n; i++) {
                const char *id = json_string_value(json_array_get(plan->cases, i));
                const struct case_def *def = case_find(id);
                enum case_outcome o;
                json_t *reqs = json_array();
                char *reason = NULL;
                json_t *meas = NULL;
                struct case_ctx *ctx;

                for (const char *const *r = def->requirements; r && *r; r++)
                        json_array_append_new(reqs, json_string(*r));

                slot_set_case(s, id, i, n);
                m = daemon_msg_new(DAEMON_MSG_CASE_BEGIN, s->cfg->name, plan->run_id);
                m->idx = i;
                m->case_id = strdup(id);
                m->text1 = json_dumps(reqs, JSON_COMPACT);
                m->text2 = json_object_get(plan->params, id) ?
                        json_dumps(json_object_get(plan->params, id), JSON_COMPACT) : strdup("{}");
                m->type = strdup("case.started");
                m->data = json_pack("{s:i, s:s, s:O}", "idx", (int) i, "case", id, "requirements", reqs);
                daemon_post(d, m);
                json_decref(reqs);

                if (atomic_load(&s->abort)) {
                        o = CASE_ABORTED;
                        if (asprintf(&reason, "not started: %s", atomic_load(&s->abort_reason)) < 0)
                                reason = NULL;
                } else {
                        lc.case_id = id;
                        ctx = case_ctx_new(s, plan, def, i);
                        o = def->run(ctx);
                        reason = case_ctx_take_reason(ctx);
                        meas = case_ctx_take_measurements(ctx);
                        case_ctx_free(ctx);
                        if (o == CASE_ABORTED && !reason &&
                            asprintf(&reason, "%s while the case was running",
                                     atomic_load(&s->abort_reason) ?: "aborted") < 0)
                                reason = NULL;
                }
                if (o == CASE_ABORTED)
                        aborted = true;
                if (!meas)
                        meas = json_object();
                log_ctx_info(&lc, "%s: %s", case_outcome_to_string(o), strna(reason));

                m = daemon_msg_new(DAEMON_MSG_CASE_FINISH, s->cfg->name, plan->run_id);
                m->idx = i;
                m->case_id = strdup(id);
                m->outcome = strdup(case_outcome_to_string(o));
                m->reason = reason ? strdup(reason) : NULL;
                m->text1 = json_dumps(meas, JSON_COMPACT);
                m->type = strdup("case.finished");
                m->data = json_pack("{s:i, s:s, s:s, s:s?, s:O}", "idx", (int) i, "case", id,
                                    "outcome", case_outcome_to_string(o), "reason", reason,
                                    "measurements", meas);
                daemon_post(d, m);
                json_decref(meas);

                json_object_set_new(summary, id, json_string(case_outcome_to_string(o)));
                if (case_outcome_worst(overall, o) != overall && o != CASE_PASS) {
                        free(first_bad);
                        if (asprintf(&first_bad, "%s: %s", id, reason ? reason : case_outcome_to_string(o)) < 0)
                                first_bad = NULL;
                }
                overall = case_outcome_worst(overall, o);
                free(reason);
                lc.case_id = NULL;
        }
        if (n == 0)
                overall = CASE_SKIPPED;

        if (aborted) {
                /* The DUT must not be left powered the way an aborted case
                 * left it. */
                int r = slot_apply_safe(s, deadline_in(5 * USEC_PER_SEC));
                if (r < 0)
                        log_ctx_error_errno(&lc, r, "safe state after abort failed: %m");
        }

        slot_set_case(s, NULL, 0, 0);
        m = daemon_msg_new(DAEMON_MSG_RUN_FINISH, s->cfg->name, plan->run_id);
        m->aborted = aborted;
        m->outcome = strdup(case_outcome_to_string(overall));
        if (first_bad)
                m->reason = first_bad;
        else if (asprintf(&m->reason, "all %u case(s) %s", n,
                          overall == CASE_PASS ? "passed" : case_outcome_to_string(overall)) < 0)
                m->reason = NULL;
        m->type = strdup("run.finished");
        m->data = json_pack("{s:s, s:s}", "state", aborted ? "ABORTED" : "FINISHED",
                            "outcome", m->outcome);
        /* The verdict event goes first; the run counts as finished (and
         * the slot free) only once both are stored. */
        daemon_post_event(d, s->cfg->name, plan->run_id, "verdict",
                          json_pack("{s:s, s:s?, s:o}", "outcome", m->outcome, "reason", m->reason,
                                    "cases", summary));
        daemon_post(d, m);
        log_ctx_info(&lc, "run finished: %s", case_outcome_to_string(overall));
}

static void *slot_main(void *userdata) {
        struct slot *s = userdata;

        daemon_thread_is_worker = true;

        for (;;) {
                struct run_plan *plan;
                uint64_t v;

                pthread_mutex_lock(&s->lock);
                while (!s->pending && !s->quit)
                        pthread_cond_wait(&s->cond, &s->lock);
                plan = s->pending;
                s->pending = NULL;
                pthread_mutex_unlock(&s->lock);
                if (!plan)
                        break;

                slot_run_execute(s, plan);
                run_plan_free(plan);
                /* A late abort of a finished run must not hit the next one. */
                atomic_store(&s->abort, false);
                (void) !read(s->abort_fd, &v, sizeof(v));
        }
        return NULL;
}

int slot_start(struct daemon *d, struct slot *s, const struct fx_slot *cfg) {
        int r;

        s->daemon = d;
        s->cfg = cfg;
        pthread_mutex_init(&s->lock, NULL);
        pthread_cond_init(&s->cond, NULL);
        atomic_init(&s->abort, false);
        s->abort_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (s->abort_fd < 0)
                return negative_errno();
        r = -pthread_create(&s->thread, NULL, slot_main, s);
        if (r < 0)
                return r;
        s->thread_started = true;
        return 0;
}

void slot_assign(struct slot *s, struct run_plan *plan) {
        uint64_t v;

        atomic_store(&s->abort, false);
        (void) !read(s->abort_fd, &v, sizeof(v));
        pthread_mutex_lock(&s->lock);
        s->pending = plan;
        pthread_cond_signal(&s->cond);
        pthread_mutex_unlock(&s->lock);
}

void slot_abort(struct slot *s, const char *reason) {
        uint64_t one = 1;

        atomic_store(&s->abort_reason, reason);
        atomic_store(&s->abort, true);
        (void) !write(s->abort_fd, &one, sizeof(one));
}

void slot_request_quit(struct slot *s) {
        if (!s->thread_started)
                return;
        pthread_mutex_lock(&s->lock);
        s->quit = true;
        pthread_cond_signal(&s->cond);
        pthread_mutex_unlock(&s->lock);
}

int slot_try_join(struct slot *s) {
        if (s->thread_started) {
                if (pthread_tryjoin_np(s->thread, NULL) != 0)
                        return -EBUSY;
                s->thread_started = false;
        }
        if (!s->daemon)
                return 0;
        run_plan_free(s->pending);
        s->pending = NULL;
        free(s->current_case);
        s->current_case = NULL;
        free(s->run_id);
        s->run_id = NULL;
        if (s->abort_fd >= 0)
                close(s->abort_fd);
        s->abort_fd = -1;
        pthread_mutex_destroy(&s->lock);
        pthread_cond_destroy(&s->cond);
        s->daemon = NULL;
        return 0;
}
