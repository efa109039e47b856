package io.kybern.store.sqlite;

import io.kybern.store.StoreCorruptedException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;

/**
 * The database layout and its checks.
 *
 * <p>{@code kv} is the log: one row per revision. {@code (key, prev_revision)} is unique, so two writes
 * can never both supersede the same row even if the single-writer rule were broken: the compare-and-swap
 * guard kine uses. {@code meta} holds the compaction point, the highest revision ever issued (a
 * compaction may delete the row that carried it) and the lease id sequence.
 */
final class Schema {

    /** Written to the file header so a Kybern database is recognised as one ("KYBN"). */
    static final int APPLICATION_ID = 0x4b59424e;
    static final int VERSION = 1;

    static final String META_COMPACT_REVISION = "compact_revision";
    static final String META_COMPACTED_THROUGH = "compacted_through";
    static final String META_REVISION_FLOOR = "revision_floor";
    static final String META_LAST_LEASE = "last_lease";

    private static final byte[] SQLITE_MAGIC = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);

    private Schema() {
    }

    /** Refuses a file that exists but is not an SQLite database, before SQLite touches it. */
    static void checkHeader(Path file) throws IOException {
        if (!Files.exists(file) || Files.size(file) == 0) {
            return;
        }
        byte[] header = new byte[SQLITE_MAGIC.length];
        int read;
        try (InputStream in = Files.newInputStream(file)) {
            read = in.readNBytes(header, 0, header.length);
        }
        if (read < header.length || !Arrays.equals(header, SQLITE_MAGIC)) {
            throw new StoreCorruptedException(file + " is not an SQLite database (foreign or damaged file); "
                    + "refusing to open it");
        }
    }

    /**
     * Checks an existing database's identity through a read-only connection, before the writer's
     * connection switches it to WAL mode: a file that is not ours must be left exactly as it was.
     */
    static void checkExisting(Path file) throws IOException, SQLException {
        if (!Files.exists(file) || Files.size(file) == 0) {
            return;
        }
        try (Connection conn = SqliteConnections.openReader(file)) {
            boolean blank = countTables(conn) == 0 && intPragma(conn, "application_id") == 0
                    && intPragma(conn, "user_version") == 0;
            if (!blank) {
                checkIdentity(conn, file);
            }
        }
    }

    /** Creates the schema in a new database, or checks that an existing one is ours and current. */
    static void prepare(Connection conn, Path file) throws SQLException {
        int applicationId = intPragma(conn, "application_id");
        int version = intPragma(conn, "user_version");
        boolean empty = countTables(conn) == 0;
        if (empty && applicationId == 0 && version == 0) {
            create(conn);
            return;
        }
        checkIdentity(conn, file);
    }

    private static void checkIdentity(Connection conn, Path file) throws SQLException {
        int applicationId = intPragma(conn, "application_id");
        int version = intPragma(conn, "user_version");
        if (applicationId != APPLICATION_ID) {
            throw new StoreCorruptedException(file + " is an SQLite database of another application (application_id "
                    + applicationId + "); refusing to use it");
        }
        if (version > VERSION) {
            throw new StoreCorruptedException(file + " has schema version " + version
                    + ", written by a newer Kybern; this one understands up to " + VERSION);
        }
        if (version < 1) {
            throw new StoreCorruptedException(file + " has no Kybern schema version; refusing to use it");
        }
    }

    private static void create(Connection conn) throws SQLException {
        try (Statement s = conn.createStatement()) {
            // Lets compaction hand freed pages back to the file system. The connection has already put
            // the file in WAL mode, so the setting only takes effect through a VACUUM (instant while empty).
            s.execute("PRAGMA auto_vacuum = INCREMENTAL");
            s.execute("VACUUM");
            s.execute("BEGIN");
            s.execute("""
                    CREATE TABLE kv (
                      revision INTEGER PRIMARY KEY,
                      key TEXT NOT NULL,
                      create_revision INTEGER NOT NULL,
                      prev_revision INTEGER NOT NULL,
                      version INTEGER NOT NULL,
                      lease INTEGER NOT NULL,
                      deleted INTEGER NOT NULL,
                      value BLOB NOT NULL
                    )""");
            s.execute("CREATE UNIQUE INDEX kv_key_prev ON kv (key, prev_revision)");
            s.execute("CREATE INDEX kv_key_revision ON kv (key, revision, deleted)");
            s.execute("CREATE INDEX kv_lease ON kv (lease) WHERE lease != 0");
            s.execute("CREATE TABLE lease (id INTEGER PRIMARY KEY, ttl_ms INTEGER NOT NULL)");
            s.execute("CREATE TABLE meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL)");
            s.execute("PRAGMA application_id = " + APPLICATION_ID);
            s.execute("PRAGMA user_version = " + VERSION);
            s.execute("COMMIT");
        }
    }

    /** A full structural check; slow on big files, so only run where asked. */
    static void integrityCheck(Connection conn, Path file) throws SQLException {
        try (Statement s = conn.createStatement(); ResultSet rs = s.executeQuery("PRAGMA quick_check")) {
            String first = rs.next() ? rs.getString(1) : "no answer";
            if (!"ok".equals(first)) {
                throw new StoreCorruptedException(file + " failed SQLite's integrity check: " + first);
            }
        }
    }

    static long meta(Connection conn, String name) throws SQLException {
        try (var ps = conn.prepareStatement("SELECT value FROM meta WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    static int intPragma(Connection conn, String pragma) throws SQLException {
        try (Statement s = conn.createStatement(); ResultSet rs = s.executeQuery("PRAGMA " + pragma)) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }

    private static int countTables(Connection conn) throws SQLException {
        try (Statement s = conn.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM sqlite_master WHERE type = 'table'")) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }
}
