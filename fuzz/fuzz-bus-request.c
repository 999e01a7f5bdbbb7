/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: a command frame from any client, through the parser and the
 * argument getters the command handlers use. */

#include <stdint.h>
#include <stdlib.h>

#include "daemon/bus-proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static const char *const keys[] = { "slot", "profile", "serial", "channel", "on", "width_ms",
                                             "seq", "limit", "run_id", "id", NULL };
        struct bus_request req = {};
        enum bus_error e;
        char *msg = NULL, *reply;
        json_t *id = NULL;

        if (bus_request_parse(data, size, 65536, &req, &e, &msg, &id) < 0) {
                reply = bus_reply_error(id, e, msg);
                free(reply);
                free(msg);
                json_decref(id);
                return 0;
        }
        json_decref(id);
        for (const char *const *k = keys; *k; k++) {
                const char *s = NULL;
                bool b = false;
                int64_t i = 0;

                msg = NULL;
                (void) bus_args_string(req.args, *k, false, &s, &msg);
                free(msg);
                msg = NULL;
                (void) bus_args_bool(req.args, *k, false, &b, &msg);
                free(msg);
                msg = NULL;
                (void) bus_args_int(req.args, *k, false, 0, 1000, &i, &msg);
                free(msg);
        }
        msg = NULL;
        (void) bus_args_only(req.args, keys, &msg);
        free(msg);
        reply = bus_reply_ok(req.id, json_incref(req.args));
        free(reply);
        bus_request_done(&req);
        return 0;
}
