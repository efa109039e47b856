package io.kybern.store.sqlite;

/**
 * Counters of an {@link SqliteStore}.
 *
 * @param commits          transactions committed (each one fsync)
 * @param writes           writes and other tasks those transactions carried
 * @param databaseBytes    size of the database file
 * @param walBytes         size of the write-ahead log
 * @param compactRevision  the compaction point
 */
public record SqliteStats(long commits, long writes, long databaseBytes, long walBytes, long compactRevision) {
}
