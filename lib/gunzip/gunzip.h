/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Inflates a gzip-compressed capture held in memory (several gzip members
 * one after the other too), for the readers of saved captures
 * (lib/pcap80211, lib/btsnoop). Pure: no I/O, any thread.
 *
 * On success returns 0, *ret (malloc'd, caller frees) and *ret_len; when
 * the stream stops early, what was inflated is returned and
 * *ret_truncated (optional) is set. -EFBIG when the output would exceed
 * max bytes, -EBADMSG for a corrupt stream or one cut before any output,
 * -ENOMEM. The outputs are not written on failure. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

int gunzip_buffer(const uint8_t *in, size_t in_len, size_t max, uint8_t **ret, size_t *ret_len,
                  bool *ret_truncated);

static inline bool gunzip_magic(const uint8_t *p, size_t n) {
        return n >= 2 && p[0] == 0x1f && p[1] == 0x8b;
}
