package io.kybern.store.sqlite;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteOpenMode;

/** How Kybern opens its SQLite connections. */
final class SqliteConnections {

    private SqliteConnections() {
    }

    /**
     * The writer's connection: WAL with {@code synchronous=FULL}, so a commit returns only once the log is
     * fsynced. Automatic checkpoints are off here; {@link Checkpointer} runs them on its own connection
     * so a checkpoint never stalls a commit.
     */
    static Connection openWriter(Path file, long walLimitBytes) throws SQLException {
        SQLiteConfig config = common();
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
        SQLiteConfig config = common();
        config.setReadOnly(true);
        return config.createConnection(url(file));
    }

    /** The checkpointer's connection: writes the database file, never the log. */
    static Connection openCheckpointer(Path file) throws SQLException {
        SQLiteConfig config = common();
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        return config.createConnection(url(file));
    }

    private static SQLiteConfig common() {
        SQLiteConfig config = new SQLiteConfig();
        config.setOpenMode(SQLiteOpenMode.NOMUTEX);
        config.setBusyTimeout(10_000);
        config.setTempStore(SQLiteConfig.TempStore.MEMORY);
        config.setCacheSize(-16 * 1024);
        return config;
    }

    private static String url(Path file) {
        return "jdbc:sqlite:" + file.toAbsolutePath();
    }
}
