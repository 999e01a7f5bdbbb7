/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"

static int error_set(char **ret_error, const char *fmt, ...) _printf_(2, 3);
static int error_set(char **ret_error, const char *fmt, ...) {
        va_list ap;
        char *s = NULL;

        va_start(ap, fmt);
        if (vasprintf(&s, fmt, ap) < 0)
                s = NULL;
        va_end(ap);
        if (!s)
                return -ENOMEM;
        *ret_error = s;
        return -EINVAL;
}

int cli_param_parse(const char *s, json_t *params, char **ret_error) {
        _cleanup_free_ char *case_id = NULL, *key = NULL;
        const char *eq, *dot;
        json_t *value, *sub;

        eq = strchr(s, '=');
        if (!eq)
                return error_set(ret_error, "--param: expected CASE.KEY=VALUE, got '%s'", s);
        dot = NULL;
        for (const char *p = s; p < eq; p++)
                if (*p == '.')
                        dot = p;
        if (!dot || dot == s || dot + 1 == eq)
                return error_set(ret_error,
                                 "--param: expected CASE.KEY=VALUE (a case id, a dot and a key "
                                 "before '='), got '%s'", s);

        case_id = strndup(s, dot - s);
        key = strndup(dot + 1, eq - dot - 1);
        if (!case_id || !key)
                return -ENOMEM;

        /* JSON when it is JSON, so numbers and booleans reach the daemon
         * typed; anything else is the literal text. */
        value = json_loads(eq + 1, JSON_DECODE_ANY, NULL);
        if (!value)
                value = json_string(eq + 1);
        if (!value)
                return error_set(ret_error, "--param: value of '%s' is not valid UTF-8", s);

        sub = json_object_get(params, case_id);
        if (!sub) {
                sub = json_object();
                if (!sub || json_object_set_new(params, case_id, sub) < 0) {
                        json_decref(value);
                        return -ENOMEM;
                }
        }
        if (json_object_set_new(sub, key, value) < 0)
                return -ENOMEM;
        return 0;
}

int cli_seconds_parse(const char *s, usec_t *ret) {
        char *end = NULL;
        double d;

        if (!s || !*s)
                return -EINVAL;
        errno = 0;
        d = strtod(s, &end);
        if (errno != 0 || !end || *end || !isfinite(d) || d <= 0 || d > 86400)
                return -EINVAL;
        *ret = (usec_t) (d * USEC_PER_SEC + 0.5);
        if (*ret == 0)
                *ret = 1;
        return 0;
}

int cli_uint_parse(const char *s, uint64_t min, uint64_t max, uint64_t *ret) {
        char *end = NULL;
        unsigned long long v;

        if (!s || *s < '0' || *s > '9')
                return -EINVAL;
        errno = 0;
        v = strtoull(s, &end, 10);
        if (errno == ERANGE)
                return -ERANGE;
        if (errno != 0 || !end || *end)
                return -EINVAL;
        if (v < min || v > max)
                return -ERANGE;
        *ret = v;
        return 0;
}

int cli_on_off_parse(const char *s, bool *ret) {
        static const char *const on[] = { "on", "1", "true", "yes" };
        static const char *const off[] = { "off", "0", "false", "no" };

        for (size_t i = 0; i < ELEMENTSOF(on); i++) {
                if (strcasecmp(s, on[i]) == 0) {
                        *ret = true;
                        return 0;
                }
                if (strcasecmp(s, off[i]) == 0) {
                        *ret = false;
                        return 0;
                }
        }
        return -EINVAL;
}

int cli_path_absolute(const char *path, char **ret) {
        _cleanup_free_ char *cwd = NULL;
        char *p;

        if (!path || !*path)
                return -EINVAL;
        p = realpath(path, NULL);
        if (p) {
                *ret = p;
                return 0;
        }
        if (errno != ENOENT && errno != ENOTDIR)
                return negative_errno();
        /* Not here: the daemon may see another file system; let it judge. */
        if (path[0] == '/') {
                p = strdup(path);
        } else {
                cwd = getcwd(NULL, 0);
                if (!cwd)
                        return negative_errno();
                if (asprintf(&p, "%s/%s", cwd, path) < 0)
                        p = NULL;
        }
        if (!p)
                return -ENOMEM;
        *ret = p;
        return 0;
}
