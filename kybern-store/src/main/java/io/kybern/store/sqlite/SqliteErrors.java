package io.kybern.store.sqlite;

import io.kybern.store.StoreCorruptedException;
import io.kybern.store.StoreException;
import io.kybern.store.StoreUnavailableException;
import java.nio.file.Path;
import java.sql.SQLException;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/** Turns SQLite's error codes into the store's errors, naming the file. */
final class SqliteErrors {

    private SqliteErrors() {
    }

    static StoreException translate(Path file, String doing, SQLException e) {
        SQLiteErrorCode code = e instanceof SQLiteException s ? s.getResultCode() : null;
        if (code != null) {
            switch (code) {
                case SQLITE_CORRUPT, SQLITE_CORRUPT_INDEX, SQLITE_CORRUPT_SEQUENCE, SQLITE_CORRUPT_VTAB, SQLITE_NOTADB:
                    return new StoreCorruptedException(file + " is damaged or not a Kybern database (" + doing + ": "
                            + e.getMessage() + "); restore it from a snapshot", e);
                case SQLITE_FULL:
                    return new StoreUnavailableException("disk full while " + doing + " " + file, e);
                default:
                    break;
            }
        }
        return new StoreUnavailableException("sqlite failed while " + doing + " " + file + ": " + e.getMessage(), e);
    }
}
