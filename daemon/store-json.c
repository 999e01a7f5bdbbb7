/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "store-json.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct cursor {
        const unsigned char *p, *end;
};

static void skip_ws(struct cursor *c) {
        while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
                c->p++;
}

static int hex4(const unsigned char *p) {
        int v = 0;

        for (int i = 0; i < 4; i++) {
                unsigned char h = p[i];

                v <<= 4;
                if (h >= '0' && h <= '9')
                        v |= h - '0';
                else if (h >= 'a' && h <= 'f')
                        v |= h - 'a' + 10;
                else if (h >= 'A' && h <= 'F')
                        v |= h - 'A' + 10;
                else
                        return -1;
        }
        return v;
}

/* One UTF-8 sequence starting at c->p (first byte >= 0x80): shortest form,
 * no surrogates, at most U+10FFFF, as jansson checks it. */
static bool skip_utf8(struct cursor *c) {
        unsigned char b = *c->p;
        size_t n;
        uint32_t cp;

        if (b >= 0xc2 && b <= 0xdf)
                n = 1, cp = b & 0x1f;
        else if (b >= 0xe0 && b <= 0xef)
                n = 2, cp = b & 0x0f;
        else if (b >= 0xf0 && b <= 0xf4)
                n = 3, cp = b & 0x07;
        else
                return false;
        if ((size_t) (c->end - c->p) <= n)
                return false;
        for (size_t i = 1; i <= n; i++) {
                if ((c->p[i] & 0xc0) != 0x80)
                        return false;
                cp = (cp << 6) | (c->p[i] & 0x3f);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
            (cp >= 0xd800 && cp <= 0xdfff))
                return false;
        c->p += n + 1;
        return true;
}

static bool skip_string(struct cursor *c) {
        c->p++; /* opening quote */
        while (c->p < c->end) {
                unsigned char b = *c->p;

                if (b == '"') {
                        c->p++;
                        return true;
                }
                if (b < 0x20)
                        return false;
                if (b >= 0x80) {
                        if (!skip_utf8(c))
                                return false;
                        continue;
                }
                if (b != '\\') {
                        c->p++;
                        continue;
                }
                if (c->end - c->p < 2)
                        return false;
                switch (c->p[1]) {
                case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
                        c->p += 2;
                        continue;
                case 'u':
                        break;
                default:
                        return false;
                }
                if (c->end - c->p < 6)
                        return false;
                int u = hex4(c->p + 2);
                if (u <= 0 || (u >= 0xdc00 && u <= 0xdfff)) /* \u0000, lone low surrogate */
                        return false;
                c->p += 6;
                if (u >= 0xd800 && u <= 0xdbff) {
                        int lo;

                        if (c->end - c->p < 6 || c->p[0] != '\\' || c->p[1] != 'u')
                                return false;
                        lo = hex4(c->p + 2);
                        if (lo < 0xdc00 || lo > 0xdfff)
                                return false;
                        c->p += 6;
                }
        }
        return false;
}

static bool is_digit(const struct cursor *c) {
        return c->p < c->end && *c->p >= '0' && *c->p <= '9';
}

static bool skip_number(struct cursor *c) {
        const unsigned char *start = c->p;
        bool real = false;
        char buf[64], *copy = buf, *end;
        size_t len;
        bool ok;

        if (*c->p == '-')
                c->p++;
        if (!is_digit(c))
                return false;
        if (*c->p == '0') {
                c->p++;
                if (is_digit(c))
                        return false;
        } else
                while (is_digit(c))
                        c->p++;
        if (c->p < c->end && *c->p == '.') {
                real = true;
                c->p++;
                if (!is_digit(c))
                        return false;
                while (is_digit(c))
                        c->p++;
        }
        if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
                real = true;
                c->p++;
                if (c->p < c->end && (*c->p == '+' || *c->p == '-'))
                        c->p++;
                if (!is_digit(c))
                        return false;
                while (is_digit(c))
                        c->p++;
        }

        /* The range check needs a terminated copy: the text need not be
         * NUL-terminated. Numbers are short; long ones go to the heap. */
        len = (size_t) (c->p - start);
        if (len >= sizeof buf) {
                copy = malloc(len + 1);
                if (!copy)
                        return false;
        }
        memcpy(copy, start, len);
        copy[len] = '\0';
        errno = 0;
        if (real) {
                double d = strtod(copy, &end);
                ok = !(errno == ERANGE && (d == HUGE_VAL || d == -HUGE_VAL));
        } else {
                (void) strtoll(copy, &end, 10);
                ok = errno != ERANGE;
        }
        if (copy != buf)
                free(copy);
        return ok;
}

static bool skip_literal(struct cursor *c, const char *lit, size_t n) {
        if ((size_t) (c->end - c->p) < n || memcmp(c->p, lit, n) != 0)
                return false;
        c->p += n;
        return true;
}

bool store_json_is_valid(const char *text, size_t len, bool want_object) {
        /* Open containers, innermost last: '{' or '['. */
        char stack[STORE_JSON_MAX_DEPTH];
        size_t depth = 0;
        struct cursor c;

        if (!text)
                return false;
        c = (struct cursor) { (const unsigned char *) text, (const unsigned char *) text + len };

        skip_ws(&c);
        if (want_object && (c.p >= c.end || *c.p != '{'))
                return false;

        /* Each turn reads one value, then closes containers and reads the
         * separator (and key) that leads to the next value. */
        for (;;) {
                skip_ws(&c);
                if (c.p >= c.end)
                        return false;

                switch (*c.p) {
                case '{':
                case '[':
                        if (depth == STORE_JSON_MAX_DEPTH)
                                return false;
                        stack[depth++] = (char) *c.p++;
                        skip_ws(&c);
                        if (c.p < c.end && *c.p == (stack[depth - 1] == '{' ? '}' : ']')) {
                                c.p++;
                                depth--;
                                break; /* empty container: a complete value */
                        }
                        if (stack[depth - 1] == '{') {
                                if (c.p >= c.end || *c.p != '"' || !skip_string(&c))
                                        return false;
                                skip_ws(&c);
                                if (c.p >= c.end || *c.p++ != ':')
                                        return false;
                        }
                        continue; /* read the first member's value */
                case '"':
                        if (!skip_string(&c))
                                return false;
                        break;
                case 't':
                        if (!skip_literal(&c, "true", 4))
                                return false;
                        break;
                case 'f':
                        if (!skip_literal(&c, "false", 5))
                                return false;
                        break;
                case 'n':
                        if (!skip_literal(&c, "null", 4))
                                return false;
                        break;
                default:
                        if (!skip_number(&c))
                                return false;
                        break;
                }

                /* A value is complete: close what ends here, then expect a
                 * comma (and a key in objects) before the next value. */
                for (;;) {
                        skip_ws(&c);
                        if (depth == 0) {
                                return c.p == c.end;
                        }
                        if (c.p >= c.end)
                                return false;
                        if (*c.p == (stack[depth - 1] == '{' ? '}' : ']')) {
                                c.p++;
                                depth--;
                                continue;
                        }
                        if (*c.p++ != ',')
                                return false;
                        if (stack[depth - 1] == '{') {
                                skip_ws(&c);
                                if (c.p >= c.end || *c.p != '"' || !skip_string(&c))
                                        return false;
                                skip_ws(&c);
                                if (c.p >= c.end || *c.p++ != ':')
                                        return false;
                        }
                        break;
                }
        }
}
