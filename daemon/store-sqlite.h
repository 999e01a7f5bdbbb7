/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* SQLite glue private to the store (store.c, store-migrations.c and the
 * store's unit tests): result-code mapping and small exec helpers. Not part
 * of the daemon's API; same thread rules as struct store. */

#include <stdint.h>
#include <sqlite3.h>

#include "common/macros.h"

/* Maps a SQLite (extended) result code to -errno: constraint on a primary
 * key or UNIQUE -> -EEXIST, on a foreign key -> -ENOENT, other constraints
 * -> -EINVAL, NOMEM -> -ENOMEM, BUSY/LOCKED -> -EBUSY, FULL -> -ENOSPC,
 * READONLY -> -EROFS, everything else -> -EIO. SQLITE_OK, _ROW, _DONE -> 0. */
int store_sqlite_errno(int rc);

/* Runs one or more statements without results; logs the SQLite message at
 * debug level and returns -errno as above. */
int store_sqlite_exec(sqlite3 *db, const char *sql);

/* Reads the integer result of a query like "PRAGMA user_version". */
int store_sqlite_query_int(sqlite3 *db, const char *sql, int64_t *ret);

static inline void sqlite3_finalizep(sqlite3_stmt **p) {
        if (*p)
                sqlite3_finalize(*p);
}
