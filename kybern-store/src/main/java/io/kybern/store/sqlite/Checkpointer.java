package io.kybern.store.sqlite;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies the write-ahead log back into the database file in the background.
 *
 * <p>SQLite's automatic checkpoint runs inside a committing writer and so adds its copying to some
 * writes' latency. Here a passive checkpoint runs on its own connection every {@code interval}, never
 * blocking the writer; what keeps the log's size bounded under a steady stream of writes is
 * {@link LogWriter}, which restarts the log once this has copied most of it.
 */
final class Checkpointer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Checkpointer.class);

    private final Path wal;
    private final Connection conn;
    private final ScheduledExecutorService ticker;

    Checkpointer(Path file, long intervalMillis) throws SQLException {
        this.wal = file.resolveSibling(file.getFileName() + "-wal");
        this.conn = SqliteConnections.openCheckpointer(file);
        this.ticker = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("sqlite-checkpoint").factory());
        ticker.scheduleWithFixedDelay(this::tick, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
    }

    private void tick() {
        checkpoint(false);
    }

    /** Runs one checkpoint; a truncating one waits for readers and leaves an empty log. */
    synchronized void checkpoint(boolean truncate) {
        try (Statement s = conn.createStatement()) {
            s.execute(truncate ? "PRAGMA wal_checkpoint(TRUNCATE)" : "PRAGMA wal_checkpoint(PASSIVE)");
        } catch (SQLException e) {
            log.warn("checkpoint of {} failed; will retry", wal, e);
        }
    }

    /** A last full checkpoint, leaving an empty log behind. */
    @Override
    public void close() {
        ticker.shutdown();
        try {
            ticker.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        checkpoint(true);
        try {
            conn.close();
        } catch (SQLException e) {
            log.warn("closing checkpoint connection failed", e);
        }
    }
}
