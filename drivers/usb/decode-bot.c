/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Bulk-Only Transport wrappers and the SCSI replies the mass-storage probe
 * reads (pure; see probe.h). */
#include <errno.h>
#include <string.h>

#include "probe.h"

static uint32_t le32(const uint8_t *p) {
        return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
}

static uint32_t be32(const uint8_t *p) {
        return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | (uint32_t) p[3];
}

static void put_le32(uint8_t *p, uint32_t v) {
        p[0] = (uint8_t) v, p[1] = (uint8_t) (v >> 8), p[2] = (uint8_t) (v >> 16), p[3] = (uint8_t) (v >> 24);
}

int usbprobe_cbw_build(uint32_t tag, uint32_t data_length, bool data_in, uint8_t lun,
                       const uint8_t *cdb, size_t cdb_len, uint8_t out[USBPROBE_CBW_SIZE]) {
        if (!cdb || !out || cdb_len < 1 || cdb_len > 16 || lun > 15)
                return -EINVAL;
        memset(out, 0, USBPROBE_CBW_SIZE);
        put_le32(out, USBPROBE_CBW_SIGNATURE);
        put_le32(out + 4, tag);
        put_le32(out + 8, data_length);
        out[12] = data_in ? 0x80 : 0x00;
        out[13] = lun;
        out[14] = (uint8_t) cdb_len;
        memcpy(out + 15, cdb, cdb_len);
        return 0;
}

int usbprobe_csw_parse(const uint8_t *buf, size_t len, struct usbprobe_csw *ret) {
        if (!buf || !ret)
                return -EINVAL;
        /* BOT 6.3: a CSW is exactly 13 bytes; anything else is a phase error. */
        if (len != USBPROBE_CSW_SIZE || le32(buf) != USBPROBE_CSW_SIGNATURE || buf[12] > 2)
                return -EBADMSG;
        *ret = (struct usbprobe_csw) { .tag = le32(buf + 4), .residue = le32(buf + 8), .status = buf[12] };
        return 0;
}

/* Copies a fixed-width SPC ASCII field, trimmed, non-printables as '?'. */
static void field(char *dst, const uint8_t *src, size_t n) {
        size_t end = n;

        for (size_t i = 0; i < n; i++)
                dst[i] = src[i] >= 0x20 && src[i] < 0x7f ? (char) src[i] : '?';
        while (end > 0 && (dst[end - 1] == ' ' || src[end - 1] == 0))
                end--;
        dst[end] = 0;
}

int usbprobe_inquiry_parse(const uint8_t *buf, size_t len, struct usbprobe_inquiry *ret) {
        struct usbprobe_inquiry q = {};

        if (!buf || !ret)
                return -EINVAL;
        if (len < 36)
                return -EBADMSG;
        q.peripheral_type = buf[0] & 0x1f;
        q.qualifier = buf[0] >> 5;
        q.removable = buf[1] & 0x80;
        q.version = buf[2];
        field(q.vendor, buf + 8, 8);
        field(q.product, buf + 16, 16);
        field(q.revision, buf + 32, 4);
        *ret = q;
        return 0;
}

int usbprobe_read_capacity10_parse(const uint8_t *buf, size_t len, struct usbprobe_capacity *ret) {
        uint32_t last, bl;

        if (!buf || !ret)
                return -EINVAL;
        if (len < 8)
                return -EBADMSG;
        last = be32(buf);
        bl = be32(buf + 4);
        *ret = (struct usbprobe_capacity) {
                .last_lba = last,
                .block_length = bl,
                .bytes = ((uint64_t) last + 1) * bl,
        };
        return 0;
}

int usbprobe_mode_sense6_parse(const uint8_t *buf, size_t len, struct usbprobe_mode_sense *ret) {
        if (!buf || !ret)
                return -EINVAL;
        /* Mode data length counts the bytes after itself: at least 3. */
        if (len < 4 || buf[0] < 3)
                return -EBADMSG;
        *ret = (struct usbprobe_mode_sense) {
                .medium_type = buf[1],
                .write_protected = buf[2] & 0x80,
                .block_descriptor_length = buf[3],
        };
        return 0;
}
