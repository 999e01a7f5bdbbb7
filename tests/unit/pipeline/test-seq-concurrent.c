/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Eight slot-like writer threads post events through the mailbox while the
 * reader stores them in group commits, as certbenchd's main thread does:
 * every event gets a seq, the seqs are 1..N without gaps or repeats, and
 * each writer's events keep their order. */

#include <check.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/mailbox.h"
#include "daemon/store.h"

#define WRITERS 8
#define PER_WRITER 4000

struct ev {
        struct mailbox_item item;
        int writer, n;
};

static void ev_free(struct mailbox_item *i) {
        free(i);
}

struct warg {
        struct mailbox *m;
        int id;
};

static void *writer(void *p) {
        struct warg *a = p;

        for (int n = 0; n < PER_WRITER; n++) {
                struct ev *e = calloc(1, sizeof(*e));
                e->writer = a->id;
                e->n = n;
                mailbox_post(a->m, &e->item);
        }
        return NULL;
}

START_TEST(test_gap_free_concurrent) {
        char dir[] = "/tmp/cb-seq-XXXXXX", path[64];
        struct mailbox *m = NULL;
        struct store *s = NULL;
        pthread_t t[WRITERS];
        struct warg args[WRITERS];
        int next[WRITERS] = {};
        uint64_t expect = 1;
        long total = 0;
        json_t *rows = NULL;
        uint64_t after = 0;
        long seen = 0;

        ck_assert_ptr_nonnull(mkdtemp(dir));
        snprintf(path, sizeof(path), "%s/store.db", dir);
        ck_assert_int_eq(store_open(path, &s), 0);
        ck_assert_int_eq(mailbox_new(ev_free, 0, &m), 0);
        for (int w = 0; w < WRITERS; w++) {
                args[w] = (struct warg) { .m = m, .id = w };
                pthread_create(&t[w], NULL, writer, &args[w]);
        }

        while (total < (long) WRITERS * PER_WRITER) {
                struct pollfd p = { .fd = mailbox_fd(m), .events = POLLIN };
                struct mailbox_item *h, *nx;

                ck_assert_int_eq(poll(&p, 1, 10000), 1);
                h = mailbox_take_all(m);
                ck_assert_int_eq(store_begin(s), 0);
                for (; h; h = nx) {
                        struct ev *e = (struct ev *) h;
                        char slot[16], data[64];
                        uint64_t seq = 0;

                        nx = h->next;
                        snprintf(slot, sizeof(slot), "dut%d", e->writer);
                        snprintf(data, sizeof(data), "{\"n\":%d}", e->n);
                        ck_assert_int_eq(store_event_append(s, 1, "bench.tick", slot, "R", data, &seq), 0);
                        ck_assert_uint_eq(seq, expect);
                        expect++;
                        ck_assert_int_eq(e->n, next[e->writer]);
                        next[e->writer]++;
                        total++;
                        free(e);
                }
                ck_assert_int_eq(store_commit(s), 0);
        }
        for (int w = 0; w < WRITERS; w++)
                pthread_join(t[w], NULL);

        /* What a late subscriber gets back is the same gap-free sequence. */
        for (;;) {
                size_t i;
                json_t *row;

                ck_assert_int_eq(store_events_since(s, after, 5000, &rows), 0);
                if (json_array_size(rows) == 0) {
                        json_decref(rows);
                        break;
                }
                json_array_foreach(rows, i, row) {
                        ck_assert_uint_eq((uint64_t) json_integer_value(json_object_get(row, "seq")), after + 1);
                        after++;
                        seen++;
                }
                json_decref(rows);
        }
        ck_assert_int_eq(seen, (long) WRITERS * PER_WRITER);
        ck_assert_uint_eq(store_event_last_seq(s), (uint64_t) WRITERS * PER_WRITER);

        mailbox_free(m);
        store_free(s);
        snprintf(path, sizeof(path), "rm -rf %s", dir);
        ck_assert_int_eq(system(path), 0);
}
END_TEST

int main(void) {
        Suite *su = suite_create("seq");
        TCase *tc = tcase_create("concurrent");
        SRunner *sr;
        int failed;

        tcase_set_timeout(tc, 120);
        tcase_add_test(tc, test_gap_free_concurrent);
        suite_add_tcase(su, tc);
        sr = srunner_create(su);
        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed ? 1 : 0;
}
