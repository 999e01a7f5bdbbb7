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

#include <errno.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench-common.h"

#ifndef CERTBENCH_PATH
#define CERTBENCH_PATH "certbench"
#endif
#ifndef SHARED_DATA
#define SHARED_DATA "../shared/data"
#endif

#define TARGET_RATIO 10.0
#define PROG "bench-wifi-audit"

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

int main(int argc, char **argv) {
        const char *certbench = CERTBENCH_PATH, *data = SHARED_DATA;
        char dir[4096], **names = NULL;
        long min_packets = 20000;
        struct bench_totals sum = {};
        size_t n_names;
        int argi = 1, r;

        bench_watchdog_arm(PROG, 110);
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
        r = bench_tshark_data(data, "wifi", "the shared captures sit beside the checkout", dir, sizeof(dir), &names);
        if (r < 0)
                return 77;
        n_names = (size_t) r;

        printf("wifi-audit vs tshark, same fields, each capture repeated to >= %ld packets, fed on stdin\n",
               min_packets);
        printf("%-52s %8s %10s %10s %8s\n", "capture", "packets", "ours ms", "tshark ms", "ratio");
        for (size_t i = 0; i < n_names; i++) {
                char path[8192];
                long packets = 0;
                int dlt = 0, fd;
                double ours, theirs;
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
                        sum.failed = true;
                        continue;
                }
                ours = bench_run_best(PROG, ours_argv, fd, 3);
                theirs = bench_run_time(PROG, tshark_argv, fd);
                close(fd);
                if (!bench_totals_add(&sum, ours, theirs))
                        continue;
                bench_row_print(52, names[i], 8, packets, ours, theirs);
        }
        bench_names_free(names, n_names);
        if (bench_totals_failed(PROG, &sum))
                return 2;
        printf("%-52s %8s %10.1f %10.1f %7.1fx  target >= %.0fx: %s\n", "total", "", sum.ours * 1e3,
               sum.theirs * 1e3, sum.theirs / sum.ours, TARGET_RATIO,
               sum.theirs / sum.ours >= TARGET_RATIO ? "PASS" : "MISS");
        return sum.theirs / sum.ours >= TARGET_RATIO ? 0 : 1;
}
