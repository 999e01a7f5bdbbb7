/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A many-writers, one-reader queue that wakes a poll loop.
 *
 * Slot workers and relay-board threads hand messages to the main thread
 * here: mailbox_post() from any thread appends and makes the eventfd
 * readable; the main thread polls mailbox_fd() and takes everything queued
 * with mailbox_take_all(), so one wake-up drains a whole batch (which the
 * main thread stores in one transaction). Never blocks beyond a mutex. */

#include <stdbool.h>
#include <stddef.h>

struct mailbox_item {
        struct mailbox_item *next;
};

typedef void (*mailbox_item_free_fn)(struct mailbox_item *item);

struct mailbox;

/* high_water: mailbox_post_wait() blocks while this many items are queued
 * (0: never). */
int mailbox_new(mailbox_item_free_fn free_fn, size_t high_water, struct mailbox **ret);
/* Frees the items still queued with free_fn. NULL is fine. */
void mailbox_free(struct mailbox *m);
int mailbox_fd(const struct mailbox *m);
/* Takes ownership of item. Any thread; never blocks beyond the mutex. */
void mailbox_post(struct mailbox *m, struct mailbox_item *item);
/* The same for a producer that may outrun the reader (a slot worker
 * streaming events): waits while the queue is at its high-water mark, so
 * memory stays bounded and nothing is dropped. Never call it from the
 * reader's thread. */
void mailbox_post_wait(struct mailbox *m, struct mailbox_item *item);
/* Returns at most max queued items (0: all), oldest first, as a list
 * linked by next that the caller owns; NULL when empty. The eventfd stays
 * readable while items remain. Reader thread only. */
struct mailbox_item *mailbox_take(struct mailbox *m, size_t max);
/* Whether anything is queued. Any thread. */
bool mailbox_pending(struct mailbox *m);
static inline struct mailbox_item *mailbox_take_all(struct mailbox *m) {
        return mailbox_take(m, 0);
}
