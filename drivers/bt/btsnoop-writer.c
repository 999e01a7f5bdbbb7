/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* btsnoop writer, datalink 1002 (H4). See btsnoop-writer.h. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/bt/btsnoop-writer.h"

#define SNOOP_EPOCH_DELTA UINT64_C(0x00dcddb30f2f8000)

struct bt_snoop_writer {
        uint8_t *buf;
        size_t size, alloc, max;
        uint64_t records, dropped;
};

static void put_be32(uint8_t *p, uint32_t v) {
        p[0] = (uint8_t) (v >> 24);
        p[1] = (uint8_t) (v >> 16);
        p[2] = (uint8_t) (v >> 8);
        p[3] = (uint8_t) v;
}

static int reserve(struct bt_snoop_writer *w, size_t more) {
        size_t want = w->size + more, n;
        uint8_t *b;

        if (want <= w->alloc)
                return 0;
        n = w->alloc ? w->alloc : 4096;
        while (n < want)
                n *= 2;
        b = realloc(w->buf, n);
        if (!b)
                return -ENOMEM;
        w->buf = b;
        w->alloc = n;
        return 0;
}

struct bt_snoop_writer *bt_snoop_writer_new(size_t max_bytes) {
        struct bt_snoop_writer *w = calloc(1, sizeof(*w));

        if (!w)
                return NULL;
        w->max = max_bytes < 16 ? 16 : max_bytes;
        if (reserve(w, 16) < 0) {
                free(w);
                return NULL;
        }
        memcpy(w->buf, "btsnoop\0", 8);
        put_be32(w->buf + 8, 1);
        put_be32(w->buf + 12, 1002);
        w->size = 16;
        return w;
}

struct bt_snoop_writer *bt_snoop_writer_free(struct bt_snoop_writer *w) {
        if (!w)
                return NULL;
        free(w->buf);
        free(w);
        return NULL;
}

int bt_snoop_writer_add(struct bt_snoop_writer *w, bool received, const uint8_t *pkt, size_t len,
                        uint64_t realtime_usec) {
        uint64_t ts = realtime_usec + SNOOP_EPOCH_DELTA;
        uint32_t flags = received ? 1 : 0;
        uint8_t *p;
        int r;

        if (!pkt || len == 0 || len > UINT32_MAX - 24)
                return -EINVAL;
        if (len + 24 > w->max - w->size) {
                w->dropped++;
                return -ENOBUFS;
        }
        r = reserve(w, 24 + len);
        if (r < 0) {
                w->dropped++;
                return r;
        }
        if (pkt[0] == 0x01 || pkt[0] == 0x04)
                flags |= 2;
        p = w->buf + w->size;
        put_be32(p, (uint32_t) len);
        put_be32(p + 4, (uint32_t) len);
        put_be32(p + 8, flags);
        put_be32(p + 12, (uint32_t) w->dropped);
        put_be32(p + 16, (uint32_t) (ts >> 32));
        put_be32(p + 20, (uint32_t) ts);
        memcpy(p + 24, pkt, len);
        w->size += 24 + len;
        w->records++;
        return 0;
}

const uint8_t *bt_snoop_writer_data(const struct bt_snoop_writer *w, size_t *ret_size) {
        *ret_size = w->size;
        return w->buf;
}

uint64_t bt_snoop_writer_records(const struct bt_snoop_writer *w) {
        return w->records;
}

uint64_t bt_snoop_writer_dropped(const struct bt_snoop_writer *w) {
        return w->dropped;
}
