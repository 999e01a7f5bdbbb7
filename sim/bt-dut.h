/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Internal to certbench-bt-dut: what bt-dut.c (options, the BR/EDR half,
 * the main loop) and bt-dut-le.c (the LE peripheral) share. Not a library:
 * one simulator process, one controller, one struct sim.
 *
 * The simulator runs one BR/EDR mode, one LE mode, or one of each (a
 * dual-mode DUT on one controller); an absent half has its mode
 * _MODE_MAX. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/macros.h"
#include "drivers/bt/acl.h"
#include "drivers/bt/hci-event.h"
#include "drivers/bt/transport.h"

enum mode {
        MODE_LEGACY_PIN,
        MODE_SSP_JUST_WORKS,
        MODE_SSP_NUMERIC,
        MODE_LE_LEGACY,
        MODE_LE_SC,
        MODE_LE_SC_ONLY,
        _MODE_MAX,
};

/* The CLI spelling of each mode ("legacy-pin", ..., "le-sc-only"). */
extern const char *const sim_mode_ids[_MODE_MAX];

/* True for the LE modes (le-legacy, le-sc, le-sc-only). */
bool sim_mode_is_le(enum mode m);

/* SMP PDUs the ACL handler has reassembled, waiting for the main loop:
 * the handler runs inside whatever call is reading the transport, where
 * sending is not safe, so it only queues. The largest SMP PDU is 65
 * octets (Public Key); anything longer is kept as "oversize". */
#define SMP_QUEUE_LEN 8
#define SMP_PDU_MAX   72

struct smp_queued {
        uint16_t handle;
        uint16_t len;
        bool oversize;
        uint8_t buf[SMP_PDU_MAX];
};

struct sim {
        struct bt_host *h;
        enum mode bredr_mode;        /* _MODE_MAX: no BR/EDR half */
        enum mode le_mode;           /* _MODE_MAX: no LE half */
        const char *pin;
        uint8_t io_cap;              /* LE: SMP IO capability we answer with */
        int sfd;

        /* LE: one connection at a time (a peripheral that stops
         * advertising once connected has at most one). */
        bool le_connected;
        uint16_t le_handle;
        struct bt_l2cap_reasm reasm;
        struct smp_queued queue[SMP_QUEUE_LEN];
        size_t q_head, q_count;
        unsigned q_dropped;
};

static inline bool sim_has_bredr(const struct sim *s) {
        return s->bredr_mode != _MODE_MAX;
}

static inline bool sim_has_le(const struct sim *s) {
        return s->le_mode != _MODE_MAX;
}

/* One line on stdout, flushed (scripts wait for them). */
void sim_say(const char *fmt, ...) _printf_(1, 2);

/* Sends an HCI command without waiting for its completion (5 s to get it
 * out); 0 or -errno. */
int sim_reply(struct sim *s, uint16_t opcode, const void *p, uint8_t len);

/* --io-cap: the SMP IO capability named ID, or -EINVAL; and its name. */
int sim_io_cap_from_string(const char *id);
const char *sim_io_cap_to_string(uint8_t io_cap);

/* LE peripheral setup for s->le_mode: LE host support, connectable
 * undirected advertising with Flags and NAME, the ACL handler for SMP.
 * Alone (no BR/EDR half) it turns the BR/EDR scans off first and
 * advertises "BR/EDR Not Supported"; in dual mode it leaves them as the
 * BR/EDR setup made them and advertises simultaneous LE and BR/EDR.
 * 0 or -errno; every command bounded by DEADLINE. */
int sim_le_setup(struct sim *s, const char *name, usec_t deadline);

/* The LE half's share of the HCI events: 0 when E was one it handled
 * (*ret: 0 or the -errno of its answer), -ENOMSG when it is not LE
 * business (a BR/EDR disconnection in dual mode among them). */
int sim_le_on_event(struct sim *s, const struct bt_hci_evt *e, int *ret);

/* Answers the SMP PDUs the ACL handler queued; 0 or -errno. */
int sim_le_drain(struct sim *s);
