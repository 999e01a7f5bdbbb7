/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Bluetooth: an HCI host over the transport a fixture radio names, with
 * every packet both ways handed to a tap (btsnoop evidence, the pairing
 * classifier). This is the driver the D-4 case and the DUT simulator use;
 * bt.h (kernel raw channel, shared with the kernel's own host stack) stays
 * for scans where the kernel may keep driving the controller.
 *
 * Transports (one ops table each, a static registry by kind):
 *  - "hci": a kernel HCI device ("hci0") on HCI_CHANNEL_USER. We are the
 *    only host of the controller: the kernel stops driving it, so pairing
 *    events reach us and nobody else answers them. Needs CAP_NET_ADMIN
 *    (bind on the user channel, and HCIDEVDOWN first: the user channel
 *    requires the device down, it is brought down for us); -EBUSY when
 *    another process holds the device or it cannot be brought down.
 *    Packets keep their H4 type octet; one read = one packet.
 *  - "unix": H4 as a byte stream over a unix stream socket
 *    ("unix:/path"), as BlueZ's `btvirt -s` serves emulated controllers.
 *  - "serial": H4 over a tty ("/dev/ttyUSB0", baud from an optional
 *    ":BAUD" suffix, default 115200; raw 8N1, RTS/CTS flow control), for
 *    USB-UART Bluetooth modules.
 * Stream transports are framed by bt_h4_packet_len() (pure, bounds
 * checked); a byte stream that does not frame is -EPROTO (lost sync).
 *
 * Deadlines: every call that waits takes an absolute CLOCK_MONOTONIC
 * deadline and an abort fd (-1 for none): it returns -ETIMEDOUT when the
 * deadline passes and -ECANCELED as soon as abort_fd is readable.
 * Errors are -errno. Events reach callers only through the pure decoders
 * (hci-event.h): a malformed event is dropped, never delivered.
 * Threads: one struct bt_host belongs to one thread; calls block it.
 * Logging: debug only. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/timeutil.h"
#include "drivers/bt/hci-event.h"

enum bt_transport_kind {
        BT_TRANSPORT_HCI,
        BT_TRANSPORT_UNIX,
        BT_TRANSPORT_SERIAL,
        _BT_TRANSPORT_MAX,
};

struct bt_transport_ops {
        const char *kind;               /* "hci", "unix", "serial" */
        bool stream;                    /* H4 byte stream that needs framing */
        /* Opens arg (the interface string without any "unix:" prefix);
         * *ret_fd is non-blocking and close-on-exec. */
        int (*open)(const char *arg, int *ret_fd);
};

/* The ops for a kind; NULL when unknown. */
const struct bt_transport_ops *bt_transport_get(enum bt_transport_kind kind);
/* Picks the transport from a fixture interface string: "hciN" -> hci,
 * "unix:/path" -> unix, "/dev/..." (optionally ":BAUD") -> serial.
 * -EINVAL otherwise. *ret_arg points into interface. */
int bt_transport_parse(const char *interface, enum bt_transport_kind *ret_kind, const char **ret_arg);

/* Pure: the length of the H4 packet at the start of buf (type octet
 * included), 0 when more bytes are needed to tell or to complete it,
 * -EBADMSG when the type octet is not an H4 packet type. */
int bt_h4_packet_len(const uint8_t *buf, size_t len, size_t *ret_len);

#define BT_H4_CMD   0x01
#define BT_H4_ACL   0x02
#define BT_H4_SCO   0x03
#define BT_H4_EVT   0x04
#define BT_H4_ISO   0x05

enum bt_dir {
        BT_DIR_TO_CONTROLLER,
        BT_DIR_FROM_CONTROLLER,
        _BT_DIR_MAX,
};

/* Called for every packet sent or received, H4 type octet first, with
 * CLOCK_REALTIME microseconds. Runs on the calling thread. */
typedef void (*bt_host_tap_fn)(enum bt_dir dir, const uint8_t *pkt, size_t len, usec_t realtime, void *userdata);

struct bt_host;

/* Opens the interface (see bt_transport_parse()). *ret freed with
 * bt_host_free(). */
int bt_host_open(const char *interface, struct bt_host **ret);
struct bt_host *bt_host_free(struct bt_host *h);
static inline void bt_host_freep(struct bt_host **h) {
        if (*h)
                bt_host_free(*h);
}
void bt_host_set_tap(struct bt_host *h, bt_host_tap_fn tap, void *userdata);
const char *bt_host_transport(const struct bt_host *h);

/* Sends an HCI command. Honours the controller's command credits: with
 * none left it first waits (queueing other events) for a Command
 * Complete/Status that grants one. */
int bt_host_send_cmd(struct bt_host *h, uint16_t opcode, const void *params, uint8_t len, usec_t deadline,
                     int abort_fd);

struct bt_host_cmd_result {
        bool complete;                  /* Command Complete, else Command Status */
        uint8_t status;
        uint8_t rparams[255];
        size_t rlen;
};

/* Sends a command and waits for its Command Complete / Status. Other
 * events that arrive meanwhile are queued (bounded) for
 * bt_hci_wait_event(). Returns 0 whatever the status (see ret); ret may
 * be NULL. */
int bt_host_cmd(struct bt_host *h, uint16_t opcode, const void *params, uint8_t len, usec_t deadline, int abort_fd,
                struct bt_host_cmd_result *ret);
/* As bt_host_cmd(), a non-zero status becomes -errno (bt_hci_status_to_errno). */
int bt_host_cmd_ok(struct bt_host *h, uint16_t opcode, const void *params, uint8_t len, usec_t deadline,
                   int abort_fd, struct bt_host_cmd_result *ret);

/* Returns > 0 to take the event (the wait ends), 0 to let it pass, < 0 to
 * end the wait with that error. */
typedef int (*bt_event_pred)(const struct bt_hci_evt *e, void *userdata);

/* Waits for an event the predicate takes: queued ones first, then from
 * the controller. *ret (may be NULL) points into h and lives until the
 * next call on h. The predicate's > 0 value is returned. */
int bt_hci_wait_event(struct bt_host *h, bt_event_pred pred, void *userdata, usec_t deadline, int abort_fd,
                      struct bt_hci_evt *ret);

/* ---- ACL data (LE pairing: SMP over L2CAP) ---- */

/* Called for every ACL packet from the controller (acl: the 4-octet ACL
 * header and its data, no H4 type octet), whichever call is reading:
 * the handler keeps what it needs (it runs before the call returns).
 * Return > 0 to wake the caller of bt_hci_wait_event() (now, or at its
 * next call if a command was being waited for), 0 otherwise; a value < 0
 * is treated as 0 (the handler records its own errors). */
typedef int (*bt_host_acl_fn)(const uint8_t *acl, size_t len, void *userdata);
void bt_host_set_acl_handler(struct bt_host *h, bt_host_acl_fn fn, void *userdata);

/* bt_hci_wait_event() returns this (> 0, never a predicate's own value
 * by convention: predicates return 1) when the ACL handler asked for a
 * wake-up; *ret is then not written. */
#define BT_HOST_WAKE_ACL 0x10000

/* Sends one L2CAP basic frame (cid, payload of len octets) on ACL
 * connection handle, in fragments of at most 27 data octets (the LE
 * minimum every controller accepts, Core Vol 6 Part B 2.4), the first
 * with packet boundary pb_start (0x00 first non-flushable, as LE wants;
 * 0x02 first flushable, BR/EDR), the rest as continuations. Does not wait
 * for Number of Completed Packets: callers keep one PDU in flight and
 * wait for the peer's answer. */
int bt_host_send_l2cap(struct bt_host *h, uint16_t handle, uint8_t pb_start, uint16_t cid, const void *payload,
                       uint16_t len, usec_t deadline, int abort_fd);

/* Total time calls on h have spent blocked waiting for the controller to
 * send something (poll on the transport): what the radio protocol and the
 * peer make us wait. The rest of a procedure's time is our own. */
usec_t bt_host_wait_usec(const struct bt_host *h);

/* The common start of a host: Reset, Set Event Mask (everything incl.
 * the Secure Simple Pairing events), Read BD_ADDR. */
int bt_host_init(struct bt_host *h, usec_t deadline, int abort_fd, struct bt_addr *ret_addr);

/* HCI status (0x01..0xff) to -errno; 0 for 0x00. */
int bt_host_status_to_errno(uint8_t status);
