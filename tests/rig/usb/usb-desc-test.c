/* SPDX-License-Identifier: MIT */
/*
 * rig-usb-desc-test [-n ITERATIONS] [-s SEED]
 *
 * Checks the pure descriptor walk (usb-desc.c) on a hand-made composite
 * configuration (CDC ACM with IAD, mass storage, CDC ECM with two
 * altsettings) and on malformed variants, then mutates the valid set
 * (byte flips, length fields, truncation, splices) and walks each result:
 * under ASan/UBSan any read outside the buffer aborts. Exit 0 when all
 * checks hold.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "usb-desc.h"

static const uint8_t composite[] = {
        /* configuration, wTotalLength patched below */
        9, 0x02, 0, 0, 4, 1, 0, 0x80, 60,
        /* IAD: ACM, interfaces 0-1 */
        8, 0x0b, 0, 2, 0x02, 0x02, 0x01, 0,
        9, 0x04, 0, 0, 1, 0x02, 0x02, 0x01, 0,
        5, 0x24, 0x00, 0x10, 0x01, /* CDC header */
        7, 0x05, 0x83, 0x03, 10, 0, 9,
        9, 0x04, 1, 0, 2, 0x0a, 0x00, 0x00, 0,
        7, 0x05, 0x81, 0x02, 0, 2, 0,
        7, 0x05, 0x01, 0x02, 0, 2, 0,
        /* mass storage */
        9, 0x04, 2, 0, 2, 0x08, 0x06, 0x50, 0,
        7, 0x05, 0x82, 0x02, 0, 2, 0,
        7, 0x05, 0x02, 0x02, 0, 2, 0,
        /* IAD: ECM, interfaces 3-4 */
        8, 0x0b, 3, 2, 0x02, 0x06, 0x00, 0,
        9, 0x04, 3, 0, 1, 0x02, 0x06, 0x00, 0,
        7, 0x05, 0x84, 0x03, 16, 0, 9,
        9, 0x04, 4, 0, 0, 0x0a, 0x00, 0x00, 0,
        9, 0x04, 4, 1, 2, 0x0a, 0x00, 0x00, 0,
        7, 0x05, 0x85, 0x02, 0, 2, 0,
        7, 0x05, 0x03, 0x02, 0, 2, 0,
};

struct tally {
        unsigned configs, iads, ifaces, eps, others;
        unsigned sum; /* touches every field, so ASan sees each read */
        char text[1024];
        size_t used;
};

static void put(struct tally *t, const char *s) {
        size_t n = strlen(s);

        if (t->used + n < sizeof(t->text)) {
                memcpy(t->text + t->used, s, n + 1);
                t->used += n;
        }
}

static int on_config(const struct usb_desc_config *c, void *u) {
        struct tally *t = u;

        t->configs++;
        t->sum += c->total_length + c->num_interfaces + c->value + c->attributes + c->max_power;
        return 0;
}

static int on_iad(const struct usb_desc_iad *iad, void *u) {
        struct tally *t = u;
        char s[64];

        t->iads++;
        snprintf(s, sizeof(s), "iad %u+%u %02x/%02x/%02x;", iad->first_interface, iad->interface_count,
                 iad->class, iad->subclass, iad->protocol);
        put(t, s);
        return 0;
}

static int on_interface(const struct usb_desc_interface *i, void *u) {
        struct tally *t = u;
        char s[64];

        t->ifaces++;
        snprintf(s, sizeof(s), "if %u.%u %02x/%02x/%02x eps=%u;", i->number, i->alt, i->class,
                 i->subclass, i->protocol, i->endpoints_seen);
        put(t, s);
        return 0;
}

static int on_endpoint(const struct usb_desc_interface *o, const struct usb_desc_endpoint *e, void *u) {
        struct tally *t = u;

        t->eps++;
        t->sum += e->address + e->attributes + e->max_packet_size + e->interval + o->number;
        return 0;
}

static int on_other(uint8_t type, const uint8_t *d, size_t len, void *u) {
        struct tally *t = u;

        t->others++;
        for (size_t i = 0; i < len; i++)
                t->sum += d[i];
        return 0;
}

static const struct usb_desc_visitor visitor = {
        .config = on_config,
        .iad = on_iad,
        .interface = on_interface,
        .endpoint = on_endpoint,
        .other = on_other,
};

static int walk_copy(const uint8_t *src, size_t len, struct tally *t) {
        /* An exact-size heap copy: one byte past it is an ASan report. */
        uint8_t *buf = malloc(len ? len : 1);
        int r;

        if (!buf)
                abort();
        if (len)
                memcpy(buf, src, len);
        memset(t, 0, sizeof(*t));
        r = usb_desc_config_walk(len ? buf : NULL, len, &visitor, t);
        free(buf);
        return r;
}

static unsigned failures;
#define CHECK(cond)                                                                  \
        do {                                                                         \
                if (!(cond)) {                                                       \
                        fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
                        failures++;                                                  \
                }                                                                    \
        } while (0)

static uint64_t rng_state;
static uint32_t rnd(void) {
        /* xorshift64*: reproducible from -s. */
        rng_state ^= rng_state >> 12;
        rng_state ^= rng_state << 25;
        rng_state ^= rng_state >> 27;
        return (uint32_t) ((rng_state * 2685821657736338717ULL) >> 32);
}

int main(int argc, char **argv) {
        uint8_t good[sizeof(composite)], bad[sizeof(composite) + 64];
        unsigned long iterations = 200000;
        struct tally t;
        int r;

        rng_state = 0x9e3779b97f4a7c15ULL;
        for (int i = 1; i + 1 < argc; i += 2) {
                if (strcmp(argv[i], "-n") == 0)
                        iterations = strtoul(argv[i + 1], NULL, 0);
                else if (strcmp(argv[i], "-s") == 0)
                        rng_state = (strtoull(argv[i + 1], NULL, 0) + 1) * 0x9e3779b97f4a7c15ULL; /* never 0 for odd products */
        }

        memcpy(good, composite, sizeof(good));
        good[2] = (uint8_t) (sizeof(good) & 0xff);
        good[3] = (uint8_t) (sizeof(good) >> 8);

        r = walk_copy(good, sizeof(good), &t);
        CHECK(r == 0);
        CHECK(t.configs == 1 && t.iads == 2 && t.ifaces == 6 && t.eps == 8 && t.others == 1);
        CHECK(strcmp(t.text,
                     "iad 0+2 02/02/01;if 0.0 02/02/01 eps=1;if 1.0 0a/00/00 eps=2;"
                     "if 2.0 08/06/50 eps=2;iad 3+2 02/06/00;if 3.0 02/06/00 eps=1;"
                     "if 4.0 0a/00/00 eps=0;if 4.1 0a/00/00 eps=2;") == 0);

        /* Trailing bytes beyond wTotalLength are ignored. */
        memcpy(bad, good, sizeof(good));
        memset(bad + sizeof(good), 0, 16);
        CHECK(walk_copy(bad, sizeof(good) + 16, &t) == 0 && t.ifaces == 6);
        /* Every truncation is refused, none read past the end. */
        for (size_t n = 0; n < sizeof(good); n++)
                CHECK(walk_copy(good, n, &t) == -EBADMSG);
        /* bLength 0 (would loop), 1, and running past the end. */
        memcpy(bad, good, sizeof(good));
        bad[9] = 0;
        CHECK(walk_copy(bad, sizeof(good), &t) == -EBADMSG);
        bad[9] = 1;
        CHECK(walk_copy(bad, sizeof(good), &t) == -EBADMSG);
        bad[9] = 255;
        CHECK(walk_copy(bad, sizeof(good), &t) == -EBADMSG);
        /* An endpoint count that disagrees with bNumEndpoints. */
        memcpy(bad, good, sizeof(good));
        bad[17 + 4] = 2;
        CHECK(walk_copy(bad, sizeof(good), &t) == -EBADMSG);
        /* An endpoint before any interface. */
        {
                static const uint8_t ep_first[] = { 9, 2, 16, 0, 0, 1, 0, 0x80, 1, 7, 5, 0x81, 2, 0, 2, 0 };
                CHECK(walk_copy(ep_first, sizeof(ep_first), &t) == -EBADMSG);
        }
        /* Not a configuration descriptor; wTotalLength below 9. */
        memcpy(bad, good, sizeof(good));
        bad[1] = 0x01;
        CHECK(walk_copy(bad, sizeof(good), &t) == -EBADMSG);
        memcpy(bad, good, sizeof(good));
        bad[2] = 5;
        bad[3] = 0;
        CHECK(walk_copy(bad, sizeof(good), &t) == -EBADMSG);
        CHECK(usb_desc_config_walk(NULL, 3, &visitor, &t) == -EINVAL);

        /* Mutations: any result is fine, reading out of bounds is not. */
        unsigned long ok = 0;
        for (unsigned long it = 0; it < iterations; it++) {
                size_t len = sizeof(good);
                unsigned k = 1 + rnd() % 8;

                memcpy(bad, good, sizeof(good));
                while (k--) {
                        switch (rnd() % 6) {
                        case 0: bad[rnd() % len] ^= (uint8_t) (1u << (rnd() % 8)); break;
                        case 1: bad[rnd() % len] = (uint8_t) rnd(); break;
                        case 2: bad[rnd() % len] = (uint8_t) (rnd() % 12); break; /* small lengths */
                        case 3: len = 1 + rnd() % len; break;
                        case 4: bad[2] = (uint8_t) rnd(); bad[3] = (uint8_t) (rnd() % 2); break;
                        case 5: if (len < sizeof(bad) - 9) { /* splice in a descriptor */
                                        size_t at = rnd() % len, n = 2 + rnd() % 9;
                                        memmove(bad + at + n, bad + at, len - at);
                                        for (size_t j = 0; j < n; j++)
                                                bad[at + j] = (uint8_t) rnd();
                                        bad[at] = (uint8_t) n;
                                        len += n;
                                }
                                break;
                        }
                }
                if (walk_copy(bad, len, &t) == 0)
                        ok++;
        }
        printf("rig-usb-desc-test: %lu mutations, %lu walked clean, %u check failures\n", iterations, ok,
               failures);
        return failures ? 1 : 0;
}
