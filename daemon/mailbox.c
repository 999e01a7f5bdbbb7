/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "mailbox.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>

#include "common/macros.h"

struct mailbox {
        pthread_mutex_t lock;
        struct mailbox_item *head, *tail;
        int efd;
        /* Writers only kick the eventfd on the empty→non-empty edge: a
         * flood of events costs one write(2) per batch, not per event. */
        int kicked;
        mailbox_item_free_fn free_fn;
};

int mailbox_new(mailbox_item_free_fn free_fn, struct mailbox **ret) {
        struct mailbox *m = calloc(1, sizeof(*m));

        if (!m)
                return -ENOMEM;
        m->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (m->efd < 0) {
                int r = negative_errno();
                free(m);
                return r;
        }
        pthread_mutex_init(&m->lock, NULL);
        m->free_fn = free_fn;
        *ret = m;
        return 0;
}

void mailbox_free(struct mailbox *m) {
        struct mailbox_item *i, *n;

        if (!m)
                return;
        for (i = m->head; i; i = n) {
                n = i->next;
                if (m->free_fn)
                        m->free_fn(i);
        }
        close(m->efd);
        pthread_mutex_destroy(&m->lock);
        free(m);
}

int mailbox_fd(const struct mailbox *m) {
        return m->efd;
}

void mailbox_post(struct mailbox *m, struct mailbox_item *item) {
        int kick;

        item->next = NULL;
        pthread_mutex_lock(&m->lock);
        if (m->tail)
                m->tail->next = item;
        else
                m->head = item;
        m->tail = item;
        kick = !m->kicked;
        m->kicked = 1;
        pthread_mutex_unlock(&m->lock);

        if (kick) {
                uint64_t one = 1;
                /* Cannot fail short of a counter overflow, which the
                 * reader's reset after each batch rules out. */
                (void) !write(m->efd, &one, sizeof(one));
        }
}

struct mailbox_item *mailbox_take_all(struct mailbox *m) {
        struct mailbox_item *h;
        uint64_t v;

        (void) !read(m->efd, &v, sizeof(v));
        pthread_mutex_lock(&m->lock);
        h = m->head;
        m->head = m->tail = NULL;
        m->kicked = 0;
        pthread_mutex_unlock(&m->lock);
        return h;
}
