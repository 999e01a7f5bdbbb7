/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Test/bench helper: runs certbench-relaysim as a child on loopback and
 * waits for its READY line (never a sleep). The child dies with us
 * (PR_SET_PDEATHSIG), so a crashing test leaves nothing behind. */

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/timeutil.h"

struct simproc {
        pid_t pid;
        unsigned port;
};

/* port 0: any free port. fail_coil < 0: none. log may be NULL. */
int simproc_start(struct simproc *s, const char *exe, unsigned port, unsigned coils,
                  const char *log, int fail_coil);
/* SIGTERM (or SIGKILL when hard) and reap. Idempotent. */
void simproc_stop(struct simproc *s, bool hard);

struct simlog_entry {
        usec_t t;
        int coil;
        int value;
};

/* Makes a private temporary directory for a sim log, on tmpfs when there
 * is one: a log write() on a busy disk filesystem can stall the simulator
 * for milliseconds and spoil its timestamps. buf gets the path. */
int simproc_mkdtemp(char *buf, size_t size, const char *prefix);

/* Reads a sim log; *ret (caller frees) holds the entries in order. */
int simlog_read(const char *path, struct simlog_entry **ret, size_t *ret_n);
