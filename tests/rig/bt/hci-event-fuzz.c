/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Mutation fuzz loop for the pure HCI event decoders (drivers/bt/hci-event.c).
 *
 * First checks the decoders on hand-made events (so the test can fail on
 * a wrong field, not only on a crash), then, for the given number of
 * seconds, feeds them random bytes and mutations of those events, each in
 * an exactly sized heap buffer so AddressSanitizer sees any read past the
 * end, and checks that everything handed back points inside the input.
 * Usage: bt-hci-event-fuzz [SECONDS [SEED]]   (default 3 s, seed from time) */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/timeutil.h"
#include "drivers/bt/hci-event.h"

static unsigned failures;

#define CHECK(cond)                                                                    \
        do {                                                                           \
                if (!(cond)) {                                                         \
                        fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
                        failures++;                                                    \
                }                                                                      \
        } while (0)

static uint64_t rng_state;

static uint64_t rnd(void) {   /* xorshift64* */
        rng_state ^= rng_state >> 12;
        rng_state ^= rng_state << 25;
        rng_state ^= rng_state >> 27;
        return rng_state * 0x2545F4914F6CDD1DULL;
}

static size_t rnd_below(size_t n) {
        return n ? (size_t) (rnd() % n) : 0;
}

/* Seeds: well-formed events (code, len, params). */
static const uint8_t ev_cc_bdaddr[] = { 0x0e, 0x0a, 0x01, 0x09, 0x10, 0x00, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11 };
static const uint8_t ev_cs_inquiry[] = { 0x0f, 0x04, 0x00, 0x01, 0x01, 0x04 };
static const uint8_t ev_inq_complete[] = { 0x01, 0x01, 0x00 };
static const uint8_t ev_inq_result[] = {
        0x02, 0x0f, 0x01,
        0x01, 0x02, 0x03, 0x04, 0x05, 0x06,   /* addr 06:05:04:03:02:01 */
        0x01, 0x00, 0x00,                     /* rep mode R1, period, mode */
        0x0c, 0x02, 0x5a,                     /* class 0x5a020c */
        0x34, 0x12,                           /* clock offset */
};
static const uint8_t ev_inq_rssi[] = {
        0x22, 0x1d, 0x02,
        0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x01, 0x00, 0x0c, 0x02, 0x5a, 0x34, 0x12, 0xc4, /* rssi -60 */
        0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x02, 0x00, 0x04, 0x01, 0x20, 0x00, 0x80, 0x7f,
};
static const uint8_t ev_inq_rssi_pscan[] = {
        0x22, 0x10, 0x01,
        0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x01, 0x00, 0x00, 0x0c, 0x02, 0x5a, 0x34, 0x12, 0xd8, /* -40 */
};
static uint8_t ev_ext_inq[2 + 1 + 14 + BT_HCI_EIR_SIZE];
static const uint8_t ev_le_adv[] = {
        0x3e, 0x1c, 0x02, 0x02,
        0x00, 0x00, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x06, 0x02, 0x01, 0x06, 0x02, 0x09, 'x', 0xc0,
        0x04, 0x01, 0x01, 0x02, 0x03, 0x04, 0x05, 0xc6, 0x00, 0x7f,
};

static void seeds_build(void) {
        static const uint8_t name[] = { 0x07, BT_EIR_NAME_COMPLETE, 'v', 'h', 'c', 'i', '-', '1' };
        uint8_t *p = ev_ext_inq;

        p[0] = BT_HCI_EVT_EXT_INQUIRY_RESULT;
        p[1] = 1 + 14 + BT_HCI_EIR_SIZE;
        p[2] = 1;
        memcpy(p + 3, (const uint8_t[]){ 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x01, 0x00, 0x0c, 0x02, 0x5a, 0x34,
                                         0x12, 0xc4 },
               14);
        memcpy(p + 17, name, sizeof(name));
}

static int parse(const uint8_t *b, size_t n, struct bt_hci_evt *e) {
        return bt_hci_evt_parse(b, n, e);
}

static void test_known(void) {
        struct bt_hci_evt e;
        struct bt_hci_cmd_complete cc;
        struct bt_hci_cmd_status cs;
        struct bt_inquiry_info info;
        struct bt_le_adv_report rep;
        const uint8_t *v;
        size_t n, vlen;
        uint8_t st;
        char a[BT_ADDR_STR_MAX];

        CHECK(parse(ev_cc_bdaddr, sizeof(ev_cc_bdaddr), &e) == 0);
        CHECK(bt_hci_evt_cmd_complete(&e, &cc) == 0 && cc.opcode == 0x1009 && cc.ncmd == 1 && cc.rlen == 7 &&
              cc.rparams[0] == 0 && cc.rparams[1] == 0x66);
        CHECK(bt_hci_evt_cmd_status(&e, &cs) == -ENOMSG);
        CHECK(parse(ev_cc_bdaddr, sizeof(ev_cc_bdaddr) - 1, &e) == -EBADMSG);
        CHECK(parse(ev_cc_bdaddr, 1, &e) == -EBADMSG);
        CHECK(parse(NULL, 0, &e) == -EBADMSG);

        CHECK(parse(ev_cs_inquiry, sizeof(ev_cs_inquiry), &e) == 0);
        CHECK(bt_hci_evt_cmd_status(&e, &cs) == 0 && cs.opcode == 0x0401 && cs.status == 0 && cs.ncmd == 1);

        CHECK(parse(ev_inq_complete, sizeof(ev_inq_complete), &e) == 0);
        CHECK(bt_hci_evt_inquiry_complete(&e, &st) == 0 && st == 0);

        CHECK(parse(ev_inq_result, sizeof(ev_inq_result), &e) == 0);
        CHECK(bt_hci_evt_inquiry_result_count(&e, &n) == 0 && n == 1);
        CHECK(bt_hci_evt_inquiry_result_get(&e, 0, &info) == 0);
        CHECK(strcmp(bt_addr_to_string(&info.addr, a, sizeof(a)), "06:05:04:03:02:01") == 0);
        CHECK(info.class_of_device == 0x5a020c && info.clock_offset == 0x1234 && !info.has_rssi && !info.eir);
        CHECK(bt_hci_evt_inquiry_result_get(&e, 1, &info) == -ERANGE);

        CHECK(parse(ev_inq_rssi, sizeof(ev_inq_rssi), &e) == 0);
        CHECK(bt_hci_evt_inquiry_result_count(&e, &n) == 0 && n == 2);
        CHECK(bt_hci_evt_inquiry_result_get(&e, 0, &info) == 0 && info.has_rssi && info.rssi == -60 &&
              info.class_of_device == 0x5a020c && info.clock_offset == 0x1234);
        CHECK(bt_hci_evt_inquiry_result_get(&e, 1, &info) == 0 && info.rssi == 127 && info.addr.b[0] == 0x11 &&
              info.class_of_device == 0x200104 && info.clock_offset == 0x8000);

        CHECK(parse(ev_inq_rssi_pscan, sizeof(ev_inq_rssi_pscan), &e) == 0);
        CHECK(bt_hci_evt_inquiry_result_get(&e, 0, &info) == 0 && info.rssi == -40 &&
              info.class_of_device == 0x5a020c && info.clock_offset == 0x1234);

        CHECK(parse(ev_ext_inq, sizeof(ev_ext_inq), &e) == 0);
        CHECK(bt_hci_evt_inquiry_result_get(&e, 0, &info) == 0 && info.rssi == -60 && info.eir_len == 8);
        CHECK(bt_eir_find(info.eir, info.eir_len, BT_EIR_NAME_COMPLETE, &v, &vlen) == 0 && vlen == 6 &&
              memcmp(v, "vhci-1", 6) == 0);
        CHECK(bt_eir_find(info.eir, info.eir_len, BT_EIR_NAME_SHORT, &v, &vlen) == -ENOENT);
        CHECK(bt_eir_find((const uint8_t[]){ 0x05, 0x09, 'a' }, 3, 0x09, &v, &vlen) == -EBADMSG);

        CHECK(parse(ev_le_adv, sizeof(ev_le_adv), &e) == 0);
        CHECK(bt_hci_evt_le_adv_report_count(&e, &n) == 0 && n == 2);
        CHECK(bt_hci_evt_le_adv_report_get(&e, 0, &rep) == 0 && rep.event_type == 0 && rep.addr_type == 0 &&
              rep.addr.b[5] == 0xff && rep.data_len == 6 && rep.rssi == -64);
        CHECK(bt_hci_evt_le_adv_report_get(&e, 1, &rep) == 0 && rep.event_type == 4 && rep.addr_type == 1 &&
              rep.data_len == 0 && rep.rssi == 127);
        CHECK(bt_hci_evt_le_adv_report_get(&e, 2, &rep) == -ERANGE);
        CHECK(bt_hci_evt_inquiry_result_count(&e, &n) == -ENOMSG);

        /* Counts that do not fit the length are rejected as a whole. */
        {
                uint8_t b[sizeof(ev_inq_result)];
                memcpy(b, ev_inq_result, sizeof(b));
                b[2] = 2;
                CHECK(parse(b, sizeof(b), &e) == 0 && bt_hci_evt_inquiry_result_count(&e, &n) == -EBADMSG);
                b[2] = 0;
                CHECK(bt_hci_evt_inquiry_result_get(&e, 0, &info) == -EBADMSG);
        }
        {
                uint8_t b[sizeof(ev_le_adv)];
                memcpy(b, ev_le_adv, sizeof(b));
                b[3] = 3;   /* a third report that is not there */
                CHECK(parse(b, sizeof(b), &e) == 0 && bt_hci_evt_le_adv_report_get(&e, 0, &rep) == -EBADMSG);
                b[3] = 2;
                b[12] = 32;  /* data length above 31 */
                CHECK(bt_hci_evt_le_adv_report_count(&e, &n) == -EBADMSG);
        }
}

static bool inside(const void *p, size_t len, const uint8_t *base, size_t size) {
        const uint8_t *q = p;
        return q >= base && len <= size && (size_t) (q - base) <= size - len;
}

/* Runs every decoder over one input and checks the invariants. */
static void decode_all(const uint8_t *buf, size_t size) {
        struct bt_hci_evt e;
        struct bt_hci_cmd_complete cc;
        struct bt_hci_cmd_status cs;
        const uint8_t *v;
        size_t n, vlen;
        uint8_t st, sub;

        if (parse(buf, size, &e) < 0)
                return;
        CHECK(inside(e.params, e.len, buf, size));
        if (bt_hci_evt_cmd_complete(&e, &cc) == 0)
                CHECK(inside(cc.rparams, cc.rlen, buf, size));
        (void) bt_hci_evt_cmd_status(&e, &cs);
        (void) bt_hci_evt_inquiry_complete(&e, &st);
        if (bt_hci_evt_le_meta(&e, &sub, &v, &vlen) == 0)
                CHECK(inside(v, vlen, buf, size));
        if (bt_hci_evt_inquiry_result_count(&e, &n) == 0) {
                struct bt_inquiry_info info;
                CHECK(n >= 1);
                for (size_t i = 0; i < n; i++) {
                        CHECK(bt_hci_evt_inquiry_result_get(&e, i, &info) == 0);
                        if (info.eir) {
                                CHECK(inside(info.eir, info.eir_len, buf, size));
                                if (bt_eir_find(info.eir, info.eir_len, BT_EIR_NAME_COMPLETE, &v, &vlen) == 0)
                                        CHECK(inside(v, vlen, info.eir, info.eir_len));
                        }
                }
                CHECK(bt_hci_evt_inquiry_result_get(&e, n, &info) == -ERANGE);
        }
        if (bt_hci_evt_le_adv_report_count(&e, &n) == 0) {
                struct bt_le_adv_report rep;
                CHECK(n >= 1);
                for (size_t i = 0; i < n; i++) {
                        CHECK(bt_hci_evt_le_adv_report_get(&e, i, &rep) == 0);
                        CHECK(rep.data_len <= BT_HCI_ADV_MAX && inside(rep.data, rep.data_len, buf, size));
                        for (unsigned t = 0; t < 3; t++)
                                if (bt_eir_find(rep.data, rep.data_len, (uint8_t) rnd(), &v, &vlen) == 0)
                                        CHECK(inside(v, vlen, rep.data, rep.data_len));
                }
                CHECK(bt_hci_evt_le_adv_report_get(&e, n, &rep) == -ERANGE);
        }
        /* The AD walkers on raw bytes, too. */
        if (bt_eir_find(buf, size, buf[0], &v, &vlen) == 0)
                CHECK(inside(v, vlen, buf, size));
        CHECK(bt_eir_significant_len(buf, size) <= size);
}

static void run_one(const uint8_t *data, size_t size) {
        /* Exactly sized, so ASan flags a read one past the end. */
        uint8_t *b = malloc(size ? size : 1);
        if (!b)
                abort();
        if (size)
                memcpy(b, data, size);
        decode_all(b, size);
        free(b);
}

static size_t mutate(uint8_t *b, size_t size, size_t cap) {
        unsigned k = 1 + (unsigned) rnd_below(4);

        while (k--) {
                switch (rnd_below(7)) {
                case 0: if (size) b[rnd_below(size)] ^= (uint8_t) (1u << rnd_below(8)); break;
                case 1: if (size) b[rnd_below(size)] = (uint8_t) rnd(); break;
                case 2: if (size) size = rnd_below(size + 1); break;                 /* truncate */
                case 3: if (size < cap) b[size++] = (uint8_t) rnd(); break;            /* append */
                case 4: if (size > 2) b[2 + rnd_below(size - 2)] = (uint8_t) rnd_below(4); break;  /* small counts */
                case 5: { /* interesting values */
                        static const uint8_t iv[] = { 0x00, 0x01, 0x02, 0x0e, 0x0f, 0x1f, 0x20, 0x7f, 0x80, 0xff };
                        if (size) b[rnd_below(size)] = iv[rnd_below(sizeof(iv))];
                        break;
                }
                default: break;
                }
        }
        /* Usually keep the header's length right, so the inner decoders run. */
        if (size >= 2 && rnd_below(4) != 0)
                b[1] = (uint8_t) (size - 2 > 255 ? 255 : size - 2);
        return size;
}

int main(int argc, char **argv) {
        const struct { const uint8_t *p; size_t n; } seeds[] = {
                { ev_cc_bdaddr, sizeof(ev_cc_bdaddr) },   { ev_cs_inquiry, sizeof(ev_cs_inquiry) },
                { ev_inq_complete, sizeof(ev_inq_complete) }, { ev_inq_result, sizeof(ev_inq_result) },
                { ev_inq_rssi, sizeof(ev_inq_rssi) },     { ev_inq_rssi_pscan, sizeof(ev_inq_rssi_pscan) },
                { ev_ext_inq, sizeof(ev_ext_inq) },       { ev_le_adv, sizeof(ev_le_adv) },
        };
        double seconds = argc > 1 ? atof(argv[1]) : 3.0;
        uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) : (uint64_t) now_usec(CLOCK_REALTIME);
        unsigned long iters = 0, valid = 0;
        usec_t deadline;
        uint8_t b[300];

        rng_state = seed ? seed : 1;
        seeds_build();
        test_known();
        if (failures) {
                fprintf(stderr, "bt-hci-event-fuzz: %u known-answer check(s) failed\n", failures);
                return 1;
        }
        for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
                run_one(seeds[i].p, seeds[i].n);

        deadline = deadline_in((usec_t) (seconds * USEC_PER_SEC));
        while (failures == 0 && ((iters & 1023) != 0 || mono_now() < deadline)) {
                size_t n;
                struct bt_hci_evt e;

                if (rnd_below(8) == 0) {           /* pure random */
                        n = rnd_below(sizeof(b));
                        for (size_t i = 0; i < n; i++)
                                b[i] = (uint8_t) rnd();
                } else {
                        size_t s = rnd_below(sizeof(seeds) / sizeof(seeds[0]));
                        memcpy(b, seeds[s].p, seeds[s].n);
                        n = mutate(b, seeds[s].n, sizeof(b));
                }
                run_one(b, n);
                valid += bt_hci_evt_parse(b, n, &e) == 0;
                iters++;
        }
        printf("bt-hci-event-fuzz: seed 0x%llx, %lu inputs (%lu well-framed) in %.1f s, %u failure(s)\n",
               (unsigned long long) seed, iters, valid, seconds, failures);
        return failures ? 1 : 0;
}
