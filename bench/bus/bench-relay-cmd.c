/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench-relay-cmd [N]: N (default 1000) relay.set commands alternating
 * on/off on dut1.power, through certbenchd's command socket, against the
 * relay simulator (Modbus TCP on loopback). Client-side round trip
 * median/p99 in µs, plus the daemon's own latency_us from each reply.
 *
 * References, to the same simulator process with libmodbus directly:
 *   1. modbus_write_bit round trip (N times, alternating);
 *   2. modbus_write_bit + modbus_read_bits (N pairs): what the daemon
 *      does per relay.set, since it reads the coil back after each write.
 * Target: daemon median <= 1.5x reference 1 (as specified); the ratio to
 * reference 2 is printed too, since that is the same Modbus work. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include <modbus.h>

#include "bench-util.h"

#define TARGET_RATIO 1.5

static void raw_modbus(unsigned port, unsigned n, bool readback, bu_usec *lat) {
        modbus_t *mb = modbus_new_tcp("127.0.0.1", (int) port);
        uint8_t bit;

        if (!mb || modbus_connect(mb) < 0)
                bu_die("libmodbus: cannot connect to 127.0.0.1:%u: %s", port, modbus_strerror(errno));
        modbus_set_slave(mb, 1);
        modbus_set_response_timeout(mb, 1, 0);
        for (unsigned i = 0; i < 50 + n; i++) {
                bu_usec t0 = bu_now();

                if (modbus_write_bit(mb, 0, (int) (i & 1)) != 1)
                        bu_die("modbus_write_bit: %s", modbus_strerror(errno));
                if (readback && (modbus_read_bits(mb, 0, 1, &bit) != 1 || bit != (i & 1)))
                        bu_die("modbus_read_bits: %s", modbus_strerror(errno));
                if (i >= 50)
                        lat[i - 50] = bu_now() - t0;
        }
        modbus_close(mb);
        modbus_free(mb);
}

int main(int argc, char *argv[]) {
        unsigned n = argc > 1 ? (unsigned) strtoul(argv[1], NULL, 10) : 1000;
        bu_usec *dmn = calloc(n, sizeof(bu_usec)), *inner = calloc(n, sizeof(bu_usec)),
                *w = calloc(n, sizeof(bu_usec)), *wr = calloc(n, sizeof(bu_usec));
        static const char *const req[2] = {
                "{\"id\":1,\"cmd\":\"relay.set\",\"args\":{\"channel\":\"dut1.power\",\"on\":false}}",
                "{\"id\":2,\"cmd\":\"relay.set\",\"args\":{\"channel\":\"dut1.power\",\"on\":true}}",
        };
        bu_usec d50, d99, i50, w50, w99, wr50, wr99;
        unsigned port;
        void *dealer;
        bool pass;

        if (!n || !dmn || !inner || !w || !wr)
                return 2;
        bu_init("bench-relay-cmd", 55);
        bu_sim_start(4, &port);
        bu_daemon_start(2, port, 0);
        dealer = bu_socket(ZMQ_DEALER);
        if (zmq_connect(dealer, bu_cmd_endpoint()) < 0)
                bu_die("connect %s", bu_cmd_endpoint());

        for (unsigned i = 0; i < 50 + n; i++) {
                char buf[4096];
                const char *p;
                bu_usec t0 = bu_now();

                if (bu_rpc_raw(dealer, req[i & 1], strlen(req[i & 1]), buf, sizeof(buf), 5000) < 0)
                        bu_die("relay.set %u: no reply within 5 s", i);
                if (i < 50)
                        continue;
                dmn[i - 50] = bu_now() - t0;
                if (!strstr(buf, "\"ok\":true"))
                        bu_die("relay.set %u failed: %s", i, buf);
                p = strstr(buf, "\"latency_us\":");
                inner[i - 50] = p ? strtoull(p + 13, NULL, 10) : 0;
        }

        raw_modbus(port, n, false, w);
        raw_modbus(port, n, true, wr);

        d50 = bu_percentile(dmn, n, 50), d99 = bu_percentile(dmn, n, 99);
        i50 = bu_percentile(inner, n, 50);
        w50 = bu_percentile(w, n, 50), w99 = bu_percentile(w, n, 99);
        wr50 = bu_percentile(wr, n, 50), wr99 = bu_percentile(wr, n, 99);
        pass = (double) d50 <= TARGET_RATIO * (double) w50;

        printf("relay-cmd: raw libmodbus write_bit: median %llu us, p99 %llu us (%u round trips)\n",
               (unsigned long long) w50, (unsigned long long) w99, n);
        printf("relay-cmd: raw libmodbus write_bit+read_bits: median %llu us, p99 %llu us (%u pairs)\n",
               (unsigned long long) wr50, (unsigned long long) wr99, n);
        printf("relay-cmd: daemon relay.set (write + read-back) reported latency_us median %llu us\n",
               (unsigned long long) i50);
        printf("relay-cmd: daemon relay.set median %llu us, p99 %llu us; ratio to write+read %.2f; "
               "raw write_bit %llu us, ratio %.2f, target <=1.5x: %s\n",
               (unsigned long long) d50, (unsigned long long) d99, (double) d50 / (double) wr50,
               (unsigned long long) w50, (double) d50 / (double) w50, pass ? "PASS" : "MISS");
        free(dmn);
        free(inner);
        free(w);
        free(wr);
        return pass ? 0 : 1;
}
