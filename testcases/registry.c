/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "testcase.h"

extern const struct case_def case_power_cycle;
extern const struct case_def case_bench_flood;
extern const struct case_def case_wifi_security;
extern const struct case_def case_wifi_downgrade;
extern const struct case_def case_usb_exposure;
extern const struct case_def case_usb_access;
extern const struct case_def case_usb_host_sweep;
extern const struct case_def case_bt_pairing;

static const struct case_def *const case_table[] = {
        &case_power_cycle,
        &case_bench_flood,
        &case_wifi_security,
        &case_wifi_downgrade,
        &case_usb_exposure,
        &case_usb_access,
        &case_usb_host_sweep,
        &case_bt_pairing,
        NULL,
};

static const char *const outcome_table[_CASE_OUTCOME_MAX] = {
        [CASE_PASS] = "PASS",
        [CASE_FAIL] = "FAIL",
        [CASE_ERROR] = "ERROR",
        [CASE_SKIPPED] = "SKIPPED",
        [CASE_ABORTED] = "ABORTED",
};

const char *case_outcome_to_string(enum case_outcome o) {
        return (unsigned) o < _CASE_OUTCOME_MAX ? outcome_table[o] : "ERROR";
}

static int outcome_rank(enum case_outcome o) {
        switch (o) {
        case CASE_PASS: return 0;
        case CASE_SKIPPED: return 1;
        case CASE_FAIL: return 2;
        case CASE_ERROR: return 3;
        case CASE_ABORTED: return 4;
        case _CASE_OUTCOME_MAX: break;
        }
        return 3;
}

enum case_outcome case_outcome_worst(enum case_outcome a, enum case_outcome b) {
        return outcome_rank(a) >= outcome_rank(b) ? a : b;
}

const struct case_def *case_find(const char *id) {
        for (const struct case_def *const *c = case_table; *c; c++)
                if (strcmp((*c)->id, id) == 0)
                        return *c;
        return NULL;
}

const struct case_def *const *case_list(void) {
        return case_table;
}

int case_params_validate(const struct case_def *def, json_t *params, char **ret_message) {
        const char *k;
        json_t *v;

        if (!params)
                return 0;
        if (!json_is_object(params)) {
                if (asprintf(ret_message, "params.%s: expected an object", def->id) < 0)
                        *ret_message = NULL;
                return -EINVAL;
        }
        json_object_foreach(params, k, v) {
                const struct case_param *p = NULL;

                for (const struct case_param *i = def->params; i && i->name; i++)
                        if (strcmp(i->name, k) == 0)
                                p = i;
                if (!p) {
                        char list[256] = "";
                        size_t n = 0;

                        for (const struct case_param *i = def->params; i && i->name && n < sizeof(list); i++)
                                n += (size_t) snprintf(list + n, sizeof(list) - n, "%s%s",
                                                       n ? ", " : "", i->name);
                        if (asprintf(ret_message, "params.%s.%s: unknown parameter, expected %s",
                                     def->id, k, n ? list : "none") < 0)
                                *ret_message = NULL;
                        return -EINVAL;
                }
                if (p->type == CASE_PARAM_INT) {
                        if (!json_is_integer(v) || json_integer_value(v) < p->min ||
                            json_integer_value(v) > p->max) {
                                if (asprintf(ret_message, "params.%s.%s: expected an integer %lld..%lld",
                                             def->id, k, (long long) p->min, (long long) p->max) < 0)
                                        *ret_message = NULL;
                                return -EINVAL;
                        }
                } else if (!json_is_string(v)) {
                        if (asprintf(ret_message, "params.%s.%s: expected a string", def->id, k) < 0)
                                *ret_message = NULL;
                        return -EINVAL;
                }
        }
        return 0;
}
