/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A small YAML document tree for configuration files, built with libyaml's
 * event parser, and helpers that fetch typed fields from it.
 *
 * Accepted input: one document of block/flow mappings, sequences and
 * scalars. Rejected with an error: syntax errors, more than one document,
 * anchors, aliases, explicit tags, non-scalar mapping keys, duplicate keys,
 * scalars containing NUL, nesting deeper than YT_MAX_DEPTH, files larger
 * than YT_MAX_FILE_SIZE, mappings with more than YT_MAX_KEYS keys, lists
 * with more than YT_MAX_ITEMS entries. The input is treated as hostile: nothing is
 * trusted to be short, printable or well-formed.
 *
 * Errors read "path:line:col: what is wrong, what was expected", with the
 * 1-based line and column of the offending node. A document keeps the
 * first error raised against it (yt_error()); later ones are dropped, so a
 * validator can simply propagate the -EINVAL it gets back and the caller
 * takes the message once with yt_doc_take_error().
 *
 * Pure computation apart from yt_doc_load_file(); no global state; a
 * document may be used from one thread at a time. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/macros.h"

#define YT_MAX_DEPTH 64
#define YT_MAX_FILE_SIZE (4u * 1024u * 1024u)
#define YT_MAX_KEYS 256u        /* per mapping */
#define YT_MAX_ITEMS 65536u     /* per list */

enum yt_kind {
        YT_SCALAR,
        YT_MAP,
        YT_SEQ,
        _YT_KIND_MAX,
};

struct yt_pair;

struct yt_node {
        enum yt_kind kind;
        unsigned line, column;      /* 1-based, start of the node */

        /* YT_SCALAR: value is NUL-terminated and holds no NUL inside. */
        char *value;
        size_t length;
        bool plain;                 /* unquoted, so it may be a number, bool or null */

        /* YT_MAP: in document order, keys unique */
        struct yt_pair *pairs;
        size_t n_pairs;

        /* YT_SEQ */
        struct yt_node **items;
        size_t n_items;
};

struct yt_pair {
        struct yt_node *key;        /* always a YT_SCALAR */
        struct yt_node *value;
};

struct yt_doc {
        char *path;                 /* as given, used in messages */
        struct yt_node *root;       /* NULL for an empty document */
        char *error;                /* first error raised, or NULL */
};

/* Reads and parses a file. Returns 0 and a document the caller frees with
 * yt_doc_free(); -EINVAL with *ret_error for bad YAML; -errno with
 * *ret_error ("path: cannot read: ...") for I/O errors; -EFBIG when too
 * large. ret_error may be NULL. */
int yt_doc_load_file(const char *path, struct yt_doc **ret, char **ret_error);

/* Same from memory; name is used as the path in messages. */
int yt_doc_load_string(const char *name, const char *data, size_t size, struct yt_doc **ret,
                       char **ret_error);

void yt_doc_free(struct yt_doc *d);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct yt_doc *, yt_doc_free);

/* Records "path:line:col: message" as the document's error unless one is
 * already recorded (n NULL: line 1, column 1). Always returns -EINVAL, or
 * -ENOMEM if the message could not be built. */
int yt_error(struct yt_doc *d, const struct yt_node *n, const char *format, ...) _printf_(3, 4);

/* Hands the recorded error to the caller (who frees it); NULL if none. */
char *yt_doc_take_error(struct yt_doc *d);

/* "a mapping", "a list", "a scalar" */
const char *yt_kind_to_string(enum yt_kind k);

/* A plain "", "~", "null", "Null" or "NULL" scalar. */
bool yt_node_is_null(const struct yt_node *n);

/* A printable, quoted, length-limited rendering of a scalar for messages,
 * e.g. "\"abc\"" or "a mapping". Caller frees; NULL on ENOMEM. */
char *yt_node_describe(const struct yt_node *n);

/* Value for key in map (a YT_MAP), or NULL. */
const struct yt_node *yt_map_get(const struct yt_node *map, const char *key);

/* Fails on the first key of map not in allowed (NULL-terminated):
 * "unknown key 'prot' in <what> (did you mean 'port'?), expected one of:
 * name, kind, ...". */
int yt_map_check_keys(struct yt_doc *d, const struct yt_node *map, const char *what,
                      const char *const *allowed);

/* Fails unless n is of the given kind: "<name> is a list, expected a mapping". */
int yt_node_expect(struct yt_doc *d, const struct yt_node *n, const char *name, enum yt_kind kind);

/* Typed fetchers. Each returns 1 when the key is present and valid (and
 * sets *ret), 0 when it is absent or null and not required (*ret left
 * untouched, so callers preset defaults), -EINVAL after recording an error
 * ("missing required key 'x', expected ..." at the map, "x is empty,
 * expected ..." at an empty value, or a type/range error at the
 * value), -ENOMEM. */

/* Any non-empty scalar; *ret newly allocated. */
int yt_map_get_string(struct yt_doc *d, const struct yt_node *map, const char *key, bool required,
                      char **ret);
/* A name: 1..64 characters of [A-Za-z0-9._-], starting alphanumeric. */
int yt_map_get_name(struct yt_doc *d, const struct yt_node *map, const char *key, bool required,
                    char **ret);
/* A plain decimal or 0x-hex integer within [min, max]. */
int yt_map_get_uint(struct yt_doc *d, const struct yt_node *map, const char *key, bool required,
                    uint64_t min, uint64_t max, uint64_t *ret);
/* A plain true/false (also True/TRUE/False/FALSE). */
int yt_map_get_bool(struct yt_doc *d, const struct yt_node *map, const char *key, bool required,
                    bool *ret);
/* One of choices (NULL-terminated); *ret is its index. */
int yt_map_get_enum(struct yt_doc *d, const struct yt_node *map, const char *key, bool required,
                    const char *const *choices, size_t *ret);
/* A mapping or a list (optionally non-empty) node, borrowed from the document. */
int yt_map_get_map(struct yt_doc *d, const struct yt_node *map, const char *key, bool required,
                   const struct yt_node **ret);
int yt_map_get_seq(struct yt_doc *d, const struct yt_node *map, const char *key, bool required,
                   size_t min_items, size_t max_items, const struct yt_node **ret);

/* The root as a mapping, or an error at 1:1 ("the document is empty,
 * expected <what>") or at the root ("the top level is a list, ..."). */
int yt_doc_get_root_map(struct yt_doc *d, const char *what, const struct yt_node **ret);

/* The same checks on a node directly (a sequence item); name is used in
 * messages. These return 0 on success. */
int yt_node_to_string(struct yt_doc *d, const struct yt_node *n, const char *name, char **ret);
int yt_node_to_name(struct yt_doc *d, const struct yt_node *n, const char *name, char **ret);
int yt_node_to_uint(struct yt_doc *d, const struct yt_node *n, const char *name, uint64_t min,
                    uint64_t max, uint64_t *ret);
int yt_node_to_bool(struct yt_doc *d, const struct yt_node *n, const char *name, bool *ret);
int yt_node_to_enum(struct yt_doc *d, const struct yt_node *n, const char *name,
                    const char *const *choices, size_t *ret);

/* "a, b, c" from a NULL-terminated array, for messages. Caller frees; NULL
 * on ENOMEM. */
char *yt_strv_join(const char *const *v);

/* Frees a counted string array (NULL accepted). */
void yt_strv_free(char **v, size_t n);
