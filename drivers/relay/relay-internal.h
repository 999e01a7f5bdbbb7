/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Private to drivers/relay: the backends the registry knows. */

#include <errno.h>

#include "relay.h"

extern const struct relay_backend_ops relay_backend_modbus_tcp;
extern const struct relay_backend_ops relay_backend_modbus_rtu;
extern const struct relay_backend_ops relay_backend_gpio;

/* True for errors that mean "the link to the board is gone": the board
 * thread drops the connection and reconnects on the next request. */
static inline int relay_errno_is_link(int r) {
        switch (-r) {
        case ECONNRESET: case ECONNREFUSED: case ECONNABORTED: case EPIPE:
        case ENOTCONN: case EBADF: case ENETUNREACH: case EHOSTUNREACH:
        case EHOSTDOWN: case ENETDOWN: case ENODEV: case ENXIO: case ENOENT:
        case ESHUTDOWN:
                return 1;
        default:
                return 0;
        }
}
