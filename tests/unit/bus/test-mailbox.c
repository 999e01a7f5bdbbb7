/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The mailbox: nothing lost, order kept per writer, one wake-up per batch. */

#include <check.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>

#include "daemon/mailbox.h"

struct item {
        struct mailbox_item item;
        int writer;
        int n;
};

static void item_free(struct mailbox_item *i) {
        free(i);
}

#define WRITERS 4
#define PER_WRITER 50000

struct writer_arg {
        struct mailbox *m;
        int id;
};

static void *writer(void *p) {
        struct writer_arg *a = p;

        for (int n = 0; n < PER_WRITER; n++) {
                struct item *i = calloc(1, sizeof(*i));
                i->writer = a->id;
                i->n = n;
                mailbox_post(a->m, &i->item);
        }
        return NULL;
}

START_TEST(test_many_writers) {
        struct mailbox *m = NULL;
        pthread_t t[WRITERS];
        struct writer_arg args[WRITERS];
        int next[WRITERS] = {};
        long total = 0;
        int batches = 0;

        ck_assert_int_eq(mailbox_new(item_free, 0, &m), 0);
        for (int w = 0; w < WRITERS; w++) {
                args[w] = (struct writer_arg) { .m = m, .id = w };
                pthread_create(&t[w], NULL, writer, &args[w]);
        }
        while (total < (long) WRITERS * PER_WRITER) {
                struct pollfd p = { .fd = mailbox_fd(m), .events = POLLIN };
                struct mailbox_item *h, *n;

                /* The eventfd must wake us while anything is queued. */
                ck_assert_int_eq(poll(&p, 1, 5000), 1);
                h = mailbox_take_all(m);
                if (h)
                        batches++;
                for (; h; h = n) {
                        struct item *i = (struct item *) h;
                        n = h->next;
                        ck_assert_int_eq(i->n, next[i->writer]);
                        next[i->writer]++;
                        total++;
                        free(i);
                }
        }
        for (int w = 0; w < WRITERS; w++)
                pthread_join(t[w], NULL);
        ck_assert_ptr_null(mailbox_take_all(m));
        ck_assert_int_gt(batches, 0);
        /* Batching is the point: far fewer wake-ups than items. */
        ck_assert_int_lt(batches, WRITERS * PER_WRITER);
        mailbox_free(m);
}
END_TEST

START_TEST(test_free_with_items) {
        struct mailbox *m = NULL;

        ck_assert_int_eq(mailbox_new(item_free, 0, &m), 0);
        for (int n = 0; n < 10; n++)
                mailbox_post(m, &((struct item *) calloc(1, sizeof(struct item)))->item);
        mailbox_free(m);        /* LeakSanitizer checks the items were freed */
        mailbox_free(NULL);
}
END_TEST

int main(void) {
        Suite *s = suite_create("mailbox");
        TCase *tc = tcase_create("core");
        SRunner *sr;
        int failed;

        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, test_many_writers);
        tcase_add_test(tc, test_free_with_items);
        suite_add_tcase(s, tc);
        sr = srunner_create(s);
        srunner_run_all(sr, CK_NORMAL);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed ? 1 : 0;
}
