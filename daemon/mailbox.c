/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "mailbox.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>

#include "common/macros.h"

struct mailbox {
        pthread_mutex_t lock;
        pthread_cond_t drained;
        struct mailbox_item *head, *tail;
        size_t count, high_water;
        int efd;
        /* Writers only kick the eventfd on the empty→non-empty edge: a
         * flood of events costs one write(2) per batch, not per event. */
        int kicked;
        mailbox_item_free_fn free_fn;
};

int mailbox_new(mailbox_item_free_fn free_fn, size_t high_water, struct mailbox **ret) {
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
        pthread_cond_init(&m->drained, NULL);
        m->free_fn = free_fn;
        m->high_water = high_water;
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
        pthread_cond_destroy(&m->drained);
        pthread_mutex_destroy(&m->lock);
        free(m);
}

int mailbox_fd(const struct mailbox *m) {
        return m->efd;
}

static void mailbox_kick(struct mailbox *m) {
        uint64_t one = 1;

        /* Cannot fail short of a counter overflow, which the reader's
         * reset after each batch rules out. */
        (void) !write(m->efd, &one, sizeof(one));
}

static void mailbox_post_internal(struct mailbox *m, struct mailbox_item *item, bool wait) {
        bool kick;

        item->next = NULL;
        pthread_mutex_lock(&m->lock);
        while (wait && m->high_water && m->count >= m->high_water)
                pthread_cond_wait(&m->drained, &m->lock);
        if (m->tail)
                m->tail->next = item;
        else
                m->head = item;
        m->tail = item;
        m->count++;
        kick = !m->kicked;
        m->kicked = 1;
        pthread_mutex_unlock(&m->lock);

        if (kick)
                mailbox_kick(m);
}

void mailbox_post(struct mailbox *m, struct mailbox_item *item) {
        mailbox_post_internal(m, item, false);
}

void mailbox_post_wait(struct mailbox *m, struct mailbox_item *item) {
        mailbox_post_internal(m, item, true);
}

struct mailbox_item *mailbox_take(struct mailbox *m, size_t max) {
        struct mailbox_item *h, *last;
        bool more;
        uint64_t v;
        size_t n = 1;

        (void) !read(m->efd, &v, sizeof(v));
        pthread_mutex_lock(&m->lock);
        h = m->head;
        if (!h || max == 0 || m->count <= max) {
                m->head = m->tail = NULL;
                m->count = 0;
        } else {
                for (last = h; n < max; n++)
                        last = last->next;
                m->head = last->next;
                last->next = NULL;
                m->count -= n;
        }
        more = m->head != NULL;
        /* Still kicked while items remain: the reader is told to come back. */
        m->kicked = more;
        pthread_cond_broadcast(&m->drained);
        pthread_mutex_unlock(&m->lock);
        if (more)
                mailbox_kick(m);
        return h;
}

bool mailbox_pending(struct mailbox *m) {
        bool r;

        pthread_mutex_lock(&m->lock);
        r = m->head != NULL;
        pthread_mutex_unlock(&m->lock);
        return r;
}
