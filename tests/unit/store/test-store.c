/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <check.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/store-migrations.h"
#include "daemon/store.h"

static char dir[256];
static char path[300];

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw) {
        return remove(p);
}

static void setup(void) {
        const char *tmp = getenv("TMPDIR");

        snprintf(dir, sizeof dir, "%s/test-store-XXXXXX", tmp ? tmp : "/tmp");
        ck_assert_ptr_nonnull(mkdtemp(dir));
        snprintf(path, sizeof path, "%s/store.db", dir);
}

static void teardown(void) {
        nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

/* A second, independent connection: sees only what is committed. */
static sqlite3 *raw_open(void) {
        sqlite3 *db = NULL;

        ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
        return db;
}

static int64_t raw_int(sqlite3 *db, const char *sql) {
        sqlite3_stmt *st = NULL;
        int64_t v;

        ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK, "%s: %s", sql,
                      sqlite3_errmsg(db));
        ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
        v = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        return v;
}

static char *raw_text(sqlite3 *db, const char *sql) {
        sqlite3_stmt *st = NULL;
        char *v;

        ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
        ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
        v = strdup((const char *) sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
        return v;
}

static char *raw_plan(sqlite3 *db, const char *query) {
        char sql[512], *plan = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&plan, &len);
        sqlite3_stmt *st = NULL;

        snprintf(sql, sizeof sql, "EXPLAIN QUERY PLAN %s", query);
        ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
        while (sqlite3_step(st) == SQLITE_ROW)
                fprintf(f, "%s;", (const char *) sqlite3_column_text(st, 3));
        sqlite3_finalize(st);
        fclose(f);
        return plan;
}

static void raw_exec(sqlite3 *db, const char *sql) {
        char *err = NULL;

        ck_assert_msg(sqlite3_exec(db, sql, NULL, NULL, &err) == SQLITE_OK, "%s: %s", sql, err);
}

/* Every column (name, type, notnull, default, pk) and index of the schema,
 * as one string, to compare a migrated database with a fresh one. */
static char *raw_schema(sqlite3 *db) {
        return raw_text(db,
                "SELECT group_concat(x, ';') FROM ("
                " SELECT m.name || '.' || c.name || ':' || c.type || ':' || c.\"notnull\" || ':' ||"
                "  coalesce(c.dflt_value, '-') || ':' || c.pk AS x"
                " FROM sqlite_schema m, pragma_table_info(m.name) c"
                " WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'"
                " UNION ALL"
                " SELECT 'index ' || name || ' ' || tbl_name || ' ' ||"
                "  (SELECT group_concat(i.name) FROM pragma_index_info(m.name) i)"
                " FROM sqlite_schema m WHERE type = 'index' AND sql IS NOT NULL"
                " ORDER BY 1)");
}

static const char *get_str(json_t *o, const char *k) {
        json_t *v = json_object_get(o, k);

        ck_assert_msg(json_is_string(v), "%s is not a string", k);
        return json_string_value(v);
}

static void check_time(json_t *o, const char *k, usec_t expect) {
        char buf[RFC3339_MAX];

        ck_assert_str_eq(get_str(o, k), format_rfc3339(buf, sizeof buf, expect));
}

#define T0 ((usec_t) 1795737600000000ULL) /* 2026-11-27T00:00:00Z */

START_TEST(test_fresh_open) {
        struct store *s = NULL;
        sqlite3 *db;
        char *mode;

        ck_assert_int_eq(store_open(path, &s), 0);
        ck_assert_ptr_nonnull(s);
        ck_assert_int_eq(store_schema_version(s), STORE_SCHEMA_VERSION);
        ck_assert_int_eq(store_migrations_latest(), STORE_SCHEMA_VERSION);
        ck_assert_uint_eq(store_event_last_seq(s), 0);

        db = raw_open();
        ck_assert_int_eq(raw_int(db, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
        mode = raw_text(db, "PRAGMA journal_mode");
        ck_assert_str_eq(mode, "wal");
        free(mode);
        ck_assert_int_eq(raw_int(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND "
                                     "name IN ('runs','case_results','evidence','events')"), 4);
        sqlite3_close(db);
        store_free(s);
        store_free(NULL);
}
END_TEST

static void build_v1(void) {
        sqlite3 *db = raw_open();

        ck_assert_ptr_nonnull(store_migration_sql(1));
        ck_assert_ptr_null(store_migration_sql(STORE_SCHEMA_VERSION + 1));
        raw_exec(db, store_migration_sql(1));
        raw_exec(db, "PRAGMA user_version = 1");
        raw_exec(db,
                 "INSERT INTO runs VALUES ('r-old', 'slot-a', 'SN1', '/p.yaml', '{\"vendor\":\"x\"}',"
                 " '[\"D-6\"]', 'FINISHED', 'PASS', 'all good', 1795766400000000,"
                 " 1795766401000000, 1795766402000000);"
                 "INSERT INTO case_results VALUES ('r-old', 0, 'usb.classes', '[\"D-6\"]', 'PASS',"
                 " 'declared = observed', '{\"interfaces\":2}', 1795766401000000, 1795766401500000);"
                 "INSERT INTO evidence VALUES (7, 'r-old', 0, 'descriptors.bin',"
                 " 'application/octet-stream', x'12010002', 1795766401200000);"
                 "INSERT INTO events VALUES (1, 1795766400000000, 'run.started', 'slot-a', 'r-old', '{}');"
                 "INSERT INTO events VALUES (2, 1795766401000000, 'case.started', 'slot-a', 'r-old', '{\"idx\":0}');"
                 "INSERT INTO events VALUES (3, 1795766402000000, 'run.finished', 'slot-a', 'r-old', '{}');");
        ck_assert_int_eq(raw_int(db, "SELECT count(*) FROM pragma_table_info('case_results')"
                                     " WHERE name = 'params'"), 0);
        sqlite3_close(db);
}

static void check_old_run(struct store *s) {
        json_t *run = NULL, *res, *ev;

        ck_assert_int_eq(store_run_get(s, "r-old", &run), 0);
        ck_assert_str_eq(get_str(run, "slot"), "slot-a");
        ck_assert_str_eq(get_str(run, "outcome"), "PASS");
        ck_assert_str_eq(get_str(json_object_get(run, "profile"), "vendor"), "x");
        check_time(run, "created", 1795766400000000ULL);
        res = json_object_get(run, "results");
        ck_assert_uint_eq(json_array_size(res), 1);
        ck_assert(json_is_null(json_object_get(json_array_get(res, 0), "params")));
        ck_assert_int_eq(json_integer_value(json_object_get(
                                 json_object_get(json_array_get(res, 0), "measurements"), "interfaces")), 2);
        ev = json_object_get(json_array_get(res, 0), "evidence");
        ck_assert_uint_eq(json_array_size(ev), 1);
        ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(ev, 0), "id")), 7);
        ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(ev, 0), "size")), 4);
        json_decref(run);
}

START_TEST(test_migrate_v1) {
        struct store *s = NULL;
        sqlite3 *db;
        uint64_t seq = 0;
        char *migrated, *fresh;

        build_v1();

        ck_assert_int_eq(store_open(path, &s), 0);
        ck_assert_int_eq(store_schema_version(s), 2);
        ck_assert_uint_eq(store_event_last_seq(s), 3);
        check_old_run(s);

        /* The v2 column works on the migrated database. */
        ck_assert_int_eq(store_case_begin(s, "r-old", 1, "usb.access", "[\"D-7\"]",
                                          "{\"baud\":115200}", T0), 0);
        ck_assert_int_eq(store_event_append(s, T0, "case.started", "slot-a", "r-old", "{}", &seq), 0);
        ck_assert_uint_eq(seq, 4);
        store_free(s);

        db = raw_open();
        ck_assert_int_eq(raw_int(db, "PRAGMA user_version"), 2);
        ck_assert_int_eq(raw_int(db, "SELECT params ->> '$.baud' FROM case_results WHERE idx = 1"),
                         115200);
        ck_assert_int_eq(raw_int(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name IN"
                                     " ('runs_slot_created','events_run_id','evidence_case')"), 3);
        /* The planner uses the new index for runs.list by slot. */
        migrated = raw_plan(db, "SELECT * FROM runs WHERE slot = 'a' ORDER BY created DESC");
        ck_assert_msg(strstr(migrated, "runs_slot_created"), "plan: %s", migrated);
        free(migrated);
        migrated = raw_schema(db);
        sqlite3_close(db);

        /* Reopen: nothing to do, nothing lost. */
        s = NULL;
        ck_assert_int_eq(store_open(path, &s), 0);
        ck_assert_int_eq(store_schema_version(s), 2);
        ck_assert_uint_eq(store_event_last_seq(s), 4);
        {
                json_t *run = NULL;

                ck_assert_int_eq(store_run_get(s, "r-old", &run), 0);
                ck_assert_uint_eq(json_array_size(json_object_get(run, "results")), 2);
                ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(json_array_get(
                                         json_object_get(run, "results"), 1), "params"), "baud")), 115200);
                json_decref(run);
        }
        store_free(s);

        /* A migrated database has the same schema as a fresh one. */
        snprintf(path, sizeof path, "%s/fresh.db", dir);
        s = NULL;
        ck_assert_int_eq(store_open(path, &s), 0);
        store_free(s);
        db = raw_open();
        fresh = raw_schema(db);
        sqlite3_close(db);
        ck_assert_str_eq(migrated, fresh);
        free(migrated);
        free(fresh);
}
END_TEST

START_TEST(test_future_version) {
        struct store *s = (struct store *) 0x1;
        sqlite3 *db = raw_open();
        char *mode;

        raw_exec(db, "CREATE TABLE t (x); PRAGMA user_version = 99");
        sqlite3_close(db);

        ck_assert_int_eq(store_open(path, &s), -EPROTONOSUPPORT);
        ck_assert_ptr_eq(s, (struct store *) 0x1); /* not written on failure */

        db = raw_open();
        ck_assert_int_eq(raw_int(db, "PRAGMA user_version"), 99);
        mode = raw_text(db, "PRAGMA journal_mode");
        ck_assert_str_eq(mode, "delete"); /* left untouched */
        free(mode);
        sqlite3_close(db);
}
END_TEST

START_TEST(test_bad_paths) {
        struct store *s = NULL;
        FILE *f;

        ck_assert_int_lt(store_open("/nonexistent-certbench-dir/sub/store.db", &s), 0);
        ck_assert_ptr_null(s);
        ck_assert_int_lt(store_open(dir, &s), 0); /* a directory */
        ck_assert_ptr_null(s);
        ck_assert_int_eq(store_open(NULL, &s), -EINVAL);

        f = fopen(path, "w");
        ck_assert_ptr_nonnull(f);
        fputs("this is not an SQLite database, just some text that is long enough...\n", f);
        for (int i = 0; i < 100; i++)
                fputs("padding padding padding padding padding padding padding\n", f);
        fclose(f);
        ck_assert_int_lt(store_open(path, &s), 0);
        ck_assert_ptr_null(s);
}
END_TEST

START_TEST(test_events_seq_paging) {
        struct store *s = NULL;
        json_t *a = NULL, *e;
        uint64_t seq = 0;
        char data[64];

        ck_assert_int_eq(store_open(path, &s), 0);
        for (unsigned i = 1; i <= 50; i++) {
                snprintf(data, sizeof data, "{\"n\":%u}", i);
                ck_assert_int_eq(store_event_append(s, T0 + i, "heartbeat", i % 2 ? "slot-a" : NULL,
                                                    NULL, data, &seq), 0);
                ck_assert_uint_eq(seq, i);
        }
        ck_assert_uint_eq(store_event_last_seq(s), 50);

        for (unsigned after = 0; after <= 50; after += 20) {
                ck_assert_int_eq(store_events_since(s, after, 20, &a), 0);
                ck_assert_uint_eq(json_array_size(a), after == 40 ? 10 : 20);
                for (size_t i = 0; i < json_array_size(a); i++) {
                        e = json_array_get(a, i);
                        ck_assert_int_eq(json_integer_value(json_object_get(e, "seq")), after + 1 + i);
                        ck_assert_int_eq(json_integer_value(json_object_get(e, "ts")), T0 + after + 1 + i);
                        ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(e, "data"), "n")),
                                         after + 1 + i);
                        ck_assert_str_eq(get_str(e, "type"), "heartbeat");
                        ck_assert(json_is_null(json_object_get(e, "run_id")));
                }
                json_decref(a);
                a = NULL;
                if (after == 40)
                        break;
        }
        ck_assert_int_eq(store_events_since(s, 50, 20, &a), 0);
        ck_assert_uint_eq(json_array_size(a), 0);
        json_decref(a);

        /* A rolled-back batch leaves no gap: its seqs are handed out again. */
        ck_assert_int_eq(store_begin(s), 0);
        for (int i = 0; i < 3; i++)
                ck_assert_int_eq(store_event_append(s, T0, "x", NULL, NULL, "{}", NULL), 0);
        ck_assert_uint_eq(store_event_last_seq(s), 53);
        ck_assert_int_eq(store_rollback(s), 0);
        ck_assert_uint_eq(store_event_last_seq(s), 50);
        ck_assert_int_eq(store_event_append(s, T0, "x", NULL, NULL, "{}", &seq), 0);
        ck_assert_uint_eq(seq, 51);

        /* Bad input is refused and does not consume a seq. */
        ck_assert_int_eq(store_event_append(s, T0, "x", NULL, NULL, "not json", &seq), -EINVAL);
        ck_assert_int_eq(store_event_append(s, T0, "x", NULL, NULL, "[1]", &seq), -EINVAL);
        ck_assert_int_eq(store_event_append(s, T0, NULL, NULL, NULL, "{}", &seq), -EINVAL);
        ck_assert_int_eq(store_event_append(s, T0, "x", NULL, NULL, NULL, &seq), -EINVAL);
        ck_assert_uint_eq(seq, 51);
        ck_assert_int_eq(store_event_append(s, T0, "x", NULL, NULL, "{}", &seq), 0);
        ck_assert_uint_eq(seq, 52);
        store_free(s);
}
END_TEST

START_TEST(test_group_commit) {
        struct store *s = NULL;
        sqlite3 *db;
        uint64_t seq = 0;

        ck_assert_int_eq(store_open(path, &s), 0);
        db = raw_open();

        ck_assert_int_eq(store_begin(s), 0);
        ck_assert_int_eq(store_begin(s), -EBUSY);
        for (unsigned i = 1; i <= 10000; i++) {
                ck_assert_int_eq(store_event_append(s, T0 + i, "relay.changed", "slot-a", "r1",
                                                    "{\"relay\":3,\"on\":true}", &seq), 0);
                ck_assert_uint_eq(seq, i);
        }
        /* One transaction: nothing is visible before the commit. */
        ck_assert_int_eq(raw_int(db, "SELECT count(*) FROM events"), 0);
        ck_assert_int_eq(store_commit(s), 0);
        ck_assert_int_eq(raw_int(db, "SELECT count(*) FROM events"), 10000);
        ck_assert_int_eq(raw_int(db, "SELECT min(seq) FROM events"), 1);
        ck_assert_int_eq(raw_int(db, "SELECT max(seq) FROM events"), 10000);
        ck_assert_int_eq(store_commit(s), -EINVAL);
        ck_assert_int_eq(store_rollback(s), -EINVAL);
        sqlite3_close(db);
        store_free(s);

        /* The seq carries on after a reopen. */
        s = NULL;
        ck_assert_int_eq(store_open(path, &s), 0);
        ck_assert_uint_eq(store_event_last_seq(s), 10000);
        ck_assert_int_eq(store_event_append(s, T0, "x", NULL, NULL, "{}", &seq), 0);
        ck_assert_uint_eq(seq, 10001);
        store_free(s);
}
END_TEST

START_TEST(test_run_lifecycle) {
        static const unsigned char blob[] = { 0x12, 0x01, 0x00, 0x02, 0x00, 0xff };
        struct store *s = NULL;
        json_t *run = NULL, *res, *c0, *c1, *ev;
        int64_t id1 = 0, id2 = 0;
        void *data = NULL;
        size_t size = 0;
        char *name = NULL, *mt = NULL;

        ck_assert_int_eq(store_open(path, &s), 0);
        ck_assert_int_eq(store_run_insert(s, "r1", "slot-a", "SN-42", "/etc/certbench/dut.yaml",
                                          "{\"vendor\":\"ACME\",\"usb\":{\"classes\":[3]}}",
                                          "[\"usb.classes\",\"usb.access\"]", T0), 0);
        ck_assert_int_eq(store_run_get(s, "r1", &run), 0);
        ck_assert_str_eq(get_str(run, "state"), "QUEUED");
        ck_assert(json_is_null(json_object_get(run, "started")));
        ck_assert(json_is_null(json_object_get(run, "outcome")));
        ck_assert_uint_eq(json_array_size(json_object_get(run, "results")), 0);
        json_decref(run);
        run = NULL;

        ck_assert_int_eq(store_run_set_state(s, "r1", STORE_RUN_RUNNING, NULL, NULL, T0 + 10), 0);
        ck_assert_int_eq(store_case_begin(s, "r1", 0, "usb.classes", "[\"D-6\"]", "{\"port\":1}", T0 + 20), 0);
        ck_assert_int_eq(store_evidence_add(s, "r1", 0, "descriptors.bin", "application/octet-stream",
                                            blob, sizeof blob, T0 + 25, &id1), 0);
        ck_assert_int_eq(store_evidence_add(s, "r1", 0, "empty.txt", "text/plain", NULL, 0, T0 + 26,
                                            &id2), 0);
        ck_assert_int_gt(id2, id1);
        ck_assert_int_eq(store_case_finish(s, "r1", 0, "FAIL", "exposes undeclared class 8 (mass storage)",
                                           "{\"interfaces\":3}", T0 + 30), 0);
        ck_assert_int_eq(store_case_begin(s, "r1", 1, "usb.access", "[\"D-7\"]", NULL, T0 + 40), 0);
        ck_assert_int_eq(store_case_finish(s, "r1", 1, "PASS", "login required", NULL, T0 + 50), 0);
        ck_assert_int_eq(store_run_set_state(s, "r1", STORE_RUN_FINISHED, "FAIL", "1 of 2 failed", T0 + 60), 0);

        ck_assert_int_eq(store_run_get(s, "r1", &run), 0);
        ck_assert_str_eq(get_str(run, "run_id"), "r1");
        ck_assert_str_eq(get_str(run, "slot"), "slot-a");
        ck_assert_str_eq(get_str(run, "dut_serial"), "SN-42");
        ck_assert_str_eq(get_str(run, "profile_path"), "/etc/certbench/dut.yaml");
        ck_assert_str_eq(get_str(json_object_get(run, "profile"), "vendor"), "ACME");
        ck_assert_uint_eq(json_array_size(json_object_get(run, "cases")), 2);
        ck_assert_str_eq(get_str(run, "state"), "FINISHED");
        ck_assert_str_eq(get_str(run, "outcome"), "FAIL");
        ck_assert_str_eq(get_str(run, "reason"), "1 of 2 failed");
        check_time(run, "created", T0);
        check_time(run, "started", T0 + 10);
        check_time(run, "finished", T0 + 60);
        ck_assert_str_eq(get_str(run, "created"), "2026-11-27T00:00:00.000000Z");

        res = json_object_get(run, "results");
        ck_assert_uint_eq(json_array_size(res), 2);
        c0 = json_array_get(res, 0);
        c1 = json_array_get(res, 1);
        ck_assert_int_eq(json_integer_value(json_object_get(c0, "idx")), 0);
        ck_assert_str_eq(get_str(c0, "case"), "usb.classes");
        ck_assert_str_eq(json_string_value(json_array_get(json_object_get(c0, "requirements"), 0)), "D-6");
        ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(c0, "params"), "port")), 1);
        ck_assert_str_eq(get_str(c0, "outcome"), "FAIL");
        ck_assert_str_eq(get_str(c0, "reason"), "exposes undeclared class 8 (mass storage)");
        ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(c0, "measurements"), "interfaces")), 3);
        check_time(c0, "started", T0 + 20);
        check_time(c0, "finished", T0 + 30);
        ev = json_object_get(c0, "evidence");
        ck_assert_uint_eq(json_array_size(ev), 2);
        ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(ev, 0), "id")), id1);
        ck_assert_str_eq(get_str(json_array_get(ev, 0), "name"), "descriptors.bin");
        ck_assert_str_eq(get_str(json_array_get(ev, 0), "media_type"), "application/octet-stream");
        ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(ev, 0), "size")), sizeof blob);
        ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(ev, 1), "size")), 0);
        ck_assert_int_eq(json_integer_value(json_object_get(c1, "idx")), 1);
        ck_assert(json_is_null(json_object_get(c1, "params")));
        ck_assert(json_is_null(json_object_get(c1, "measurements")));
        ck_assert_uint_eq(json_array_size(json_object_get(c1, "evidence")), 0);
        json_decref(run);

        ck_assert_int_eq(store_evidence_get(s, id1, &data, &size, &name, &mt), 0);
        ck_assert_uint_eq(size, sizeof blob);
        ck_assert_mem_eq(data, blob, sizeof blob);
        ck_assert_str_eq(name, "descriptors.bin");
        ck_assert_str_eq(mt, "application/octet-stream");
        free(data);
        free(name);
        free(mt);
        ck_assert_int_eq(store_evidence_get(s, id2, &data, &size, NULL, NULL), 0);
        ck_assert_uint_eq(size, 0);
        ck_assert_ptr_nonnull(data);
        free(data);
        store_free(s);
}
END_TEST

START_TEST(test_runs_list) {
        static const char *const slots[] = { "a", "b", "a", "b", "a" };
        struct store *s = NULL;
        json_t *a = NULL;
        char id[16];

        ck_assert_int_eq(store_open(path, &s), 0);
        for (unsigned i = 0; i < 5; i++) {
                snprintf(id, sizeof id, "run-%u", i);
                ck_assert_int_eq(store_run_insert(s, id, slots[i], NULL, NULL, NULL, NULL,
                                                  T0 + i * USEC_PER_SEC), 0);
        }
        /* Same creation time as run-4: insertion order breaks the tie. */
        ck_assert_int_eq(store_run_insert(s, "run-5", "b", NULL, NULL, NULL, NULL, T0 + 4 * USEC_PER_SEC), 0);

        ck_assert_int_eq(store_runs_list(s, NULL, 100, &a), 0);
        ck_assert_uint_eq(json_array_size(a), 6);
        ck_assert_str_eq(get_str(json_array_get(a, 0), "run_id"), "run-5");
        ck_assert_str_eq(get_str(json_array_get(a, 1), "run_id"), "run-4");
        ck_assert_str_eq(get_str(json_array_get(a, 5), "run_id"), "run-0");
        ck_assert_ptr_null(json_object_get(json_array_get(a, 0), "results"));
        ck_assert(json_is_null(json_object_get(json_array_get(a, 0), "profile")));
        ck_assert_str_eq(get_str(json_array_get(a, 0), "state"), "QUEUED");
        json_decref(a);

        ck_assert_int_eq(store_runs_list(s, NULL, 2, &a), 0);
        ck_assert_uint_eq(json_array_size(a), 2);
        json_decref(a);

        ck_assert_int_eq(store_runs_list(s, "a", 100, &a), 0);
        ck_assert_uint_eq(json_array_size(a), 3);
        ck_assert_str_eq(get_str(json_array_get(a, 0), "run_id"), "run-4");
        ck_assert_str_eq(get_str(json_array_get(a, 1), "run_id"), "run-2");
        ck_assert_str_eq(get_str(json_array_get(a, 2), "run_id"), "run-0");
        for (size_t i = 0; i < 3; i++)
                ck_assert_str_eq(get_str(json_array_get(a, i), "slot"), "a");
        json_decref(a);

        ck_assert_int_eq(store_runs_list(s, "nope", 100, &a), 0);
        ck_assert_uint_eq(json_array_size(a), 0);
        json_decref(a);
        store_free(s);
}
END_TEST

START_TEST(test_abort_interrupted) {
        struct store *s = NULL;
        json_t *ids = NULL, *run = NULL, *res;
        int64_t eid = 0;
        void *data = NULL;
        size_t size = 0;

        ck_assert_int_eq(store_open(path, &s), 0);
        ck_assert_int_eq(store_run_insert(s, "queued", "a", NULL, NULL, NULL, NULL, T0), 0);
        ck_assert_int_eq(store_run_insert(s, "running", "b", NULL, NULL, NULL, NULL, T0 + 1), 0);
        ck_assert_int_eq(store_run_insert(s, "done", "c", NULL, NULL, NULL, NULL, T0 + 2), 0);
        ck_assert_int_eq(store_run_set_state(s, "running", STORE_RUN_RUNNING, NULL, NULL, T0 + 3), 0);
        ck_assert_int_eq(store_case_begin(s, "running", 0, "c0", NULL, NULL, T0 + 4), 0);
        ck_assert_int_eq(store_case_finish(s, "running", 0, "PASS", "ok", NULL, T0 + 5), 0);
        ck_assert_int_eq(store_case_begin(s, "running", 1, "c1", NULL, NULL, T0 + 6), 0);
        ck_assert_int_eq(store_evidence_add(s, "running", 1, "trace.btsnoop", "application/octet-stream",
                                            "btsnoop\0", 8, T0 + 7, &eid), 0);
        ck_assert_int_eq(store_run_set_state(s, "done", STORE_RUN_FINISHED, "PASS", "fine", T0 + 8), 0);
        store_free(s);

        /* As after a crash: a new process opens the store. */
        s = NULL;
        ck_assert_int_eq(store_open(path, &s), 0);
        ck_assert_int_eq(store_runs_abort_interrupted(s, "daemon restarted", T0 + 100, &ids), 0);
        ck_assert_uint_eq(json_array_size(ids), 2);
        ck_assert_str_eq(json_string_value(json_array_get(ids, 0)), "queued");
        ck_assert_str_eq(json_string_value(json_array_get(ids, 1)), "running");
        json_decref(ids);

        ck_assert_int_eq(store_run_get(s, "running", &run), 0);
        ck_assert_str_eq(get_str(run, "state"), "ABORTED");
        ck_assert_str_eq(get_str(run, "outcome"), "ABORTED");
        ck_assert_str_eq(get_str(run, "reason"), "daemon restarted");
        check_time(run, "started", T0 + 3);
        check_time(run, "finished", T0 + 100);
        res = json_object_get(run, "results");
        ck_assert_str_eq(get_str(json_array_get(res, 0), "outcome"), "PASS");
        ck_assert_str_eq(get_str(json_array_get(res, 0), "reason"), "ok");
        check_time(json_array_get(res, 0), "finished", T0 + 5);
        ck_assert_str_eq(get_str(json_array_get(res, 1), "outcome"), "ABORTED");
        ck_assert_str_eq(get_str(json_array_get(res, 1), "reason"), "daemon restarted");
        check_time(json_array_get(res, 1), "finished", T0 + 100);
        ck_assert_uint_eq(json_array_size(json_object_get(json_array_get(res, 1), "evidence")), 1);
        json_decref(run);

        ck_assert_int_eq(store_evidence_get(s, eid, &data, &size, NULL, NULL), 0);
        ck_assert_uint_eq(size, 8);
        ck_assert_mem_eq(data, "btsnoop\0", 8);
        free(data);

        ck_assert_int_eq(store_run_get(s, "queued", &run), 0);
        ck_assert_str_eq(get_str(run, "state"), "ABORTED");
        ck_assert(json_is_null(json_object_get(run, "started")));
        json_decref(run);
        ck_assert_int_eq(store_run_get(s, "done", &run), 0);
        ck_assert_str_eq(get_str(run, "state"), "FINISHED");
        ck_assert_str_eq(get_str(run, "outcome"), "PASS");
        json_decref(run);

        /* Nothing left to abort; also fine inside a caller's transaction. */
        ck_assert_int_eq(store_begin(s), 0);
        ck_assert_int_eq(store_runs_abort_interrupted(s, "again", T0 + 200, &ids), 0);
        ck_assert_uint_eq(json_array_size(ids), 0);
        json_decref(ids);
        ck_assert_int_eq(store_commit(s), 0);
        store_free(s);
}
END_TEST

START_TEST(test_errors) {
        struct store *s = NULL;
        json_t *j = (json_t *) 0x1;
        void *data = (void *) 0x1;
        int64_t id = -1;

        ck_assert_int_eq(store_open(path, &s), 0);
        ck_assert_int_eq(store_run_get(s, "ghost", &j), -ENOENT);
        ck_assert_ptr_eq(j, (json_t *) 0x1);
        ck_assert_int_eq(store_run_set_state(s, "ghost", STORE_RUN_RUNNING, NULL, NULL, T0), -ENOENT);
        ck_assert_int_eq(store_case_begin(s, "ghost", 0, "c", NULL, NULL, T0), -ENOENT);
        ck_assert_int_eq(store_case_finish(s, "ghost", 0, "PASS", NULL, NULL, T0), -ENOENT);
        ck_assert_int_eq(store_evidence_add(s, "ghost", 0, "n", "text/plain", "x", 1, T0, &id), -ENOENT);
        ck_assert_int_eq(id, -1);
        ck_assert_int_eq(store_evidence_get(s, 12345, &data, NULL, NULL, NULL), -ENOENT);
        ck_assert_ptr_eq(data, (void *) 0x1);

        ck_assert_int_eq(store_run_insert(s, "r1", "a", NULL, NULL, NULL, NULL, T0), 0);
        ck_assert_int_eq(store_run_insert(s, "r1", "b", NULL, NULL, NULL, NULL, T0), -EEXIST);
        ck_assert_int_eq(store_case_begin(s, "r1", 0, "c", NULL, NULL, T0), 0);
        ck_assert_int_eq(store_case_begin(s, "r1", 0, "c", NULL, NULL, T0), -EEXIST);
        /* Unknown case of a known run. */
        ck_assert_int_eq(store_case_finish(s, "r1", 9, "PASS", NULL, NULL, T0), -ENOENT);
        ck_assert_int_eq(store_evidence_add(s, "r1", 9, "n", "text/plain", "x", 1, T0, NULL), -ENOENT);

        ck_assert_int_eq(store_run_insert(s, "r2", "a", NULL, NULL, "{broken", NULL, T0), -EINVAL);
        ck_assert_int_eq(store_case_finish(s, "r1", 0, "MAYBE", NULL, NULL, T0), -EINVAL);
        ck_assert_int_eq(store_run_set_state(s, "r1", STORE_RUN_FINISHED, "MAYBE", NULL, T0), -EINVAL);
        ck_assert_int_eq(store_run_set_state(s, "r1", _STORE_RUN_STATE_MAX, NULL, NULL, T0), -EINVAL);
        ck_assert_ptr_null(store_run_state_to_string(_STORE_RUN_STATE_MAX));
        ck_assert_str_eq(store_run_state_to_string(STORE_RUN_ABORTED), "ABORTED");

        /* The failed calls changed nothing. */
        ck_assert_int_eq(store_run_get(s, "r1", &j), 0);
        ck_assert_str_eq(get_str(j, "slot"), "a");
        ck_assert_str_eq(get_str(j, "state"), "QUEUED");
        ck_assert(json_is_null(json_object_get(json_array_get(json_object_get(j, "results"), 0), "outcome")));
        json_decref(j);
        store_free(s);
}
END_TEST

static Suite *store_suite(void) {
        Suite *s = suite_create("store");
        TCase *tc = tcase_create("core");

        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, test_fresh_open);
        tcase_add_test(tc, test_migrate_v1);
        tcase_add_test(tc, test_future_version);
        tcase_add_test(tc, test_bad_paths);
        tcase_add_test(tc, test_events_seq_paging);
        tcase_add_test(tc, test_group_commit);
        tcase_add_test(tc, test_run_lifecycle);
        tcase_add_test(tc, test_runs_list);
        tcase_add_test(tc, test_abort_interrupted);
        tcase_add_test(tc, test_errors);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        SRunner *sr = srunner_create(store_suite());
        int failed;

        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
