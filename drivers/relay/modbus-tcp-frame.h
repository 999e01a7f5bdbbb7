/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Modbus/TCP frames for the pipelined write-and-read-back: Write Single
 * Coil (0x05) and Read Coils (0x01). Pure functions over bytes, no I/O;
 * the parsers are bounds-checked against whatever a board (or anything
 * answering on its port) sends, and fuzzed. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MBTCP_HEADER_SIZE 7          /* MBAP: tid, protocol, length, unit */
#define MBTCP_REQUEST_SIZE 12        /* both requests we send */
#define MBTCP_FRAME_MAX (MBTCP_HEADER_SIZE + 253)

void mbtcp_encode_write_coil(uint8_t out[MBTCP_REQUEST_SIZE], uint16_t tid, uint8_t unit,
                             uint16_t addr, bool on);
void mbtcp_encode_read_coils(uint8_t out[MBTCP_REQUEST_SIZE], uint16_t tid, uint8_t unit,
                             uint16_t addr, uint16_t count);

/* Total size of the frame whose header starts buf: -EAGAIN when fewer than
 * MBTCP_HEADER_SIZE bytes are there yet, -EBADMSG for a header no Modbus
 * peer sends (protocol id not 0, length 0 or beyond the PDU maximum). */
int mbtcp_frame_size(const uint8_t *buf, size_t len);

/* Check a complete response frame against what was asked. 0 on success;
 * -EBADMSG malformed or not the answer to our request (transaction id,
 * unit, function, echoed address or value); an exception reply maps to
 * -EOPNOTSUPP (illegal function), -ERANGE (illegal address), -EINVAL
 * (illegal value), -EAGAIN (busy), -EIO (device failure and the rest). */
int mbtcp_parse_write_coil(const uint8_t *f, size_t len, uint16_t tid, uint8_t unit,
                           uint16_t addr, bool on);
int mbtcp_parse_read_coil(const uint8_t *f, size_t len, uint16_t tid, uint8_t unit, bool *ret_on);
