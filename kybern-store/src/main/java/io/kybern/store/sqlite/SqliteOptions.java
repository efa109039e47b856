package io.kybern.store.sqlite;

import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Objects;

/**
 * How an {@link SqliteStore} runs. {@link #defaults(Path)} suits a server; tests shorten the intervals.
 *
 * @param file               the database file
 * @param time               the clock leases expire by
 * @param integrityCheck     run SQLite's quick check when opening (reads the whole file)
 * @param readConnections    size of the read pool
 * @param leaseTick          how often lease expiry is checked
 * @param checkpointInterval how often the write-ahead log is copied into the database
 * @param walLimitBytes      log size past which the writer starts the log over
 * @param compactInterval    how often automatic compaction runs; {@link Duration#ZERO} turns it off
 * @param compactMinRetain   revisions automatic compaction always keeps
 * @param compactStep        revisions one compaction transaction covers, bounding the pause it causes
 */
public record SqliteOptions(Path file, InstantSource time, boolean integrityCheck, int readConnections,
        Duration leaseTick, Duration checkpointInterval, long walLimitBytes, Duration compactInterval,
        long compactMinRetain, int compactStep) {

    public SqliteOptions {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(time, "time");
        if (readConnections < 1) {
            throw new IllegalArgumentException("readConnections must be at least 1");
        }
        if (compactStep < 1) {
            throw new IllegalArgumentException("compactStep must be at least 1");
        }
    }

    /**
     * Automatic compaction every minute, each time up to the revision seen a minute before (so a minute of
     * history is always kept, and at least 1,000 revisions); the API server's watch cache makes older
     * history unnecessary, and keeping it is what makes kine's databases grow.
     */
    public static SqliteOptions defaults(Path file) {
        return new SqliteOptions(file, InstantSource.system(), true, 4, Duration.ofMillis(250), Duration.ofSeconds(1),
                64L * 1024 * 1024, Duration.ofMinutes(1), 1000, 1000);
    }

    public SqliteOptions withCompactInterval(Duration interval) {
        return new SqliteOptions(file, time, integrityCheck, readConnections, leaseTick, checkpointInterval,
                walLimitBytes, interval, compactMinRetain, compactStep);
    }

    public SqliteOptions withCompactStep(int step) {
        return new SqliteOptions(file, time, integrityCheck, readConnections, leaseTick, checkpointInterval,
                walLimitBytes, compactInterval, compactMinRetain, step);
    }

    public SqliteOptions withTime(InstantSource clock) {
        return new SqliteOptions(file, clock, integrityCheck, readConnections, leaseTick, checkpointInterval,
                walLimitBytes, compactInterval, compactMinRetain, compactStep);
    }
}
