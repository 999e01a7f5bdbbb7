/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Bluetooth: an HCI driver over a kernel HCI device (hciN) through a
 * libbluetooth raw socket.
 *
 * Transport: hci_open_dev() = socket(AF_BLUETOOTH, SOCK_RAW, BTPROTO_HCI)
 * bound to the device on HCI_CHANNEL_RAW. On that channel the kernel
 * keeps driving the controller (its own init, inquiry cache, connections)
 * and every socket sees a copy of every event that passes its filter
 * (we set: event packets, all events, no opcode filter). Commands we send
 * are queued by the kernel behind its own, honouring the controller's
 * command credits.
 * Capabilities: CAP_NET_RAW to send any command and to receive events
 * outside the kernel's small "security filter" (without it only a few
 * read-only commands pass and most events are dropped); CAP_NET_ADMIN for
 * HCIDEVUP/HCIDEVDOWN (bt_hci_up()). Missing either: -EPERM. Sending
 * needs the device up (-ENETDOWN otherwise). A device another process
 * holds on HCI_CHANNEL_USER refuses the raw channel (-EBUSY). Root in the
 * rig guest has both capabilities.
 * (An exclusive HCI_CHANNEL_USER socket, and H4 over a tty or a unix
 * socket, are later transports: issue 4.)
 *
 * Deadlines: every call that waits takes an absolute CLOCK_MONOTONIC
 * deadline (usec_t, common/timeutil.h) and returns -ETIMEDOUT when it
 * passes. The exception is bt_hci_up(): HCIDEVUP blocks in the kernel,
 * bounded by the kernel's own init timeouts (HCI_INIT_TIMEOUT, 10 s per
 * command); we check the deadline before and after it.
 *
 * Errors are -errno. An HCI status from the controller maps to -errno
 * through bt_hci_status_to_errno() (the raw status stays available in
 * struct bt_hci_cmd_result). Events are decoded only by the pure decoders
 * in drivers/bt/hci-event.h.
 *
 * Threads: a struct bt_hci belongs to one thread at a time; calls block
 * the calling thread (never the daemon's main loop). Logging: debug only.
 * Nothing here includes daemon/ headers. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/timeutil.h"
#include "drivers/bt/hci-event.h"

struct bt_hci;

/* Opens kernel HCI device dev_id (0 for hci0) on HCI_CHANNEL_RAW. The
 * device may be down. *ret is freed with bt_hci_free(). */
int bt_hci_open(int dev_id, struct bt_hci **ret);
/* Closes the socket (the device stays as it is). Takes NULL; returns NULL. */
struct bt_hci *bt_hci_free(struct bt_hci *h);
static inline void bt_hci_freep(struct bt_hci **h) {
        if (*h)
                bt_hci_free(*h);
}

int bt_hci_dev_id(const struct bt_hci *h);

/* Powers the device up (HCIDEVUP; already up is success). CAP_NET_ADMIN. */
int bt_hci_up(struct bt_hci *h, usec_t deadline);

/* HCI status (0x01..0xff) to -errno; 0 for 0x00. */
int bt_hci_status_to_errno(uint8_t status);

struct bt_hci_cmd_result {
        bool complete;            /* Command Complete (true) or Command Status (false) */
        uint8_t status;           /* Command Status: its status; Command Complete: first return octet (0 if none) */
        uint8_t rparams[255];     /* Command Complete return parameters (protocol maximum) */
        size_t rlen;
};

/* Sends command (ogf, ocf) with len parameter octets and waits for the
 * Command Complete or Command Status carrying its opcode; other events
 * read meanwhile are dropped, and so are events queued on the socket
 * before the call (they cannot answer a command not yet sent: this keeps
 * a stale Command Complete of the kernel's own identical command, e.g.
 * Read BD_ADDR at power-on, from being taken for ours). The same holds
 * for bt_hci_inquiry() and bt_hci_le_scan(). Returns 0 when the event came (whatever its
 * status: look at ret->status, or bt_hci_status_to_errno()), -ETIMEDOUT,
 * or a socket error. ret may be NULL. */
int bt_hci_command(struct bt_hci *h, uint8_t ogf, uint16_t ocf, const void *params, uint8_t len, usec_t deadline,
                   struct bt_hci_cmd_result *ret);

/* As bt_hci_command(), and a non-zero status becomes -errno. */
int bt_hci_command_ok(struct bt_hci *h, uint8_t ogf, uint16_t ocf, const void *params, uint8_t len,
                      usec_t deadline, struct bt_hci_cmd_result *ret);

/* Read BD_ADDR (0x1009). The device must be up. */
int bt_hci_read_bdaddr(struct bt_hci *h, usec_t deadline, struct bt_addr *ret);

/* Write Scan Enable (0x0c1a): bit 0 inquiry scan, bit 1 page scan. */
int bt_hci_write_scan_enable(struct bt_hci *h, uint8_t scan, usec_t deadline);

/* Write Inquiry Mode (0x0c45): 0 standard, 1 with RSSI, 2 with RSSI or
 * extended (EIR) results. */
int bt_hci_write_inquiry_mode(struct bt_hci *h, uint8_t mode, usec_t deadline);

/* Write Extended Inquiry Response (0x0c52): len <= 240 octets of EIR
 * structures (zero-padded), sent in answer to inquiries. */
int bt_hci_write_eir(struct bt_hci *h, const uint8_t *data, size_t len, usec_t deadline);

/* Called for each inquiry response / advertising report, on the calling
 * thread. Return 0 to go on, > 0 to stop early (success), < 0 to abort
 * with that error. */
typedef int (*bt_inquiry_fn)(const struct bt_inquiry_info *info, void *userdata);
typedef int (*bt_adv_report_fn)(const struct bt_le_adv_report *rep, void *userdata);

/* General inquiry (GIAC 0x9E8B33) for about "seconds" (rounded up to
 * 1.28 s units, 1..61 s), unlimited responses. Calls cb for each response
 * (Inquiry Result, with RSSI, Extended) until Inquiry Complete, a stop
 * from cb, or the deadline. Stopping early or at the deadline sends
 * Inquiry Cancel. 0 on completion or stop; -ETIMEDOUT at the deadline;
 * the controller's refusal as -errno. */
int bt_hci_inquiry(struct bt_hci *h, unsigned seconds, usec_t deadline, bt_inquiry_fn cb, void *userdata);

/* LE active scan (interval = window = 10 ms, no duplicate filtering):
 * calls cb for each LE Advertising Report until cb stops it or the
 * deadline; scanning is disabled again on every exit path. 0 on a stop
 * from cb, -ETIMEDOUT at the deadline. */
int bt_hci_le_scan(struct bt_hci *h, usec_t deadline, bt_adv_report_fn cb, void *userdata);

/* Legacy advertising: connectable undirected (ADV_IND), 20-30 ms
 * interval, all channels, with data (<= 31 octets of AD structures).
 * bt_hci_le_advertise_stop() turns it off. */
int bt_hci_le_advertise_start(struct bt_hci *h, const uint8_t *data, uint8_t len, usec_t deadline);
int bt_hci_le_advertise_stop(struct bt_hci *h, usec_t deadline);
