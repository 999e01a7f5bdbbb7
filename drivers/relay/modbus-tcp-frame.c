/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "modbus-tcp-frame.h"

#include <errno.h>

static void put16(uint8_t *p, uint16_t v) {
        p[0] = (uint8_t) (v >> 8);
        p[1] = (uint8_t) v;
}

static uint16_t get16(const uint8_t *p) {
        return (uint16_t) ((p[0] << 8) | p[1]);
}

static void encode(uint8_t out[MBTCP_REQUEST_SIZE], uint16_t tid, uint8_t unit, uint8_t fc,
                   uint16_t a, uint16_t b) {
        put16(out, tid);
        put16(out + 2, 0);              /* protocol: Modbus */
        put16(out + 4, 6);              /* unit + function + 4 data bytes */
        out[6] = unit;
        out[7] = fc;
        put16(out + 8, a);
        put16(out + 10, b);
}

void mbtcp_encode_write_coil(uint8_t out[MBTCP_REQUEST_SIZE], uint16_t tid, uint8_t unit,
                             uint16_t addr, bool on) {
        encode(out, tid, unit, 0x05, addr, on ? 0xFF00 : 0x0000);
}

void mbtcp_encode_read_coils(uint8_t out[MBTCP_REQUEST_SIZE], uint16_t tid, uint8_t unit,
                             uint16_t addr, uint16_t count) {
        encode(out, tid, unit, 0x01, addr, count);
}

int mbtcp_frame_size(const uint8_t *buf, size_t len) {
        uint16_t n;

        if (len < MBTCP_HEADER_SIZE)
                return -EAGAIN;
        if (get16(buf + 2) != 0)
                return -EBADMSG;
        n = get16(buf + 4);             /* counts the unit byte and the PDU */
        if (n < 2 || n > 254)
                return -EBADMSG;
        return MBTCP_HEADER_SIZE - 1 + n;
}

static int exception_errno(uint8_t code) {
        switch (code) {
        case 0x01: return -EOPNOTSUPP;
        case 0x02: return -ERANGE;
        case 0x03: return -EINVAL;
        case 0x06: return -EAGAIN;
        default: return -EIO;
        }
}

/* Header, transaction and function; returns the PDU data length after the
 * function byte, or -errno. */
static int check_common(const uint8_t *f, size_t len, uint16_t tid, uint8_t unit, uint8_t fc) {
        int size = mbtcp_frame_size(f, len);

        if (size < 0)
                return size == -EAGAIN ? -EBADMSG : size;
        if ((size_t) size != len || len < MBTCP_HEADER_SIZE + 1)
                return -EBADMSG;
        if (get16(f) != tid || f[6] != unit)
                return -EBADMSG;
        if (f[7] == (fc | 0x80))
                return len == MBTCP_HEADER_SIZE + 2 ? exception_errno(f[8]) : -EBADMSG;
        if (f[7] != fc)
                return -EBADMSG;
        return (int) (len - MBTCP_HEADER_SIZE - 1);
}

int mbtcp_parse_write_coil(const uint8_t *f, size_t len, uint16_t tid, uint8_t unit,
                           uint16_t addr, bool on) {
        int n = check_common(f, len, tid, unit, 0x05);

        if (n < 0)
                return n;
        /* The reply echoes the request, which the board sends only after
         * the coil has been written. */
        if (n != 4 || get16(f + 8) != addr || get16(f + 10) != (on ? 0xFF00 : 0x0000))
                return -EBADMSG;
        return 0;
}

int mbtcp_parse_read_coil(const uint8_t *f, size_t len, uint16_t tid, uint8_t unit, bool *ret_on) {
        int n = check_common(f, len, tid, unit, 0x01);

        if (n < 0)
                return n;
        if (n != 2 || f[8] != 1)
                return -EBADMSG;
        *ret_on = f[9] & 1;
        return 0;
}
