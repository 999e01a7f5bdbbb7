/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "store.h"

#include <limits.h>
#include <stdbool.h>
#include <string.h>
#include <sqlite3.h>

#include "common/log.h"
#include "common/macros.h"
#include "store-json.h"
#include "store-migrations.h"
#include "store-sqlite.h"


enum store_stmt {
        STMT_EVENT_APPEND,
        STMT_EVENT_LAST,
        STMT_EVENTS_SINCE,
        STMT_RUN_INSERT,
        STMT_RUN_SET_STATE,
        STMT_RUN_GET,
        STMT_RUN_CASES,
        STMT_RUN_EVIDENCE,
        STMT_RUNS_LIST_ALL,
        STMT_RUNS_LIST_SLOT,
        STMT_CASE_BEGIN,
        STMT_CASE_FINISH,
        STMT_EVIDENCE_ADD,
        STMT_EVIDENCE_GET,
        STMT_ACTIVE_RUNS,
        STMT_ABORT_CASES,
        STMT_ABORT_RUN,
        _STMT_MAX,
};

#define RUN_COLUMNS                                                          \
        "run_id, slot, dut_serial, profile_path, profile, cases, state, "    \
        "outcome, reason, created, started, finished"

static const char *const stmt_sql[_STMT_MAX] = {
        [STMT_EVENT_APPEND] =
                "INSERT INTO events (seq, ts, type, slot, run_id, data) "
                "VALUES (NULL, ?1, ?2, ?3, ?4, ?5)",
        [STMT_EVENT_LAST] = "SELECT coalesce(max(seq), 0) FROM events",
        [STMT_EVENTS_SINCE] =
                "SELECT seq, ts, type, slot, run_id, data FROM events "
                "WHERE seq > ?1 ORDER BY seq LIMIT ?2",
        [STMT_RUN_INSERT] =
                "INSERT INTO runs (run_id, slot, dut_serial, profile_path, profile, cases, "
                "state, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'QUEUED', ?7)",
        [STMT_RUN_SET_STATE] =
                "UPDATE runs SET state = ?2, outcome = ?3, reason = ?4, "
                "started = CASE WHEN ?2 = 'RUNNING' THEN coalesce(started, ?5) ELSE started END, "
                "finished = CASE WHEN ?2 IN ('FINISHED', 'ABORTED') THEN ?5 ELSE finished END "
                "WHERE run_id = ?1",
        [STMT_RUN_GET] = "SELECT " RUN_COLUMNS " FROM runs WHERE run_id = ?1",
        [STMT_RUN_CASES] =
                "SELECT idx, case_id, requirements, params, outcome, reason, measurements, "
                "started, finished FROM case_results WHERE run_id = ?1 ORDER BY idx",
        [STMT_RUN_EVIDENCE] =
                "SELECT id, case_idx, name, media_type, length(data) FROM evidence "
                "WHERE run_id = ?1 ORDER BY case_idx, id",
        [STMT_RUNS_LIST_ALL] =
                "SELECT " RUN_COLUMNS " FROM runs ORDER BY created DESC, rowid DESC LIMIT ?1",
        [STMT_RUNS_LIST_SLOT] =
                "SELECT " RUN_COLUMNS " FROM runs WHERE slot = ?2 "
                "ORDER BY created DESC, rowid DESC LIMIT ?1",
        [STMT_CASE_BEGIN] =
                "INSERT INTO case_results (run_id, idx, case_id, requirements, params, started) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        [STMT_CASE_FINISH] =
                "UPDATE case_results SET outcome = ?3, reason = ?4, measurements = ?5, "
                "finished = ?6 WHERE run_id = ?1 AND idx = ?2",
        [STMT_EVIDENCE_ADD] =
                "INSERT INTO evidence (run_id, case_idx, name, media_type, data, created) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        [STMT_EVIDENCE_GET] = "SELECT name, media_type, data FROM evidence WHERE id = ?1",
        [STMT_ACTIVE_RUNS] =
                "SELECT run_id FROM runs WHERE state IN ('QUEUED', 'RUNNING') "
                "ORDER BY created, rowid",
        [STMT_ABORT_CASES] =
                "UPDATE case_results SET outcome = 'ABORTED', reason = ?2, finished = ?3 "
                "WHERE run_id = ?1 AND outcome IS NULL",
        [STMT_ABORT_RUN] =
                "UPDATE runs SET state = 'ABORTED', outcome = 'ABORTED', reason = ?2, "
                "finished = ?3 WHERE run_id = ?1",
};

struct store {
        sqlite3 *db;
        int version;
        /* Cache of max(seq): valid whenever we are not mid-way through a
         * failed or rolled-back transaction, when it is re-read. */
        uint64_t last_seq;
        sqlite3_stmt *stmt[_STMT_MAX];
};

static const char *const run_state_table[_STORE_RUN_STATE_MAX] = {
        [STORE_RUN_QUEUED] = "QUEUED",
        [STORE_RUN_RUNNING] = "RUNNING",
        [STORE_RUN_FINISHED] = "FINISHED",
        [STORE_RUN_ABORTED] = "ABORTED",
};

const char *store_run_state_to_string(enum store_run_state s) {
        if ((unsigned) s >= _STORE_RUN_STATE_MAX)
                return NULL;
        return run_state_table[s];
}

static bool outcome_is_valid(const char *o) {
        static const char *const outcomes[] = { "PASS", "FAIL", "ERROR", "SKIPPED", "ABORTED" };

        for (size_t i = 0; i < ELEMENTSOF(outcomes); i++)
                if (strcmp(o, outcomes[i]) == 0)
                        return true;
        return false;
}

/* NULL is fine (stored as SQL NULL, read back as JSON null); anything else
 * must parse, so that reading it back cannot fail later. */
static bool json_text_is_valid(const char *text, bool want_object) {
        json_t *j;
        bool ok;

        if (!text)
                return !want_object;
        j = json_loads(text, JSON_DECODE_ANY, NULL);
        ok = j && (!want_object || json_is_object(j));
        json_decref(j);
        return ok;
}

static int store_fail(struct store *s, int rc, const char *what) {
        int r = store_sqlite_errno(rc);

        log_debug("store: %s: %s", what, sqlite3_errmsg(s->db));
        return r < 0 ? r : -EIO;
}

static void stmt_resetp(sqlite3_stmt **st) {
        if (*st) {
                sqlite3_reset(*st);
                sqlite3_clear_bindings(*st);
        }
}

/* Cached statements are prepared on first use and kept for the lifetime of
 * the store: the event append runs at 100k+/s and must not re-parse SQL. */
static int store_stmt(struct store *s, enum store_stmt id, sqlite3_stmt **ret) {
        if (!s->stmt[id]) {
                int rc = sqlite3_prepare_v3(s->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
                                            &s->stmt[id], NULL);
                if (rc != SQLITE_OK)
                        return store_fail(s, rc, "prepare");
        }
        *ret = s->stmt[id];
        return 0;
}

static int bind_text(sqlite3_stmt *st, int i, const char *v) {
        return v ? sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC) : sqlite3_bind_null(st, i);
}

static int bind_usec(sqlite3_stmt *st, int i, usec_t v) {
        return sqlite3_bind_int64(st, i, (sqlite3_int64) v);
}

/* Steps a statement that returns no rows. */
static int stmt_run(struct store *s, sqlite3_stmt *st, const char *what) {
        int rc = sqlite3_step(st);

        if (rc != SQLITE_DONE)
                return store_fail(s, sqlite3_extended_errcode(s->db), what);
        return 0;
}

/* Multi-statement writes are atomic whether or not the caller holds a
 * transaction: a savepoint nests inside one and opens one otherwise. */
static int savepoint_begin(struct store *s) {
        return store_sqlite_exec(s->db, "SAVEPOINT store_op");
}

static int savepoint_end(struct store *s, int r) {
        if (r < 0) {
                (void) store_sqlite_exec(s->db, "ROLLBACK TO store_op");
                (void) store_sqlite_exec(s->db, "RELEASE store_op");
                return r;
        }
        r = store_sqlite_exec(s->db, "RELEASE store_op");
        if (r < 0) {
                (void) store_sqlite_exec(s->db, "ROLLBACK TO store_op");
                (void) store_sqlite_exec(s->db, "RELEASE store_op");
        }
        return r;
}

static int store_refresh_last_seq(struct store *s) {
        _cleanup_(stmt_resetp) sqlite3_stmt *st = NULL;
        int r, rc;

        r = store_stmt(s, STMT_EVENT_LAST, &st);
        if (r < 0)
                return r;
        rc = sqlite3_step(st);
        if (rc != SQLITE_ROW)
                return store_fail(s, sqlite3_extended_errcode(s->db), "read last seq");
        s->last_seq = (uint64_t) sqlite3_column_int64(st, 0);
        return 0;
}

void store_free(struct store *s) {
        if (!s)
                return;

        for (size_t i = 0; i < _STMT_MAX; i++)
                sqlite3_finalize(s->stmt[i]);

        if (s->db) {
                if (!sqlite3_get_autocommit(s->db))
                        log_warning("store: closing with an open transaction, rolling it back");
                else if (s->version == STORE_SCHEMA_VERSION)
                        (void) store_sqlite_exec(s->db, "PRAGMA optimize");
                /* _v2 rolls back an open transaction and cannot fail on us
                 * for unfinalized statements: there are none left. */
                sqlite3_close_v2(s->db);
        }
        free(s);
}
DEFINE_TRIVIAL_CLEANUP_FUNC(struct store *, store_free);

static int store_configure(struct store *s) {
        _cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
        const char *mode;
        int64_t v;
        int r, rc;

        /* The main thread must not hang on a stuck second writer (a CLI
         * reading the file is fine under WAL), so the wait is bounded. */
        rc = sqlite3_busy_timeout(s->db, 5000);
        if (rc != SQLITE_OK)
                return store_fail(s, rc, "busy_timeout");

        /* Check the version before anything writes to the file: a newer
         * database stays exactly as it was. */
        r = store_sqlite_query_int(s->db, "PRAGMA user_version", &v);
        if (r < 0)
                return r;
        if (v < 0 || v > STORE_SCHEMA_VERSION)
                return -EPROTONOSUPPORT;

        rc = sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1, &st, NULL);
        if (rc != SQLITE_OK)
                return store_fail(s, rc, "journal_mode");
        rc = sqlite3_step(st);
        if (rc != SQLITE_ROW)
                return store_fail(s, sqlite3_extended_errcode(s->db), "journal_mode");
        mode = (const char *) sqlite3_column_text(st, 0);
        /* Only ":memory:" databases cannot do WAL; a file that refuses it
         * would lose the crash safety the daemon relies on. */
        if (!mode || (strcmp(mode, "wal") != 0 && strcmp(mode, "memory") != 0)) {
                log_debug("store: journal_mode is %s, not wal", strna(mode));
                return -EIO;
        }

        /* Under WAL, NORMAL syncs at checkpoints only: a power cut may lose
         * the last commits but never corrupts the file. */
        r = store_sqlite_exec(s->db, "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON");
        if (r < 0)
                return r;

        return 0;
}

int store_open(const char *path, struct store **ret) {
        _cleanup_(store_freep) struct store *s = NULL;
        int r, rc;

        if (!path || !ret)
                return -EINVAL;

        s = calloc(1, sizeof *s);
        if (!s)
                return -ENOMEM;

        rc = sqlite3_open_v2(path, &s->db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX |
                             SQLITE_OPEN_EXRESCODE,
                             NULL);
        if (rc != SQLITE_OK) {
                int e = s->db ? sqlite3_system_errno(s->db) : 0;

                log_debug("store: cannot open %s: %s", path,
                          s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
                if (rc == SQLITE_NOMEM || !s->db)
                        return -ENOMEM;
                return e > 0 ? -e : store_sqlite_errno(rc) ?: -EIO;
        }
        (void) sqlite3_extended_result_codes(s->db, 1);

        r = store_configure(s);
        if (r < 0)
                return r;

        r = store_migrate(s->db, &s->version);
        if (r < 0)
                return r;

        r = store_refresh_last_seq(s);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(s);
        return 0;
}

int store_schema_version(struct store *s) {
        if (!s)
                return -EINVAL;
        return s->version;
}

int store_begin(struct store *s) {
        if (!s)
                return -EINVAL;
        if (!sqlite3_get_autocommit(s->db))
                return -EBUSY;
        /* IMMEDIATE: take the write lock now rather than failing with BUSY
         * half-way through a batch. */
        return store_sqlite_exec(s->db, "BEGIN IMMEDIATE");
}

int store_commit(struct store *s) {
        int r;

        if (!s)
                return -EINVAL;
        if (sqlite3_get_autocommit(s->db))
                return -EINVAL;
        r = store_sqlite_exec(s->db, "COMMIT");
        if (r < 0) {
                /* SQLite may leave the transaction open after a failed
                 * COMMIT (BUSY) or may have rolled it back already (FULL,
                 * IOERR). Make it one outcome: nothing of the batch is
                 * stored, the next store_begin() works, and the next seq
                 * follows what is really on disk, so the seqs of the lost
                 * batch (never published) are handed out again. */
                if (!sqlite3_get_autocommit(s->db))
                        (void) store_sqlite_exec(s->db, "ROLLBACK");
                (void) store_refresh_last_seq(s);
                return r;
        }
        return 0;
}

int store_rollback(struct store *s) {
        int r;

        if (!s)
                return -EINVAL;
        if (sqlite3_get_autocommit(s->db))
                return -EINVAL;
        r = store_sqlite_exec(s->db, "ROLLBACK");
        /* The rolled-back seqs are handed out again: no gap for subscribers. */
        (void) store_refresh_last_seq(s);
        return r;
}

int store_event_append(struct store *s, usec_t ts, const char *type, const char *slot,
                       const char *run_id, const char *data, uint64_t *ret_seq) {
        _cleanup_(stmt_resetp) sqlite3_stmt *st = NULL;
        int r;

        if (!s || !type || !*type || !data || ts > INT64_MAX)
                return -EINVAL;
        /* Checked here, once, so that reading the log back never fails;
         * jansson would halve the append rate, hence the light checker. */
        if (!store_json_is_valid(data, strlen(data), true))
                return -EINVAL;

        r = store_stmt(s, STMT_EVENT_APPEND, &st);
        if (r < 0)
                return r;
        bind_usec(st, 1, ts);
        bind_text(st, 2, type);
        bind_text(st, 3, slot);
        bind_text(st, 4, run_id);
        bind_text(st, 5, data);
        r = stmt_run(s, st, "append event");
        if (r < 0)
                return r;

        /* seq is the rowid: SQLite hands out max(rowid)+1, which is the
         * max(seq)+1 rule of the contract. */
        s->last_seq = (uint64_t) sqlite3_last_insert_rowid(s->db);
        if (ret_seq)
                *ret_seq = s->last_seq;
        return 0;
}

uint64_t store_event_last_seq(struct store *s) {
        return s ? s->last_seq : 0;
}

static int json_set(json_t *o, const char *key, json_t *v) {
        /* json_object_set_new() takes v even when it fails. */
        if (!v || json_object_set_new(o, key, v) < 0)
                return -ENOMEM;
        return 0;
}

static json_t *column_string(sqlite3_stmt *st, int i) {
        if (sqlite3_column_type(st, i) == SQLITE_NULL)
                return json_null();
        return json_stringn((const char *) sqlite3_column_text(st, i),
                            (size_t) sqlite3_column_bytes(st, i));
}

static json_t *column_time(sqlite3_stmt *st, int i) {
        char buf[RFC3339_MAX];

        if (sqlite3_column_type(st, i) == SQLITE_NULL)
                return json_null();
        return json_string(format_rfc3339(buf, sizeof buf,
                                          (usec_t) sqlite3_column_int64(st, i)));
}

static int column_json(sqlite3_stmt *st, int i, json_t **ret) {
        const char *text;
        json_t *j;

        if (sqlite3_column_type(st, i) == SQLITE_NULL) {
                *ret = json_null();
                return 0;
        }
        text = (const char *) sqlite3_column_text(st, i);
        if (!text)
                return -ENOMEM;
        j = json_loadb(text, (size_t) sqlite3_column_bytes(st, i), JSON_DECODE_ANY, NULL);
        if (!j) {
                log_debug("store: stored JSON does not parse");
                return -EBADMSG;
        }
        *ret = j;
        return 0;
}

static int json_set_parsed(json_t *o, const char *key, sqlite3_stmt *st, int i) {
        json_t *j = NULL;
        int r;

        r = column_json(st, i, &j);
        if (r < 0)
                return r;
        return json_set(o, key, j);
}

int store_events_since(struct store *s, uint64_t after, unsigned limit, json_t **ret) {
        _cleanup_(stmt_resetp) sqlite3_stmt *st = NULL;
        _cleanup_(json_decrefp) json_t *a = NULL;
        int r, rc;

        if (!s || !ret)
                return -EINVAL;
        if (after > INT64_MAX)
                after = INT64_MAX;

        a = json_array();
        if (!a)
                return -ENOMEM;

        r = store_stmt(s, STMT_EVENTS_SINCE, &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, (sqlite3_int64) after);
        sqlite3_bind_int64(st, 2, (sqlite3_int64) limit);

        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                _cleanup_(json_decrefp) json_t *e = json_object();

                if (!e)
                        return -ENOMEM;
                if ((r = json_set(e, "seq", json_integer(sqlite3_column_int64(st, 0)))) < 0 ||
                    (r = json_set(e, "ts", json_integer(sqlite3_column_int64(st, 1)))) < 0 ||
                    (r = json_set(e, "type", column_string(st, 2))) < 0 ||
                    (r = json_set(e, "slot", column_string(st, 3))) < 0 ||
                    (r = json_set(e, "run_id", column_string(st, 4))) < 0 ||
                    (r = json_set_parsed(e, "data", st, 5)) < 0)
                        return r;
                if (json_array_append(a, e) < 0)
                        return -ENOMEM;
        }
        if (rc != SQLITE_DONE)
                return store_fail(s, sqlite3_extended_errcode(s->db), "events since");

        *ret = TAKE_PTR(a);
        return 0;
}

int store_run_insert(struct store *s, const char *run_id, const char *slot,
                     const char *dut_serial, const char *profile_path,
                     const char *profile_json, const char *cases_json, usec_t ts) {
        _cleanup_(stmt_resetp) sqlite3_stmt *st = NULL;
        int r;

        if (!s || !run_id || !*run_id || !slot || ts > INT64_MAX)
                return -EINVAL;
        if (!json_text_is_valid(profile_json, false) || !json_text_is_valid(cases_json, false))
                return -EINVAL;

        r = store_stmt(s, STMT_RUN_INSERT, &st);
        if (r < 0)
                return r;
        bind_text(st, 1, run_id);
        bind_text(st, 2, slot);
        bind_text(st, 3, dut_serial);
        bind_text(st, 4, profile_path);
        bind_text(st, 5, profile_json);
        bind_text(st, 6, cases_json);
        bind_usec(st, 7, ts);
        return stmt_run(s, st, "insert run");
}

int store_run_set_state(struct store *s, const char *run_id, enum store_run_state state,
                        const char *outcome, const char *reason, usec_t ts) {
        _cleanup_(stmt_resetp) sqlite3_stmt *st = NULL;
        const char *state_str = store_run_state_to_string(state);
        int r;

        if (!s || !run_id || !state_str || ts > INT64_MAX)
                return -EINVAL;
        if (outcome && !outcome_is_valid(outcome))
                return -EINVAL;

        r = store_stmt(s, STMT_RUN_SET_STATE, &st);
        if (r < 0)
                return r;
        bind_text(st, 1, run_id);
        bind_text(st, 2, state_str);
        bind_text(st, 3, outcome);
        bind_text(st, 4, reason);
        bind_usec(st, 5, ts);
        r = stmt_run(s, st, "set run state");
        if (r < 0)
                return r;
        return sqlite3_changes(s->db) > 0 ? 0 : -ENOENT;
}

int store_case_begin(struct store *s, const char *run_id, unsigned idx, const char *case_id,
                     const char *requirements_json, const char *params_json, usec_t ts) {
        _cleanup_(stmt_resetp) sqlite3_stmt *st = NULL;
        int r;

        if (!s || !run_id || !case_id || ts > INT64_MAX)
                return -EINVAL;
        if (!json_text_is_valid(requirements_json, false) ||
            !json_text_is_valid(params_json, false))
                return -EINVAL;

        r = store_stmt(s, STMT_CASE_BEGIN, &st);
        if (r < 0)
                return r;
        bind_text(st, 1, run_id);
        sqlite3_bind_int64(st, 2, idx);
        bind_text(st, 3, case_id);
        bind_text(st, 4, requirements_json);
        bind_text(st, 5, params_json);
        bind_usec(st, 6, ts);
        /* An unknown run fails the foreign key: -ENOENT. */
        return stmt_run(s, st, "begin case");
}

int store_case_finish(struct store *s, const char *run_id, unsigned idx, const char *outcome,
                      const char *reason, const char *measurements_json, usec_t ts) {
        _cleanup_(stmt_resetp) sqlite3_stmt *st = NULL;
        int r;

        if (!s || !run_id || !outcome || !outcome_is_valid(outcome) || ts > INT64_MAX)
                return -EINVAL;
        if (!json_text_is_valid(measurements_json, false))
                return -EINVAL;

        r = store_stmt(s, STMT_CASE_FINISH, &st);
        if (r < 0)
                return r;
        bind_text(st, 1, run_id);
        sqlite3_bind_int64(st, 2, idx);
        bind_text(st, 3, outcome);
        bind_text(st, 4, reason);
        bind_text(st, 5, measurements_json);
        bind_usec(st, 6, ts);
        r = stmt_run(s, st, "finish case");
        if (r < 0)
                return r;
        return sqlite3_changes(s->db) > 0 ? 0 : -ENOENT;
}

int store_evidence_add(struct store *s, const char *run_id, unsigned case_idx,
                       const char *name, const char *media_type,
                       const void *data, size_t size, usec_t ts, int64_t *ret_id) {
        _cleanup_(stmt_resetp) sqlite3_stmt *st = NULL;
        int r;

        if (!s || !run_id || !name || !media_type || (!data && size > 0) || ts > INT64_MAX)
                return -EINVAL;
        if (size > INT_MAX)
                return -EFBIG;

        r = store_stmt(s, STMT_EVIDENCE_ADD, &st);
        if (r < 0)
                return r;
        bind_text(st, 1, run_id);
        sqlite3_bind_int64(st, 2, case_idx);
        bind_text(st, 3, name);
        bind_text(st, 4, media_type);
        /* A NULL pointer would bind SQL NULL; an empty capture is still
         * evidence, so it is stored as a zero-length blob. */
        if (size == 0)
                sqlite3_bind_zeroblob(st, 5, 0);
        else
                sqlite3_bind_blob64(st, 5, data, size, SQLITE_STATIC);
        bind_usec(st, 6, ts);
        /* Unknown run or case fails the foreign key: -ENOENT. */
        r = stmt_run(s, st, "add evidence");
        if (r < 0)
                return r;

        if (ret_id)
                *ret_id = sqlite3_last_insert_rowid(s->db);
        return 0;
}

/* Builds the run object from a row of RUN_COLUMNS. */
static int run_row_to_json(sqlite3_stmt *st, json_t **ret) {
        _cleanup_(json_decrefp) json_t *o = json_object();
        int r;

        if (!o)
                return -ENOMEM;
        if ((r = json_set(o, "run_id", column_string(st, 0))) < 0 ||
            (r = json_set(o, "slot", column_string(st, 1))) < 0 ||
            (r = json_set(o, "dut_serial", column_string(st, 2))) < 0 ||
            (r = json_set(o, "profile_path", column_string(st, 3))) < 0 ||
            (r = json_set_parsed(o, "profile", st, 4)) < 0 ||
            (r = json_set_parsed(o, "cases", st, 5)) < 0 ||
            (r = json_set(o, "state", column_string(st, 6))) < 0 ||
            (r = json_set(o, "outcome", column_string(st, 7))) < 0 ||
            (r = json_set(o, "reason", column_string(st, 8))) < 0 ||
            (r = json_set(o, "created", column_time(st, 9))) < 0 ||
            (r = json_set(o, "started", column_time(st, 10))) < 0 ||
            (r = json_set(o, "finished", column_time(st, 11))) < 0)
                return r;

        *ret = TAKE_PTR(o);
        return 0;
}

static int run_results_to_json(struct store *s, const char *run_id, json_t **ret) {
        _cleanup_(stmt_resetp) sqlite3_stmt *cases = NULL, *ev = NULL;
        _cleanup_(json_decrefp) json_t *results = json_array();
        int r, rc;

        if (!results)
                return -ENOMEM;

        r = store_stmt(s, STMT_RUN_CASES, &cases);
        if (r < 0)
                return r;
        bind_text(cases, 1, run_id);

        while ((rc = sqlite3_step(cases)) == SQLITE_ROW) {
                _cleanup_(json_decrefp) json_t *c = json_object();

                if (!c)
                        return -ENOMEM;
                if ((r = json_set(c, "idx", json_integer(sqlite3_column_int64(cases, 0)))) < 0 ||
                    (r = json_set(c, "case", column_string(cases, 1))) < 0 ||
                    (r = json_set_parsed(c, "requirements", cases, 2)) < 0 ||
                    (r = json_set_parsed(c, "params", cases, 3)) < 0 ||
                    (r = json_set(c, "outcome", column_string(cases, 4))) < 0 ||
                    (r = json_set(c, "reason", column_string(cases, 5))) < 0 ||
                    (r = json_set_parsed(c, "measurements", cases, 6)) < 0 ||
                    (r = json_set(c, "started", column_time(cases, 7))) < 0 ||
                    (r = json_set(c, "finished", column_time(cases, 8))) < 0 ||
                    (r = json_set(c, "evidence", json_array())) < 0)
                        return r;
                if (json_array_append(results, c) < 0)
                        return -ENOMEM;
        }
        if (rc != SQLITE_DONE)
                return store_fail(s, sqlite3_extended_errcode(s->db), "read cases");

        /* Evidence comes sorted by case, and so do the results: one merge
         * pass rather than a query per case. */
        r = store_stmt(s, STMT_RUN_EVIDENCE, &ev);
        if (r < 0)
                return r;
        bind_text(ev, 1, run_id);

        size_t ci = 0;
        while ((rc = sqlite3_step(ev)) == SQLITE_ROW) {
                json_int_t case_idx = sqlite3_column_int64(ev, 1);
                _cleanup_(json_decrefp) json_t *e = NULL;
                json_t *c;

                while ((c = json_array_get(results, ci)) &&
                       json_integer_value(json_object_get(c, "idx")) < case_idx)
                        ci++;
                if (!c || json_integer_value(json_object_get(c, "idx")) != case_idx)
                        continue; /* cannot happen: the foreign key ties it to a case */

                e = json_object();
                if (!e)
                        return -ENOMEM;
                if ((r = json_set(e, "id", json_integer(sqlite3_column_int64(ev, 0)))) < 0 ||
                    (r = json_set(e, "name", column_string(ev, 2))) < 0 ||
                    (r = json_set(e, "media_type", column_string(ev, 3))) < 0 ||
                    (r = json_set(e, "size", json_integer(sqlite3_column_int64(ev, 4)))) < 0)
                        return r;
                if (json_array_append(json_object_get(c, "evidence"), e) < 0)
                        return -ENOMEM;
        }
        if (rc != SQLITE_DONE)
                return store_fail(s, sqlite3_extended_errcode(s->db), "read evidence");

        *ret = TAKE_PTR(results);
        return 0;
}

int store_run_get(struct store *s, const char *run_id, json_t **ret) {
        _cleanup_(json_decrefp) json_t *run = NULL;
        json_t *results = NULL;
        int r, rc;

        if (!s || !run_id || !ret)
                return -EINVAL;

        {
                _cleanup_(stmt_resetp) sqlite3_stmt *st = NULL;

                r = store_stmt(s, STMT_RUN_GET, &st);
                if (r < 0)
                        return r;
                bind_text(st, 1, run_id);
                rc = sqlite3_step(st);
                if (rc == SQLITE_DONE)
                        return -ENOENT;
                if (rc != SQLITE_ROW)
                        return store_fail(s, sqlite3_extended_errcode(s->db), "get run");
                r = run_row_to_json(st, &run);
                if (r < 0)
                        return r;
        }

        r = run_results_to_json(s, run_id, &results);
        if (r < 0)
                return r;
        r = json_set(run, "results", results);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(run);
        return 0;
}

int store_runs_list(struct store *s, const char *slot, unsigned limit, json_t **ret) {
        _cleanup_(stmt_resetp) sqlite3_stmt *st = NULL;
        _cleanup_(json_decrefp) json_t *a = NULL;
        int r, rc;

        if (!s || !ret)
                return -EINVAL;

        a = json_array();
        if (!a)
                return -ENOMEM;

        /* Two statements rather than "slot = ?2 OR ?2 IS NULL", which would
         * keep the planner off the (slot, created) index. */
        r = store_stmt(s, slot ? STMT_RUNS_LIST_SLOT : STMT_RUNS_LIST_ALL, &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, limit);
        if (slot)
                bind_text(st, 2, slot);

        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                _cleanup_(json_decrefp) json_t *run = NULL;

                r = run_row_to_json(st, &run);
                if (r < 0)
                        return r;
                if (json_array_append(a, run) < 0)
                        return -ENOMEM;
        }
        if (rc != SQLITE_DONE)
                return store_fail(s, sqlite3_extended_errcode(s->db), "list runs");

        *ret = TAKE_PTR(a);
        return 0;
}

int store_evidence_get(struct store *s, int64_t id, void **ret_data, size_t *ret_size,
                       char **ret_name, char **ret_media_type) {
        _cleanup_(stmt_resetp) sqlite3_stmt *st = NULL;
        _cleanup_free_ void *data = NULL;
        _cleanup_free_ char *name = NULL, *media_type = NULL;
        const void *blob;
        size_t size;
        int r, rc;

        if (!s)
                return -EINVAL;

        r = store_stmt(s, STMT_EVIDENCE_GET, &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, id);
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
                return -ENOENT;
        if (rc != SQLITE_ROW)
                return store_fail(s, sqlite3_extended_errcode(s->db), "get evidence");

        name = strdup((const char *) sqlite3_column_text(st, 0) ?: "");
        media_type = strdup((const char *) sqlite3_column_text(st, 1) ?: "");
        blob = sqlite3_column_blob(st, 2);
        size = (size_t) sqlite3_column_bytes(st, 2);
        /* Never NULL, even for an empty blob, so callers need no special case. */
        data = malloc(size > 0 ? size : 1);
        if (!name || !media_type || !data)
                return -ENOMEM;
        if (size > 0) {
                if (!blob)
                        return -ENOMEM;
                memcpy(data, blob, size);
        }

        if (ret_data)
                *ret_data = TAKE_PTR(data);
        if (ret_size)
                *ret_size = size;
        if (ret_name)
                *ret_name = TAKE_PTR(name);
        if (ret_media_type)
                *ret_media_type = TAKE_PTR(media_type);
        return 0;
}

static int abort_run(struct store *s, const char *run_id, const char *reason, usec_t ts) {
        _cleanup_(stmt_resetp) sqlite3_stmt *cases = NULL, *run = NULL;
        int r;

        r = store_stmt(s, STMT_ABORT_CASES, &cases);
        if (r < 0)
                return r;
        bind_text(cases, 1, run_id);
        bind_text(cases, 2, reason);
        bind_usec(cases, 3, ts);
        r = stmt_run(s, cases, "abort cases");
        if (r < 0)
                return r;

        r = store_stmt(s, STMT_ABORT_RUN, &run);
        if (r < 0)
                return r;
        bind_text(run, 1, run_id);
        bind_text(run, 2, reason);
        bind_usec(run, 3, ts);
        return stmt_run(s, run, "abort run");
}

static int abort_interrupted(struct store *s, const char *reason, usec_t ts, json_t *ids) {
        _cleanup_(stmt_resetp) sqlite3_stmt *st = NULL;
        int r, rc;

        /* Collect first, then update: no writes under a live SELECT. */
        r = store_stmt(s, STMT_ACTIVE_RUNS, &st);
        if (r < 0)
                return r;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW)
                if (json_array_append_new(ids, column_string(st, 0)) < 0)
                        return -ENOMEM;
        if (rc != SQLITE_DONE)
                return store_fail(s, sqlite3_extended_errcode(s->db), "find active runs");
        stmt_resetp(&st);

        for (size_t i = 0; i < json_array_size(ids); i++) {
                r = abort_run(s, json_string_value(json_array_get(ids, i)), reason, ts);
                if (r < 0)
                        return r;
        }
        return 0;
}

int store_runs_abort_interrupted(struct store *s, const char *reason, usec_t ts, json_t **ret_ids) {
        _cleanup_(json_decrefp) json_t *ids = NULL;
        int r;

        if (!s || ts > INT64_MAX)
                return -EINVAL;

        ids = json_array();
        if (!ids)
                return -ENOMEM;

        r = savepoint_begin(s);
        if (r < 0)
                return r;
        r = savepoint_end(s, abort_interrupted(s, reason, ts, ids));
        if (r < 0)
                return r;

        if (ret_ids)
                *ret_ids = TAKE_PTR(ids);
        return 0;
}
