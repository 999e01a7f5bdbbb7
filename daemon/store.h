/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The daemon's SQLite store (WAL): runs, case results, evidence and the
 * event log, under a versioned schema migrated forward on open.
 *
 * Thread: a struct store is used by the main thread only. Calls block on
 * the local disk only, never on hardware. Returns 0 or -errno (-EIO for
 * SQLite errors, -ENOENT for an unknown run id, -EEXIST for a duplicate).
 * JSON results are new references owned by the caller (json_decref).
 *
 * Events get their seq here: store_event_append() assigns max(seq)+1, so
 * with a single writer seq has no gaps. Callers batch many appends in one
 * store_begin()/store_commit() (group commit) and publish only after the
 * commit succeeded: store first, then publish. */

#include <stdint.h>
#include <jansson.h>

#include "common/timeutil.h"

#define STORE_SCHEMA_VERSION 2

struct store;

/* Opens or creates path, enables WAL, applies pending migrations in one
 * transaction each. A database newer than this program is -EPROTONOSUPPORT. */
int store_open(const char *path, struct store **ret);
void store_free(struct store *s);
int store_schema_version(struct store *s);

int store_begin(struct store *s);
int store_commit(struct store *s);
int store_rollback(struct store *s);

/* ts: CLOCK_REALTIME usec. data: JSON object text (not NULL). slot and
 * run_id may be NULL. *ret_seq (optional) gets the assigned seq. */
int store_event_append(struct store *s, usec_t ts, const char *type, const char *slot,
                       const char *run_id, const char *data, uint64_t *ret_seq);
/* Last assigned seq (0 when none). */
uint64_t store_event_last_seq(struct store *s);
/* Events with seq > after, oldest first, at most limit, as an array of
 * objects {seq, ts (usec), type, slot, run_id, data (parsed JSON)}. */
int store_events_since(struct store *s, uint64_t after, unsigned limit, json_t **ret);

enum store_run_state {
        STORE_RUN_QUEUED,
        STORE_RUN_RUNNING,
        STORE_RUN_FINISHED,
        STORE_RUN_ABORTED,
        _STORE_RUN_STATE_MAX,
};
const char *store_run_state_to_string(enum store_run_state s);

/* Outcomes are the strings PASS, FAIL, ERROR, SKIPPED, ABORTED. */

int store_run_insert(struct store *s, const char *run_id, const char *slot,
                     const char *dut_serial, const char *profile_path,
                     const char *profile_json, const char *cases_json, usec_t ts);
int store_run_set_state(struct store *s, const char *run_id, enum store_run_state state,
                        const char *outcome, const char *reason, usec_t ts);
int store_case_begin(struct store *s, const char *run_id, unsigned idx, const char *case_id,
                     const char *requirements_json, const char *params_json, usec_t ts);
int store_case_finish(struct store *s, const char *run_id, unsigned idx, const char *outcome,
                      const char *reason, const char *measurements_json, usec_t ts);
/* Stores a blob; *ret_id (optional) gets its id. */
int store_evidence_add(struct store *s, const char *run_id, unsigned case_idx,
                       const char *name, const char *media_type,
                       const void *data, size_t size, usec_t ts, int64_t *ret_id);

/* One run with its cases and evidence metadata (no blobs):
 * {run_id, slot, dut_serial, profile_path, profile, cases, state, outcome,
 *  reason, created, started, finished, results:[{idx, case, requirements,
 *  params, outcome, reason, measurements, started, finished,
 *  evidence:[{id, name, media_type, size}]}]} */
int store_run_get(struct store *s, const char *run_id, json_t **ret);
/* Newest first, at most limit, optional slot filter (NULL = all). Each entry
 * is the run object without results. */
int store_runs_list(struct store *s, const char *slot, unsigned limit, json_t **ret);
/* Blob of one evidence item; *ret_data is malloc'd. */
int store_evidence_get(struct store *s, int64_t id, void **ret_data, size_t *ret_size,
                       char **ret_name, char **ret_media_type);

/* Crash recovery: every run QUEUED or RUNNING becomes ABORTED (outcome
 * ABORTED, reason given), and so does each of its unfinished cases.
 * *ret_ids (optional) gets a JSON array of the run ids touched. */
int store_runs_abort_interrupted(struct store *s, const char *reason, usec_t ts, json_t **ret_ids);
