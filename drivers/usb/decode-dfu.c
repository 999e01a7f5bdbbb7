/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* DFU 1.1 GETSTATUS replies and functional descriptors (pure; see probe.h). */
#include <errno.h>

#include "probe.h"

static const char *const state_names[USBPROBE_DFU_STATE_MAX + 1] = {
        "appIDLE", "appDETACH", "dfuIDLE", "dfuDNLOAD-SYNC", "dfuDNBUSY", "dfuDNLOAD-IDLE",
        "dfuMANIFEST-SYNC", "dfuMANIFEST", "dfuMANIFEST-WAIT-RESET", "dfuUPLOAD-IDLE", "dfuERROR",
};

const char *usbprobe_dfu_state_name(uint8_t state) {
        return state <= USBPROBE_DFU_STATE_MAX ? state_names[state] : NULL;
}

int usbprobe_dfu_status_parse(const uint8_t *buf, size_t len, struct usbprobe_dfu_status *ret) {
        if (!buf || !ret)
                return -EINVAL;
        if (len < 6 || buf[4] > USBPROBE_DFU_STATE_MAX)
                return -EBADMSG;
        *ret = (struct usbprobe_dfu_status) {
                .status = buf[0],
                .poll_timeout_ms = (uint32_t) buf[1] | (uint32_t) buf[2] << 8 | (uint32_t) buf[3] << 16,
                .state = buf[4],
                .string_index = buf[5],
        };
        return 0;
}

int usbprobe_dfu_functional_parse(const uint8_t *buf, size_t len, struct usbprobe_dfu_functional *ret) {
        if (!buf || !ret)
                return -EINVAL;
        if (len < 7 || buf[0] < 7 || buf[0] > len || buf[1] != USBPROBE_DFU_FUNCTIONAL_TYPE)
                return -EBADMSG;
        *ret = (struct usbprobe_dfu_functional) {
                .attributes = buf[2],
                .detach_timeout_ms = (uint16_t) (buf[3] | buf[4] << 8),
                .transfer_size = (uint16_t) (buf[5] | buf[6] << 8),
                .bcd_dfu = buf[0] >= 9 ? (uint16_t) (buf[7] | buf[8] << 8) : 0,
        };
        return 0;
}
