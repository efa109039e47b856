package io.kybern.store.sqlite;

import io.kybern.store.KeyValue;
import io.kybern.store.StoreUnavailableException;
import io.kybern.store.WatchEvent;
import io.kybern.store.log.Prefixes;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Reads the log through a small pool of read-only connections, which WAL mode lets run alongside the
 * writer. Each query is one SQLite statement and so sees one consistent snapshot; revisions pin what
 * a read returns, whatever was committed after.
 *
 * <p>Threading: any thread; a caller borrows a connection for one query.
 */
final class LogReader implements AutoCloseable {

    private static final String COLUMNS = "key, value, create_revision, revision, version, lease";

    private final Path file;
    private final BlockingQueue<ReadConnection> pool;
    private final List<ReadConnection> all = new ArrayList<>();

    LogReader(Path file, int connections) throws SQLException {
        this.file = file;
        this.pool = new ArrayBlockingQueue<>(connections);
        for (int i = 0; i < connections; i++) {
            ReadConnection c = new ReadConnection(SqliteConnections.openReader(file));
            all.add(c);
            pool.add(c);
        }
    }

    /** The key's row in force at {@code revision}, if live. */
    Optional<KeyValue> get(String key, long revision) {
        return query("reading " + key, c -> {
            PreparedStatement ps = c.statement("SELECT " + COLUMNS + ", deleted FROM kv WHERE key = ? AND revision <= ? "
                    + "ORDER BY revision DESC LIMIT 1");
            ps.setString(1, key);
            ps.setLong(2, revision);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || rs.getInt(7) != 0) {
                    return Optional.empty();
                }
                return Optional.of(keyValue(rs));
            }
        });
    }

    /** One page: live keys in {@code (after, end)} (or from {@code prefix} inclusive) at a revision. */
    List<KeyValue> range(String prefix, String afterKey, long revision, int limit) {
        return query("reading " + prefix, c -> {
            PreparedStatement ps = c.statement(rangeSql(afterKey != null, Prefixes.end(prefix) != null, false));
            int next = bindRange(ps, prefix, afterKey, revision);
            ps.setLong(next, limit == 0 ? -1 : limit);
            List<KeyValue> kvs = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    kvs.add(keyValue(rs));
                }
            }
            return kvs;
        });
    }

    /** How many live keys the same range holds, without a limit. */
    long count(String prefix, String afterKey, long revision) {
        return query("counting " + prefix, c -> {
            PreparedStatement ps = c.statement(rangeSql(afterKey != null, Prefixes.end(prefix) != null, true));
            bindRange(ps, prefix, afterKey, revision);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0L;
            }
        });
    }

    /** The changes under a prefix with revisions in {@code [from, to]}, each with its previous value. */
    List<WatchEvent> changes(String prefix, long from, long to, int limit) {
        return query("reading history of " + prefix, c -> {
            String end = Prefixes.end(prefix);
            PreparedStatement ps = c.statement("""
                    SELECT r.key, r.value, r.create_revision, r.revision, r.version, r.lease, r.deleted,
                           p.key, p.value, p.create_revision, p.revision, p.version, p.lease, p.deleted
                    FROM kv r LEFT JOIN kv p ON p.revision = r.prev_revision
                    WHERE r.revision >= ? AND r.revision <= ? AND r.key >= ?"""
                    + (end == null ? "" : " AND r.key < ?") + " ORDER BY r.revision LIMIT ?");
            ps.setLong(1, from);
            ps.setLong(2, to);
            ps.setString(3, prefix);
            int next = 4;
            if (end != null) {
                ps.setString(next++, end);
            }
            ps.setInt(next, limit);
            List<WatchEvent> events = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    KeyValue previous = rs.getString(8) == null || rs.getInt(14) != 0 ? null
                            : new KeyValue(rs.getString(8), rs.getBytes(9), rs.getLong(10), rs.getLong(11),
                                    rs.getLong(12), rs.getLong(13));
                    if (rs.getInt(7) != 0) {
                        KeyValue deletion = new KeyValue(rs.getString(1), new byte[0], 0, rs.getLong(4), 0, 0);
                        events.add(new WatchEvent(WatchEvent.Type.DELETE, deletion, previous));
                    } else {
                        events.add(new WatchEvent(WatchEvent.Type.PUT, keyValue(rs), previous));
                    }
                }
            }
            return events;
        });
    }

    /**
     * Live keys in range at a revision: for each key its newest row at or below the revision (SQLite
     * takes the bare columns from the row holding the MAX), keeping those that are not tombstones.
     */
    private static String rangeSql(boolean after, boolean bounded, boolean count) {
        String where = (after ? "key > ?" : "key >= ?") + (bounded ? " AND key < ?" : "") + " AND revision <= ?";
        String newest = "SELECT key, value, create_revision, MAX(revision) AS revision, version, lease, deleted"
                + " FROM kv WHERE " + where + " GROUP BY key";
        return count
                ? "SELECT count(*) FROM (" + newest + ") WHERE deleted = 0"
                : "SELECT " + COLUMNS + " FROM (" + newest + ") WHERE deleted = 0 ORDER BY key LIMIT ?";
    }

    private static int bindRange(PreparedStatement ps, String prefix, String afterKey, long revision)
            throws SQLException {
        int i = 1;
        ps.setString(i++, afterKey != null ? afterKey : prefix);
        String end = Prefixes.end(prefix);
        if (end != null) {
            ps.setString(i++, end);
        }
        ps.setLong(i++, revision);
        return i;
    }

    private static KeyValue keyValue(ResultSet rs) throws SQLException {
        return new KeyValue(rs.getString(1), rs.getBytes(2), rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getLong(6));
    }

    private interface Query<T> {
        T run(ReadConnection c) throws SQLException;
    }

    private <T> T query(String doing, Query<T> query) {
        ReadConnection c;
        try {
            c = pool.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreUnavailableException("interrupted while " + doing, e);
        }
        try {
            return query.run(c);
        } catch (SQLException e) {
            throw SqliteErrors.translate(file, doing, e);
        } finally {
            pool.add(c);
        }
    }

    @Override
    public void close() {
        for (ReadConnection c : all) {
            c.close();
        }
    }

    /** A connection with its prepared statements, used by one thread at a time. */
    private static final class ReadConnection {
        private final Connection conn;
        private final Map<String, PreparedStatement> statements = new HashMap<>();

        ReadConnection(Connection conn) {
            this.conn = conn;
        }

        PreparedStatement statement(String sql) throws SQLException {
            PreparedStatement ps = statements.get(sql);
            if (ps == null) {
                ps = conn.prepareStatement(sql);
                statements.put(sql, ps);
            }
            return ps;
        }

        void close() {
            try {
                conn.close();
            } catch (SQLException ignored) {
                // Closing at shutdown; nothing to do about a failure.
            }
        }
    }
}
