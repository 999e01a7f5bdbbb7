/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "store-sqlite.h"

#include "common/log.h"

int store_sqlite_errno(int rc) {
        switch (rc) {
        case SQLITE_OK:
        case SQLITE_ROW:
        case SQLITE_DONE:
                return 0;
        case SQLITE_CONSTRAINT_PRIMARYKEY:
        case SQLITE_CONSTRAINT_UNIQUE:
        case SQLITE_CONSTRAINT_ROWID:
                return -EEXIST;
        case SQLITE_CONSTRAINT_FOREIGNKEY:
                return -ENOENT;
        }

        switch (rc & 0xff) {
        case SQLITE_CONSTRAINT:
                return -EINVAL;
        case SQLITE_NOMEM:
                return -ENOMEM;
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
                return -EBUSY;
        case SQLITE_FULL:
                return -ENOSPC;
        case SQLITE_READONLY:
                return -EROFS;
        case SQLITE_TOOBIG:
                return -E2BIG;
        default:
                return -EIO;
        }
}

int store_sqlite_exec(sqlite3 *db, const char *sql) {
        char *msg = NULL;
        int rc;

        rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
        if (rc != SQLITE_OK) {
                int r = store_sqlite_errno(sqlite3_extended_errcode(db));

                log_debug("store: \"%.60s\" failed: %s", sql, strna(msg));
                sqlite3_free(msg);
                return r < 0 ? r : -EIO;
        }
        return 0;
}

int store_sqlite_query_int(sqlite3 *db, const char *sql, int64_t *ret) {
        _cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
        int rc;

        rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
        if (rc != SQLITE_OK)
                goto fail;
        rc = sqlite3_step(st);
        if (rc != SQLITE_ROW)
                goto fail;
        *ret = sqlite3_column_int64(st, 0);
        return 0;

fail:
        log_debug("store: \"%s\" failed: %s", sql, sqlite3_errmsg(db));
        rc = store_sqlite_errno(sqlite3_extended_errcode(db));
        return rc < 0 ? rc : -EIO;
}
