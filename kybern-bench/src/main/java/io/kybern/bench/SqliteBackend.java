package io.kybern.bench;

import io.kybern.store.Store;
import io.kybern.store.sqlite.SqliteStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The sqlite backend on a fresh database file, with its production defaults (automatic compaction included). */
final class SqliteBackend implements BenchBackend {

    private final Path file;
    private final SqliteStore store;

    private SqliteBackend(Path file, SqliteStore store) {
        this.file = file;
        this.store = store;
    }

    static SqliteBackend open(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        Path file = dir.resolve("kybern.db");
        return new SqliteBackend(file, SqliteStore.open(file));
    }

    @Override
    public String name() {
        return "sqlite";
    }

    @Override
    public Store store() {
        return store;
    }

    /** The database and its write-ahead log, which between checkpoints holds the latest writes. */
    @Override
    public long diskBytes() {
        return DiskUsage.ofFiles(file, wal());
    }

    @Override
    public String diskBreakdown() {
        return "db_mb=" + DiskUsage.megabytes(DiskUsage.ofFiles(file)) + " wal_mb="
                + DiskUsage.megabytes(DiskUsage.ofFiles(wal()));
    }

    private Path wal() {
        return file.resolveSibling(file.getFileName() + "-wal");
    }

    @Override
    public void close() {
        store.close();
    }
}
