package io.kybern.store;

import java.time.Duration;
import java.util.Optional;

/**
 * A key-value store with etcd v3's model, the only place Kybern keeps cluster state.
 *
 * <p>Every successful write gets the next global revision. Each key records the revision that created
 * it, the revision of its last change ({@code modRevision}, the compare-and-swap token) and how many
 * times it has changed. Reads can be made at any revision not yet compacted; watches deliver every
 * change from any such revision, in revision order.
 *
 * <p>Durability: a write method returns only when its effect survives a crash of the process or the
 * machine. Threading: every method may be called from any thread; writes are linearizable, and a read
 * or watch started after a write returned sees that write.
 */
public interface Store extends AutoCloseable {

    /** The largest value accepted, as etcd's default request limit: 1.5 MiB. */
    int MAX_VALUE_BYTES = 3 * 512 * 1024;

    /** The lease of a key that lives until deleted. */
    long NO_LEASE = 0;

    /** The current value of a key. */
    default Optional<KeyValue> get(String key) {
        return get(key, 0);
    }

    /**
     * The value a key had at a revision ({@code 0} for the current one). Reading below the compaction
     * point fails with {@link CompactedException}, above the current revision with
     * {@link FutureRevisionException}; {@link #range} likewise.
     */
    Optional<KeyValue> get(String key, long revision);

    /** One page of the keys under a prefix. */
    RangeResult range(RangeRequest request);

    /** Writes a key that must not exist yet. Fails (with the existing value) if it does. */
    WriteResult create(String key, byte[] value, long lease);

    default WriteResult create(String key, byte[] value) {
        return create(key, value, NO_LEASE);
    }

    /**
     * Replaces a key's value if its {@code modRevision} still equals {@code expectedModRevision}.
     * Fails, with the current value, if it changed or no longer exists. {@code expectedModRevision}
     * must be positive.
     */
    WriteResult update(String key, byte[] value, long expectedModRevision, long lease);

    default WriteResult update(String key, byte[] value, long expectedModRevision) {
        return update(key, value, expectedModRevision, NO_LEASE);
    }

    /** Writes a key whether or not it exists (etcd's plain put). */
    WriteResult put(String key, byte[] value, long lease);

    default WriteResult put(String key, byte[] value) {
        return put(key, value, NO_LEASE);
    }

    /**
     * Deletes a key if its {@code modRevision} still equals {@code expectedModRevision}. Fails, with the
     * current value, if it changed; fails with {@code null} if it does not exist. {@code expectedModRevision}
     * must be positive.
     */
    WriteResult delete(String key, long expectedModRevision);

    /** Deletes a key whatever its revision. Fails with {@code null} if it does not exist. */
    WriteResult delete(String key);

    /**
     * Watches every key under a prefix, starting with the changes made at {@code startRevision}
     * (inclusive); {@code 0} starts with the next write. A start at or below the compaction point ends
     * the watch at once with {@link CompactedException}.
     */
    Watch watch(String prefix, long startRevision, WatchListener listener);

    /**
     * Discards the history before {@code revision}: afterwards reading at an older revision, or watching
     * from one, fails with {@link CompactedException}. Compacting to a revision at or below the current
     * compaction point does nothing; to a revision above the current one fails with
     * {@link FutureRevisionException}.
     */
    void compact(long revision);

    /** A lease that expires after {@code ttl} unless kept alive; its keys are deleted when it does. */
    long grantLease(Duration ttl);

    /** Restarts a lease's time to live. */
    void keepAlive(long lease);

    /** Ends a lease now, deleting its keys. */
    void revokeLease(long lease);

    /** The revision of the latest write. */
    long currentRevision();

    /** Releases every resource. Writes in flight either complete or fail; none is left half done. */
    @Override
    void close();

    /** Refuses values over the limit before anything is written. */
    static void checkValueSize(String key, byte[] value) {
        if (value.length > MAX_VALUE_BYTES) {
            throw new ValueTooLargeException(key, value.length);
        }
    }
}
