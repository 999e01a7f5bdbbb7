/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* hostapd, the real daemon, as a bench access point: start it with a
 * config file, talk to its control interface, follow its station events.
 *
 * Control interface: hostapd listens on a unix datagram socket per
 * interface, CTRL_DIR/IFNAME (ctrl_interface= in its config; commonly
 * /var/run/hostapd). A request is one datagram ("STATUS", "PING",
 * "ATTACH"); the reply is one datagram. After ATTACH the same socket also
 * receives unsolicited events, "<level>NAME args" ("<3>AP-STA-CONNECTED
 * 02:00:00:00:02:00"). Use one connection for requests and another,
 * attached, for events, as hostapd_cli does.
 *
 * Contract
 * - An object belongs to one thread at a time; no internal locking.
 * - Every call that waits takes an absolute CLOCK_MONOTONIC deadline and
 *   an abort fd (-1 for none): it waits in poll() on its sockets, the
 *   deadline and the abort fd, never sleeps blindly. The abort fd is only
 *   polled, never read. -ETIMEDOUT at the deadline, -ECANCELED on abort.
 * - Replies and events are bounds-checked: a datagram larger than
 *   HOSTAPD_CTRL_MSG_MAX is -EMSGSIZE (requests) or dropped and counted
 *   (events), never truncated silently.
 * - Errors are -errno. Nothing is logged (drivers log at debug only).
 * - Ownership: the caller frees what it gets (hostapd_ctrl_free,
 *   hostapd_proc_free, free() for replies, hostapd_event_clear). */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/timeutil.h"

#define HOSTAPD_CTRL_DIR_DEFAULT "/var/run/hostapd"
#define HOSTAPD_CTRL_MSG_MAX 16384

struct hostapd_ctrl;

/* Connects to CTRL_DIR/IFNAME (ctrl_dir NULL: the default). The local end
 * is autobound to an abstract address, so nothing is left in the file
 * system. Does not wait: -ENOENT when the socket does not exist (yet),
 * -ECONNREFUSED when nobody listens on it, -ENAMETOOLONG for a path over
 * 107 bytes. */
int hostapd_ctrl_open(const char *ctrl_dir, const char *ifname, struct hostapd_ctrl **ret);
struct hostapd_ctrl *hostapd_ctrl_free(struct hostapd_ctrl *c);

/* Sends cmd and waits for its reply, returned NUL-terminated in
 * *ret_reply (caller frees; "FAIL\n" and "UNKNOWN COMMAND\n" are replies,
 * not errors). Events arriving meanwhile on an attached connection are
 * kept for hostapd_ctrl_next_event() (at most 64; older ones are dropped
 * and counted). */
int hostapd_ctrl_request(struct hostapd_ctrl *c, const char *cmd, usec_t deadline, int abort_fd,
                         char **ret_reply);

/* ATTACH: from now on this connection receives events. -EPROTO when
 * hostapd does not answer "OK". */
int hostapd_ctrl_attach(struct hostapd_ctrl *c, usec_t deadline, int abort_fd);

struct hostapd_event {
        int level;               /* the <N> prefix (wpa_debug level), -1 when absent */
        char *text;              /* the whole event after the prefix, NUL-terminated, owned */
        char *name;              /* first word of text ("AP-STA-CONNECTED"), owned */
        bool has_addr;           /* the second word is a MAC address */
        uint8_t addr[6];
};

void hostapd_event_clear(struct hostapd_event *e);

/* Waits for the next event on an attached connection. Returns 1 and fills
 * *ret (caller clears), 0 when the deadline passed without one,
 * -ECANCELED on abort, -errno on socket errors. *ret is not written
 * unless 1 is returned. */
int hostapd_ctrl_next_event(struct hostapd_ctrl *c, usec_t deadline, int abort_fd,
                            struct hostapd_event *ret);

/* Events dropped: queue overflow while waiting for a reply, or too large. */
unsigned hostapd_ctrl_dropped(const struct hostapd_ctrl *c);

/* Pure helpers, no I/O, any thread. */

/* Parses one control-interface datagram as an event: an optional
 * "IFNAME=x " prefix, "<N>", the name, arguments. -EINVAL when the message
 * is not an event (no '<' level prefix); -ENOMEM. len bytes, need not be
 * NUL-terminated, may contain anything. */
int hostapd_event_parse(const char *msg, size_t len, struct hostapd_event *ret);

/* Finds "key=value" as a whole line in a STATUS-style reply; *ret_value
 * (caller frees) is the value without the newline. -ENOENT when absent. */
int hostapd_reply_get(const char *reply, const char *key, char **ret_value);

/* Parses "aa:bb:cc:dd:ee:ff" (exactly that form; hex digits in either
 * case). -EINVAL otherwise. */
int hostapd_parse_mac(const char *s, size_t len, uint8_t ret[6]);

/* The hostapd process. */
struct hostapd_proc;

/* Starts `hostapd [extra_args] CONF` (hostapd_path searched in PATH when
 * it has no '/'; NULL: "hostapd"), in the foreground, with stdout and
 * stderr appended to log_path, stdin from /dev/null. Does not wait for
 * the access point: see hostapd_wait_ready(). -ENOENT when the binary is
 * not found. */
int hostapd_proc_start(const char *hostapd_path, const char *conf_path, const char *log_path,
                       struct hostapd_proc **ret);
/* A pidfd of the process: readable (POLLIN) once it has exited. */
int hostapd_proc_fd(const struct hostapd_proc *p);
pid_t hostapd_proc_pid(const struct hostapd_proc *p);
/* 1 and *ret_status (waitpid() status) if it has exited, 0 if running. */
int hostapd_proc_exited(struct hostapd_proc *p, int *ret_status);
/* SIGTERM, then waits for the exit until deadline; SIGKILL after it (and
 * then waits, as a killed process exits at once). Returns 0, or
 * -ETIMEDOUT when SIGKILL was needed. Idempotent. */
int hostapd_proc_stop(struct hostapd_proc *p, usec_t deadline);
/* Stops it (2 s grace) if still running and frees. Takes NULL. */
struct hostapd_proc *hostapd_proc_free(struct hostapd_proc *p);

/* Waits until hostapd (started as p, with ctrl_interface=ctrl_dir, which
 * must exist: create it before starting hostapd) serves CTRL_DIR/IFNAME
 * and reports state=ENABLED (or the AP-ENABLED event). On success
 * *ret_cmd is a request connection and *ret_events an attached one.
 * -ECHILD when hostapd exited first (see its log), -EIO when it reported
 * AP-DISABLED or a state other than ENABLED at the deadline
 * (*ret_state, optional, gets the last state seen, caller frees),
 * -ETIMEDOUT, -ECANCELED. */
int hostapd_wait_ready(struct hostapd_proc *p, const char *ctrl_dir, const char *ifname,
                       usec_t deadline, int abort_fd, struct hostapd_ctrl **ret_cmd,
                       struct hostapd_ctrl **ret_events, char **ret_state);
