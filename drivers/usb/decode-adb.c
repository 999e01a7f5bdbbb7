/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ADB message headers (pure; see probe.h). */
#include <errno.h>
#include <string.h>

#include "probe.h"

static uint32_t le32(const uint8_t *p) {
        return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
}

static void put_le32(uint8_t *p, uint32_t v) {
        p[0] = (uint8_t) v, p[1] = (uint8_t) (v >> 8), p[2] = (uint8_t) (v >> 16), p[3] = (uint8_t) (v >> 24);
}

uint32_t usbprobe_adb_checksum(const uint8_t *data, size_t len) {
        uint32_t sum = 0;

        for (size_t i = 0; data && i < len; i++)
                sum += data[i];
        return sum;
}

int usbprobe_adb_header_parse(const uint8_t *buf, size_t len, struct usbprobe_adb_msg *ret) {
        struct usbprobe_adb_msg m;

        if (!buf || !ret)
                return -EINVAL;
        if (len < USBPROBE_ADB_HEADER_SIZE)
                return -EBADMSG;
        m.command = le32(buf);
        m.arg0 = le32(buf + 4);
        m.arg1 = le32(buf + 8);
        m.data_length = le32(buf + 12);
        m.data_check = le32(buf + 16);
        m.magic = le32(buf + 20);
        if (m.magic != (m.command ^ 0xffffffffu))
                return -EBADMSG;
        *ret = m;
        return 0;
}

void usbprobe_adb_header_build(uint32_t command, uint32_t arg0, uint32_t arg1, const uint8_t *data,
                               size_t data_len, uint8_t out[USBPROBE_ADB_HEADER_SIZE]) {
        put_le32(out, command);
        put_le32(out + 4, arg0);
        put_le32(out + 8, arg1);
        put_le32(out + 12, (uint32_t) data_len);
        put_le32(out + 16, usbprobe_adb_checksum(data, data_len));
        put_le32(out + 20, command ^ 0xffffffffu);
}

enum usbprobe_adb_answer usbprobe_adb_classify(const struct usbprobe_adb_msg *m) {
        if (m && m->command == USBPROBE_ADB_CNXN)
                return USBPROBE_ADB_ANSWER_CONNECTED;
        if (m && m->command == USBPROBE_ADB_AUTH && m->arg0 == USBPROBE_ADB_AUTH_TOKEN)
                return USBPROBE_ADB_ANSWER_AUTH;
        return USBPROBE_ADB_ANSWER_OTHER;
}
