/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "yamltree.h"

#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#define streq(a, b) (strcmp((a), (b)) == 0)

static void node_free(struct yt_node *n) {
        if (!n)
                return;
        free(n->value);
        for (size_t i = 0; i < n->n_pairs; i++) {
                node_free(n->pairs[i].key);
                node_free(n->pairs[i].value);
        }
        free(n->pairs);
        for (size_t i = 0; i < n->n_items; i++)
                node_free(n->items[i]);
        free(n->items);
        free(n);
}

void yt_doc_free(struct yt_doc *d) {
        if (!d)
                return;
        node_free(d->root);
        free(d->path);
        free(d->error);
        free(d);
}

void yt_strv_free(char **v, size_t n) {
        if (!v)
                return;
        for (size_t i = 0; i < n; i++)
                free(v[i]);
        free(v);
}

static int error_at(struct yt_doc *d, unsigned line, unsigned column, const char *format,
                    va_list ap) {
        _cleanup_free_ char *msg = NULL;

        if (d->error)
                return -EINVAL;
        if (vasprintf(&msg, format, ap) < 0)
                return -ENOMEM;
        if (asprintf(&d->error, "%s:%u:%u: %s", d->path, line, column, msg) < 0) {
                d->error = NULL;
                return -ENOMEM;
        }
        return -EINVAL;
}

int yt_error(struct yt_doc *d, const struct yt_node *n, const char *format, ...) {
        va_list ap;
        int r;

        va_start(ap, format);
        r = error_at(d, n ? n->line : 1, n ? n->column : 1, format, ap);
        va_end(ap);
        return r;
}

static int error_mark(struct yt_doc *d, unsigned line, unsigned column, const char *format, ...)
        _printf_(4, 5);
static int error_mark(struct yt_doc *d, unsigned line, unsigned column, const char *format, ...) {
        va_list ap;
        int r;

        va_start(ap, format);
        r = error_at(d, line, column, format, ap);
        va_end(ap);
        return r;
}

char *yt_doc_take_error(struct yt_doc *d) {
        return d ? TAKE_PTR(d->error) : NULL;
}

const char *yt_kind_to_string(enum yt_kind k) {
        switch (k) {
        case YT_SCALAR:
                return "a scalar";
        case YT_MAP:
                return "a mapping";
        case YT_SEQ:
                return "a list";
        case _YT_KIND_MAX:
                break;
        }
        return "an unknown node";
}

bool yt_node_is_null(const struct yt_node *n) {
        if (!n || n->kind != YT_SCALAR || !n->plain)
                return false;
        return n->length == 0 || streq(n->value, "~") || streq(n->value, "null") ||
               streq(n->value, "Null") || streq(n->value, "NULL");
}

/* Values come from hostile files and end up in terminals and the journal:
 * escape anything unprintable and cap the length. */
#define DESCRIBE_MAX 40

char *yt_node_describe(const struct yt_node *n) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f;

        if (!n)
                return strdup("nothing");
        if (n->kind != YT_SCALAR)
                return strdup(yt_kind_to_string(n->kind));
        if (yt_node_is_null(n))
                return strdup("empty");

        f = open_memstream(&buf, &size);
        if (!f)
                return NULL;
        fputc('"', f);
        for (size_t i = 0; i < n->length && i < DESCRIBE_MAX; i++) {
                unsigned char c = (unsigned char) n->value[i];
                if (c == '"' || c == '\\')
                        fprintf(f, "\\%c", c);
                else if (c < 0x20 || c == 0x7f)
                        fprintf(f, "\\x%02x", c);
                else
                        fputc(c, f);
        }
        if (n->length > DESCRIBE_MAX)
                fputs("...", f);
        fputc('"', f);
        if (fclose(f) != 0) {
                free(buf);
                return NULL;
        }
        return buf;
}

/* ---- building the tree from libyaml events ---- */

struct builder {
        struct yt_doc *doc;
        struct yt_node *stack[YT_MAX_DEPTH + 1];
        size_t depth;
        bool seen_document;
};

static struct yt_node *node_new(enum yt_kind kind, const yaml_mark_t *m) {
        struct yt_node *n = calloc(1, sizeof(*n));

        if (!n)
                return NULL;
        n->kind = kind;
        /* libyaml marks are 0-based; people count from 1. */
        n->line = (unsigned) m->line + 1;
        n->column = (unsigned) m->column + 1;
        return n;
}

/* Arrays grow to powers of two (capacity is implied by the count), so
 * appending stays linear however long a hostile list is. */
static bool needs_growth(size_t n) {
        return n == 0 || (n & (n - 1)) == 0;
}

static size_t grown(size_t n) {
        return n == 0 ? 1 : n * 2;
}

static int builder_attach(struct builder *b, struct yt_node *n) {
        struct yt_node *parent;

        if (b->depth == 0) {
                if (b->doc->root) {
                        node_free(n);
                        return yt_error(b->doc, NULL, "more than one root node");
                }
                b->doc->root = n;
                return 0;
        }

        parent = b->stack[b->depth - 1];
        if (parent->kind == YT_SEQ) {
                struct yt_node **items;

                if (parent->n_items >= YT_MAX_ITEMS) {
                        int r = yt_error(b->doc, n, "more than %u entries in one list, expected fewer",
                                         YT_MAX_ITEMS);
                        node_free(n);
                        return r;
                }
                if (needs_growth(parent->n_items)) {
                        items = reallocarray(parent->items, grown(parent->n_items), sizeof(*items));
                        if (!items) {
                                node_free(n);
                                return -ENOMEM;
                        }
                        parent->items = items;
                }
                parent->items[parent->n_items++] = n;
                return 0;
        }

        /* A mapping: the last pair is waiting for its value when value is NULL. */
        if (parent->n_pairs > 0 && !parent->pairs[parent->n_pairs - 1].value) {
                parent->pairs[parent->n_pairs - 1].value = n;
                return 0;
        }

        if (n->kind != YT_SCALAR) {
                int r = yt_error(b->doc, n, "%s used as a key, expected a plain scalar key",
                                 yt_kind_to_string(n->kind));
                node_free(n);
                return r;
        }
        for (size_t i = 0; i < parent->n_pairs; i++) {
                const struct yt_node *k = parent->pairs[i].key;
                if (k->length == n->length && memcmp(k->value, n->value, n->length) == 0) {
                        _cleanup_free_ char *desc = yt_node_describe(n);
                        int r = yt_error(b->doc, n,
                                         "duplicate key %s, first defined at line %u column %u, "
                                         "expected each key once",
                                         desc ? desc : "?", k->line, k->column);
                        node_free(n);
                        return r;
                }
        }

        /* Checked after the duplicate scan, which is quadratic: that is why a
         * mapping is capped well below what a list may hold. */
        if (parent->n_pairs >= YT_MAX_KEYS) {
                int r = yt_error(b->doc, n, "more than %u keys in one mapping, expected fewer",
                                 YT_MAX_KEYS);
                node_free(n);
                return r;
        }
        if (needs_growth(parent->n_pairs)) {
                struct yt_pair *pairs = reallocarray(parent->pairs, grown(parent->n_pairs),
                                                     sizeof(*pairs));
                if (!pairs) {
                        node_free(n);
                        return -ENOMEM;
                }
                parent->pairs = pairs;
        }
        parent->pairs[parent->n_pairs++] = (struct yt_pair) { .key = n };
        return 0;
}

static int builder_check_props(struct builder *b, const yaml_event_t *e, const yaml_char_t *anchor,
                               const yaml_char_t *tag, bool implicit_tag) {
        unsigned line = (unsigned) e->start_mark.line + 1, column = (unsigned) e->start_mark.column + 1;

        if (anchor)
                return error_mark(b->doc, line, column,
                                  "anchors (&name) are not supported, expected the value written out");
        if (tag && !implicit_tag)
                return error_mark(b->doc, line, column,
                                  "tags (!name) are not supported, expected an untagged value");
        return 0;
}

static int builder_event(struct builder *b, const yaml_event_t *e) {
        struct yt_node *n;
        int r;

        switch (e->type) {
        case YAML_NO_EVENT:
        case YAML_STREAM_START_EVENT:
        case YAML_STREAM_END_EVENT:
        case YAML_DOCUMENT_END_EVENT:
                return 0;

        case YAML_DOCUMENT_START_EVENT:
                if (b->seen_document)
                        return error_mark(b->doc, (unsigned) e->start_mark.line + 1,
                                          (unsigned) e->start_mark.column + 1,
                                          "a second document, expected a single YAML document per file");
                b->seen_document = true;
                return 0;

        case YAML_ALIAS_EVENT:
                return error_mark(b->doc, (unsigned) e->start_mark.line + 1,
                                  (unsigned) e->start_mark.column + 1,
                                  "aliases (*name) are not supported, expected the value written out");

        case YAML_SCALAR_EVENT:
                r = builder_check_props(b, e, e->data.scalar.anchor, e->data.scalar.tag,
                                        e->data.scalar.plain_implicit || e->data.scalar.quoted_implicit);
                if (r < 0)
                        return r;
                if (memchr(e->data.scalar.value, 0, e->data.scalar.length))
                        return error_mark(b->doc, (unsigned) e->start_mark.line + 1,
                                          (unsigned) e->start_mark.column + 1,
                                          "a scalar containing a NUL character, expected text");
                n = node_new(YT_SCALAR, &e->start_mark);
                if (!n)
                        return -ENOMEM;
                n->value = strndup((const char *) e->data.scalar.value, e->data.scalar.length);
                if (!n->value) {
                        node_free(n);
                        return -ENOMEM;
                }
                n->length = e->data.scalar.length;
                n->plain = e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
                return builder_attach(b, n);

        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT: {
                bool seq = e->type == YAML_SEQUENCE_START_EVENT;

                r = seq ? builder_check_props(b, e, e->data.sequence_start.anchor,
                                              e->data.sequence_start.tag,
                                              e->data.sequence_start.implicit)
                        : builder_check_props(b, e, e->data.mapping_start.anchor,
                                              e->data.mapping_start.tag,
                                              e->data.mapping_start.implicit);
                if (r < 0)
                        return r;
                if (b->depth >= YT_MAX_DEPTH)
                        return error_mark(b->doc, (unsigned) e->start_mark.line + 1,
                                          (unsigned) e->start_mark.column + 1,
                                          "nesting deeper than %d levels, expected a flatter document",
                                          YT_MAX_DEPTH);
                n = node_new(seq ? YT_SEQ : YT_MAP, &e->start_mark);
                if (!n)
                        return -ENOMEM;
                r = builder_attach(b, n);
                if (r < 0)
                        return r;
                /* Attached, so owned by the tree; the stack only borrows it. */
                b->stack[b->depth++] = n;
                return 0;
        }

        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
                if (b->depth > 0)
                        b->depth--;
                return 0;
        }
        return 0;
}

/* The reader reports a byte offset, not a mark; turn it into line:col. */
static void offset_to_mark(const char *data, size_t size, size_t offset, unsigned *line,
                           unsigned *column) {
        unsigned l = 1, c = 1;

        for (size_t i = 0; i < offset && i < size; i++) {
                if (data[i] == '\n') {
                        l++;
                        c = 1;
                } else if (((unsigned char) data[i] & 0xc0) != 0x80)
                        c++;
        }
        *line = l;
        *column = c;
}

static int parser_error(struct yt_doc *d, const yaml_parser_t *p, const char *data, size_t size) {
        const char *problem = p->problem ? p->problem : "unknown error";
        unsigned line, column;

        switch (p->error) {
        case YAML_MEMORY_ERROR:
                return -ENOMEM;
        case YAML_READER_ERROR:
                offset_to_mark(data, size, p->problem_offset, &line, &column);
                return error_mark(d, line, column, "invalid text: %s, expected UTF-8 text", problem);
        default:
                line = (unsigned) p->problem_mark.line + 1;
                column = (unsigned) p->problem_mark.column + 1;
                if (p->context)
                        return error_mark(d, line, column,
                                          "invalid YAML: %s (%s started at line %u column %u)",
                                          problem, p->context,
                                          (unsigned) p->context_mark.line + 1,
                                          (unsigned) p->context_mark.column + 1);
                return error_mark(d, line, column, "invalid YAML: %s", problem);
        }
}

int yt_doc_load_string(const char *name, const char *data, size_t size, struct yt_doc **ret,
                       char **ret_error) {
        _cleanup_(yt_doc_freep) struct yt_doc *d = NULL;
        struct builder b = {};
        yaml_parser_t parser;
        int r = 0;

        d = calloc(1, sizeof(*d));
        if (!d)
                return -ENOMEM;
        d->path = strdup(name);
        if (!d->path)
                return -ENOMEM;
        b.doc = d;

        if (!yaml_parser_initialize(&parser))
                return -ENOMEM;
        yaml_parser_set_input_string(&parser, (const unsigned char *) data, size);

        for (;;) {
                yaml_event_t e;

                if (!yaml_parser_parse(&parser, &e)) {
                        r = parser_error(d, &parser, data, size);
                        break;
                }
                r = builder_event(&b, &e);
                bool end = e.type == YAML_STREAM_END_EVENT;
                yaml_event_delete(&e);
                if (r < 0 || end)
                        break;
        }
        yaml_parser_delete(&parser);

        if (r < 0) {
                if (ret_error)
                        *ret_error = yt_doc_take_error(d);
                return r;
        }
        *ret = TAKE_PTR(d);
        return 0;
}

int yt_doc_load_file(const char *path, struct yt_doc **ret, char **ret_error) {
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *data = NULL;
        size_t size = 0, alloc = 0;
        struct stat st;
        int r;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0) {
                r = negative_errno();
                goto io_fail;
        }
        if (fstat(fd, &st) < 0) {
                r = negative_errno();
                goto io_fail;
        }
        if (S_ISDIR(st.st_mode)) {
                r = -EISDIR;
                goto io_fail;
        }

        /* Read until EOF rather than trusting st_size: pipes and /proc lie. */
        for (;;) {
                if (size == alloc) {
                        size_t n = alloc ? alloc * 2 : 4096;
                        char *p;

                        if (alloc >= YT_MAX_FILE_SIZE) {
                                if (ret_error && asprintf(ret_error,
                                                          "%s: file larger than %u bytes, expected a small configuration file",
                                                          path, YT_MAX_FILE_SIZE) < 0)
                                        *ret_error = NULL;
                                return -EFBIG;
                        }
                        if (n > YT_MAX_FILE_SIZE)
                                n = YT_MAX_FILE_SIZE;
                        p = realloc(data, n + 1);
                        if (!p)
                                return -ENOMEM;
                        data = p;
                        alloc = n;
                }
                ssize_t k = read(fd, data + size, alloc - size);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        r = negative_errno();
                        goto io_fail;
                }
                if (k == 0)
                        break;
                size += (size_t) k;
        }
        /* One byte beyond a full buffer tells "exactly the limit" from "over it". */
        if (size == YT_MAX_FILE_SIZE) {
                char c;
                if (read(fd, &c, 1) == 1) {
                        if (ret_error && asprintf(ret_error,
                                                  "%s: file larger than %u bytes, expected a small configuration file",
                                                  path, YT_MAX_FILE_SIZE) < 0)
                                *ret_error = NULL;
                        return -EFBIG;
                }
        }

        return yt_doc_load_string(path, data ? data : "", size, ret, ret_error);

io_fail:
        if (ret_error && asprintf(ret_error, "%s: cannot read: %s", path, strerror(-r)) < 0)
                *ret_error = NULL;
        return r;
}

/* ---- typed access ---- */

const struct yt_node *yt_map_get(const struct yt_node *map, const char *key) {
        if (!map || map->kind != YT_MAP)
                return NULL;
        for (size_t i = 0; i < map->n_pairs; i++)
                if (streq(map->pairs[i].key->value, key))
                        return map->pairs[i].value;
        return NULL;
}

/* Optimal string alignment distance: a swapped pair of letters ("prot")
 * counts as one edit, as people make that slip more than any other. */
static size_t edit_distance(const char *a, const char *b) {
        size_t la = strlen(a), lb = strlen(b), w;
        _cleanup_free_ size_t *m = NULL;

        /* Keys in files can be long; suggestions only matter for short ones. */
        if (la > 64 || lb > 64)
                return SIZE_MAX;
        w = lb + 1;
        m = calloc((la + 1) * w, sizeof(*m));
        if (!m)
                return SIZE_MAX;
        for (size_t i = 0; i <= la; i++)
                m[i * w] = i;
        for (size_t j = 0; j <= lb; j++)
                m[j] = j;
        for (size_t i = 1; i <= la; i++)
                for (size_t j = 1; j <= lb; j++) {
                        size_t best = m[(i - 1) * w + j - 1] + (a[i - 1] != b[j - 1]);
                        if (m[(i - 1) * w + j] + 1 < best)
                                best = m[(i - 1) * w + j] + 1;
                        if (m[i * w + j - 1] + 1 < best)
                                best = m[i * w + j - 1] + 1;
                        if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                            m[(i - 2) * w + j - 2] + 1 < best)
                                best = m[(i - 2) * w + j - 2] + 1;
                        m[i * w + j] = best;
                }
        return m[la * w + lb];
}

char *yt_strv_join(const char *const *choices) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        if (!f)
                return NULL;
        for (size_t i = 0; choices[i]; i++)
                fprintf(f, "%s%s", i ? ", " : "", choices[i]);
        if (fclose(f) != 0) {
                free(buf);
                return NULL;
        }
        return buf;
}

/* A close match worth suggesting: within a third of the word, at least 1. */
static const char *suggest(const char *word, const char *const *choices) {
        const char *best = NULL;
        size_t best_d = SIZE_MAX, limit = strlen(word) / 3;

        if (limit < 1)
                limit = 1;
        for (size_t i = 0; choices[i]; i++) {
                size_t dist = edit_distance(word, choices[i]);
                if (dist <= limit && dist < best_d) {
                        best = choices[i];
                        best_d = dist;
                }
        }
        return best;
}

static bool strv_contains(const char *const *v, const char *s) {
        for (size_t i = 0; v[i]; i++)
                if (streq(v[i], s))
                        return true;
        return false;
}

int yt_map_check_keys(struct yt_doc *d, const struct yt_node *map, const char *what,
                      const char *const *allowed) {
        if (!map || map->kind != YT_MAP)
                return 0;
        for (size_t i = 0; i < map->n_pairs; i++) {
                const struct yt_node *k = map->pairs[i].key;
                _cleanup_free_ char *list = NULL, *desc = NULL;
                const char *s;

                if (strv_contains(allowed, k->value))
                        continue;
                list = yt_strv_join(allowed);
                desc = yt_node_describe(k);
                if (!list || !desc)
                        return -ENOMEM;
                s = suggest(k->value, allowed);
                if (s)
                        return yt_error(d, k, "unknown key %s in %s (did you mean '%s'?), expected one of: %s",
                                        desc, what, s, list);
                return yt_error(d, k, "unknown key %s in %s, expected one of: %s", desc, what, list);
        }
        return 0;
}

int yt_node_expect(struct yt_doc *d, const struct yt_node *n, const char *name, enum yt_kind kind) {
        if (n->kind == kind)
                return 0;
        if (n->kind == YT_SCALAR) {
                _cleanup_free_ char *desc = yt_node_describe(n);
                if (!desc)
                        return -ENOMEM;
                return yt_error(d, n, "%s is %s, expected %s", name, desc, yt_kind_to_string(kind));
        }
        return yt_error(d, n, "%s is %s, expected %s", name, yt_kind_to_string(n->kind),
                        yt_kind_to_string(kind));
}

static int scalar_expect(struct yt_doc *d, const struct yt_node *n, const char *name,
                         const char *expected) {
        if (n->kind == YT_SCALAR)
                return 0;
        return yt_error(d, n, "%s is %s, expected %s", name, yt_kind_to_string(n->kind), expected);
}

static int bad_value(struct yt_doc *d, const struct yt_node *n, const char *name,
                     const char *format, ...) _printf_(4, 5);
static int bad_value(struct yt_doc *d, const struct yt_node *n, const char *name,
                     const char *format, ...) {
        _cleanup_free_ char *desc = yt_node_describe(n), *expected = NULL;
        va_list ap;
        int r;

        va_start(ap, format);
        r = vasprintf(&expected, format, ap);
        va_end(ap);
        if (r < 0 || !desc)
                return -ENOMEM;
        return yt_error(d, n, "%s is %s, expected %s", name, desc, expected);
}

int yt_node_to_string(struct yt_doc *d, const struct yt_node *n, const char *name, char **ret) {
        char *s;
        int r;

        r = scalar_expect(d, n, name, "a string");
        if (r < 0)
                return r;
        if (n->length == 0 || yt_node_is_null(n))
                return yt_error(d, n, "%s is empty, expected a non-empty string", name);
        s = strdup(n->value);
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}

#define NAME_MAX_LEN 64

int yt_node_to_name(struct yt_doc *d, const struct yt_node *n, const char *name, char **ret) {
        bool ok;
        int r;

        r = scalar_expect(d, n, name, "a name");
        if (r < 0)
                return r;
        ok = n->length > 0 && n->length <= NAME_MAX_LEN && !yt_node_is_null(n);
        for (size_t i = 0; ok && i < n->length; i++) {
                char c = n->value[i];
                bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
                ok = alnum || (i > 0 && (c == '.' || c == '_' || c == '-'));
        }
        if (!ok)
                return bad_value(d, n, name,
                                 "a name of 1 to %d letters, digits, '.', '_' or '-', starting with a letter or digit",
                                 NAME_MAX_LEN);
        return yt_node_to_string(d, n, name, ret);
}

/* Returns 0 and the value, -ERANGE when it does not fit, -EINVAL when it is
 * not an integer at all, -EDOM when it is negative. */
static int parse_uint(const char *s, uint64_t *ret) {
        unsigned base = 10;
        uint64_t v = 0;
        bool neg = false;

        if (*s == '+' || *s == '-') {
                neg = *s == '-';
                s++;
        }
        if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
                base = 16;
                s += 2;
        }
        if (!*s)
                return -EINVAL;
        for (; *s; s++) {
                unsigned digit;
                if (*s >= '0' && *s <= '9')
                        digit = (unsigned) (*s - '0');
                else if (base == 16 && *s >= 'a' && *s <= 'f')
                        digit = (unsigned) (*s - 'a' + 10);
                else if (base == 16 && *s >= 'A' && *s <= 'F')
                        digit = (unsigned) (*s - 'A' + 10);
                else
                        return -EINVAL;
                if (v > (UINT64_MAX - digit) / base)
                        return -ERANGE;
                v = v * base + digit;
        }
        if (neg && v != 0)
                return -EDOM;
        *ret = v;
        return 0;
}

int yt_node_to_uint(struct yt_doc *d, const struct yt_node *n, const char *name, uint64_t min,
                    uint64_t max, uint64_t *ret) {
        uint64_t v = 0;
        int r;

        r = scalar_expect(d, n, name, "an integer");
        if (r < 0)
                return r;
        r = n->plain ? parse_uint(n->value, &v) : -EINVAL;
        if (r == -EINVAL)
                return bad_value(d, n, name, "an integer in %" PRIu64 "..%" PRIu64, min, max);
        /* It parsed as a number, so it is short and printable. */
        if (r == -EDOM || (r == 0 && v < min))
                return yt_error(d, n, "%s is %s, too small, expected %" PRIu64 "..%" PRIu64, name,
                                n->value, min, max);
        if (r < 0 || v > max)
                return yt_error(d, n, "%s is %s, too large, expected %" PRIu64 "..%" PRIu64, name,
                                n->value, min, max);
        *ret = v;
        return 0;
}

int yt_node_to_bool(struct yt_doc *d, const struct yt_node *n, const char *name, bool *ret) {
        int r;

        r = scalar_expect(d, n, name, "true or false");
        if (r < 0)
                return r;
        if (n->plain) {
                if (streq(n->value, "true") || streq(n->value, "True") || streq(n->value, "TRUE")) {
                        *ret = true;
                        return 0;
                }
                if (streq(n->value, "false") || streq(n->value, "False") || streq(n->value, "FALSE")) {
                        *ret = false;
                        return 0;
                }
        }
        return bad_value(d, n, name, "true or false");
}

int yt_node_to_enum(struct yt_doc *d, const struct yt_node *n, const char *name,
                    const char *const *choices, size_t *ret) {
        _cleanup_free_ char *list = NULL;
        const char *s;
        int r;

        r = scalar_expect(d, n, name, "one of a list of words");
        if (r < 0)
                return r;
        for (size_t i = 0; choices[i]; i++)
                if (streq(n->value, choices[i])) {
                        *ret = i;
                        return 0;
                }
        list = yt_strv_join(choices);
        if (!list)
                return -ENOMEM;
        s = suggest(n->value, choices);
        if (s)
                return bad_value(d, n, name, "one of: %s (did you mean '%s'?)", list, s);
        return bad_value(d, n, name, "one of: %s", list);
}

/* Shared front half of the map fetchers: 1 with *ret_value, 0 if absent and
 * optional, <0 on a missing required key. expected describes the value
 * wanted, for the message. */
static int map_lookup(struct yt_doc *d, const struct yt_node *map, const char *key, bool required,
                      const char *expected, const struct yt_node **ret_value) {
        const struct yt_node *v = yt_map_get(map, key);

        if (!v) {
                if (required)
                        return yt_error(d, map, "missing required key '%s', expected %s", key, expected);
                return 0;
        }
        if (yt_node_is_null(v)) {
                if (required)
                        return yt_error(d, v, "%s is empty, expected %s", key, expected);
                return 0;
        }
        *ret_value = v;
        return 1;
}

int yt_map_get_string(struct yt_doc *d, const struct yt_node *map, const char *key, bool required,
                      char **ret) {
        const struct yt_node *v = NULL;
        int r = map_lookup(d, map, key, required, "a string", &v);

        if (r <= 0)
                return r;
        r = yt_node_to_string(d, v, key, ret);
        return r < 0 ? r : 1;
}

int yt_map_get_name(struct yt_doc *d, const struct yt_node *map, const char *key, bool required,
                    char **ret) {
        const struct yt_node *v = NULL;
        int r = map_lookup(d, map, key, required, "a name", &v);

        if (r <= 0)
                return r;
        r = yt_node_to_name(d, v, key, ret);
        return r < 0 ? r : 1;
}

int yt_map_get_uint(struct yt_doc *d, const struct yt_node *map, const char *key, bool required,
                    uint64_t min, uint64_t max, uint64_t *ret) {
        _cleanup_free_ char *expected = NULL;
        const struct yt_node *v = NULL;
        int r;

        if (asprintf(&expected, "an integer in %" PRIu64 "..%" PRIu64, min, max) < 0)
                return -ENOMEM;
        r = map_lookup(d, map, key, required, expected, &v);
        if (r <= 0)
                return r;
        r = yt_node_to_uint(d, v, key, min, max, ret);
        return r < 0 ? r : 1;
}

int yt_map_get_bool(struct yt_doc *d, const struct yt_node *map, const char *key, bool required,
                    bool *ret) {
        const struct yt_node *v = NULL;
        int r = map_lookup(d, map, key, required, "true or false", &v);

        if (r <= 0)
                return r;
        r = yt_node_to_bool(d, v, key, ret);
        return r < 0 ? r : 1;
}

int yt_map_get_enum(struct yt_doc *d, const struct yt_node *map, const char *key, bool required,
                    const char *const *choices, size_t *ret) {
        _cleanup_free_ char *list = yt_strv_join(choices), *expected = NULL;
        const struct yt_node *v = NULL;
        int r;

        if (!list || asprintf(&expected, "one of: %s", list) < 0)
                return -ENOMEM;
        r = map_lookup(d, map, key, required, expected, &v);
        if (r <= 0)
                return r;
        r = yt_node_to_enum(d, v, key, choices, ret);
        return r < 0 ? r : 1;
}

int yt_map_get_map(struct yt_doc *d, const struct yt_node *map, const char *key, bool required,
                   const struct yt_node **ret) {
        const struct yt_node *v = NULL;
        int r = map_lookup(d, map, key, required, "a mapping", &v);

        if (r <= 0)
                return r;
        r = yt_node_expect(d, v, key, YT_MAP);
        if (r < 0)
                return r;
        *ret = v;
        return 1;
}

int yt_map_get_seq(struct yt_doc *d, const struct yt_node *map, const char *key, bool required,
                   size_t min_items, size_t max_items, const struct yt_node **ret) {
        const struct yt_node *v = NULL;
        int r = map_lookup(d, map, key, required, "a list", &v);

        if (r <= 0)
                return r;
        r = yt_node_expect(d, v, key, YT_SEQ);
        if (r < 0)
                return r;
        if (v->n_items < min_items) {
                if (v->n_items == 0)
                        return yt_error(d, v, "%s is an empty list, expected at least %zu %s", key,
                                        min_items, min_items == 1 ? "entry" : "entries");
                return yt_error(d, v, "%s has %zu entries, expected at least %zu", key, v->n_items,
                                min_items);
        }
        if (v->n_items > max_items)
                return yt_error(d, v, "%s has %zu entries, expected at most %zu", key, v->n_items,
                                max_items);
        *ret = v;
        return 1;
}

int yt_doc_get_root_map(struct yt_doc *d, const char *what, const struct yt_node **ret) {
        if (!d->root)
                return yt_error(d, NULL, "the document is empty, expected %s", what);
        if (d->root->kind != YT_MAP) {
                _cleanup_free_ char *desc = yt_node_describe(d->root);
                if (!desc)
                        return -ENOMEM;
                return yt_error(d, d->root, "the top level is %s, expected %s (a mapping)", desc, what);
        }
        *ret = d->root;
        return 0;
}
