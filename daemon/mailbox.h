/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A many-writers, one-reader queue that wakes a poll loop.
 *
 * Slot workers and relay-board threads hand messages to the main thread
 * here: mailbox_post() from any thread appends and makes the eventfd
 * readable; the main thread polls mailbox_fd() and takes everything queued
 * with mailbox_take_all(), so one wake-up drains a whole batch (which the
 * main thread stores in one transaction). Never blocks beyond a mutex. */

#include <stddef.h>

struct mailbox_item {
        struct mailbox_item *next;
};

typedef void (*mailbox_item_free_fn)(struct mailbox_item *item);

struct mailbox;

int mailbox_new(mailbox_item_free_fn free_fn, struct mailbox **ret);
/* Frees the items still queued with free_fn. NULL is fine. */
void mailbox_free(struct mailbox *m);
int mailbox_fd(const struct mailbox *m);
/* Takes ownership of item. Any thread. */
void mailbox_post(struct mailbox *m, struct mailbox_item *item);
/* Returns the queued items oldest first (a list linked by next; the caller
 * owns them) and clears the eventfd. NULL when empty. Reader thread only. */
struct mailbox_item *mailbox_take_all(struct mailbox *m);
