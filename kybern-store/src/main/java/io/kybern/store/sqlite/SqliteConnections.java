package io.kybern.store.sqlite;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteOpenMode;

/**
 * How Kybern opens its SQLite connections.
 *
 * <p>Page caches are native memory, outside the Java heap, and each connection has its own. The writer's keeps
 * the indexes it walks on every commit and is worth its size. A reader's is not: in WAL mode a connection starts
 * each read transaction by checking the log's header, and when another connection committed since (the writer,
 * all the time on a busy server) it empties its cache; a reader's cache only ever holds what one query
 * touches. The checkpointer copies log frames into the database without going through its cache.
 */
final class SqliteConnections {

    /** The writer's page cache, in KiB. */
    private static final int WRITER_CACHE_KIB = 16 * 1024;
    /** A reader's and the checkpointer's: the upper levels of the indexes a query walks, and little more. */
    private static final int SMALL_CACHE_KIB = 2 * 1024;

    private SqliteConnections() {
    }

    /**
     * The writer's connection: WAL with {@code synchronous=FULL}, so a commit returns only once the log is
     * fsynced. Automatic checkpoints are off here; {@link Checkpointer} runs them on its own connection
     * so a checkpoint never stalls a commit.
     */
    static Connection openWriter(Path file, long walLimitBytes) throws SQLException {
        SQLiteConfig config = common(WRITER_CACHE_KIB);
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        Connection conn = config.createConnection(url(file));
        try (var s = conn.createStatement()) {
            s.execute("PRAGMA wal_autocheckpoint = 0");
            // When the log starts over its file is cut back to this size rather than left at its peak.
            s.execute("PRAGMA journal_size_limit = " + walLimitBytes);
        }
        return conn;
    }

    static Connection openReader(Path file) throws SQLException {
        SQLiteConfig config = common(SMALL_CACHE_KIB);
        config.setReadOnly(true);
        return config.createConnection(url(file));
    }

    /** The checkpointer's connection: writes the database file, never the log. */
    static Connection openCheckpointer(Path file) throws SQLException {
        SQLiteConfig config = common(SMALL_CACHE_KIB);
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        return config.createConnection(url(file));
    }

    private static SQLiteConfig common(int cacheKib) {
        SQLiteConfig config = new SQLiteConfig();
        config.setOpenMode(SQLiteOpenMode.NOMUTEX);
        config.setBusyTimeout(10_000);
        config.setTempStore(SQLiteConfig.TempStore.MEMORY);
        // Negative: a size in KiB rather than in pages.
        config.setCacheSize(-cacheKib);
        return config;
    }

    private static String url(Path file) {
        return "jdbc:sqlite:" + file.toAbsolutePath();
    }
}
