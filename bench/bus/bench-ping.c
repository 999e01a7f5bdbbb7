/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench-ping [N]: N (default 10000) sequential ping round trips to
 * certbenchd over its ipc command socket (DEALER → ROUTER), p50/p99/max in
 * µs, against the same exchange with a bare ZeroMQ ROUTER that echoes
 * every frame back (a thread of this program, ipc, same request bytes).
 * Target: daemon p99 < 1 ms. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "bench-util.h"

static const char ping_req[] = "{\"id\":1,\"cmd\":\"ping\",\"args\":{}}";

struct echo {
        void *router;
        char ep[320];
};

/* Echoes [ident, payload] until it receives the payload "stop". */
static void *echo_thread(void *p) {
        struct echo *e = p;

        for (;;) {
                char ident[256], payload[4096];
                int ni = zmq_recv(e->router, ident, sizeof(ident), 0);
                int np = zmq_recv(e->router, payload, sizeof(payload), 0);

                if (ni < 0 || np < 0)
                        break;
                if (np == 4 && !memcmp(payload, "stop", 4))
                        break;
                zmq_send(e->router, ident, (size_t) ni, ZMQ_SNDMORE);
                zmq_send(e->router, payload, (size_t) np, 0);
        }
        return NULL;
}

static void measure(void *dealer, unsigned n, bu_usec *lat, const char *what) {
        char buf[4096];

        /* Warm-up: connection set-up and first allocations are not the steady state. */
        for (unsigned i = 0; i < 200; i++)
                if (bu_rpc_raw(dealer, ping_req, sizeof(ping_req) - 1, buf, sizeof(buf), 2000) < 0)
                        bu_die("%s: warm-up ping %u: no reply", what, i);
        for (unsigned i = 0; i < n; i++) {
                bu_usec t0 = bu_now();

                if (bu_rpc_raw(dealer, ping_req, sizeof(ping_req) - 1, buf, sizeof(buf), 2000) < 0)
                        bu_die("%s: ping %u: no reply within 2 s", what, i);
                lat[i] = bu_now() - t0;
                if (i == 0 && !strstr(buf, "\"ok\":true") && !strstr(buf, "ping"))
                        bu_die("%s: unexpected reply: %s", what, buf);
        }
}

int main(int argc, char *argv[]) {
        unsigned n = argc > 1 ? (unsigned) strtoul(argv[1], NULL, 10) : 10000;
        bu_usec *raw = calloc(n, sizeof(*raw)), *dmn = calloc(n, sizeof(*dmn));
        struct echo e = {};
        pthread_t th;
        unsigned port;
        bu_usec r50, r99, rmax, d50, d99, dmax;
        void *dealer;
        bool pass;

        if (!n || !raw || !dmn)
                return 2;
        bu_init("bench-ping", 55);

        /* Reference: bare ROUTER echo in a thread. */
        snprintf(e.ep, sizeof(e.ep), "ipc://%s/echo", bu_tmpdir());
        e.router = bu_socket(ZMQ_ROUTER);
        if (zmq_bind(e.router, e.ep) < 0)
                bu_die("bind %s: %s", e.ep, zmq_strerror(zmq_errno()));
        dealer = bu_socket(ZMQ_DEALER);
        if (zmq_connect(dealer, e.ep) < 0)
                bu_die("connect %s", e.ep);
        if (pthread_create(&th, NULL, echo_thread, &e) != 0)
                bu_die("pthread_create");
        measure(dealer, n, raw, "raw echo");
        zmq_send(dealer, "stop", 4, 0);
        pthread_join(th, NULL);

        /* The daemon: 2-slot fixture, simulator behind it (ping touches neither). */
        bu_sim_start(4, &port);
        bu_daemon_start(2, port, 0);
        dealer = bu_socket(ZMQ_DEALER);
        if (zmq_connect(dealer, bu_cmd_endpoint()) < 0)
                bu_die("connect %s", bu_cmd_endpoint());
        measure(dealer, n, dmn, "certbenchd");

        r50 = bu_percentile(raw, n, 50), r99 = bu_percentile(raw, n, 99), rmax = raw[n - 1];
        d50 = bu_percentile(dmn, n, 50), d99 = bu_percentile(dmn, n, 99), dmax = dmn[n - 1];
        pass = d99 < 1000;
        printf("ping: raw zmq DEALER<->ROUTER echo (ipc, %u round trips): p50 %llu us, p99 %llu us, max %llu us\n",
               n, (unsigned long long) r50, (unsigned long long) r99, (unsigned long long) rmax);
        printf("ping: daemon p50 %llu us, p99 %llu us, max %llu us (%u round trips); raw echo p50 %llu us, p99 %llu us; "
               "p99 ratio %.2f, target p99 < 1000 us: %s\n",
               (unsigned long long) d50, (unsigned long long) d99, (unsigned long long) dmax, n,
               (unsigned long long) r50, (unsigned long long) r99, r99 ? (double) d99 / (double) r99 : 0.0,
               pass ? "PASS" : "MISS");
        free(raw);
        free(dmn);
        return pass ? 0 : 1;
}
