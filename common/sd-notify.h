/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The two systemd protocols certbenchd speaks, written out so the daemon
 * does not map libsystemd and the compression and crypto libraries it
 * pulls in (about 1 MB of resident memory on a Raspberry Pi).
 *
 * notify_send(): one datagram to $NOTIFY_SOCKET ("READY=1", "WATCHDOG=1",
 * ...). Returns 1 when sent, 0 when not running under systemd, -errno.
 * notify_watchdog_usec(): $WATCHDOG_USEC when $WATCHDOG_PID is unset or
 * ours; 0 when no watchdog is asked for.
 * journal_send(): one entry over the journal's native socket; fields are
 * "KEY" / value pairs. Returns 0 or -errno. All are thread-safe and never
 * block (datagrams, MSG_DONTWAIT). */

#include <stddef.h>
#include <stdint.h>

int notify_send(const char *state);
uint64_t notify_watchdog_usec(void);

struct journal_field {
        const char *key;
        const char *value;
};

int journal_send(const struct journal_field *fields, size_t n);
