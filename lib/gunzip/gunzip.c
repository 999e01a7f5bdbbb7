/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "gunzip.h"

#include <errno.h>
#include <stdlib.h>
#include <zlib.h>

#include "common/macros.h"

int gunzip_buffer(const uint8_t *in, size_t in_len, size_t max, uint8_t **ret, size_t *ret_len,
                  bool *ret_truncated) {
        _cleanup_free_ uint8_t *out = NULL;
        size_t cap = in_len * 4 + 4096, len = 0;
        bool truncated = false;
        z_stream z = {};
        int zr, r = 0;

        if (cap > max)
                cap = max > 0 ? max : 1;
        if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
                return -ENOMEM;
        out = malloc(cap);
        if (!out) {
                inflateEnd(&z);
                return -ENOMEM;
        }
        z.next_in = (Bytef *) in;
        for (;;) {
                size_t chunk = in_len - (size_t) ((const uint8_t *) z.next_in - in);

                z.avail_in = chunk > UINT32_MAX ? UINT32_MAX : (uInt) chunk;
                if (len == cap) {
                        uint8_t *n;

                        if (cap >= max) {
                                r = -EFBIG;
                                break;
                        }
                        cap = cap > max / 2 ? max : cap * 2;
                        n = realloc(out, cap);
                        if (!n) {
                                r = -ENOMEM;
                                break;
                        }
                        out = n;
                }
                z.next_out = out + len;
                z.avail_out = (uInt) ((cap - len) > UINT32_MAX ? UINT32_MAX : cap - len);
                zr = inflate(&z, Z_NO_FLUSH);
                len = (size_t) (z.next_out - out);
                if (zr == Z_STREAM_END) {
                        /* Another member may follow. */
                        if (z.avail_in == 0)
                                break;
                        if (inflateReset(&z) != Z_OK) {
                                r = -EBADMSG;
                                break;
                        }
                        continue;
                }
                if (zr == Z_BUF_ERROR && z.avail_in == 0) {
                        /* The stream stops early: the caller decides whether
                         * what came before is worth reading. */
                        if (len == 0)
                                r = -EBADMSG;
                        truncated = true;
                        break;
                }
                if (zr != Z_OK && zr != Z_BUF_ERROR) {
                        r = zr == Z_MEM_ERROR ? -ENOMEM : -EBADMSG;
                        break;
                }
        }
        inflateEnd(&z);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(out);
        *ret_len = len;
        if (ret_truncated)
                *ret_truncated = truncated;
        return 0;
}
