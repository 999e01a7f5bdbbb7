/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Helpers shared by the dump readers (not installed, not a contract). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "usbdump.h"

/* A growable byte buffer; data is NULL until the first append. */
struct bytebuf {
        uint8_t *data;
        size_t n, cap;
};

int bytebuf_put(struct bytebuf *b, const void *p, size_t n);
int bytebuf_put_u8(struct bytebuf *b, uint8_t v);
int bytebuf_put_le16(struct bytebuf *b, uint16_t v);
void bytebuf_done(struct bytebuf *b);

/* A new, empty dump of format f; NULL on -ENOMEM. */
struct usbdump *usbdump_new(enum usbdump_format f);
/* Appends a device that takes ownership of *bytes (set to NULL) and a copy
 * of name. Returns it or NULL on -ENOMEM. */
struct usbdump_device *usbdump_device_add(struct usbdump *d, const char *name, struct bytebuf *bytes);
/* Records a string (copied; index 0 ignored; a later one replaces). */
int usbdump_device_string_add(struct usbdump_device *dev, uint8_t index, const char *text, size_t len);

/* *ret_error = formatted message (when ret_error is not NULL); returns r. */
int usbdump_error(char **ret_error, int r, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

