/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A btsnoop writer (datalink 1002, H4: each record starts with the H4
 * packet type octet), in memory, for evidence that `btmon -r`, tshark and
 * our own lib/btsnoop reader open. Flags: bit 0 direction (0 host to
 * controller, 1 controller to host), bit 1 command/event. Timestamps:
 * microseconds since 0000-01-01 (Unix epoch + 0x00dcddb30f2f8000).
 * Bounded: past max_bytes records are counted as dropped, not stored.
 * No I/O; one writer per thread. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bt_snoop_writer;

/* NULL only on -ENOMEM. */
struct bt_snoop_writer *bt_snoop_writer_new(size_t max_bytes);
struct bt_snoop_writer *bt_snoop_writer_free(struct bt_snoop_writer *w);
static inline void bt_snoop_writer_freep(struct bt_snoop_writer **w) {
        if (*w)
                bt_snoop_writer_free(*w);
}

/* One H4 packet (type octet first). received: controller to host.
 * realtime_usec: Unix epoch microseconds. -ENOMEM, -ENOBUFS (over the
 * bound: dropped and counted), -EINVAL for an empty packet. */
int bt_snoop_writer_add(struct bt_snoop_writer *w, bool received, const uint8_t *pkt, size_t len,
                        uint64_t realtime_usec);

/* The file so far (header included); owned by the writer. */
const uint8_t *bt_snoop_writer_data(const struct bt_snoop_writer *w, size_t *ret_size);
uint64_t bt_snoop_writer_records(const struct bt_snoop_writer *w);
uint64_t bt_snoop_writer_dropped(const struct bt_snoop_writer *w);
