/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* relay-set-helper PORT NAME=0|1...: drives the simulator's coils through
 * our driver (channel "cN" is coil N; "iN" is coil N inverted), so an
 * independent client can check what landed on the board. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/macros.h"
#include "drivers/relay/relay.h"

int main(int argc, char **argv) {
        struct fx_channel chans[16];
        char names[16][8];
        struct relay_board *b = NULL;
        int r = 0;

        if (argc < 3) {
                fprintf(stderr, "usage: relay-set-helper PORT NAME=0|1...\n");
                return 2;
        }
        for (unsigned i = 0; i < 8; i++) {
                snprintf(names[i], sizeof(names[i]), "c%u", i);
                snprintf(names[8 + i], sizeof(names[8 + i]), "i%u", i);
                chans[i] = (struct fx_channel) { .name = names[i], .index = i, .output = true };
                chans[8 + i] = (struct fx_channel) { .name = names[8 + i], .index = i, .output = true, .invert = true };
        }
        struct fx_relay_board cfg = {
                .name = (char *) "helper", .kind = (char *) "modbus-tcp", .host = (char *) "127.0.0.1",
                .port = (unsigned) atoi(argv[1]), .unit = 1, .timeout_ms = 500,
                .channels = chans, .n_channels = ELEMENTSOF(chans),
        };
        r = relay_board_new(&cfg, &b);
        if (r < 0) {
                fprintf(stderr, "relay_board_new: %s\n", strerror(-r));
                return 1;
        }
        for (int i = 2; i < argc && r >= 0; i++) {
                char *eq = strchr(argv[i], '=');
                struct relay_result res;

                if (!eq) {
                        r = -EINVAL;
                        break;
                }
                *eq = 0;
                r = relay_board_call(b, RELAY_OP_SET, argv[i], eq[1] == '1', 0,
                                     deadline_in(2 * USEC_PER_SEC), -1, &res);
                if (r < 0)
                        fprintf(stderr, "%s: %s (%s)\n", argv[i], strerror(-r), r == -ETIMEDOUT ? "timeout" : strna(res.reason));
        }
        relay_board_free(b);
        return r < 0 ? 1 : 0;
}
