/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "bench-common.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Composed when armed: the handler may only write(). */
static char watchdog_msg[256];
static size_t watchdog_len;

static void on_alarm(int sig) {
        (void) !write(STDERR_FILENO, watchdog_msg, watchdog_len);
        _exit(3);
}

void bench_watchdog_arm(const char *prog, unsigned timeout_s) {
        int n = snprintf(watchdog_msg, sizeof(watchdog_msg), "%s: watchdog: still running after %u s\n", prog,
                         timeout_s);

        watchdog_len = n < 0 ? 0 : (size_t) n < sizeof(watchdog_msg) ? (size_t) n : sizeof(watchdog_msg) - 1;
        signal(SIGALRM, on_alarm);
        alarm(timeout_s);
}

double bench_now(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

bool bench_have_program(const char *name) {
        char cmd[512];

        snprintf(cmd, sizeof(cmd), "command -v '%s' >/dev/null 2>&1", name);
        return system(cmd) == 0;
}

double bench_run_time(const char *prog, char *const argv[], int stdin_fd) {
        double t0;
        pid_t pid;
        int status = 0;

        /* The same input for every run. */
        if (stdin_fd >= 0 && lseek(stdin_fd, 0, SEEK_SET) < 0)
                return -1;
        t0 = bench_now();
        pid = fork();
        if (pid < 0)
                return -1;
        if (pid == 0) {
                int null = open("/dev/null", O_RDWR);
                dup2(stdin_fd >= 0 ? stdin_fd : null, STDIN_FILENO);
                dup2(null, STDOUT_FILENO);
                dup2(null, STDERR_FILENO);
                execvp(argv[0], argv);
                _exit(127);
        }
        if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                fprintf(stderr, "%s: %s %s exited with %d\n", prog, argv[0], argv[1] ? argv[1] : "",
                        WIFEXITED(status) ? WEXITSTATUS(status) : -1);
                return -1;
        }
        return bench_now() - t0;
}

static int clamp_reps(int reps) {
        return reps < 1 ? 1 : reps > BENCH_REPS_MAX ? BENCH_REPS_MAX : reps;
}

static int dbl_cmp(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;
        return (x > y) - (x < y);
}

double bench_run_median(const char *prog, char *const argv[], int stdin_fd, int reps) {
        double t[BENCH_REPS_MAX];

        reps = clamp_reps(reps);
        for (int i = 0; i < reps; i++) {
                t[i] = bench_run_time(prog, argv, stdin_fd);
                if (t[i] < 0)
                        return -1;
        }
        qsort(t, (size_t) reps, sizeof(double), dbl_cmp);
        return reps % 2 ? t[reps / 2] : (t[reps / 2 - 1] + t[reps / 2]) / 2;
}

double bench_run_best(const char *prog, char *const argv[], int stdin_fd, int reps) {
        double best = -1;

        reps = clamp_reps(reps);
        for (int i = 0; i < reps; i++) {
                double t = bench_run_time(prog, argv, stdin_fd);
                if (t < 0)
                        return -1;
                if (best < 0 || t < best)
                        best = t;
        }
        return best;
}

static int name_cmp(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

void bench_names_free(char **names, size_t n) {
        if (!names)
                return;
        for (size_t i = 0; i < n; i++)
                free(names[i]);
        free(names);
}

int bench_dir_list(const char *dir, size_t max, char ***ret_names) {
        char **names;
        size_t n = 0;
        struct dirent *de;
        DIR *d;

        d = opendir(dir);
        if (!d)
                return -errno;
        names = calloc(max ? max : 1, sizeof(char *));
        if (!names) {
                closedir(d);
                return -ENOMEM;
        }
        while (n < max && (de = readdir(d))) {
                size_t l = strlen(de->d_name);
                if (de->d_name[0] == '.' || (l > 11 && strcmp(de->d_name + l - 11, ".source.txt") == 0))
                        continue;
                names[n] = strdup(de->d_name);
                if (!names[n]) {
                        closedir(d);
                        bench_names_free(names, n);
                        return -ENOMEM;
                }
                n++;
        }
        closedir(d);
        qsort(names, n, sizeof(char *), name_cmp);
        *ret_names = names;
        return (int) n;
}

int bench_tshark_data(const char *data, const char *sub, const char *hint, char *dir, size_t dir_size,
                      char ***ret_names) {
        int r;

        if (!bench_have_program("tshark")) {
                printf("SKIP: tshark is not installed\n");
                return -1;
        }
        snprintf(dir, dir_size, "%s/%s", data, sub);
        r = bench_dir_list(dir, 256, ret_names);
        if (r < 0) {
                printf("SKIP: %s: %s (%s)\n", dir, strerror(-r), hint);
                return -1;
        }
        return r;
}

bool bench_totals_add(struct bench_totals *t, double ours, double theirs) {
        if (ours <= 0 || theirs <= 0) {
                t->failed = true;
                return false;
        }
        t->ours += ours;
        t->theirs += theirs;
        return true;
}

bool bench_totals_failed(const char *prog, const struct bench_totals *t) {
        if (!t->failed && t->ours > 0)
                return false;
        fprintf(stderr, "%s: a run failed\n", prog);
        return true;
}

void bench_row_print(int name_w, const char *name, int count_w, long count, double ours, double theirs) {
        printf("%-*s %*ld %10.1f %10.1f %7.1fx\n", name_w, name, count_w, count, ours * 1e3, theirs * 1e3,
               theirs / ours);
        fflush(stdout);
}
