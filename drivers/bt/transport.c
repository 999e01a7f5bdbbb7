/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* HCI host over kernel user channel, unix socket or tty. See transport.h. */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include <bluetooth/bluetooth.h>
#include <bluetooth/hci.h>

#include "common/log.h"
#include "common/macros.h"
#include "drivers/bt/transport.h"

/* ------------------------------------------------------------ framing */

int bt_h4_packet_len(const uint8_t *buf, size_t len, size_t *ret_len) {
        size_t need;

        if (len < 1)
                return 0;
        switch (buf[0]) {
        case BT_H4_CMD:
        case BT_H4_SCO:
                if (len < 4)
                        return 0;
                need = 4 + (size_t) buf[3];
                break;
        case BT_H4_EVT:
                if (len < 3)
                        return 0;
                need = 3 + (size_t) buf[2];
                break;
        case BT_H4_ACL:
                if (len < 5)
                        return 0;
                need = 5 + (size_t) (buf[3] | (buf[4] << 8));
                break;
        case BT_H4_ISO:
                if (len < 5)
                        return 0;
                need = 5 + (size_t) ((buf[3] | (buf[4] << 8)) & 0x3fff);
                break;
        default:
                return -EBADMSG;
        }
        if (len < need)
                return 0;
        *ret_len = need;
        return 1;
}

/* --------------------------------------------------------- transports */

static int fd_setup(int fd) {
        int flags = fcntl(fd, F_GETFL);

        if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
                return negative_errno();
        return 0;
}

static int hci_user_open(const char *arg, int *ret_fd) {
        struct sockaddr_hci sa = { .hci_family = AF_BLUETOOTH, .hci_channel = HCI_CHANNEL_USER };
        _cleanup_close_ int fd = -1;
        char *end;
        unsigned long id;

        if (strncmp(arg, "hci", 3) != 0 || !arg[3])
                return -EINVAL;
        errno = 0;
        id = strtoul(arg + 3, &end, 10);
        if (errno || *end || id > 0xfffe)
                return -EINVAL;
        fd = socket(AF_BLUETOOTH, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, BTPROTO_HCI);
        if (fd < 0)
                return log_debug_errno(negative_errno(), "bt: %s: socket: %m", arg);
        /* The user channel wants the device down; the kernel's host stack
         * lets go of it there. */
        if (ioctl(fd, HCIDEVDOWN, (int) id) < 0 && errno != EALREADY)
                log_debug_errno(negative_errno(), "bt: %s: HCIDEVDOWN: %m", arg);
        sa.hci_dev = (unsigned short) id;
        if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                return log_debug_errno(negative_errno(), "bt: %s: bind HCI_CHANNEL_USER: %m", arg);
        *ret_fd = TAKE_FD(fd);
        return 0;
}

static int unix_open(const char *arg, int *ret_fd) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_close_ int fd = -1;
        size_t n = strlen(arg);

        if (n == 0 || n >= sizeof(sa.sun_path))
                return -EINVAL;
        memcpy(sa.sun_path, arg, n);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return negative_errno();
        /* A local connect does not block for long; non-blocking after. */
        if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                return log_debug_errno(negative_errno(), "bt: unix:%s: connect: %m", arg);
        if (fd_setup(fd) < 0)
                return negative_errno();
        *ret_fd = TAKE_FD(fd);
        return 0;
}

static int baud_to_speed(unsigned long baud, speed_t *ret) {
        static const struct {
                unsigned long baud;
                speed_t speed;
        } map[] = {
                { 9600, B9600 },     { 19200, B19200 },     { 38400, B38400 },     { 57600, B57600 },
                { 115200, B115200 }, { 230400, B230400 },   { 460800, B460800 },   { 921600, B921600 },
                { 1000000, B1000000 }, { 1500000, B1500000 }, { 2000000, B2000000 }, { 3000000, B3000000 },
        };
        for (size_t i = 0; i < ELEMENTSOF(map); i++)
                if (map[i].baud == baud) {
                        *ret = map[i].speed;
                        return 0;
                }
        return -EINVAL;
}

static int serial_open(const char *arg, int *ret_fd) {
        _cleanup_free_ char *path = strdup(arg);
        _cleanup_close_ int fd = -1;
        unsigned long baud = 115200;
        struct termios t;
        speed_t speed;
        char *colon;

        if (!path)
                return -ENOMEM;
        colon = strrchr(path, ':');
        if (colon) {
                char *end;

                *colon = '\0';
                errno = 0;
                baud = strtoul(colon + 1, &end, 10);
                if (errno || *end || colon[1] == '\0')
                        return -EINVAL;
        }
        if (baud_to_speed(baud, &speed) < 0)
                return -EINVAL;
        fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
                return log_debug_errno(negative_errno(), "bt: %s: open: %m", path);
        if (tcgetattr(fd, &t) < 0)
                return log_debug_errno(negative_errno(), "bt: %s: tcgetattr: %m", path);
        cfmakeraw(&t);
        t.c_cflag |= CLOCAL | CREAD | CRTSCTS;
        t.c_cflag &= ~(tcflag_t) CSTOPB;
        if (cfsetispeed(&t, speed) < 0 || cfsetospeed(&t, speed) < 0 || tcsetattr(fd, TCSANOW, &t) < 0)
                return log_debug_errno(negative_errno(), "bt: %s: tcsetattr: %m", path);
        tcflush(fd, TCIOFLUSH);
        *ret_fd = TAKE_FD(fd);
        return 0;
}

static const struct bt_transport_ops transport_table[_BT_TRANSPORT_MAX] = {
        [BT_TRANSPORT_HCI] = { .kind = "hci", .stream = false, .open = hci_user_open },
        [BT_TRANSPORT_UNIX] = { .kind = "unix", .stream = true, .open = unix_open },
        [BT_TRANSPORT_SERIAL] = { .kind = "serial", .stream = true, .open = serial_open },
};

const struct bt_transport_ops *bt_transport_get(enum bt_transport_kind kind) {
        return (unsigned) kind < _BT_TRANSPORT_MAX ? &transport_table[kind] : NULL;
}

int bt_transport_parse(const char *interface, enum bt_transport_kind *ret_kind, const char **ret_arg) {
        if (!interface || !*interface)
                return -EINVAL;
        if (strncmp(interface, "unix:", 5) == 0 && interface[5]) {
                *ret_kind = BT_TRANSPORT_UNIX;
                *ret_arg = interface + 5;
                return 0;
        }
        if (interface[0] == '/') {
                *ret_kind = BT_TRANSPORT_SERIAL;
                *ret_arg = interface;
                return 0;
        }
        if (strncmp(interface, "hci", 3) == 0 && interface[3] >= '0' && interface[3] <= '9') {
                *ret_kind = BT_TRANSPORT_HCI;
                *ret_arg = interface;
                return 0;
        }
        return -EINVAL;
}

/* --------------------------------------------------------------- host */

#define QUEUE_MAX 64
#define PKT_MAX (1 + 4 + 65535)

struct queued_evt {
        uint8_t len;                    /* parameter length */
        uint8_t data[2 + 255];          /* code, length, parameters */
};

struct bt_host {
        const struct bt_transport_ops *ops;
        int fd;
        uint8_t ncmd;                   /* command credits */
        bt_host_tap_fn tap;
        void *tap_userdata;
        /* stream reassembly */
        uint8_t *rx;
        size_t rx_len;
        /* one packet as read (user channel) */
        uint8_t *pkt;
        /* events read while waiting for something else */
        struct queued_evt queue[QUEUE_MAX];
        size_t q_head, q_count;
        uint8_t cur[2 + 255];           /* the event last handed out */
        bt_host_acl_fn acl_fn;
        void *acl_userdata;
        bool acl_wake;                  /* the ACL handler asked to wake a waiter */
        usec_t wait_usec;               /* time spent blocked waiting for the controller */
        unsigned reads;
};

int bt_host_open(const char *interface, struct bt_host **ret) {
        _cleanup_(bt_host_freep) struct bt_host *h = NULL;
        enum bt_transport_kind kind;
        const char *arg;
        int r;

        r = bt_transport_parse(interface, &kind, &arg);
        if (r < 0)
                return r;
        h = calloc(1, sizeof(*h));
        if (!h)
                return -ENOMEM;
        h->fd = -1;
        h->ncmd = 1;
        h->ops = bt_transport_get(kind);
        h->rx = malloc(PKT_MAX);
        h->pkt = malloc(PKT_MAX);
        if (!h->rx || !h->pkt)
                return -ENOMEM;
        r = h->ops->open(arg, &h->fd);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(h);
        return 0;
}

struct bt_host *bt_host_free(struct bt_host *h) {
        if (!h)
                return NULL;
        if (h->fd >= 0)
                close(h->fd);
        free(h->rx);
        free(h->pkt);
        free(h);
        return NULL;
}

void bt_host_set_tap(struct bt_host *h, bt_host_tap_fn tap, void *userdata) {
        h->tap = tap;
        h->tap_userdata = userdata;
}

const char *bt_host_transport(const struct bt_host *h) {
        return h->ops->kind;
}

int bt_host_status_to_errno(uint8_t status) {
        switch (status) {
        case 0x00: return 0;
        case 0x01: return -EOPNOTSUPP;
        case 0x02: return -ENOTCONN;
        case 0x04: return -EHOSTDOWN;
        case 0x05: return -EACCES;
        case 0x06: return -ENOKEY;
        case 0x07: return -ENOMEM;
        case 0x08: return -ETIMEDOUT;
        case 0x0b: return -EALREADY;
        case 0x0c: return -EBUSY;
        case 0x11: return -EOPNOTSUPP;
        case 0x12: return -EINVAL;
        case 0x1a: return -EOPNOTSUPP;
        default:   return -EIO;
        }
}

/* Waits until fd is ready for events, the deadline or the abort. */
static int wait_fd(int fd, short events, usec_t deadline, int abort_fd) {
        for (;;) {
                struct pollfd p[2] = { { .fd = fd, .events = events }, { .fd = abort_fd, .events = POLLIN } };
                int r;

                r = poll(p, abort_fd >= 0 ? 2 : 1, deadline_poll_ms(deadline));
                if (r < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                if (abort_fd >= 0 && p[1].revents)
                        return -ECANCELED;
                if (r == 0)
                        return -ETIMEDOUT;
                if (p[0].revents & (POLLERR | POLLNVAL))
                        return -EIO;
                if (p[0].revents & POLLHUP && !(p[0].revents & POLLIN))
                        return -ECONNRESET;
                return 0;
        }
}

static void tap(struct bt_host *h, enum bt_dir dir, const uint8_t *pkt, size_t len) {
        if (h->tap)
                h->tap(dir, pkt, len, now_usec(CLOCK_REALTIME), h->tap_userdata);
}

static int write_all(struct bt_host *h, const uint8_t *p, size_t len, usec_t deadline, int abort_fd) {
        while (len > 0) {
                ssize_t n = write(h->fd, p, len);
                int r;

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno != EAGAIN)
                                return log_debug_errno(negative_errno(), "bt: write: %m");
                        r = wait_fd(h->fd, POLLOUT, deadline, abort_fd);
                        if (r < 0)
                                return r;
                        continue;
                }
                /* The user channel takes a packet whole or not at all. */
                p += n;
                len -= (size_t) n;
        }
        return 0;
}

/* Reads the next packet into *ret_pkt (type octet first). */
static int read_packet(struct bt_host *h, usec_t deadline, int abort_fd, const uint8_t **ret_pkt, size_t *ret_len) {
        for (;;) {
                ssize_t n;
                size_t plen;
                int r;

                if (h->ops->stream) {
                        r = bt_h4_packet_len(h->rx, h->rx_len, &plen);
                        if (r < 0)
                                return log_debug_errno(-EPROTO, "bt: H4 stream out of sync (type 0x%02x)", h->rx[0]);
                        if (r > 0) {
                                memcpy(h->pkt, h->rx, plen);
                                memmove(h->rx, h->rx + plen, h->rx_len - plen);
                                h->rx_len -= plen;
                                *ret_pkt = h->pkt;
                                *ret_len = plen;
                                return 0;
                        }
                        n = read(h->fd, h->rx + h->rx_len, PKT_MAX - h->rx_len);
                } else
                        n = read(h->fd, h->pkt, PKT_MAX);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno != EAGAIN)
                                return log_debug_errno(negative_errno(), "bt: read: %m");
                        {
                                usec_t t0 = mono_now();

                                r = wait_fd(h->fd, POLLIN, deadline, abort_fd);
                                h->wait_usec += mono_now() - t0;
                        }
                        if (r < 0)
                                return r;
                        continue;
                }
                if (n == 0)
                        return log_debug_errno(-ECONNRESET, "bt: transport closed");
                if (h->ops->stream) {
                        h->rx_len += (size_t) n;
                        continue;
                }
                if (bt_h4_packet_len(h->pkt, (size_t) n, &plen) <= 0 || plen != (size_t) n) {
                        log_debug("bt: dropping malformed packet (%zd octets)", n);
                        continue;
                }
                *ret_pkt = h->pkt;
                *ret_len = (size_t) n;
                return 0;
        }
}

/* Next well-formed event from the controller (other packets are tapped
 * and skipped; ACL packets go to the ACL handler first). Tracks command
 * credits. Returns 1, with *ret not written, when the ACL handler asked
 * for a wake-up (h->acl_wake is then set for bt_hci_wait_event()). */
static int read_event(struct bt_host *h, usec_t deadline, int abort_fd, struct bt_hci_evt *ret) {
        for (;;) {
                const uint8_t *pkt = NULL;
                size_t len = 0;
                struct bt_hci_evt e;
                struct bt_hci_cmd_complete cc;
                struct bt_hci_cmd_status cs;
                int r;

                /* A read that blocks polls abort_fd with the transport; this
                 * check is for a controller that never lets it block, and
                 * every 16th packet is enough for that (a poll per packet
                 * was a tenth of a case's own time against btvirt). */
                if (abort_fd >= 0 && (h->reads++ & 15) == 0 && wait_fd(abort_fd, POLLIN, 0, -1) == 0)
                        return -ECANCELED;
                r = read_packet(h, deadline, abort_fd, &pkt, &len);
                if (r < 0)
                        return r;
                tap(h, BT_DIR_FROM_CONTROLLER, pkt, len);
                if (pkt[0] == BT_H4_ACL && h->acl_fn && h->acl_fn(pkt + 1, len - 1, h->acl_userdata) > 0) {
                        h->acl_wake = true;
                        return 1;
                }
                if (pkt[0] != BT_H4_EVT)
                        continue;
                if (bt_hci_evt_parse(pkt + 1, len - 1, &e) < 0)
                        continue;
                if (bt_hci_evt_cmd_complete(&e, &cc) == 0)
                        h->ncmd = cc.ncmd;
                else if (bt_hci_evt_cmd_status(&e, &cs) == 0)
                        h->ncmd = cs.ncmd;
                *ret = e;
                return 0;
        }
}

static void queue_push(struct bt_host *h, const struct bt_hci_evt *e) {
        struct queued_evt *q;

        /* Number of Completed Packets only returns ACL credits, which we do
         * not track (one PDU in flight); queued, a burst of them would push
         * out events a waiter needs. */
        if (e->code == 0x13)
                return;

        if (h->q_count == QUEUE_MAX) {
                log_debug("bt: event queue full, dropping the oldest");
                h->q_head = (h->q_head + 1) % QUEUE_MAX;
                h->q_count--;
        }
        q = &h->queue[(h->q_head + h->q_count) % QUEUE_MAX];
        q->len = e->len;
        q->data[0] = e->code;
        q->data[1] = e->len;
        memcpy(q->data + 2, e->params, e->len);
        h->q_count++;
}

int bt_host_send_cmd(struct bt_host *h, uint16_t opcode, const void *params, uint8_t len, usec_t deadline,
                     int abort_fd) {
        uint8_t pkt[4 + 255];
        int r;

        if (len > 0 && !params)
                return -EINVAL;
        while (h->ncmd == 0) {
                struct bt_hci_evt e;
                struct bt_hci_cmd_complete cc;
                struct bt_hci_cmd_status cs;

                r = read_event(h, deadline, abort_fd, &e);
                if (r < 0)
                        return r;
                if (r > 0)
                        continue;
                /* Credits-only Command Complete (opcode 0) carries nothing else. */
                if (bt_hci_evt_cmd_complete(&e, &cc) == 0 && cc.opcode == 0)
                        continue;
                (void) cs;
                queue_push(h, &e);
        }
        pkt[0] = BT_H4_CMD;
        pkt[1] = (uint8_t) opcode;
        pkt[2] = (uint8_t) (opcode >> 8);
        pkt[3] = len;
        if (len)
                memcpy(pkt + 4, params, len);
        r = write_all(h, pkt, 4 + (size_t) len, deadline, abort_fd);
        if (r < 0)
                return r;
        h->ncmd--;
        tap(h, BT_DIR_TO_CONTROLLER, pkt, 4 + (size_t) len);
        return 0;
}

int bt_host_cmd(struct bt_host *h, uint16_t opcode, const void *params, uint8_t len, usec_t deadline, int abort_fd,
                struct bt_host_cmd_result *ret) {
        int r;

        r = bt_host_send_cmd(h, opcode, params, len, deadline, abort_fd);
        if (r < 0)
                return r;
        for (;;) {
                struct bt_hci_evt e;
                struct bt_hci_cmd_complete cc;
                struct bt_hci_cmd_status cs;

                r = read_event(h, deadline, abort_fd, &e);
                if (r < 0)
                        return log_debug_errno(r, "bt: waiting for %04x: %m", opcode);
                if (r > 0)
                        continue;
                if (bt_hci_evt_cmd_complete(&e, &cc) == 0 && cc.opcode == opcode) {
                        if (ret) {
                                ret->complete = true;
                                ret->rlen = cc.rlen;
                                memcpy(ret->rparams, cc.rparams, cc.rlen);
                                ret->status = cc.rlen > 0 ? cc.rparams[0] : 0;
                        }
                        return 0;
                }
                if (bt_hci_evt_cmd_status(&e, &cs) == 0 && cs.opcode == opcode) {
                        if (ret) {
                                ret->complete = false;
                                ret->rlen = 0;
                                ret->status = cs.status;
                        }
                        return 0;
                }
                if (bt_hci_evt_cmd_complete(&e, &cc) == 0 && cc.opcode == 0)
                        continue;
                queue_push(h, &e);
        }
}

int bt_host_cmd_ok(struct bt_host *h, uint16_t opcode, const void *params, uint8_t len, usec_t deadline,
                   int abort_fd, struct bt_host_cmd_result *ret) {
        struct bt_host_cmd_result res;
        int r;

        r = bt_host_cmd(h, opcode, params, len, deadline, abort_fd, &res);
        if (r < 0)
                return r;
        r = bt_host_status_to_errno(res.status);
        if (r < 0)
                return log_debug_errno(r, "bt: %04x: status 0x%02x", opcode, res.status);
        if (ret)
                *ret = res;
        return 0;
}

int bt_hci_wait_event(struct bt_host *h, bt_event_pred pred, void *userdata, usec_t deadline, int abort_fd,
                      struct bt_hci_evt *ret) {
        int r;

        if (!pred)
                return -EINVAL;
        for (;;) {
                struct bt_hci_evt e;

                if (h->acl_wake) {
                        h->acl_wake = false;
                        return BT_HOST_WAKE_ACL;
                }
                /* The queue first, every time: a predicate that sends a
                 * command may queue events while it waits for credits. */
                if (h->q_count > 0) {
                        struct queued_evt *q = &h->queue[h->q_head];

                        memcpy(h->cur, q->data, 2 + (size_t) q->len);
                        h->q_head = (h->q_head + 1) % QUEUE_MAX;
                        h->q_count--;
                } else {
                        if (mono_now() >= deadline)
                                return -ETIMEDOUT;
                        r = read_event(h, deadline, abort_fd, &e);
                        if (r < 0)
                                return r;
                        if (r > 0)
                                continue;   /* the wake-up is taken at the top */
                        memcpy(h->cur, e.params - 2, 2 + (size_t) e.len);
                }
                e = (struct bt_hci_evt){ .code = h->cur[0], .len = h->cur[1], .params = h->cur + 2 };
                r = pred(&e, userdata);
                if (r != 0) {
                        if (r > 0 && ret)
                                *ret = e;
                        return r;
                }
        }
}

usec_t bt_host_wait_usec(const struct bt_host *h) {
        return h->wait_usec;
}

void bt_host_set_acl_handler(struct bt_host *h, bt_host_acl_fn fn, void *userdata) {
        h->acl_fn = fn;
        h->acl_userdata = userdata;
        h->acl_wake = false;
}

int bt_host_send_l2cap(struct bt_host *h, uint16_t handle, uint8_t pb_start, uint16_t cid, const void *payload,
                       uint16_t len, usec_t deadline, int abort_fd) {
        enum { FRAG = 27 };
        uint8_t frame[4 + 1024], pkt[1 + 4 + FRAG];
        size_t total, off = 0;
        int r;

        if ((len > 0 && !payload) || len > sizeof(frame) - 4 || handle > 0x0eff || (pb_start != 0x00 && pb_start != 0x02))
                return -EINVAL;
        frame[0] = (uint8_t) len;
        frame[1] = (uint8_t) (len >> 8);
        frame[2] = (uint8_t) cid;
        frame[3] = (uint8_t) (cid >> 8);
        if (len)
                memcpy(frame + 4, payload, len);
        total = 4 + (size_t) len;
        while (off < total) {
                size_t n = total - off < FRAG ? total - off : FRAG;
                uint8_t pb = off == 0 ? pb_start : 0x01;

                pkt[0] = BT_H4_ACL;
                pkt[1] = (uint8_t) handle;
                pkt[2] = (uint8_t) ((handle >> 8) | (pb << 4));
                pkt[3] = (uint8_t) n;
                pkt[4] = 0;
                memcpy(pkt + 5, frame + off, n);
                r = write_all(h, pkt, 5 + n, deadline, abort_fd);
                if (r < 0)
                        return r;
                tap(h, BT_DIR_TO_CONTROLLER, pkt, 5 + n);
                off += n;
        }
        return 0;
}

int bt_host_init(struct bt_host *h, usec_t deadline, int abort_fd, struct bt_addr *ret_addr) {
        /* Everything up to bit 61: the SSP events sit above the default mask. */
        static const uint8_t mask[8] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x3f };
        struct bt_host_cmd_result res;
        int r;

        r = bt_host_cmd_ok(h, 0x0c03, NULL, 0, deadline, abort_fd, NULL);   /* Reset */
        if (r < 0)
                return r;
        h->q_count = 0;   /* nothing from before the reset matters */
        r = bt_host_cmd_ok(h, 0x0c01, mask, sizeof(mask), deadline, abort_fd, NULL);   /* Set Event Mask */
        if (r < 0)
                return r;
        r = bt_host_cmd_ok(h, 0x1009, NULL, 0, deadline, abort_fd, &res);   /* Read BD_ADDR */
        if (r < 0)
                return r;
        if (res.rlen != 7)
                return -EBADMSG;
        if (ret_addr)
                memcpy(ret_addr->b, res.rparams + 1, 6);
        return 0;
}
