/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Modbus backends (TCP and RTU) over libmodbus. Called only from the
 * board thread, so one modbus_t never crosses threads. Every call sets
 * libmodbus' response timeout from the caller's deadline, capped at the
 * board's per-request timeout, so no call outlives its deadline. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <poll.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <modbus.h>

#include "common/log.h"
#include "common/macros.h"
#include "modbus-tcp-frame.h"
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
        uint16_t tid;            /* our own transaction ids for pipelined frames */
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

/* The wait for one chunk of I/O: what is left until the deadline, never
 * more than the board's per-request timeout. */
static int relay_modbus_wait(struct relay_modbus *m, int fd, short events, usec_t deadline) {
        usec_t now = mono_now(), left;
        struct pollfd p = { .fd = fd, .events = events };
        struct timespec ts;
        int r;

        if (deadline <= now)
                return -ETIMEDOUT;
        left = deadline - now;
        if (left > m->timeout)
                left = m->timeout;
        r = ppoll(&p, 1, timespec_store(&ts, left), NULL);
        if (r < 0)
                return errno == EINTR ? 0 : -errno;
        if (r == 0)
                return -ETIMEDOUT;
        if (p.revents & (POLLERR | POLLNVAL))
                return -ECONNRESET;
        return 0;
}

static int relay_modbus_recv_frame(struct relay_modbus *m, int fd, uint8_t *buf, size_t *ret_len,
                                   usec_t deadline) {
        size_t have = 0, want = MBTCP_HEADER_SIZE;

        while (have < want) {
                static const int one = 1;
                ssize_t n;

                /* Acknowledge at once: a board whose stack runs Nagle holds
                 * the read-back answer until the write answer is ACKed, and
                 * a delayed ACK would add up to 40 ms. The kernel clears
                 * the flag by itself, so it is set before every read. */
                (void) setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
                n = recv(fd, buf + have, want - have, MSG_DONTWAIT);

                if (n == 0)
                        return -ECONNRESET;
                if (n < 0) {
                        int r;

                        if (errno != EAGAIN && errno != EINTR)
                                return -errno;
                        r = relay_modbus_wait(m, fd, POLLIN, deadline);
                        if (r < 0)
                                return r;
                        continue;
                }
                have += (size_t) n;
                if (have == MBTCP_HEADER_SIZE) {
                        int size = mbtcp_frame_size(buf, have);
                        if (size < 0)
                                return size;
                        want = (size_t) size;
                }
        }
        *ret_len = have;
        return 0;
}

/* Write Single Coil and Read Coils sent back to back in one segment, then
 * both answers read: the read-back costs no second round trip. Modbus/TCP
 * servers answer requests on a connection in order; our transaction ids
 * catch anything else, and any surprise drops the connection. */
static int relay_modbus_tcp_write_verify(void *state, const struct fx_channel *ch, bool physical,
                                         usec_t deadline, usec_t *ret_ack, bool *ret_physical) {
        struct relay_modbus *m = state;
        uint8_t req[2 * MBTCP_REQUEST_SIZE], buf[MBTCP_FRAME_MAX];
        uint8_t unit = m->unit > 0 ? (uint8_t) m->unit : 0xFF;  /* libmodbus' TCP default */
        uint16_t tid_w, tid_r, addr = (uint16_t) ch->index;
        size_t len = 0, sent = 0;
        usec_t ack;
        int fd, r;

        if (!m->ctx)
                return -ENOTCONN;
        fd = modbus_get_socket(m->ctx);
        if (fd < 0)
                return -ENOTCONN;
        tid_w = ++m->tid;
        tid_r = ++m->tid;
        mbtcp_encode_write_coil(req, tid_w, unit, addr, physical);
        mbtcp_encode_read_coils(req + MBTCP_REQUEST_SIZE, tid_r, unit, addr, 1);

        while (sent < sizeof(req)) {
                ssize_t n = send(fd, req + sent, sizeof(req) - sent, MSG_DONTWAIT | MSG_NOSIGNAL);

                if (n < 0) {
                        if (errno != EAGAIN && errno != EINTR)
                                return -errno;
                        r = relay_modbus_wait(m, fd, POLLOUT, deadline);
                        if (r < 0)
                                return r;
                        continue;
                }
                sent += (size_t) n;
        }

        r = relay_modbus_recv_frame(m, fd, buf, &len, deadline);
        if (r < 0)
                return r;
        ack = mono_now();
        r = mbtcp_parse_write_coil(buf, len, tid_w, unit, addr, physical);
        if (r < 0) {
                log_debug_errno(r, "relay %s: write coil %u: bad or refused answer: %m", m->board, addr);
                return r == -EBADMSG ? r : (relay_modbus_recv_frame(m, fd, buf, &len, deadline), r);
        }
        r = relay_modbus_recv_frame(m, fd, buf, &len, deadline);
        if (r < 0)
                return r;
        r = mbtcp_parse_read_coil(buf, len, tid_r, unit, ret_physical);
        if (r < 0) {
                log_debug_errno(r, "relay %s: read back coil %u: bad or refused answer: %m", m->board, addr);
                return r;
        }
        *ret_ack = ack;
        return 0;
}

const struct relay_backend_ops relay_backend_modbus_tcp = {
        .kind = "modbus-tcp",
        .open = relay_modbus_tcp_open,
        .connect = relay_modbus_connect,
        .disconnect = relay_modbus_disconnect,
        .write = relay_modbus_write,
        .read = relay_modbus_read,
        .write_verify = relay_modbus_tcp_write_verify,
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
