/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared plumbing of the bus benches: a temporary folder, the relay
 * simulator and certbenchd as child processes (killed on every exit path,
 * including the watchdog alarm and the death of the bench itself), a small
 * blocking client for the command socket, and statistics helpers.
 * Single-threaded use from the bench's main thread. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

typedef uint64_t bu_usec;

bu_usec bu_now(void);                   /* CLOCK_MONOTONIC, µs */

/* Creates the temporary folder, arms a watchdog of timeout_s seconds and
 * registers the cleanup (children killed, folder removed) for exit(). */
void bu_init(const char *prog, unsigned timeout_s);
const char *bu_tmpdir(void);
void bu_cleanup(void);
/* SIGTERM (SIGKILL after 5 s) and reap one child started by this module. */
void bu_child_stop(pid_t pid);
/* Prints "prog: error: ..." and exits 2 (cleanup runs). */
_Noreturn void bu_die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Starts certbench-relaysim on an ephemeral port with `coils` coils. */
pid_t bu_sim_start(unsigned coils, unsigned *ret_port);

/* Writes a fixture with n_slots slots (dutK.power on coil 2(K-1), dutK.reset
 * on coil 2K-1) for a simulator on `port`, and a daemon config next to it,
 * then starts certbenchd and waits for "ready:" on its stderr (a log file in
 * the temporary folder). heartbeat_s 0 disables the heartbeat. */
pid_t bu_daemon_start(unsigned n_slots, unsigned port, unsigned heartbeat_s);
const char *bu_cmd_endpoint(void);
const char *bu_event_endpoint(void);
const char *bu_profile_path(void);

void *bu_zmq_ctx(void);
void *bu_socket(int type);              /* LINGER 0, HWM 0 both ways */
void bu_socket_close(void *s);

/* One request/reply on a DEALER: sends `req` (one frame), waits up to
 * timeout_ms for one reply frame into buf (NUL-terminated). Returns the
 * reply length or -1 on timeout/error. */
int bu_rpc_raw(void *dealer, const char *req, size_t len, char *buf, size_t cap, int timeout_ms);
/* Same with JSON: steals args; returns the reply object or dies. Dies too
 * when the reply is not ok, unless allow_error. */
json_t *bu_call(void *dealer, const char *cmd, json_t *args, int timeout_ms, bool allow_error);

/* Sorts v and returns the nearest-rank percentile p (0..100). */
bu_usec bu_percentile(bu_usec *v, size_t n, double p);
/* kB value of a field of /proc/PID/status ("VmRSS"), -1 when absent. */
long bu_proc_status_kb(pid_t pid, const char *field);
