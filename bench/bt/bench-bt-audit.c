/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench-bt-audit [-n REPS] [CERTBENCH [DATA_DIR]]: times
 * `certbench bt-audit FILE --json` against tshark decoding the same pairing
 * fields from the same file, trace by trace, in one run.
 *
 * Every trace in DATA_DIR/bt (default ../shared/data/bt beside the
 * checkout; *.source.txt skipped) is read straight from its file by both
 * programs, each run REPS times (default 5), whole processes, start-up
 * included; the median wall time of each is printed with the ratio
 * tshark / ours per trace and for the sum of medians.
 *
 * tshark's side: `tshark -n -r FILE -Y "btsmp || bthci_evt || bthci_cmd"
 * -T fields` with the fields bt-audit classifies from: HCI event code and
 * command opcode, BD_ADDRs, IO capability, OOB and authentication
 * requirements (events and commands), link key type, SMP opcode, IO
 * capability, OOB flags, AuthReq, max key size and Pairing Failed reason,
 * and the LE link layer addresses for a sniffed trace. `bthci_cmd` is in
 * the filter because the bench side of an SSP exchange (IO Capability
 * Request Reply) is a command. tshark prints the fields; it does not
 * classify, so it does less than bt-audit.
 *
 * Target: ours faster on the sum (ratio > 1).
 * Exit status: 0 target met, 1 missed, 2 the bench failed, 3 watchdog,
 * 77 tshark or the data folder is absent. */

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

#ifndef CERTBENCH_PATH
#define CERTBENCH_PATH "certbench"
#endif
#ifndef SHARED_DATA
#define SHARED_DATA "../shared/data"
#endif

#define MAX_REPS 50

static void on_alarm(int sig) {
        static const char msg[] = "bench-bt-audit: watchdog: still running after 110 s\n";
        (void) !write(STDERR_FILENO, msg, sizeof(msg) - 1);
        _exit(3);
}

static double now(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* Runs argv with stdin and stdout on /dev/null. Returns the wall time in
 * seconds, or < 0 when it could not run or exited non-zero. */
static double run(char *const argv[]) {
        double t0 = now();
        pid_t pid;
        int status = 0;

        pid = fork();
        if (pid < 0)
                return -1;
        if (pid == 0) {
                int null = open("/dev/null", O_RDWR);
                dup2(null, STDIN_FILENO);
                dup2(null, STDOUT_FILENO);
                dup2(null, STDERR_FILENO);
                execvp(argv[0], argv);
                _exit(127);
        }
        if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                fprintf(stderr, "bench-bt-audit: %s %s exited with %d\n", argv[0], argv[1],
                        WIFEXITED(status) ? WEXITSTATUS(status) : -1);
                return -1;
        }
        return now() - t0;
}

static int dbl_cmp(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;
        return (x > y) - (x < y);
}

/* Median of REPS runs of argv, or < 0 when one of them failed. */
static double median_run(char *const argv[], int reps) {
        double t[MAX_REPS];

        for (int i = 0; i < reps; i++) {
                t[i] = run(argv);
                if (t[i] < 0)
                        return -1;
        }
        qsort(t, (size_t) reps, sizeof(double), dbl_cmp);
        return reps % 2 ? t[reps / 2] : (t[reps / 2 - 1] + t[reps / 2]) / 2;
}

static int name_cmp(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

int main(int argc, char **argv) {
        const char *certbench = CERTBENCH_PATH, *data = SHARED_DATA;
        char dir[4096], *names[256];
        double sum_ours = 0, sum_theirs = 0;
        size_t n_names = 0;
        int argi = 1, failed = 0, reps = 5;
        DIR *d;
        struct dirent *de;

        signal(SIGALRM, on_alarm);
        alarm(110);
        if (argc > 2 && strcmp(argv[1], "-n") == 0) {
                reps = atoi(argv[2]);
                if (reps < 1)
                        reps = 1;
                if (reps > MAX_REPS)
                        reps = MAX_REPS;
                argi = 3;
        }
        if (argi < argc)
                certbench = argv[argi++];
        if (argi < argc)
                data = argv[argi++];
        if (system("command -v tshark >/dev/null 2>&1") != 0) {
                printf("SKIP: tshark is not installed\n");
                return 77;
        }
        snprintf(dir, sizeof(dir), "%s/bt", data);
        d = opendir(dir);
        if (!d) {
                printf("SKIP: %s: %s (the shared Bluetooth traces sit beside the checkout, in ../shared/data/bt)\n",
                       dir, strerror(errno));
                return 77;
        }
        while ((de = readdir(d)) && n_names < 256) {
                size_t l = strlen(de->d_name);
                if (de->d_name[0] == '.' || (l > 11 && strcmp(de->d_name + l - 11, ".source.txt") == 0))
                        continue;
                names[n_names++] = strdup(de->d_name);
        }
        closedir(d);
        if (n_names == 0) {
                printf("SKIP: no trace in %s\n", dir);
                return 77;
        }
        qsort(names, n_names, sizeof(char *), name_cmp);

        printf("bt-audit vs tshark, same traces read from their files, median of %d runs each\n", reps);
        printf("tshark: -n -r FILE -Y \"btsmp || bthci_evt || bthci_cmd\" -T fields (pairing fields)\n");
        printf("%-40s %9s %10s %10s %8s\n", "trace", "bytes", "ours ms", "tshark ms", "ratio");
        for (size_t i = 0; i < n_names; i++) {
                char path[8192];
                double ours, theirs;
                long bytes = -1;
                FILE *f;
                char *ours_argv[] = { (char *) certbench, (char *) "bt-audit", path, (char *) "--json", NULL };
                char *tshark_argv[] = {
                        (char *) "tshark", (char *) "-n", (char *) "-r", path, (char *) "-Y",
                        (char *) "btsmp || bthci_evt || bthci_cmd", (char *) "-T", (char *) "fields",
                        (char *) "-e", (char *) "frame.number", (char *) "-e", (char *) "bthci_evt.code",
                        (char *) "-e", (char *) "bthci_cmd.opcode", (char *) "-e", (char *) "bthci_evt.bd_addr",
                        (char *) "-e", (char *) "bthci_cmd.bd_addr", (char *) "-e", (char *) "bthci_evt.io_capability",
                        (char *) "-e", (char *) "bthci_cmd.io_capability", (char *) "-e",
                        (char *) "bthci_evt.oob_data_present", (char *) "-e", (char *) "bthci_cmd.oob_data_present",
                        (char *) "-e", (char *) "bthci_evt.auth_requirements", (char *) "-e",
                        (char *) "bthci_cmd.auth_requirements", (char *) "-e", (char *) "bthci_evt.key_type",
                        (char *) "-e", (char *) "btsmp.opcode", (char *) "-e", (char *) "btsmp.io_capability",
                        (char *) "-e", (char *) "btsmp.oob_data_flags", (char *) "-e", (char *) "btsmp.authreq",
                        (char *) "-e", (char *) "btsmp.max_enc_key_size", (char *) "-e", (char *) "btsmp.reason",
                        (char *) "-e", (char *) "btle.advertising_address", (char *) "-e",
                        (char *) "btle.initiator_address", NULL,
                };

                snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
                f = fopen(path, "rb");
                if (f) {
                        fseek(f, 0, SEEK_END);
                        bytes = ftell(f);
                        fclose(f);
                }
                ours = median_run(ours_argv, reps);
                theirs = median_run(tshark_argv, reps);
                if (ours <= 0 || theirs <= 0) {
                        failed = 1;
                        continue;
                }
                sum_ours += ours;
                sum_theirs += theirs;
                printf("%-40s %9ld %10.1f %10.1f %7.1fx\n", names[i], bytes, ours * 1e3, theirs * 1e3,
                       theirs / ours);
                fflush(stdout);
        }
        for (size_t i = 0; i < n_names; i++)
                free(names[i]);
        if (failed || sum_ours <= 0) {
                fprintf(stderr, "bench-bt-audit: a run failed\n");
                return 2;
        }
        printf("%-40s %9s %10.1f %10.1f %7.1fx  target: faster than tshark: %s\n", "total (sum of medians)", "",
               sum_ours * 1e3, sum_theirs * 1e3, sum_theirs / sum_ours, sum_theirs > sum_ours ? "PASS" : "MISS");
        return sum_theirs > sum_ours ? 0 : 1;
}
