/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* HCI driver over a kernel HCI device (raw channel). See bt.h. */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bluetooth/bluetooth.h>
#include <bluetooth/hci.h>
#include <bluetooth/hci_lib.h>

#include "common/log.h"
#include "common/macros.h"
#include "drivers/bt/bt.h"

struct bt_hci {
        int dev_id;
        int fd;
        /* One packet as read from the socket: type octet + event. An event
         * is at most 2 + 255 octets; the slack lets an oversized packet be
         * seen (and rejected) instead of silently truncated. */
        uint8_t buf[1 + 2 + 255 + 64];
};

int bt_hci_open(int dev_id, struct bt_hci **ret) {
        _cleanup_free_ struct bt_hci *h = NULL;
        _cleanup_close_ int fd = -1;
        struct hci_filter flt;
        int flags;

        if (dev_id < 0 || !ret)
                return -EINVAL;
        h = calloc(1, sizeof(*h));
        if (!h)
                return -ENOMEM;
        fd = hci_open_dev(dev_id);
        if (fd < 0)
                return log_debug_errno(negative_errno(), "bt: hci%d: open: %m", dev_id);
        /* hci_open_dev() sets neither: we poll before every read and the
         * socket must not leak into children. */
        flags = fcntl(fd, F_GETFL);
        if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
                return log_debug_errno(negative_errno(), "bt: hci%d: fcntl: %m", dev_id);
        hci_filter_clear(&flt);
        hci_filter_set_ptype(HCI_EVENT_PKT, &flt);
        hci_filter_all_events(&flt);
        if (setsockopt(fd, SOL_HCI, HCI_FILTER, &flt, sizeof(flt)) < 0)
                return log_debug_errno(negative_errno(), "bt: hci%d: set filter: %m", dev_id);
        h->dev_id = dev_id;
        h->fd = TAKE_FD(fd);
        *ret = TAKE_PTR(h);
        return 0;
}

struct bt_hci *bt_hci_free(struct bt_hci *h) {
        if (!h)
                return NULL;
        if (h->fd >= 0)
                close(h->fd);
        free(h);
        return NULL;
}

int bt_hci_dev_id(const struct bt_hci *h) {
        return h->dev_id;
}

int bt_hci_up(struct bt_hci *h, usec_t deadline) {
        if (mono_now() >= deadline)
                return -ETIMEDOUT;
        if (ioctl(h->fd, HCIDEVUP, h->dev_id) < 0 && errno != EALREADY)
                return log_debug_errno(negative_errno(), "bt: hci%d: HCIDEVUP: %m", h->dev_id);
        /* The ioctl is bounded by the kernel, not by us: report an overrun. */
        if (mono_now() > deadline)
                return -ETIMEDOUT;
        return 0;
}

int bt_hci_status_to_errno(uint8_t status) {
        switch (status) {
        case 0x00: return 0;
        case 0x01: return -EOPNOTSUPP;   /* unknown HCI command */
        case 0x02: return -ENOTCONN;     /* unknown connection identifier */
        case 0x04: return -EHOSTDOWN;    /* page timeout */
        case 0x05: return -EACCES;       /* authentication failure */
        case 0x06: return -ENOKEY;       /* PIN or key missing */
        case 0x07: return -ENOMEM;       /* memory capacity exceeded */
        case 0x08: return -ETIMEDOUT;    /* connection timeout */
        case 0x0c: return -EBUSY;        /* command disallowed */
        case 0x11: return -EOPNOTSUPP;   /* unsupported feature or parameter value */
        case 0x12: return -EINVAL;       /* invalid HCI command parameters */
        case 0x1a: return -EOPNOTSUPP;   /* unsupported remote feature */
        default:   return -EIO;
        }
}

/* Waits for the next well-formed event. Malformed packets are dropped
 * (debug log) and waiting goes on; the deadline bounds it all. */
static int hci_event_next(struct bt_hci *h, usec_t deadline, struct bt_hci_evt *ret) {
        for (;;) {
                struct pollfd pfd = { .fd = h->fd, .events = POLLIN };
                ssize_t n;
                int r;

                r = poll(&pfd, 1, deadline_poll_ms(deadline));
                if (r < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                if (r == 0)
                        return -ETIMEDOUT;
                n = read(h->fd, h->buf, sizeof(h->buf));
                if (n < 0) {
                        if (errno == EINTR || errno == EAGAIN)
                                continue;
                        return log_debug_errno(negative_errno(), "bt: hci%d: read: %m", h->dev_id);
                }
                if (n < 1 || h->buf[0] != HCI_EVENT_PKT)
                        continue;
                r = bt_hci_evt_parse(h->buf + 1, (size_t) n - 1, ret);
                if (r < 0) {
                        log_debug_errno(r, "bt: hci%d: dropping malformed event (%zd octets)", h->dev_id, n);
                        continue;
                }
                return 0;
        }
}

/* Discards what is already queued: nothing in it can answer a command
 * we are about to send. Bounded: the socket buffer is finite. */
static void hci_drain(struct bt_hci *h) {
        for (unsigned i = 0; i < 4096; i++)
                if (read(h->fd, h->buf, sizeof(h->buf)) < 0 && errno != EINTR)
                        return;
}

static int hci_send(struct bt_hci *h, uint8_t ogf, uint16_t ocf, const void *params, uint8_t len) {
        hci_drain(h);
        /* hci_send_cmd() casts away const; it only reads. */
        if (hci_send_cmd(h->fd, ogf, ocf, len, (void *) params) < 0)
                return log_debug_errno(negative_errno(), "bt: hci%d: send %04x: %m", h->dev_id,
                                       BT_HCI_OPCODE(ogf, ocf));
        return 0;
}

/* If e answers opcode, fills *ret and returns 1; 0 if it does not. */
static int cmd_result_match(const struct bt_hci_evt *e, uint16_t opcode, struct bt_hci_cmd_result *ret) {
        struct bt_hci_cmd_complete cc;
        struct bt_hci_cmd_status cs;

        if (bt_hci_evt_cmd_complete(e, &cc) == 0 && cc.opcode == opcode) {
                ret->complete = true;
                ret->rlen = cc.rlen;
                memcpy(ret->rparams, cc.rparams, cc.rlen);   /* rlen <= 252 */
                ret->status = cc.rlen > 0 ? cc.rparams[0] : 0;
                return 1;
        }
        if (bt_hci_evt_cmd_status(e, &cs) == 0 && cs.opcode == opcode) {
                ret->complete = false;
                ret->rlen = 0;
                ret->status = cs.status;
                return 1;
        }
        return 0;
}

int bt_hci_command(struct bt_hci *h, uint8_t ogf, uint16_t ocf, const void *params, uint8_t len, usec_t deadline,
                   struct bt_hci_cmd_result *ret) {
        uint16_t opcode = BT_HCI_OPCODE(ogf, ocf);
        struct bt_hci_cmd_result res;
        int r;

        if (len > 0 && !params)
                return -EINVAL;
        if (mono_now() >= deadline)
                return -ETIMEDOUT;
        r = hci_send(h, ogf, ocf, params, len);
        if (r < 0)
                return r;
        for (;;) {
                struct bt_hci_evt e;

                r = hci_event_next(h, deadline, &e);
                if (r < 0)
                        return log_debug_errno(r, "bt: hci%d: waiting for %04x: %m", h->dev_id, opcode);
                if (cmd_result_match(&e, opcode, &res))
                        break;
        }
        log_debug("bt: hci%d: %04x -> %s status 0x%02x", h->dev_id, opcode, res.complete ? "complete" : "status",
                  res.status);
        if (ret)
                *ret = res;
        return 0;
}

int bt_hci_command_ok(struct bt_hci *h, uint8_t ogf, uint16_t ocf, const void *params, uint8_t len,
                      usec_t deadline, struct bt_hci_cmd_result *ret) {
        struct bt_hci_cmd_result res;
        int r;

        r = bt_hci_command(h, ogf, ocf, params, len, deadline, &res);
        if (r < 0)
                return r;
        r = bt_hci_status_to_errno(res.status);
        if (r < 0)
                return r;
        if (ret)
                *ret = res;
        return 0;
}

int bt_hci_read_bdaddr(struct bt_hci *h, usec_t deadline, struct bt_addr *ret) {
        struct bt_hci_cmd_result res;
        int r;

        r = bt_hci_command_ok(h, OGF_INFO_PARAM, OCF_READ_BD_ADDR, NULL, 0, deadline, &res);
        if (r < 0)
                return r;
        if (!res.complete || res.rlen != 7)
                return -EBADMSG;
        memcpy(ret->b, res.rparams + 1, 6);
        return 0;
}

int bt_hci_write_scan_enable(struct bt_hci *h, uint8_t scan, usec_t deadline) {
        return bt_hci_command_ok(h, OGF_HOST_CTL, OCF_WRITE_SCAN_ENABLE, &scan, 1, deadline, NULL);
}

int bt_hci_write_inquiry_mode(struct bt_hci *h, uint8_t mode, usec_t deadline) {
        if (mode > 2)
                return -EINVAL;
        return bt_hci_command_ok(h, OGF_HOST_CTL, OCF_WRITE_INQUIRY_MODE, &mode, 1, deadline, NULL);
}

int bt_hci_write_eir(struct bt_hci *h, const uint8_t *data, size_t len, usec_t deadline) {
        uint8_t p[1 + BT_HCI_EIR_SIZE] = {};   /* FEC not required, then the data */

        if (len > BT_HCI_EIR_SIZE || (len > 0 && !data))
                return -EINVAL;
        if (len > 0)
                memcpy(p + 1, data, len);
        return bt_hci_command_ok(h, OGF_HOST_CTL, OCF_WRITE_EXT_INQUIRY_RESPONSE, p, sizeof(p), deadline, NULL);
}

/* Inquiry Cancel, bounded by the caller's deadline or, when that has
 * passed, by a short grace so the controller is not left inquiring. */
static void inquiry_cancel(struct bt_hci *h, usec_t deadline) {
        usec_t d = deadline;

        if (mono_now() >= d)
                d = deadline_in(2 * USEC_PER_SEC);
        (void) bt_hci_command(h, OGF_LINK_CTL, OCF_INQUIRY_CANCEL, NULL, 0, d, NULL);
}

int bt_hci_inquiry(struct bt_hci *h, unsigned seconds, usec_t deadline, bt_inquiry_fn cb, void *userdata) {
        uint16_t opcode = BT_HCI_OPCODE(OGF_LINK_CTL, OCF_INQUIRY);
        unsigned units = ((seconds > 61 ? 61 : seconds) * 100 + 127) / 128;   /* 1.28 s units, rounded up */
        uint8_t params[5];
        bool started = false;
        int r;

        if (!cb)
                return -EINVAL;
        units = units < 1 ? 1 : units > 0x30 ? 0x30 : units;
        params[0] = 0x33, params[1] = 0x8b, params[2] = 0x9e;   /* GIAC 0x9E8B33, little-endian */
        params[3] = (uint8_t) units;
        params[4] = 0;                                          /* unlimited responses */
        if (mono_now() >= deadline)
                return -ETIMEDOUT;
        r = hci_send(h, OGF_LINK_CTL, OCF_INQUIRY, params, sizeof(params));
        if (r < 0)
                return r;

        for (;;) {
                struct bt_hci_cmd_result res;
                struct bt_hci_evt e;
                uint8_t status;
                size_t n;

                r = hci_event_next(h, deadline, &e);
                if (r < 0) {
                        if (started)
                                inquiry_cancel(h, deadline);
                        return log_debug_errno(r, "bt: hci%d: inquiry: %m", h->dev_id);
                }
                if (cmd_result_match(&e, opcode, &res)) {
                        if (res.status != 0)
                                return log_debug_errno(bt_hci_status_to_errno(res.status),
                                                       "bt: hci%d: inquiry refused, status 0x%02x", h->dev_id,
                                                       res.status);
                        started = true;
                        continue;
                }
                if (bt_hci_evt_inquiry_complete(&e, &status) == 0) {
                        /* Only ours counts: one the kernel started ends before ours is accepted. */
                        if (!started)
                                continue;
                        return bt_hci_status_to_errno(status);
                }
                if (bt_hci_evt_inquiry_result_count(&e, &n) < 0)
                        continue;
                for (size_t i = 0; i < n; i++) {
                        struct bt_inquiry_info info;

                        if (bt_hci_evt_inquiry_result_get(&e, i, &info) < 0)
                                break;
                        r = cb(&info, userdata);
                        if (r != 0) {
                                inquiry_cancel(h, deadline);
                                return r < 0 ? r : 0;
                        }
                }
        }
}

static int le_scan_enable(struct bt_hci *h, bool enable, usec_t deadline) {
        uint8_t p[2] = { enable, 0x00 };   /* no duplicate filtering: every report counts */

        return bt_hci_command_ok(h, OGF_LE_CTL, OCF_LE_SET_SCAN_ENABLE, p, sizeof(p), deadline, NULL);
}

int bt_hci_le_scan(struct bt_hci *h, usec_t deadline, bt_adv_report_fn cb, void *userdata) {
        const uint8_t params[7] = {
                0x01,             /* active: ask for scan responses too */
                0x10, 0x00,       /* interval 16 * 0.625 ms = 10 ms */
                0x10, 0x00,       /* window = interval: scan continuously */
                0x00,             /* own address public */
                0x00,             /* accept all advertisers */
        };
        int r;

        if (!cb)
                return -EINVAL;
        /* A scan left enabled (by us, a crash, another tool) makes the
         * parameters command fail with Command Disallowed: stop it first. */
        (void) le_scan_enable(h, false, deadline);
        r = bt_hci_command_ok(h, OGF_LE_CTL, OCF_LE_SET_SCAN_PARAMETERS, params, sizeof(params), deadline, NULL);
        if (r < 0)
                return log_debug_errno(r, "bt: hci%d: LE scan parameters: %m", h->dev_id);
        r = le_scan_enable(h, true, deadline);
        if (r < 0)
                return log_debug_errno(r, "bt: hci%d: LE scan enable: %m", h->dev_id);

        for (;;) {
                struct bt_hci_evt e;
                size_t n;

                r = hci_event_next(h, deadline, &e);
                if (r < 0)
                        break;
                if (bt_hci_evt_le_adv_report_count(&e, &n) < 0)
                        continue;
                for (size_t i = 0; i < n && r == 0; i++) {
                        struct bt_le_adv_report rep;

                        if (bt_hci_evt_le_adv_report_get(&e, i, &rep) < 0)
                                break;
                        r = cb(&rep, userdata);
                }
                if (r != 0) {
                        if (r > 0)
                                r = 0;
                        break;
                }
        }
        {
                usec_t d = mono_now() >= deadline ? deadline_in(2 * USEC_PER_SEC) : deadline;
                (void) le_scan_enable(h, false, d);
        }
        return r;
}

int bt_hci_le_advertise_start(struct bt_hci *h, const uint8_t *data, uint8_t len, usec_t deadline) {
        const uint8_t params[15] = {
                0x20, 0x00,                          /* min interval 32 * 0.625 = 20 ms */
                0x30, 0x00,                          /* max interval 30 ms */
                0x00,                                /* ADV_IND */
                0x00,                                /* own address public */
                0x00, 0, 0, 0, 0, 0, 0,              /* peer (unused for ADV_IND) */
                0x07,                                /* channels 37, 38, 39 */
                0x00,                                /* no filter */
        };
        uint8_t adv[1 + BT_HCI_ADV_MAX] = {};
        uint8_t on = 1;
        int r;

        if (len > BT_HCI_ADV_MAX || (len > 0 && !data))
                return -EINVAL;
        (void) bt_hci_le_advertise_stop(h, deadline);   /* parameters are refused while advertising */
        r = bt_hci_command_ok(h, OGF_LE_CTL, OCF_LE_SET_ADVERTISING_PARAMETERS, params, sizeof(params), deadline,
                              NULL);
        if (r < 0)
                return log_debug_errno(r, "bt: hci%d: LE advertising parameters: %m", h->dev_id);
        adv[0] = len;
        if (len > 0)
                memcpy(adv + 1, data, len);
        r = bt_hci_command_ok(h, OGF_LE_CTL, OCF_LE_SET_ADVERTISING_DATA, adv, sizeof(adv), deadline, NULL);
        if (r < 0)
                return log_debug_errno(r, "bt: hci%d: LE advertising data: %m", h->dev_id);
        r = bt_hci_command_ok(h, OGF_LE_CTL, OCF_LE_SET_ADVERTISE_ENABLE, &on, 1, deadline, NULL);
        if (r < 0)
                return log_debug_errno(r, "bt: hci%d: LE advertising enable: %m", h->dev_id);
        return 0;
}

int bt_hci_le_advertise_stop(struct bt_hci *h, usec_t deadline) {
        uint8_t off = 0;

        return bt_hci_command_ok(h, OGF_LE_CTL, OCF_LE_SET_ADVERTISE_ENABLE, &off, 1, deadline, NULL);
}
