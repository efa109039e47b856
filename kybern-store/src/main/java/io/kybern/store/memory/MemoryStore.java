package io.kybern.store.memory;

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
import io.kybern.store.log.History;
import io.kybern.store.log.LeaseClock;
import io.kybern.store.log.Mutation;
import io.kybern.store.log.Prefixes;
import io.kybern.store.log.Row;
import io.kybern.store.log.WatchHub;
import io.kybern.store.log.WriteOp;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A store that keeps everything in memory and forgets it on close: for unit tests and the test kit,
 * where starting in microseconds matters and durability does not. Same semantics as the durable
 * backends, checked by the same contract suite.
 *
 * <p>Threading: one read-write lock; writes publish to watchers while holding it, which keeps
 * publication in revision order.
 */
public final class MemoryStore implements Store {

    private final ReentrantReadWriteLock rw = new ReentrantReadWriteLock();
    /** Every key's rows still needed, oldest first. */
    private final TreeMap<String, ArrayList<Row>> keys = new TreeMap<>();
    /** Every row newer than the compaction point, in revision order: the watch history. */
    private final ArrayList<Row> log = new ArrayList<>();
    private final Map<Long, Set<String>> keysByLease = new HashMap<>();
    private final WatchHub hub;
    private final LeaseClock leaseClock;
    private long revision;
    private long compactRevision;
    private long lastLease;
    private boolean closed;

    public MemoryStore() {
        this(InstantSource.system());
    }

    public MemoryStore(InstantSource time) {
        this.hub = new WatchHub(this::history, this::compactRevision, 0);
        this.leaseClock = new LeaseClock(time, this::revokeLease, Duration.ofMillis(250));
    }

    @Override
    public Optional<KeyValue> get(String key, long atRevision) {
        rw.readLock().lock();
        try {
            long at = readRevision(atRevision);
            Row row = rowAt(keys.get(key), at);
            return row == null || row.deleted() ? Optional.empty() : Optional.of(row.keyValue());
        } finally {
            rw.readLock().unlock();
        }
    }

    @Override
    public RangeResult range(RangeRequest request) {
        rw.readLock().lock();
        try {
            long at = readRevision(request.revision());
            String end = Prefixes.end(request.prefix());
            NavigableMap<String, ArrayList<Row>> span = request.afterKey() == null
                    ? keys.tailMap(request.prefix(), true)
                    : keys.tailMap(request.afterKey(), false);
            if (end != null) {
                span = span.headMap(end, false);
            }
            List<KeyValue> page = new ArrayList<>();
            long count = 0;
            for (ArrayList<Row> rows : span.values()) {
                Row row = rowAt(rows, at);
                if (row == null || row.deleted()) {
                    continue;
                }
                count++;
                if (request.limit() == 0 || page.size() < request.limit()) {
                    page.add(row.keyValue());
                }
            }
            return new RangeResult(page, at, count, count > page.size());
        } finally {
            rw.readLock().unlock();
        }
    }

    @Override
    public WriteResult create(String key, byte[] value, long lease) {
        return write(new WriteOp.Create(key, value, lease));
    }

    @Override
    public WriteResult update(String key, byte[] value, long expectedModRevision, long lease) {
        return write(new WriteOp.Update(key, value, expectedModRevision, lease));
    }

    @Override
    public WriteResult put(String key, byte[] value, long lease) {
        return write(new WriteOp.Put(key, value, lease));
    }

    @Override
    public WriteResult delete(String key, long expectedModRevision) {
        return write(WriteOp.Delete.of(key, expectedModRevision));
    }

    @Override
    public WriteResult delete(String key) {
        return write(new WriteOp.Delete(key, WriteOp.Delete.ANY));
    }

    private WriteResult write(WriteOp op) {
        rw.writeLock().lock();
        try {
            checkOpen();
            long lease = switch (op) {
                case WriteOp.Create c -> c.lease();
                case WriteOp.Update u -> u.lease();
                case WriteOp.Put p -> p.lease();
                case WriteOp.Delete d -> NO_LEASE;
            };
            if (lease != NO_LEASE && !leaseClock.exists(lease)) {
                throw new LeaseNotFoundException(lease);
            }
            Mutation mutation = apply(op);
            if (mutation.succeeded()) {
                hub.publish(List.of(mutation.event()));
            }
            return mutation.result();
        } finally {
            rw.writeLock().unlock();
        }
    }

    /** Decides and appends one write; called with the write lock held. */
    private Mutation apply(WriteOp op) {
        ArrayList<Row> rows = keys.get(op.key());
        Row latest = rows == null ? null : rows.getLast();
        Mutation mutation = Mutation.of(op, latest, revision + 1);
        if (!mutation.succeeded()) {
            return mutation;
        }
        Row row = mutation.row();
        revision = row.revision();
        keys.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(row);
        log.add(row);
        if (latest != null && latest.lease() != NO_LEASE) {
            Set<String> held = keysByLease.get(latest.lease());
            if (held != null) {
                held.remove(row.key());
            }
        }
        if (row.lease() != NO_LEASE) {
            keysByLease.computeIfAbsent(row.lease(), l -> new HashSet<>()).add(row.key());
        }
        return mutation;
    }

    @Override
    public Watch watch(String prefix, long startRevision, WatchListener listener) {
        checkOpen();
        return hub.watch(prefix, startRevision, listener);
    }

    private List<WatchEvent> history(String prefix, long from, long to, int limit) {
        rw.readLock().lock();
        try {
            if (from <= compactRevision) {
                throw new CompactedException(from, compactRevision);
            }
            List<WatchEvent> events = new ArrayList<>();
            for (int i = indexOfRevision(from); i < log.size() && events.size() < limit; i++) {
                Row row = log.get(i);
                if (row.revision() > to) {
                    break;
                }
                if (!row.key().startsWith(prefix)) {
                    continue;
                }
                Row previous = row.prevRevision() == 0 ? null : rowAt(keys.get(row.key()), row.prevRevision());
                KeyValue prev = previous == null || previous.deleted() ? null : previous.keyValue();
                events.add(row.deleted()
                        ? new WatchEvent(WatchEvent.Type.DELETE, row.deletionKeyValue(), prev)
                        : new WatchEvent(WatchEvent.Type.PUT, row.keyValue(), prev));
            }
            return events;
        } finally {
            rw.readLock().unlock();
        }
    }

    @Override
    public void compact(long target) {
        rw.writeLock().lock();
        try {
            checkOpen();
            if (target > revision) {
                throw new FutureRevisionException(target, revision);
            }
            if (target <= compactRevision) {
                return;
            }
            compactRevision = target;
            var it = keys.values().iterator();
            while (it.hasNext()) {
                ArrayList<Row> rows = it.next();
                int newest = indexAtOrBelow(rows, target);
                if (newest < 0) {
                    continue;
                }
                // Rows before the newest one at the target are superseded; a tombstone there is too.
                int drop = rows.get(newest).deleted() ? newest + 1 : newest;
                rows.subList(0, drop).clear();
                if (rows.isEmpty()) {
                    it.remove();
                }
            }
            log.subList(0, indexOfRevision(target + 1)).clear();
        } finally {
            rw.writeLock().unlock();
        }
    }

    @Override
    public long grantLease(Duration ttl) {
        rw.writeLock().lock();
        try {
            checkOpen();
            long lease = ++lastLease;
            leaseClock.track(lease, Math.max(1, ttl.toMillis()));
            return lease;
        } finally {
            rw.writeLock().unlock();
        }
    }

    @Override
    public void keepAlive(long lease) {
        // The lease clock does not know that the store closed: without this check, keeping a lease alive on
        // a closed store seemed to succeed, and the caller went on trusting a lease that nothing kept.
        rw.readLock().lock();
        try {
            checkOpen();
            leaseClock.keepAlive(lease);
        } finally {
            rw.readLock().unlock();
        }
    }

    @Override
    public void revokeLease(long lease) {
        rw.writeLock().lock();
        try {
            checkOpen();
            if (!leaseClock.exists(lease)) {
                throw new LeaseNotFoundException(lease);
            }
            List<WatchEvent> events = new ArrayList<>();
            for (String key : new ArrayList<>(keysByLease.getOrDefault(lease, Set.of()))) {
                events.add(apply(new WriteOp.Delete(key, WriteOp.Delete.ANY)).event());
            }
            keysByLease.remove(lease);
            leaseClock.forget(lease);
            hub.publish(events);
        } finally {
            rw.writeLock().unlock();
        }
    }

    @Override
    public long currentRevision() {
        rw.readLock().lock();
        try {
            // A closed store answers nothing, like every other request (it used to go on reporting its
            // last revision).
            checkOpen();
            return revision;
        } finally {
            rw.readLock().unlock();
        }
    }

    private long compactRevision() {
        rw.readLock().lock();
        try {
            return compactRevision;
        } finally {
            rw.readLock().unlock();
        }
    }

    @Override
    public void close() {
        rw.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
        } finally {
            rw.writeLock().unlock();
        }
        leaseClock.close();
        hub.close();
    }

    private void checkOpen() {
        if (closed) {
            throw new StoreUnavailableException("store is closed");
        }
    }

    private long readRevision(long requested) {
        checkOpen();
        if (requested == 0) {
            return revision;
        }
        if (requested > revision) {
            throw new FutureRevisionException(requested, revision);
        }
        if (requested < compactRevision) {
            throw new CompactedException(requested, compactRevision);
        }
        return requested;
    }

    /** The key's row in force at a revision, or null. */
    private static Row rowAt(ArrayList<Row> rows, long at) {
        if (rows == null) {
            return null;
        }
        int i = indexAtOrBelow(rows, at);
        return i < 0 ? null : rows.get(i);
    }

    private static int indexAtOrBelow(List<Row> rows, long at) {
        int lo = 0;
        int hi = rows.size() - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (rows.get(mid).revision() <= at) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    /** The index of the first log row at or above a revision. */
    private int indexOfRevision(long from) {
        return indexAtOrBelow(log, from - 1) + 1;
    }
}
