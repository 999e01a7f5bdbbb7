/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench-events [COUNT]: sustained event rate of certbenchd's event path
 * (slot worker → mailbox → group commit to SQLite → PUB) as a subscriber
 * sees it, against raw libzmq PUB→SUB between two processes.
 *
 * Reference: a forked publisher process, PUB bound on ipc, SNDHWM/RCVHWM 0,
 * sends 2,000,000 single-frame 100-byte messages to a SUB in this process;
 * a second reference sends two-frame messages shaped like the daemon's
 * events ([topic "bench.tick", ~170-byte JSON]).
 *
 * Daemon: a SUB (RCVHWM 0, all topics) connected before anything starts,
 * then run.start with cases ["bench.flood"], count COUNT (default 500000)
 * on one slot, then the same total split over 4 slots. The clock runs from
 * the first run.start to the last run.finished received. Loss is counted
 * from seq alone (gaps, and the tail up to status.last_seq): events.since
 * is deliberately not used. Target: >= 100000 events/s with none lost. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zmq.h>

#include "bench-util.h"

#define RAW_N 2000000u
#define TARGET_EPS 100000.0

static const char event_like[] =
        "{\"v\":1,\"seq\":123456,\"ts\":\"2026-11-27T08:00:00.000000Z\",\"type\":\"bench.tick\","
        "\"bench\":\"bench-4slot\",\"slot\":\"dut1\",\"run_id\":\"0123456789abcdef0123456789abcdef\","
        "\"data\":{\"i\":123456}}";

/* The forked publisher: no ZeroMQ state exists before the fork. */
static _Noreturn void raw_publisher(const char *ep, const char *sync_ep, bool event_shape) {
        void *ctx = zmq_ctx_new(), *pub = zmq_socket(ctx, ZMQ_PUB), *rep = zmq_socket(ctx, ZMQ_REP);
        int zero = 0;
        char msg[100], buf[16];
        zmq_pollitem_t it = { .socket = rep, .events = ZMQ_POLLIN };
        bu_usec deadline = bu_now() + 10000000;

        memset(msg, 'x', sizeof(msg));
        zmq_setsockopt(pub, ZMQ_SNDHWM, &zero, sizeof(zero));
        zmq_setsockopt(pub, ZMQ_LINGER, &zero, sizeof(zero));
        zmq_setsockopt(rep, ZMQ_LINGER, &zero, sizeof(zero));
        if (zmq_bind(pub, ep) < 0 || zmq_bind(rep, sync_ep) < 0)
                _exit(1);
        /* Warm-up frames until the subscriber says it receives them. */
        for (;;) {
                zmq_send(pub, "w", 1, 0);
                if (zmq_poll(&it, 1, 1) > 0)
                        break;
                if (bu_now() > deadline)
                        _exit(1);
        }
        zmq_recv(rep, buf, sizeof(buf), 0);
        zmq_send(rep, "ok", 2, 0);
        for (unsigned i = 0; i < RAW_N; i++) {
                if (event_shape) {
                        zmq_send(pub, "bench.tick", 10, ZMQ_SNDMORE);
                        zmq_send(pub, event_like, sizeof(event_like) - 1, 0);
                } else
                        zmq_send(pub, msg, sizeof(msg), 0);
        }
        for (int i = 0; i < 3; i++)
                zmq_send(pub, "end", 3, 0);
        /* Stay until the subscriber has everything (or gives up). */
        if (zmq_poll(&it, 1, 30000) > 0)
                zmq_recv(rep, buf, sizeof(buf), 0);
        zmq_close(pub);
        zmq_close(rep);
        zmq_ctx_term(ctx);
        _exit(0);
}

static double raw_rate(bool event_shape, unsigned *ret_lost) {
        char ep[320], sync_ep[320], buf[512];
        unsigned got = 0;
        bu_usec t0, t1;
        void *ctx, *sub, *req;
        int zero = 0, st;
        pid_t pid;

        snprintf(ep, sizeof(ep), "ipc://%s/raw", bu_tmpdir());
        snprintf(sync_ep, sizeof(sync_ep), "ipc://%s/raw-sync", bu_tmpdir());
        fflush(NULL);
        pid = fork();
        if (pid < 0)
                bu_die("fork: %m");
        if (pid == 0)
                raw_publisher(ep, sync_ep, event_shape);

        ctx = zmq_ctx_new();
        sub = zmq_socket(ctx, ZMQ_SUB);
        req = zmq_socket(ctx, ZMQ_REQ);
        zmq_setsockopt(sub, ZMQ_RCVHWM, &zero, sizeof(zero));
        zmq_setsockopt(sub, ZMQ_LINGER, &zero, sizeof(zero));
        zmq_setsockopt(req, ZMQ_LINGER, &zero, sizeof(zero));
        zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0);
        int tmo = 10000;
        zmq_setsockopt(sub, ZMQ_RCVTIMEO, &tmo, sizeof(tmo));
        zmq_setsockopt(req, ZMQ_RCVTIMEO, &tmo, sizeof(tmo));
        /* ipc connect before bind retries on its own. */
        zmq_connect(sub, ep);
        zmq_connect(req, sync_ep);
        if (zmq_recv(sub, buf, sizeof(buf), 0) < 0)
                bu_die("raw: no warm-up frame from the publisher");
        zmq_send(req, "go", 2, 0);
        if (zmq_recv(req, buf, sizeof(buf), 0) < 0)
                bu_die("raw: publisher did not answer");
        t0 = bu_now();
        for (;;) {
                int n = zmq_recv(sub, buf, sizeof(buf), 0);
                int more = 0;
                size_t sz = sizeof(more);

                if (n < 0)
                        break;          /* 10 s of silence: count what we have */
                zmq_getsockopt(sub, ZMQ_RCVMORE, &more, &sz);
                if (more) {
                        n = zmq_recv(sub, buf, sizeof(buf), 0);
                        if (n > 0) {
                                got++;
                                continue;
                        }
                }
                if (n == 3 && !memcmp(buf, "end", 3))
                        break;
                if (n == 1)
                        continue;       /* a late warm-up frame */
                got++;
        }
        t1 = bu_now();
        zmq_send(req, "bye", 3, 0);
        waitpid(pid, &st, 0);
        zmq_close(sub);
        zmq_close(req);
        zmq_ctx_term(ctx);
        *ret_lost = RAW_N - got;
        return (double) got / ((double) (t1 - t0) / 1e6);
}

static unsigned long long cpu_ticks(pid_t pid) {
        char path[64], buf[1024], *p;
        unsigned long long ut = 0, stt = 0;
        FILE *f;

        snprintf(path, sizeof(path), "/proc/%d/stat", (int) pid);
        f = fopen(path, "re");
        if (!f)
                return 0;
        if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')))
                /* fields after ")": state(3) ... utime(14) stime(15) */
                sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &stt);
        fclose(f);
        return ut + stt;
}

struct result {
        unsigned long long received, ticks, lost, dup, expected;
        double seconds, eps, cpu_pct;
        unsigned finished;
        long peak_rss_kb;
};

static uint64_t status_last_seq(void *dealer) {
        json_t *rep = bu_call(dealer, "status", NULL, 5000, false);
        uint64_t v = (uint64_t) json_integer_value(json_object_get(json_object_get(rep, "result"), "last_seq"));

        json_decref(rep);
        return v;
}

static bool parse_seq(const char *body, uint64_t *ret) {
        const char *p = strstr(body, "\"seq\":");

        if (!p)
                return false;
        *ret = strtoull(p + 6, NULL, 10);
        return true;
}

static void daemon_run(pid_t dpid, void *dealer, void *sub, unsigned n_slots, unsigned long long count,
                       struct result *res) {
        static char body[1 << 16];
        char topic[64], run_ids[8][64] = {};
        uint64_t before = status_last_seq(dealer), last = before, after;
        unsigned long long c0;
        bu_usec t0, t_end = 0, last_rx;

        memset(res, 0, sizeof(*res));
        c0 = cpu_ticks(dpid);
        t0 = bu_now();
        for (unsigned k = 0; k < n_slots; k++) {
                unsigned long long share = count / n_slots + (k < count % n_slots);
                char slot[16];
                json_t *rep;

                snprintf(slot, sizeof(slot), "dut%u", k + 1);
                rep = bu_call(dealer, "run.start",
                              json_pack("{s:s, s:s, s:s, s:[s], s:{s:{s:I}}}", "slot", slot, "profile",
                                        bu_profile_path(), "serial", "BENCH-0001", "cases", "bench.flood",
                                        "params", "bench.flood", "count", (json_int_t) share),
                              10000, false);
                snprintf(run_ids[k], sizeof(run_ids[k]), "%s",
                         json_string_value(json_object_get(json_object_get(rep, "result"), "run_id")));
                json_decref(rep);
        }

        last_rx = bu_now();
        while (res->finished < n_slots) {
                zmq_pollitem_t it = { .socket = sub, .events = ZMQ_POLLIN };
                int n, more = 0;
                size_t sz = sizeof(more);
                uint64_t seq;

                if (bu_now() - last_rx > 10000000 || bu_now() - t0 > 45000000) {
                        printf("events: %u of %u run.finished not received (10 s silence or 45 s total): "
                               "counted as lost\n", n_slots - res->finished, n_slots);
                        break;
                }
                if (zmq_poll(&it, 1, 100) <= 0)
                        continue;
                n = zmq_recv(sub, topic, sizeof(topic) - 1, 0);
                if (n < 0)
                        continue;
                topic[n < (int) sizeof(topic) - 1 ? n : (int) sizeof(topic) - 1] = 0;
                zmq_getsockopt(sub, ZMQ_RCVMORE, &more, &sz);
                if (!more)
                        continue;
                n = zmq_recv(sub, body, sizeof(body) - 1, 0);
                if (n < 0)
                        continue;
                body[n < (int) sizeof(body) - 1 ? n : (int) sizeof(body) - 1] = 0;
                last_rx = bu_now();
                if (!parse_seq(body, &seq) || seq <= before)
                        continue;
                if (seq <= last) {
                        res->dup++;
                        continue;
                }
                if (seq > last + 1)
                        printf("events: gap: seq %llu..%llu never received\n",
                               (unsigned long long) last + 1, (unsigned long long) seq - 1);
                res->lost += seq - last - 1;
                last = seq;
                res->received++;
                if (!strcmp(topic, "bench.tick"))
                        res->ticks++;
                else if (!strcmp(topic, "run.finished"))
                        for (unsigned k = 0; k < n_slots; k++)
                                if (strstr(body, run_ids[k])) {
                                        res->finished++;
                                        t_end = bu_now();
                                }
        }
        if (!t_end)
                t_end = bu_now();
        res->seconds = (double) (t_end - t0) / 1e6;
        res->cpu_pct = 100.0 * (double) (cpu_ticks(dpid) - c0) / (double) sysconf(_SC_CLK_TCK) / res->seconds;
        res->peak_rss_kb = bu_proc_status_kb(dpid, "VmHWM");

        /* The tail: anything stored but never seen is lost too. Events
         * stored after the last run.finished (a heartbeat) may still be on
         * their way: wait for them up to 2 s before counting them lost. */
        after = status_last_seq(dealer);
        for (bu_usec dl = bu_now() + 2000000; last < after && bu_now() < dl;) {
                zmq_pollitem_t it = { .socket = sub, .events = ZMQ_POLLIN };
                int more = 0, n;
                size_t sz = sizeof(more);
                uint64_t seq;

                if (zmq_poll(&it, 1, 50) <= 0 || zmq_recv(sub, topic, sizeof(topic) - 1, 0) < 0)
                        continue;
                zmq_getsockopt(sub, ZMQ_RCVMORE, &more, &sz);
                if (!more || (n = zmq_recv(sub, body, sizeof(body) - 1, 0)) < 0)
                        continue;
                body[n < (int) sizeof(body) - 1 ? n : (int) sizeof(body) - 1] = 0;
                if (!parse_seq(body, &seq) || seq <= last || seq > after)
                        continue;
                if (seq > last + 1)
                        printf("events: gap: seq %llu..%llu never received\n",
                               (unsigned long long) last + 1, (unsigned long long) seq - 1);
                res->lost += seq - last - 1;
                last = seq;
                res->received++;
        }
        if (after > last) {
                printf("events: tail: seq %llu..%llu stored but never received\n",
                       (unsigned long long) last + 1, (unsigned long long) after);
                res->lost += after - last;
        }
        res->expected = after - before;
        res->eps = (double) res->received / res->seconds;
}

int main(int argc, char *argv[]) {
        unsigned long long count = argc > 1 ? strtoull(argv[1], NULL, 10) : 500000;
        unsigned raw_lost, raw2_lost, port;
        double raw, raw2;
        struct result r1, r4;
        void *dealer, *sub;
        bool pass1, pass4;
        pid_t dpid;

        bu_init("bench-events", 58);
        if (!count)
                bu_die("COUNT must be > 0");

        raw = raw_rate(false, &raw_lost);
        printf("events: raw zmq PUB->SUB (2 processes, ipc, HWM 0): %.0f msg/s for %u x 100-byte frames, lost %u\n",
               raw, RAW_N, raw_lost);
        raw2 = raw_rate(true, &raw2_lost);
        printf("events: raw zmq PUB->SUB event-shaped [topic, %zu-byte JSON]: %.0f msg/s, lost %u\n",
               sizeof(event_like) - 1, raw2, raw2_lost);

        bu_sim_start(8, &port);
        /* Heartbeat every second: the first one proves the subscription is live. */
        dpid = bu_daemon_start(4, port, 1);
        dealer = bu_socket(ZMQ_DEALER);
        sub = bu_socket(ZMQ_SUB);
        zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0);
        if (zmq_connect(dealer, bu_cmd_endpoint()) < 0 || zmq_connect(sub, bu_event_endpoint()) < 0)
                bu_die("connect: %s", zmq_strerror(zmq_errno()));
        {
                zmq_pollitem_t it = { .socket = sub, .events = ZMQ_POLLIN };
                if (zmq_poll(&it, 1, 3000) <= 0)
                        bu_die("no event (heartbeat) on %s within 3 s", bu_event_endpoint());
        }

        daemon_run(dpid, dealer, sub, 1, count, &r1);
        if (r1.seconds < 3.0 && r1.lost == 0 && r1.finished == 1 && argc <= 1) {
                unsigned long long c2 = (unsigned long long) (r1.eps * 4.0);
                if (c2 > 5000000)
                        c2 = 5000000;
                printf("events: %llu events took %.2f s (< 3 s): measuring again with %llu\n", count,
                       r1.seconds, c2);
                count = c2;
                daemon_run(dpid, dealer, sub, 1, count, &r1);
        }
        daemon_run(dpid, dealer, sub, 4, count, &r4);

        pass1 = r1.eps >= TARGET_EPS && r1.lost == 0 && r1.finished == 1;
        pass4 = r4.eps >= TARGET_EPS && r4.lost == 0 && r4.finished == 4;
        printf("events: 1 slot x %llu bench.tick: %llu events (%llu ticks) in %.2f s, daemon CPU %.0f%%, "
               "VmHWM %ld kB\n", count, r1.received, r1.ticks, r1.seconds, r1.cpu_pct, r1.peak_rss_kb);
        printf("events: daemon %.0f ev/s (1 slot), raw zmq %.0f msg/s, ratio %.3f, lost %llu%s, "
               "target >=100000: %s\n", r1.eps, raw, r1.eps / raw, r1.lost,
               r1.dup ? " (duplicates seen)" : "", pass1 ? "PASS" : "MISS");
        printf("events: 4 slots x %llu bench.tick: %llu events (%llu ticks) in %.2f s, daemon CPU %.0f%%, "
               "VmHWM %ld kB\n", count / 4, r4.received, r4.ticks, r4.seconds, r4.cpu_pct, r4.peak_rss_kb);
        printf("events: daemon %.0f ev/s (4 slots), raw zmq %.0f msg/s, ratio %.3f, lost %llu%s, "
               "target >=100000: %s\n", r4.eps, raw, r4.eps / raw, r4.lost,
               r4.dup ? " (duplicates seen)" : "", pass4 ? "PASS" : "MISS");
        return pass1 && pass4 ? 0 : 1;
}
