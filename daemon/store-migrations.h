/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The store's schema history. Version N of the schema is what migrations
 * 1..N build, applied in order, each in its own transaction together with
 * "PRAGMA user_version = N". A fresh database takes the same path as an old
 * one, so a migrated database and a new one have the same schema.
 * Documented in docs/store.md. */

#include <sqlite3.h>

/* The SQL of the migration that takes the schema from version - 1 to
 * version, or NULL when there is none. Static storage; for tests that build
 * an old database by hand. */
const char *store_migration_sql(int version);

/* Newest version the migrations reach (== STORE_SCHEMA_VERSION). */
int store_migrations_latest(void);

/* Brings db forward to store_migrations_latest(). Blocks on the local disk
 * (and up to the busy timeout on another writer). *ret_version (optional)
 * gets the resulting version. A database newer than this program is left
 * untouched: -EPROTONOSUPPORT. Other errors -errno; a failed migration is
 * rolled back whole and the earlier versions stay applied. */
int store_migrate(sqlite3 *db, int *ret_version);
