package io.kybern.store.sqlite;

import io.kybern.store.CompactedException;
import io.kybern.store.FutureRevisionException;
import io.kybern.store.KeyValue;
import io.kybern.store.LeaseNotFoundException;
import io.kybern.store.RangeRequest;
import io.kybern.store.RangeResult;
import io.kybern.store.Store;
import io.kybern.store.StoreUnavailableException;
import io.kybern.store.Watch;
import io.kybern.store.WatchEvent;
import io.kybern.store.WatchListener;
import io.kybern.store.WriteResult;
import io.kybern.store.log.LeaseClock;
import io.kybern.store.log.Mutation;
import io.kybern.store.log.Row;
import io.kybern.store.log.WatchHub;
import io.kybern.store.log.WriteOp;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded default backend: etcd's model on one SQLite file.
 *
 * <p>The file is an append-only log with one row per revision (see {@link Schema}), written by one
 * thread with group commit ({@link LogWriter}), read through a pool of connections ({@link LogReader}),
 * checkpointed in the background ({@link Checkpointer}) and compacted in small steps that interleave
 * with writes ({@link Compactor}), with freed pages handed back to the file system.
 *
 * <p>Only one process may open a database at a time; a second one is refused with a clear error.
 */
public final class SqliteStore implements Store {

    private static final Logger log = LoggerFactory.getLogger(SqliteStore.class);

    private final SqliteOptions options;
    private final Path file;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final Connection writerConnection;
    private final AtomicLong committed;
    private final LogReader reader;
    private final LogWriter writer;
    private final WatchHub hub;
    private final LeaseClock leaseClock;
    private final Checkpointer checkpointer;
    private final Compactor compactor;
    private volatile long compactRevision;
    private volatile boolean closed;
    private long lastLease;

    public static SqliteStore open(Path file) {
        return open(SqliteOptions.defaults(file));
    }

    public static SqliteStore open(SqliteOptions options) {
        return new SqliteStore(options);
    }

    private SqliteStore(SqliteOptions options) {
        this.options = options;
        this.file = options.file();
        long started = System.nanoTime();
        FileChannel channel = null;
        Connection conn = null;
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            SqliteNativeLibrary.useCopyIn(file.toAbsolutePath().getParent());
            channel = FileChannel.open(file.resolveSibling(file.getFileName() + ".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            this.lock = lockExclusively(channel, file);
            Schema.checkHeader(file);
            Schema.checkExisting(file);
            conn = SqliteConnections.openWriter(file, options.walLimitBytes());
            Schema.prepare(conn, file);
            if (options.integrityCheck()) {
                Schema.integrityCheck(conn, file);
            }
            long floor = Schema.meta(conn, Schema.META_REVISION_FLOOR);
            this.committed = new AtomicLong(Math.max(floor, maxRevision(conn)));
            this.compactRevision = Schema.meta(conn, Schema.META_COMPACT_REVISION);
            this.lastLease = Schema.meta(conn, Schema.META_LAST_LEASE);
            this.reader = new LogReader(file, options.readConnections());
            this.hub = new WatchHub(this::history, () -> compactRevision, committed.get());
            this.leaseClock = new LeaseClock(options.time(), this::revokeExpired, options.leaseTick());
            reloadLeases(conn);
            this.writerConnection = conn;
            this.writer = new LogWriter(file, conn, hub, committed, options.walLimitBytes());
            this.checkpointer = new Checkpointer(file, options.checkpointInterval().toMillis());
            this.compactor = new Compactor(this, options, Schema.meta(conn, Schema.META_COMPACTED_THROUGH));
        } catch (IOException e) {
            closeQuietly(conn, channel);
            throw new StoreUnavailableException("cannot open " + file + ": " + e.getMessage(), e);
        } catch (SQLException e) {
            closeQuietly(conn, channel);
            throw SqliteErrors.translate(file, "opening", e);
        } catch (RuntimeException e) {
            closeQuietly(conn, channel);
            throw e;
        }
        this.lockChannel = channel;
        log.info("opened {} at revision {} (compacted to {}) in {} ms", file, committed.get(), compactRevision,
                (System.nanoTime() - started) / 1_000_000);
    }

    public Path file() {
        return file;
    }

    /** Counters for metrics and benchmarks. */
    public SqliteStats stats() {
        return new SqliteStats(writer.commits(), writer.tasks(), sizeOf(file), sizeOf(wal()), compactRevision);
    }

    /** Copies the write-ahead log into the database file now, and truncates the log. */
    public void checkpoint() {
        checkpointer.checkpoint(true);
    }

    private Path wal() {
        return file.resolveSibling(file.getFileName() + "-wal");
    }

    private static long sizeOf(Path path) {
        try {
            return Files.exists(path) ? Files.size(path) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    @Override
    public Optional<KeyValue> get(String key, long revision) {
        long at = readRevision(revision);
        Optional<KeyValue> kv = reader.get(key, at);
        checkNotCompactedDuring(at);
        return kv;
    }

    @Override
    public RangeResult range(RangeRequest request) {
        long at = readRevision(request.revision());
        List<KeyValue> kvs = reader.range(request.prefix(), request.afterKey(), at, request.limit());
        boolean full = request.limit() != 0 && kvs.size() == request.limit();
        long count = full ? reader.count(request.prefix(), request.afterKey(), at) : kvs.size();
        checkNotCompactedDuring(at);
        return new RangeResult(kvs, at, count, count > kvs.size());
    }

    @Override
    public WriteResult create(String key, byte[] value, long lease) {
        return write(new WriteOp.Create(key, value, lease), lease, value.length);
    }

    @Override
    public WriteResult update(String key, byte[] value, long expectedModRevision, long lease) {
        return write(new WriteOp.Update(key, value, expectedModRevision, lease), lease, value.length);
    }

    @Override
    public WriteResult put(String key, byte[] value, long lease) {
        return write(new WriteOp.Put(key, value, lease), lease, value.length);
    }

    @Override
    public WriteResult delete(String key, long expectedModRevision) {
        return write(WriteOp.Delete.of(key, expectedModRevision), NO_LEASE, 0);
    }

    @Override
    public WriteResult delete(String key) {
        return write(new WriteOp.Delete(key, WriteOp.Delete.ANY), NO_LEASE, 0);
    }

    private WriteResult write(WriteOp op, long lease, int bytes) {
        checkOpen();
        return writer.submit(new LogWriter.Task<>() {
            @Override
            public WriteResult apply(LogWriter.Batch batch) throws SQLException {
                if (lease != NO_LEASE && !leaseExists(batch.connection(), lease)) {
                    throw new LeaseNotFoundException(lease);
                }
                return applyOne(batch, op).result();
            }

            @Override
            public long size() {
                return 64L + op.key().length() + bytes;
            }
        });
    }

    /** Decides one write against the key's newest row and appends it if it succeeds. */
    private static Mutation applyOne(LogWriter.Batch batch, WriteOp op) throws SQLException {
        Mutation mutation = Mutation.of(op, batch.latest(op.key()), batch.nextRevision());
        if (mutation.succeeded()) {
            batch.append(mutation.row(), mutation.event());
        }
        return mutation;
    }

    @Override
    public Watch watch(String prefix, long startRevision, WatchListener listener) {
        checkOpen();
        return hub.watch(prefix, startRevision, listener);
    }

    private List<WatchEvent> history(String prefix, long from, long to, int limit) {
        if (from <= compactRevision) {
            throw new CompactedException(from, compactRevision);
        }
        List<WatchEvent> events = reader.changes(prefix, from, to, limit);
        if (from <= compactRevision) {
            // A compaction began while reading: previous values may be missing.
            throw new CompactedException(from, compactRevision);
        }
        return events;
    }

    @Override
    public void compact(long revision) {
        checkOpen();
        long current = committed.get();
        if (revision > current) {
            throw new FutureRevisionException(revision, current);
        }
        compactor.compactTo(revision);
    }

    /** The compaction point; reads below it fail. */
    public long compactRevision() {
        return compactRevision;
    }

    /**
     * Moves the compaction point, durably, before any row is removed: from then on reads below it fail
     * instead of seeing a half-compacted history. Called by the {@link Compactor}.
     */
    void beginCompaction(long revision) {
        writer.submit(batch -> {
            setMeta(batch.connection(), Schema.META_COMPACT_REVISION, revision);
            setMeta(batch.connection(), Schema.META_REVISION_FLOOR, batch.currentRevision());
            return null;
        });
        compactRevision = revision;
    }

    /**
     * Removes the rows made obsolete by the writes with revisions in {@code (from, to]}: the rows those
     * writes superseded, and the writes themselves where they are deletions. kine's insight: every
     * superseding row names the row it replaced, so compaction walks only new revisions.
     */
    int compactStep(long from, long to) {
        return writer.submit(batch -> {
            Connection c = batch.connection();
            int removed;
            try (PreparedStatement superseded = c.prepareStatement("DELETE FROM kv WHERE revision IN "
                    + "(SELECT prev_revision FROM kv WHERE revision > ? AND revision <= ? AND prev_revision != 0)");
                    PreparedStatement tombstones = c.prepareStatement(
                            "DELETE FROM kv WHERE revision > ? AND revision <= ? AND deleted = 1")) {
                superseded.setLong(1, from);
                superseded.setLong(2, to);
                removed = superseded.executeUpdate();
                tombstones.setLong(1, from);
                tombstones.setLong(2, to);
                removed += tombstones.executeUpdate();
            }
            setMeta(c, Schema.META_COMPACTED_THROUGH, to);
            setMeta(c, Schema.META_REVISION_FLOOR, batch.currentRevision());
            return removed;
        });
    }

    /** The file's pages, and how many of them hold nothing. */
    record PageCounts(long total, long free) {
    }

    PageCounts pageCounts() {
        return writer.submit(batch -> new PageCounts(Schema.intPragma(batch.connection(), "page_count"),
                Schema.intPragma(batch.connection(), "freelist_count")));
    }

    /** Hands up to {@code pages} free pages back to the file system, in one transaction. */
    void reclaimSpace(int pages) {
        writer.submit(batch -> {
            // Each step of this pragma frees one page, and the driver runs one step per execute: so it is
            // executed once per page (cheap: one page moved each time).
            try (PreparedStatement vacuum = batch.connection().prepareStatement("PRAGMA incremental_vacuum(1)")) {
                for (int i = 0; i < pages; i++) {
                    vacuum.execute();
                }
            }
            return null;
        });
    }

    @Override
    public long grantLease(Duration ttl) {
        checkOpen();
        long ttlMillis = Math.max(1, ttl.toMillis());
        return writer.submit(batch -> {
            long lease = lastLease + 1;
            try (PreparedStatement ps = batch.connection().prepareStatement(
                    "INSERT INTO lease (id, ttl_ms) VALUES (?, ?)")) {
                ps.setLong(1, lease);
                ps.setLong(2, ttlMillis);
                ps.executeUpdate();
            }
            setMeta(batch.connection(), Schema.META_LAST_LEASE, lease);
            lastLease = lease;
            batch.afterCommit(() -> leaseClock.track(lease, ttlMillis));
            return lease;
        });
    }

    @Override
    public void keepAlive(long lease) {
        checkOpen();
        leaseClock.keepAlive(lease);
    }

    @Override
    public void revokeLease(long lease) {
        checkOpen();
        writer.submit(batch -> {
            Connection c = batch.connection();
            if (!leaseExists(c, lease)) {
                throw new LeaseNotFoundException(lease);
            }
            List<String> keys = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT key FROM kv k WHERE lease = ? AND deleted = 0 "
                    + "AND revision = (SELECT MAX(revision) FROM kv WHERE key = k.key)")) {
                ps.setLong(1, lease);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        keys.add(rs.getString(1));
                    }
                }
            }
            for (String key : keys) {
                applyOne(batch, new WriteOp.Delete(key, WriteOp.Delete.ANY));
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM lease WHERE id = ?")) {
                ps.setLong(1, lease);
                ps.executeUpdate();
            }
            batch.afterCommit(() -> leaseClock.forget(lease));
            return null;
        });
    }

    private void revokeExpired(long lease) {
        if (!closed) {
            revokeLease(lease);
        }
    }

    @Override
    public long currentRevision() {
        checkOpen();
        return committed.get();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        compactor.close();
        leaseClock.close();
        writer.close();
        hub.close();
        checkpointer.close();
        reader.close();
        closeQuietly(writerConnection, lockChannel);
        log.info("closed {} at revision {}", file, committed.get());
    }

    private long readRevision(long requested) {
        checkOpen();
        long current = committed.get();
        if (requested == 0) {
            return current;
        }
        if (requested > current) {
            throw new FutureRevisionException(requested, current);
        }
        if (requested < compactRevision) {
            throw new CompactedException(requested, compactRevision);
        }
        return requested;
    }

    private void checkNotCompactedDuring(long revision) {
        long compacted = compactRevision;
        if (revision < compacted) {
            throw new CompactedException(revision, compacted);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new StoreUnavailableException("store " + file + " is closed");
        }
    }

    private void reloadLeases(Connection conn) throws SQLException {
        try (Statement s = conn.createStatement(); ResultSet rs = s.executeQuery("SELECT id, ttl_ms FROM lease")) {
            while (rs.next()) {
                // As etcd does after a restart: every lease gets its full time to live again.
                leaseClock.track(rs.getLong(1), rs.getLong(2));
            }
        }
    }

    private static boolean leaseExists(Connection c, long lease) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM lease WHERE id = ?")) {
            ps.setLong(1, lease);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static void setMeta(Connection c, String name, long value) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value")) {
            ps.setString(1, name);
            ps.setLong(2, value);
            ps.executeUpdate();
        }
    }

    private static long maxRevision(Connection conn) throws SQLException {
        try (Statement s = conn.createStatement(); ResultSet rs = s.executeQuery("SELECT MAX(revision) FROM kv")) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    private static FileLock lockExclusively(FileChannel channel, Path file) throws IOException {
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            throw new StoreUnavailableException(file + " is in use by another Kybern process");
        }
        return lock;
    }

    private static void closeQuietly(Connection conn, FileChannel channel) {
        try {
            if (conn != null) {
                conn.close();
            }
        } catch (SQLException e) {
            log.warn("closing the database connection failed", e);
        }
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException e) {
            log.warn("releasing the database lock failed", e);
        }
    }
}
