/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench-store [DIR] [EVENTS]: events/s through store_event_append() with
 * group commits of 1, 100 and 1000 events per transaction, on a fresh
 * database per batch size (WAL, synchronous=NORMAL as the store sets them).
 * DIR defaults to $TMPDIR or /tmp; the databases are removed afterwards. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/timeutil.h"
#include "daemon/store.h"

static void remove_db(const char *path) {
        static const char *const suffixes[] = { "", "-wal", "-shm" };
        char p[4096];

        for (size_t i = 0; i < ELEMENTSOF(suffixes); i++) {
                snprintf(p, sizeof p, "%s%s", path, suffixes[i]);
                (void) unlink(p);
        }
}

static int bench_one(const char *dir, unsigned batch, unsigned n, double *ret_rate) {
        /* A typical event as the daemon stores it. */
        static const char data[] =
                "{\"idx\":3,\"case\":\"usb.device.classes\",\"outcome\":\"PASS\","
                "\"reason\":\"declared and observed classes match\","
                "\"measurements\":{\"interfaces\":2,\"classes\":[3,255]}}";
        struct store *s = NULL;
        char path[4096];
        usec_t t0, t1;
        int r;

        snprintf(path, sizeof path, "%s/bench-store-%d-%u.db", dir, (int) getpid(), batch);
        remove_db(path);
        r = store_open(path, &s);
        if (r < 0)
                return log_error_errno(r, "cannot open %s: %m", path);

        t0 = mono_now();
        for (unsigned done = 0; done < n;) {
                usec_t ts = now_usec(CLOCK_REALTIME);

                r = store_begin(s);
                if (r < 0)
                        goto out;
                for (unsigned k = 0; k < batch && done < n; k++, done++) {
                        r = store_event_append(s, ts, "case.finished", "slot-1", "run-0001", data, NULL);
                        if (r < 0)
                                goto out;
                }
                r = store_commit(s);
                if (r < 0)
                        goto out;
        }
        t1 = mono_now();

        if (store_event_last_seq(s) != n) {
                log_error("expected last seq %u, got %llu", n,
                          (unsigned long long) store_event_last_seq(s));
                r = -EIO;
                goto out;
        }
        *ret_rate = (double) n * USEC_PER_SEC / (double) (t1 - t0 ?: 1);
out:
        if (r < 0)
                log_error_errno(r, "batch %u failed: %m", batch);
        store_free(s);
        remove_db(path);
        return r;
}

int main(int argc, char **argv) {
        static const unsigned batches[] = { 1, 100, 1000 };
        const char *dir = argc > 1 ? argv[1] : getenv("TMPDIR") ?: "/tmp";
        unsigned n = argc > 2 ? (unsigned) strtoul(argv[2], NULL, 10) : 200000;

        if (n == 0) {
                fprintf(stderr, "usage: bench-store [DIR] [EVENTS>0]\n");
                return EXIT_FAILURE;
        }
        log_parse_environment();
        printf("%-22s %10s %14s\n", "events/transaction", "events", "events/s");
        for (size_t i = 0; i < ELEMENTSOF(batches); i++) {
                /* One event per commit is slower by orders of magnitude;
                 * a tenth of the events gives a stable figure sooner. */
                unsigned count = batches[i] == 1 ? (n / 10 ?: 1) : n;
                double rate = 0;

                if (bench_one(dir, batches[i], count, &rate) < 0)
                        return EXIT_FAILURE;
                printf("%-22u %10u %14.0f\n", batches[i], count, rate);
                fflush(stdout);
        }
        return EXIT_SUCCESS;
}
