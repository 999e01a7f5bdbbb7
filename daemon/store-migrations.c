/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "store-migrations.h"

#include <stdio.h>

#include "common/log.h"
#include "store-sqlite.h"
#include "store.h"

/* Released migrations are never edited: a database out in the field was
 * built by exactly this text. Changes go into a new migration. */

static const char migration_v1[] =
        "CREATE TABLE runs (\n"
        "  run_id       TEXT PRIMARY KEY NOT NULL,\n"
        "  slot         TEXT NOT NULL,\n"
        "  dut_serial   TEXT,\n"
        "  profile_path TEXT,\n"
        "  profile      TEXT,\n"
        "  cases        TEXT,\n"
        "  state        TEXT NOT NULL\n"
        "               CHECK (state IN ('QUEUED','RUNNING','FINISHED','ABORTED')),\n"
        "  outcome      TEXT CHECK (outcome IN ('PASS','FAIL','ERROR','SKIPPED','ABORTED')),\n"
        "  reason       TEXT,\n"
        "  created      INTEGER NOT NULL,\n"
        "  started      INTEGER,\n"
        "  finished     INTEGER\n"
        ");\n"
        "CREATE TABLE case_results (\n"
        "  run_id       TEXT NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,\n"
        "  idx          INTEGER NOT NULL,\n"
        "  case_id      TEXT NOT NULL,\n"
        "  requirements TEXT,\n"
        "  outcome      TEXT CHECK (outcome IN ('PASS','FAIL','ERROR','SKIPPED','ABORTED')),\n"
        "  reason       TEXT,\n"
        "  measurements TEXT,\n"
        "  started      INTEGER NOT NULL,\n"
        "  finished     INTEGER,\n"
        "  PRIMARY KEY (run_id, idx)\n"
        ");\n"
        "CREATE TABLE evidence (\n"
        "  id           INTEGER PRIMARY KEY,\n"
        "  run_id       TEXT NOT NULL,\n"
        "  case_idx     INTEGER NOT NULL,\n"
        "  name         TEXT NOT NULL,\n"
        "  media_type   TEXT NOT NULL,\n"
        "  data         BLOB NOT NULL,\n"
        "  created      INTEGER NOT NULL,\n"
        "  FOREIGN KEY (run_id, case_idx) REFERENCES case_results(run_id, idx)\n"
        "    ON DELETE CASCADE\n"
        ");\n"
        "CREATE TABLE events (\n"
        "  seq          INTEGER PRIMARY KEY,\n"
        "  ts           INTEGER NOT NULL,\n"
        "  type         TEXT NOT NULL,\n"
        "  slot         TEXT,\n"
        "  run_id       TEXT,\n"
        "  data         TEXT NOT NULL\n"
        ");\n";

/* v1 had no place for a case's parameters, and every lookup other than by
 * primary key was a full scan: runs by slot (runs.list), active runs (crash
 * recovery), a run's evidence (run.get, and the foreign key's cascade) and
 * a run's events. */
static const char migration_v2[] =
        "ALTER TABLE case_results ADD COLUMN params TEXT;\n"
        "CREATE INDEX runs_slot_created ON runs(slot, created);\n"
        "CREATE INDEX runs_created ON runs(created);\n"
        "CREATE INDEX runs_active ON runs(state) WHERE state IN ('QUEUED','RUNNING');\n"
        "CREATE INDEX evidence_case ON evidence(run_id, case_idx);\n"
        "CREATE INDEX events_run_id ON events(run_id, seq) WHERE run_id IS NOT NULL;\n";

static const char *const migrations[] = {
        [1] = migration_v1,
        [2] = migration_v2,
};

_Static_assert(ELEMENTSOF(migrations) - 1 == STORE_SCHEMA_VERSION,
               "one migration per schema version");

const char *store_migration_sql(int version) {
        if (version < 1 || (size_t) version >= ELEMENTSOF(migrations))
                return NULL;
        return migrations[version];
}

int store_migrations_latest(void) {
        return (int) ELEMENTSOF(migrations) - 1;
}

static int migration_apply(sqlite3 *db, int version, int *ret_current) {
        char pragma[64];
        int64_t current;
        int r;

        /* IMMEDIATE takes the write lock first, so of two processes opening
         * the same file one migrates and the other sees the result. */
        r = store_sqlite_exec(db, "BEGIN IMMEDIATE");
        if (r < 0)
                return r;

        r = store_sqlite_query_int(db, "PRAGMA user_version", &current);
        if (r < 0)
                goto rollback;
        if (current >= version) {
                /* Someone else got here first. */
                *ret_current = (int) current;
                return store_sqlite_exec(db, "COMMIT");
        }
        if (current != version - 1) {
                r = -EIO;
                goto rollback;
        }

        r = store_sqlite_exec(db, migrations[version]);
        if (r < 0)
                goto rollback;
        snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", version);
        r = store_sqlite_exec(db, pragma);
        if (r < 0)
                goto rollback;
        r = store_sqlite_exec(db, "COMMIT");
        if (r < 0)
                goto rollback;

        *ret_current = version;
        return 0;

rollback:
        (void) store_sqlite_exec(db, "ROLLBACK");
        return r;
}

int store_migrate(sqlite3 *db, int *ret_version) {
        int64_t v;
        int current, latest = store_migrations_latest(), r;

        r = store_sqlite_query_int(db, "PRAGMA user_version", &v);
        if (r < 0)
                return r;
        if (v < 0 || v > latest)
                return -EPROTONOSUPPORT;
        current = (int) v;

        while (current < latest) {
                int next = current + 1;

                r = migration_apply(db, next, &current);
                if (r < 0)
                        return log_debug_errno(r, "store: migration to schema %d failed", next);
                if (current > latest)
                        return -EPROTONOSUPPORT;
                log_debug("store: schema now at version %d", current);
        }

        if (ret_version)
                *ret_version = current;
        return 0;
}
