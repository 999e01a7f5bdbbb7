/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench-wifi-audit [-p PACKETS] [CERTBENCH [DATA_DIR]]: times
 * `certbench wifi-audit --json` against tshark extracting the same fields
 * (BSSID, SSID, RSN AKMs, pairwise and group ciphers, MFPR/MFPC, privacy,
 * WPA1 element) from the same bytes, capture by capture, in one run.
 *
 * The shared captures are small (9 to 587 packets), so each is read once
 * with libpcap and its packets are repeated in memory until the capture
 * holds at least PACKETS (default 20000) packets, written as one pcap into
 * a memfd (never a file in the project). Both programs read that memfd as
 * their stdin (/dev/stdin, "-r -"); both are whole processes, start-up
 * included. Ours: best of 3; tshark: one run. Prints packets, times and the
 * ratio per capture and for the sum. Target: ratio >= 10.
 * Exit status: 0 target met, 1 missed, 2 the bench failed, 3 watchdog,
 * 77 tshark or the data folder is absent. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef CERTBENCH_PATH
#define CERTBENCH_PATH "certbench"
#endif
#ifndef SHARED_DATA
#define SHARED_DATA "../shared/data"
#endif

#define TARGET_RATIO 10.0

static void on_alarm(int sig) {
        static const char msg[] = "bench-wifi-audit: watchdog: still running after 110 s\n";
        (void) !write(STDERR_FILENO, msg, sizeof(msg) - 1);
        _exit(3);
}

static double now(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

struct buf {
        uint8_t *p;
        size_t len, cap;
};

static int buf_put(struct buf *b, const void *d, size_t n) {
        if (b->len + n > b->cap) {
                size_t cap = b->cap ? b->cap : 65536;
                while (cap < b->len + n)
                        cap *= 2;
                uint8_t *p = realloc(b->p, cap);
                if (!p)
                        return -ENOMEM;
                b->p = p;
                b->cap = cap;
        }
        memcpy(b->p + b->len, d, n);
        b->len += n;
        return 0;
}

/* Reads every packet of path; writes a pcap with them repeated until it
 * holds >= min_packets into a new memfd. Returns the fd or -errno. */
static int build_capture(const char *path, long min_packets, long *ret_packets, int *ret_dlt) {
        char errbuf[PCAP_ERRBUF_SIZE];
        struct buf recs = {}, out = {};
        struct pcap_pkthdr *h;
        const u_char *d;
        long n = 0, total = 0;
        pcap_t *p;
        int k, fd;

        p = pcap_open_offline(path, errbuf);
        if (!p) {
                fprintf(stderr, "bench-wifi-audit: %s: %s\n", path, errbuf);
                return -EBADMSG;
        }
        *ret_dlt = pcap_datalink(p);
        while ((k = pcap_next_ex(p, &h, &d)) == 1) {
                uint32_t rec[4] = { (uint32_t) h->ts.tv_sec, (uint32_t) h->ts.tv_usec, h->caplen, h->len };
                if (buf_put(&recs, rec, sizeof(rec)) < 0 || buf_put(&recs, d, h->caplen) < 0) {
                        pcap_close(p);
                        free(recs.p);
                        return -ENOMEM;
                }
                n++;
        }
        pcap_close(p);
        if (n == 0) {
                free(recs.p);
                return -ENODATA;
        }
        uint32_t ghdr[6] = { 0xa1b2c3d4, 2 | (4u << 16), 0, 0, 262144, (uint32_t) *ret_dlt };
        buf_put(&out, ghdr, sizeof(ghdr));
        while (total < min_packets) {
                if (buf_put(&out, recs.p, recs.len) < 0) {
                        free(recs.p);
                        free(out.p);
                        return -ENOMEM;
                }
                total += n;
        }
        free(recs.p);
        fd = memfd_create("bench-wifi-audit", MFD_CLOEXEC);
        if (fd < 0 || write(fd, out.p, out.len) != (ssize_t) out.len) {
                free(out.p);
                if (fd >= 0)
                        close(fd);
                return -EIO;
        }
        free(out.p);
        *ret_packets = total;
        return fd;
}

/* Runs argv with stdin = fd (from its start), stdout to /dev/null.
 * Returns the wall time in seconds, or < 0 when it failed. */
static double run(char *const argv[], int fd) {
        double t0 = now();
        pid_t pid;
        int status;

        if (lseek(fd, 0, SEEK_SET) < 0)
                return -1;
        pid = fork();
        if (pid < 0)
                return -1;
        if (pid == 0) {
                int null = open("/dev/null", O_WRONLY);
                dup2(fd, STDIN_FILENO);
                dup2(null, STDOUT_FILENO);
                dup2(null, STDERR_FILENO);
                execvp(argv[0], argv);
                _exit(127);
        }
        if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                fprintf(stderr, "bench-wifi-audit: %s exited with %d\n", argv[0],
                        WIFEXITED(status) ? WEXITSTATUS(status) : -1);
                return -1;
        }
        return now() - t0;
}

static int name_cmp(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

int main(int argc, char **argv) {
        const char *certbench = CERTBENCH_PATH, *data = SHARED_DATA;
        char dir[4096], *names[256];
        long min_packets = 20000;
        double sum_ours = 0, sum_theirs = 0;
        size_t n_names = 0;
        int argi = 1, failed = 0;
        DIR *d;
        struct dirent *de;

        signal(SIGALRM, on_alarm);
        alarm(110);
        if (argc > 2 && strcmp(argv[1], "-p") == 0) {
                min_packets = strtol(argv[2], NULL, 10);
                if (min_packets < 1)
                        min_packets = 1;
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
        snprintf(dir, sizeof(dir), "%s/wifi", data);
        d = opendir(dir);
        if (!d) {
                printf("SKIP: %s: %s (the shared captures sit beside the checkout)\n", dir, strerror(errno));
                return 77;
        }
        while ((de = readdir(d)) && n_names < 256) {
                size_t l = strlen(de->d_name);
                if (de->d_name[0] == '.' || (l > 11 && strcmp(de->d_name + l - 11, ".source.txt") == 0))
                        continue;
                names[n_names++] = strdup(de->d_name);
        }
        closedir(d);
        qsort(names, n_names, sizeof(char *), name_cmp);

        printf("wifi-audit vs tshark, same fields, each capture repeated to >= %ld packets, fed on stdin\n",
               min_packets);
        printf("%-52s %8s %10s %10s %8s\n", "capture", "packets", "ours ms", "tshark ms", "ratio");
        for (size_t i = 0; i < n_names; i++) {
                char path[8192];
                long packets = 0;
                int dlt = 0, fd;
                double ours = -1, theirs;
                char *ours_argv[] = { (char *) certbench, (char *) "wifi-audit", (char *) "--json",
                                      (char *) "/dev/stdin", NULL };
                char *tshark_argv[] = {
                        (char *) "tshark", (char *) "-n", (char *) "-r", (char *) "-", (char *) "-Y",
                        (char *) "wlan.fc.type_subtype==8 || wlan.fc.type_subtype==5", (char *) "-T",
                        (char *) "fields", (char *) "-e", (char *) "wlan.bssid", (char *) "-e", (char *) "wlan.ssid",
                        (char *) "-e", (char *) "wlan.rsn.akms.type", (char *) "-e", (char *) "wlan.rsn.pcs.type",
                        (char *) "-e", (char *) "wlan.rsn.gcs.type", (char *) "-e",
                        (char *) "wlan.rsn.capabilities.mfpr", (char *) "-e", (char *) "wlan.rsn.capabilities.mfpc",
                        (char *) "-e", (char *) "wlan.fixed.capabilities.privacy", (char *) "-e",
                        (char *) "wlan.wfa.ie.wpa.version", NULL,
                };

                snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
                fd = build_capture(path, min_packets, &packets, &dlt);
                if (fd < 0) {
                        failed = 1;
                        continue;
                }
                for (int rep = 0; rep < 3; rep++) {
                        double t = run(ours_argv, fd);
                        if (t < 0) {
                                ours = -1;
                                break;
                        }
                        if (ours < 0 || t < ours)
                                ours = t;
                }
                theirs = run(tshark_argv, fd);
                close(fd);
                if (ours <= 0 || theirs <= 0) {
                        failed = 1;
                        continue;
                }
                sum_ours += ours;
                sum_theirs += theirs;
                printf("%-52s %8ld %10.1f %10.1f %7.1fx\n", names[i], packets, ours * 1e3, theirs * 1e3,
                       theirs / ours);
                fflush(stdout);
        }
        for (size_t i = 0; i < n_names; i++)
                free(names[i]);
        if (failed || sum_ours <= 0) {
                fprintf(stderr, "bench-wifi-audit: a run failed\n");
                return 2;
        }
        printf("%-52s %8s %10.1f %10.1f %7.1fx  target >= %.0fx: %s\n", "total", "", sum_ours * 1e3,
               sum_theirs * 1e3, sum_theirs / sum_ours, TARGET_RATIO,
               sum_theirs / sum_ours >= TARGET_RATIO ? "PASS" : "MISS");
        return sum_theirs / sum_ours >= TARGET_RATIO ? 0 : 1;
}
