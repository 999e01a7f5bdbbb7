/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Steps many cases share (testcase.h): switching the DUT's power and
 * finding the slot's bench radio. */

#include <errno.h>
#include <string.h>

#include "testcase.h"

enum case_outcome case_power_set(struct case_ctx *ctx, const char *channel, bool on, struct relay_result *ret) {
        int r;

        case_ctx_progress(ctx, "power %s %s", on ? "on" : "off", channel);
        r = case_ctx_relay(ctx, RELAY_OP_SET, channel, on, 0, deadline_in(5 * USEC_PER_SEC), ret);
        if (r == -ECANCELED)
                return CASE_ABORTED;
        if (r < 0) {
                case_ctx_reason(ctx, "could not switch %s %s: %s (%s)", channel, on ? "on" : "off",
                                ret->reason ? ret->reason : "relay error", strerror(-r));
                return CASE_ERROR;
        }
        return CASE_PASS;
}

const char *case_bench_radio(struct case_ctx *ctx, const char *kind, const char **ret_radio) {
        const char *p = case_ctx_param_string(ctx, "interface", NULL);
        const struct fx_slot *slot = case_ctx_slot(ctx);
        const struct fixture *fx = case_ctx_fixture(ctx);

        if (ret_radio)
                *ret_radio = NULL;
        if (p)
                return p;
        for (size_t i = 0; fx && slot && i < slot->n_radios; i++) {
                const struct fx_radio *r = fixture_find_radio(fx, slot->radios[i]);

                if (r && strcmp(r->kind, kind) == 0) {
                        if (ret_radio)
                                *ret_radio = r->name;
                        return r->interface;
                }
        }
        return NULL;
}
