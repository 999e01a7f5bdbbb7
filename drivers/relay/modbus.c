/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Modbus backends (TCP and RTU) over libmodbus. Called only from the
 * board thread, so one modbus_t never crosses threads. Every call sets
 * libmodbus' response timeout from the caller's deadline, capped at the
 * board's per-request timeout, so no call outlives its deadline. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <modbus.h>

#include "common/log.h"
#include "common/macros.h"
#include "relay-internal.h"

struct relay_modbus {
        bool rtu;
        char *board;
        char *host;
        unsigned port;
        char *device;
        unsigned baud;
        char parity;
        unsigned data_bits, stop_bits;
        int unit;
        usec_t timeout;
        modbus_t *ctx;
};

static int relay_modbus_errno(int e) {
        /* libmodbus reports protocol failures in its own errno range. */
        switch (e) {
        case EMBXILFUN:  return -EOPNOTSUPP;
        case EMBXILADD:  return -ERANGE;
        case EMBXILVAL:  return -EINVAL;
        case EMBXSBUSY:  return -EAGAIN;
        case EMBXGPATH:
        case EMBXGTAR:   return -EHOSTUNREACH;
        case EMBXSFAIL:
        case EMBXACK:
        case EMBXNACK:
        case EMBXMEMPAR: return -EIO;
        case EMBBADCRC:
        case EMBBADDATA:
        case EMBBADEXC:
        case EMBUNKEXC:
        case EMBMDATA:
        case EMBBADSLAVE: return -EBADMSG;
        case 0:          return -EIO;
        default:         return e > 0 && e < MODBUS_ENOBASE ? -e : -EIO;
        }
}

static void relay_modbus_disconnect(void *state) {
        struct relay_modbus *m = state;

        if (!m || !m->ctx)
                return;
        modbus_close(m->ctx);
        modbus_free(m->ctx);
        m->ctx = NULL;
}

static void relay_modbus_free(void *state) {
        struct relay_modbus *m = state;

        if (!m)
                return;
        relay_modbus_disconnect(m);
        free(m->board);
        free(m->host);
        free(m->device);
        free(m);
}

DEFINE_TRIVIAL_CLEANUP_FUNC(struct relay_modbus *, relay_modbus_free);

static int relay_modbus_open_common(const struct fx_relay_board *cfg, bool rtu, void **ret_state) {
        _cleanup_(relay_modbus_freep) struct relay_modbus *m = NULL;

        if (rtu ? !cfg->device : !cfg->host)
                return -EINVAL;
        if (cfg->unit < 0 || cfg->unit > 247)
                return -EINVAL;
        m = calloc(1, sizeof(*m));
        if (!m)
                return -ENOMEM;
        m->rtu = rtu;
        m->board = strdup(cfg->name ? cfg->name : "relay");
        if (!m->board)
                return -ENOMEM;
        if (rtu) {
                m->device = strdup(cfg->device);
                if (!m->device)
                        return -ENOMEM;
                m->baud = cfg->baud ? cfg->baud : 19200;
                m->parity = cfg->parity ? cfg->parity : 'N';
                m->data_bits = cfg->data_bits ? cfg->data_bits : 8;
                m->stop_bits = cfg->stop_bits ? cfg->stop_bits : 1;
        } else {
                m->host = strdup(cfg->host);
                if (!m->host)
                        return -ENOMEM;
                m->port = cfg->port ? cfg->port : 502;
        }
        m->unit = cfg->unit;
        m->timeout = (usec_t) (cfg->timeout_ms ? cfg->timeout_ms : 500) * USEC_PER_MSEC;
        *ret_state = TAKE_PTR(m);
        return 0;
}

static int relay_modbus_tcp_open(const struct fx_relay_board *cfg, void **ret_state) {
        return relay_modbus_open_common(cfg, false, ret_state);
}

static int relay_modbus_rtu_open(const struct fx_relay_board *cfg, void **ret_state) {
        return relay_modbus_open_common(cfg, true, ret_state);
}

/* Response (and connect, for TCP) timeout: what is left until the
 * deadline, never more than the board's per-request timeout. */
static int relay_modbus_arm(struct relay_modbus *m, usec_t deadline) {
        usec_t now = mono_now(), left;

        if (deadline <= now)
                return -ETIMEDOUT;
        left = deadline - now;
        if (left > m->timeout)
                left = m->timeout;
        if (modbus_set_response_timeout(m->ctx, (uint32_t) (left / USEC_PER_SEC),
                                        (uint32_t) (left % USEC_PER_SEC)) < 0)
                return relay_modbus_errno(errno);
        if (modbus_set_byte_timeout(m->ctx, (uint32_t) (left / USEC_PER_SEC),
                                    (uint32_t) (left % USEC_PER_SEC)) < 0)
                return relay_modbus_errno(errno);
        return 0;
}

static int relay_modbus_connect(void *state, usec_t deadline) {
        struct relay_modbus *m = state;
        int r;

        relay_modbus_disconnect(m);
        if (m->rtu)
                m->ctx = modbus_new_rtu(m->device, (int) m->baud, m->parity,
                                        (int) m->data_bits, (int) m->stop_bits);
        else {
                char port[16];

                snprintf(port, sizeof(port), "%u", m->port);
                m->ctx = modbus_new_tcp_pi(m->host, port);
        }
        if (!m->ctx)
                return errno == ENOMEM ? -ENOMEM : -EINVAL;
        if (m->rtu || m->unit > 0)
                if (modbus_set_slave(m->ctx, m->unit) < 0) {
                        r = relay_modbus_errno(errno);
                        relay_modbus_disconnect(m);
                        return r;
                }
        r = relay_modbus_arm(m, deadline);
        if (r < 0) {
                relay_modbus_disconnect(m);
                return r;
        }
        if (modbus_connect(m->ctx) < 0) {
                r = relay_modbus_errno(errno);
                log_debug_errno(r, "relay %s: modbus connect: %s", m->board, modbus_strerror(errno));
                relay_modbus_disconnect(m);
                return r;
        }
        return 0;
}

static int relay_modbus_write(void *state, const struct fx_channel *ch, bool physical, usec_t deadline) {
        struct relay_modbus *m = state;
        int r;

        if (!m->ctx)
                return -ENOTCONN;
        r = relay_modbus_arm(m, deadline);
        if (r < 0)
                return r;
        if (modbus_write_bit(m->ctx, (int) ch->index, physical ? 1 : 0) != 1) {
                r = relay_modbus_errno(errno);
                log_debug_errno(r, "relay %s: write coil %u: %s", m->board, ch->index,
                                modbus_strerror(errno));
                return r;
        }
        return 0;
}

static int relay_modbus_read(void *state, const struct fx_channel *ch, bool *ret_physical, usec_t deadline) {
        struct relay_modbus *m = state;
        uint8_t v = 0;
        int r;

        if (!m->ctx)
                return -ENOTCONN;
        r = relay_modbus_arm(m, deadline);
        if (r < 0)
                return r;
        if (modbus_read_bits(m->ctx, (int) ch->index, 1, &v) != 1) {
                r = relay_modbus_errno(errno);
                log_debug_errno(r, "relay %s: read coil %u: %s", m->board, ch->index,
                                modbus_strerror(errno));
                return r;
        }
        *ret_physical = v != 0;
        return 0;
}

const struct relay_backend_ops relay_backend_modbus_tcp = {
        .kind = "modbus-tcp",
        .open = relay_modbus_tcp_open,
        .connect = relay_modbus_connect,
        .disconnect = relay_modbus_disconnect,
        .write = relay_modbus_write,
        .read = relay_modbus_read,
        .free = relay_modbus_free,
};

const struct relay_backend_ops relay_backend_modbus_rtu = {
        .kind = "modbus-rtu",
        .open = relay_modbus_rtu_open,
        .connect = relay_modbus_connect,
        .disconnect = relay_modbus_disconnect,
        .write = relay_modbus_write,
        .read = relay_modbus_read,
        .free = relay_modbus_free,
};
