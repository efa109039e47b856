package io.kybern.store.sqlite;

import io.kybern.store.StoreException;
import io.kybern.store.StoreUnavailableException;
import io.kybern.store.WatchEvent;
import io.kybern.store.log.Row;
import io.kybern.store.log.WatchHub;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that writes the database, with group commit.
 *
 * <p>Callers submit {@link Task}s from any thread and block until theirs is durable. The writer takes
 * every task waiting in the queue, runs them in order inside one transaction and commits once, so
 * concurrent writers share one fsync instead of queueing for one each: this is what keeps SQLite away
 * from "database is locked" and makes 16 writers faster than one. After the commit it advances the
 * committed revision, publishes the batch's watch events, runs the tasks' after-commit actions and only
 * then answers the callers: a write is acknowledged only once it is on disk and visible to readers.
 *
 * <p>If the commit fails, the transaction is rolled back and every task of the batch fails; nothing
 * of it was acknowledged or published.
 */
final class LogWriter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LogWriter.class);

    /** Caps one transaction, so one commit's latency stays bounded under a flood of writes. */
    static final int MAX_BATCH_TASKS = 1024;
    static final long MAX_BATCH_BYTES = 16L * 1024 * 1024;

    /** Work done inside the writer's transaction. Must check its preconditions before writing anything. */
    interface Task<T> {
        T apply(Batch batch) throws SQLException;

        /** Bytes the task will write, for batch sizing. */
        default long size() {
            return 64;
        }
    }

    private record Pending<T>(Task<T> task, CompletableFuture<T> future) {
    }

    private static final Pending<Void> STOP = new Pending<>(b -> null, new CompletableFuture<>());

    private final Path file;
    private final Path wal;
    private final long walLimitBytes;
    private final Connection conn;
    private final WatchHub hub;
    private final LinkedBlockingQueue<Pending<?>> queue = new LinkedBlockingQueue<>();
    private final AtomicLong committed;
    private final PreparedStatement latest;
    private final PreparedStatement insert;
    private final PreparedStatement begin;
    private final PreparedStatement commit;
    private final PreparedStatement rollback;
    private final PreparedStatement restartLog;
    private final Thread thread;
    private final AtomicLong commits = new AtomicLong();
    private final AtomicLong tasks = new AtomicLong();
    private volatile boolean accepting = true;
    private long revision;

    /**
     * @param committed     shared with readers: the newest revision they may read at
     * @param walLimitBytes log size past which the writer restarts the log itself
     */
    LogWriter(Path file, Connection conn, WatchHub hub, AtomicLong committed, long walLimitBytes)
            throws SQLException {
        this.file = file;
        this.wal = file.resolveSibling(file.getFileName() + "-wal");
        this.walLimitBytes = walLimitBytes;
        this.conn = conn;
        this.hub = hub;
        this.committed = committed;
        this.revision = committed.get();
        this.latest = conn.prepareStatement("SELECT revision, create_revision, prev_revision, version, lease, deleted, "
                + "value FROM kv WHERE key = ? ORDER BY revision DESC LIMIT 1");
        this.insert = conn.prepareStatement("INSERT INTO kv (revision, key, create_revision, prev_revision, version, "
                + "lease, deleted, value) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
        // Transactions are begun and ended explicitly, so that no lock is held between batches (the
        // driver's own transaction handling opens the next transaction as soon as one commits).
        this.begin = conn.prepareStatement("BEGIN IMMEDIATE");
        this.commit = conn.prepareStatement("COMMIT");
        this.rollback = conn.prepareStatement("ROLLBACK");
        this.restartLog = conn.prepareStatement("PRAGMA wal_checkpoint(RESTART)");
        this.thread = Thread.ofPlatform().name("sqlite-writer").daemon().start(this::run);
    }

    /** Runs a task in the next batch and waits until it is durable. */
    <T> T submit(Task<T> task) {
        CompletableFuture<T> future = new CompletableFuture<>();
        if (!accepting) {
            throw new StoreUnavailableException("store is closed");
        }
        queue.add(new Pending<>(task, future));
        try {
            return future.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new StoreUnavailableException("write failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            // The task may still commit; the caller must treat the outcome as unknown.
            throw new StoreUnavailableException("interrupted while waiting for a write; its outcome is unknown", e);
        }
    }

    /** The open transaction, as tasks see it. Only the writer thread touches it. */
    final class Batch {
        private final List<WatchEvent> events = new ArrayList<>();
        private final List<Runnable> afterCommit = new ArrayList<>();

        Connection connection() {
            return conn;
        }

        /** The revision a successful write made now would get. */
        long nextRevision() {
            return revision + 1;
        }

        long currentRevision() {
            return revision;
        }

        /** The key's newest row (possibly a tombstone), including rows written earlier in this batch. */
        Row latest(String key) throws SQLException {
            latest.setString(1, key);
            try (ResultSet rs = latest.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                return new Row(rs.getLong(1), key, rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5),
                        rs.getInt(6) != 0, rs.getBytes(7));
            }
        }

        /** Appends a row that takes the next revision, and the event watchers will get once committed. */
        void append(Row row, WatchEvent event) throws SQLException {
            if (row.revision() != revision + 1) {
                throw new IllegalStateException("row " + row.revision() + " does not follow " + revision);
            }
            insert.setLong(1, row.revision());
            insert.setString(2, row.key());
            insert.setLong(3, row.createRevision());
            insert.setLong(4, row.prevRevision());
            insert.setLong(5, row.version());
            insert.setLong(6, row.lease());
            insert.setInt(7, row.deleted() ? 1 : 0);
            insert.setBytes(8, row.value());
            insert.executeUpdate();
            revision = row.revision();
            events.add(event);
        }

        /** Runs after the batch is durable, before its callers are answered. */
        void afterCommit(Runnable action) {
            afterCommit.add(action);
        }
    }

    private void run() {
        List<Pending<?>> pending = new ArrayList<>();
        while (true) {
            pending.clear();
            try {
                pending.add(queue.take());
            } catch (InterruptedException e) {
                continue;
            }
            long bytes = pending.getFirst().task().size();
            while (pending.size() < MAX_BATCH_TASKS && bytes < MAX_BATCH_BYTES && pending.getLast() != STOP) {
                Pending<?> next = queue.poll();
                if (next == null) {
                    break;
                }
                pending.add(next);
                bytes += next.task().size();
            }
            boolean stop = pending.getLast() == STOP;
            if (stop) {
                pending.removeLast();
            }
            if (!pending.isEmpty()) {
                runBatch(pending);
            }
            if (stop) {
                return;
            }
        }
    }

    private void runBatch(List<Pending<?>> pending) {
        long before = revision;
        Batch batch = new Batch();
        Object[] results = new Object[pending.size()];
        RuntimeException[] refused = new RuntimeException[pending.size()];
        try {
            begin.execute();
            for (int i = 0; i < pending.size(); i++) {
                try {
                    results[i] = pending.get(i).task().apply(batch);
                } catch (StoreException | IllegalArgumentException e) {
                    refused[i] = e;
                }
            }
            commit.execute();
        } catch (SQLException | RuntimeException e) {
            revision = before;
            rollbackQuietly();
            StoreException failure = e instanceof SQLException sql
                    ? SqliteErrors.translate(file, "writing", sql)
                    : new StoreUnavailableException("write failed: " + e, e);
            log.error("write batch of {} failed and was rolled back", pending.size(), e);
            for (Pending<?> p : pending) {
                p.future().completeExceptionally(failure);
            }
            return;
        }
        committed.set(revision);
        commits.incrementAndGet();
        tasks.addAndGet(pending.size());
        hub.publish(batch.events);
        for (Runnable action : batch.afterCommit) {
            action.run();
        }
        for (int i = 0; i < pending.size(); i++) {
            complete(pending.get(i), results[i], refused[i]);
        }
        keepLogBounded();
    }

    /**
     * Under a steady stream of writes a background checkpoint never finds the log fully copied, so
     * SQLite never starts it over and it grows without bound (kine's WAL problem). Once it passes the
     * limit the writer, between batches and holding no lock, restarts it: the background checkpoints
     * have already copied most of it, so this copies only the last moments and waits only for readers.
     */
    private void keepLogBounded() {
        try {
            if (Files.size(wal) <= walLimitBytes) {
                return;
            }
            try (ResultSet rs = restartLog.executeQuery()) {
                if (rs.next() && rs.getInt(1) != 0) {
                    log.debug("log restart of {} was blocked by a reader; retrying after the next batch", wal);
                }
            }
        } catch (NoSuchFileException e) {
            // No log yet.
        } catch (IOException | SQLException e) {
            log.warn("restarting the log of {} failed; retrying after the next batch", file, e);
        }
    }

    /** Transactions committed so far. */
    long commits() {
        return commits.get();
    }

    /** Tasks those transactions carried; more tasks than commits means writers shared fsyncs. */
    long tasks() {
        return tasks.get();
    }

    @SuppressWarnings("unchecked")
    private static <T> void complete(Pending<T> pending, Object result, RuntimeException refused) {
        if (refused != null) {
            pending.future().completeExceptionally(refused);
        } else {
            pending.future().complete((T) result);
        }
    }

    private void rollbackQuietly() {
        try {
            rollback.execute();
        } catch (SQLException e) {
            // Also reached when the failure already ended the transaction; nothing is left to undo then.
            log.debug("rollback: {}", e.getMessage());
        }
    }

    /** Finishes the writes already queued, refuses new ones and stops the thread. */
    @Override
    public void close() {
        accepting = false;
        queue.add(STOP);
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // Anything that slipped in after STOP was never run.
        for (Pending<?> p; (p = queue.poll()) != null; ) {
            p.future().completeExceptionally(new StoreUnavailableException("store is closed"));
        }
        try {
            for (PreparedStatement ps : List.of(latest, insert, begin, commit, rollback, restartLog)) {
                ps.close();
            }
        } catch (SQLException e) {
            log.warn("closing statements failed", e);
        }
    }
}
