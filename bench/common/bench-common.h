/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared plumbing of the benches that time whole programs against each
 * other (bench-bt-audit, bench-wifi-audit): a watchdog, a monotonic clock,
 * running a program and timing it (median or best of several runs), the
 * sorted data files of a folder. Single-threaded use from main(). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define BENCH_REPS_MAX 50

/* CLOCK_MONOTONIC in seconds. */
double bench_now(void);

/* After timeout_s seconds the process prints "PROG: watchdog: still running
 * after N s" on stderr and exits 3 (SIGALRM). */
void bench_watchdog_arm(const char *prog, unsigned timeout_s);

/* Whether `name` is a program on PATH. */
bool bench_have_program(const char *name);

/* Runs argv (argv[0] looked up on PATH) as a whole process, stdout and
 * stderr to /dev/null, stdin from stdin_fd read from its start (< 0:
 * /dev/null). Waits for it without a deadline of its own (the watchdog is
 * the deadline). Returns its wall time in seconds, start-up included, or
 * < 0 when it could not run or exited non-zero (said on stderr after
 * "PROG: "). */
double bench_run_time(const char *prog, char *const argv[], int stdin_fd);

/* The median / the minimum of reps runs (1..BENCH_REPS_MAX, clamped) of
 * bench_run_time(), or < 0 as soon as one run failed. */
double bench_run_median(const char *prog, char *const argv[], int stdin_fd, int reps);
double bench_run_best(const char *prog, char *const argv[], int stdin_fd, int reps);

/* The names of the files in dir, sorted (strcmp), without dot files and
 * the *.source.txt notes that sit beside the shared data; at most max
 * names. Returns how many, or -errno (opendir); *ret_names is an array the
 * caller frees with bench_names_free(). */
int bench_dir_list(const char *dir, size_t max, char ***ret_names);
void bench_names_free(char **names, size_t n);

/* The start of a bench against tshark on the shared data: tshark on PATH
 * and the files of data/sub (bench_dir_list, at most 256) listed; dir gets
 * the folder's path. Returns how many files (0 too), or -1 after a "SKIP:"
 * line on stdout (the bench then exits 77): tshark absent, or the folder
 * unreadable (hint, in parentheses, says where it should be). */
int bench_tshark_data(const char *data, const char *sub, const char *hint, char *dir, size_t dir_size,
                      char ***ret_names);

/* Sums of the times of ours and theirs over the items of one bench. */
struct bench_totals {
        double ours, theirs;
        bool failed;
};
/* Adds one item when both timed (> 0) and returns true; otherwise marks
 * the totals failed and returns false (the item is left out). */
bool bench_totals_add(struct bench_totals *t, double ours, double theirs);
/* True, after "PROG: a run failed" on stderr, when an item failed or
 * nothing was timed (the bench then exits 2). */
bool bench_totals_failed(const char *prog, const struct bench_totals *t);
/* One item's row on stdout (flushed): name, a count (bytes, packets),
 * both times in ms and the ratio theirs / ours, in columns of the widths
 * given for the name and the count. */
void bench_row_print(int name_w, const char *name, int count_w, long count, double ours, double theirs);
