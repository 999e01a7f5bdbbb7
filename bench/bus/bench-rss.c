/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench-rss: certbenchd's resident memory (VmRSS, and the kernel's peak
 * VmHWM, from /proc/PID/status).
 *   idle: 2-slot fixture (the example's shape), 1 s after "ready" and a ping;
 *   busy: 16-slot fixture, 32 coils in the simulator, 16 runs of
 *         power.cycle (off_ms 3000) started at once; VmRSS sampled every
 *         5 ms until every run.finished has arrived.
 * Targets: idle < 8 MB (8192 kB), 16 slots running < 16 MB (16384 kB). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "bench-util.h"

#define IDLE_TARGET_KB 8192
#define BUSY_TARGET_KB 16384

/* Pss and private dirty kB from smaps_rollup: what the daemon costs
 * beyond the shared library text every process of the system shares. */
static void rollup(pid_t pid, long *ret_pss, long *ret_priv) {
        char path[64], line[256];
        FILE *f;

        *ret_pss = *ret_priv = -1;
        snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int) pid);
        f = fopen(path, "re");
        if (!f)
                return;
        while (fgets(line, sizeof(line), f)) {
                if (!strncmp(line, "Pss:", 4))
                        *ret_pss = strtol(line + 4, NULL, 10);
                else if (!strncmp(line, "Private_Dirty:", 14))
                        *ret_priv = strtol(line + 14, NULL, 10);
        }
        fclose(f);
}

static void *connect_dealer(void) {
        void *d = bu_socket(ZMQ_DEALER);

        if (zmq_connect(d, bu_cmd_endpoint()) < 0)
                bu_die("connect %s", bu_cmd_endpoint());
        json_decref(bu_call(d, "ping", NULL, 5000, false));
        return d;
}

int main(void) {
        long idle_rss, idle_hwm, idle_anon, idle_file, idle_pss, idle_priv, busy_idle_rss, peak = 0, hwm, n_samples = 0;
        unsigned port, finished = 0, passed = 0;
        pid_t sim, dpid;
        void *dealer, *sub;
        bu_usec t0;
        bool pass_idle, pass_busy;

        bu_init("bench-rss", 55);

        /* Idle, 2 slots. */
        sim = bu_sim_start(4, &port);
        dpid = bu_daemon_start(2, port, 10);
        dealer = connect_dealer();
        usleep(1000000);
        idle_rss = bu_proc_status_kb(dpid, "VmRSS");
        idle_hwm = bu_proc_status_kb(dpid, "VmHWM");
        idle_anon = bu_proc_status_kb(dpid, "RssAnon");
        idle_file = bu_proc_status_kb(dpid, "RssFile");
        rollup(dpid, &idle_pss, &idle_priv);
        bu_socket_close(dealer);
        bu_child_stop(dpid);
        bu_child_stop(sim);

        /* 16 slots, all running power.cycle. */
        sim = bu_sim_start(32, &port);
        dpid = bu_daemon_start(16, port, 1);
        dealer = connect_dealer();
        sub = bu_socket(ZMQ_SUB);
        zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "run.finished", 12);
        zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "heartbeat", 9);
        if (zmq_connect(sub, bu_event_endpoint()) < 0)
                bu_die("connect %s", bu_event_endpoint());
        {
                /* A heartbeat proves the subscription is live. */
                zmq_pollitem_t it = { .socket = sub, .events = ZMQ_POLLIN };
                char buf[4096];

                if (zmq_poll(&it, 1, 3000) <= 0)
                        bu_die("no heartbeat within 3 s");
                while (zmq_recv(sub, buf, sizeof(buf), ZMQ_DONTWAIT) >= 0)
                        ;
        }
        busy_idle_rss = bu_proc_status_kb(dpid, "VmRSS");

        t0 = bu_now();
        for (unsigned k = 1; k <= 16; k++) {
                char slot[16];

                snprintf(slot, sizeof(slot), "dut%u", k);
                json_decref(bu_call(dealer, "run.start",
                                    json_pack("{s:s, s:s, s:s, s:[s], s:{s:{s:i}}}", "slot", slot, "profile",
                                              bu_profile_path(), "serial", "BENCH-RSS", "cases", "power.cycle",
                                              "params", "power.cycle", "off_ms", 3000),
                                    5000, false));
        }
        while (finished < 16) {
                zmq_pollitem_t it = { .socket = sub, .events = ZMQ_POLLIN };
                long rss = bu_proc_status_kb(dpid, "VmRSS");

                n_samples++;
                if (rss > peak)
                        peak = rss;
                if (bu_now() - t0 > 30000000)
                        bu_die("only %u of 16 run.finished within 30 s", finished);
                if (zmq_poll(&it, 1, 5) > 0) {
                        char topic[64], body[8192];
                        int n = zmq_recv(sub, topic, sizeof(topic) - 1, 0);
                        int m = zmq_recv(sub, body, sizeof(body) - 1, 0);

                        if (n == 12 && !memcmp(topic, "run.finished", 12) && m > 0) {
                                body[m < (int) sizeof(body) - 1 ? m : (int) sizeof(body) - 1] = 0;
                                finished++;
                                if (strstr(body, "\"outcome\":\"PASS\""))
                                        passed++;
                        }
                }
        }
        hwm = bu_proc_status_kb(dpid, "VmHWM");

        printf("rss: idle breakdown: RssAnon %ld kB (heap, stacks), RssFile %ld kB (mapped libraries, "
               "shared), Pss %ld kB, Private_Dirty %ld kB\n", idle_anon, idle_file, idle_pss, idle_priv);
        pass_idle = idle_rss > 0 && idle_rss < IDLE_TARGET_KB;
        pass_busy = peak > 0 && peak < BUSY_TARGET_KB;
        printf("rss: idle (2 slots) VmRSS %ld kB, VmHWM %ld kB, target <8192 kB: %s\n", idle_rss, idle_hwm,
               pass_idle ? "PASS" : "MISS");
        printf("rss: 16 slots idle VmRSS %ld kB; 16 x power.cycle (off_ms 3000) in %.1f s, %u/16 PASS: "
               "peak VmRSS %ld kB (%ld samples), VmHWM %ld kB, target <16384 kB: %s\n",
               busy_idle_rss, (double) (bu_now() - t0) / 1e6, passed, peak, n_samples, hwm,
               pass_busy ? "PASS" : "MISS");
        return pass_idle && pass_busy ? 0 : 1;
}
