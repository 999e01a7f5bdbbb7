/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: whatever answers on a relay board's Modbus/TCP port. */

#include <stdint.h>

#include "drivers/relay/modbus-tcp-frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        bool on = false;
        uint16_t tid = size >= 2 ? (uint16_t) ((data[0] << 8) | data[1]) : 0;

        (void) mbtcp_frame_size(data, size);
        (void) mbtcp_parse_write_coil(data, size, tid, size > 6 ? data[6] : 0, 4, true);
        (void) mbtcp_parse_read_coil(data, size, tid, size > 6 ? data[6] : 0, &on);
        return 0;
}
