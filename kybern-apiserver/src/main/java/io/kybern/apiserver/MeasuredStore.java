package io.kybern.apiserver;

import io.kybern.store.KeyValue;
import io.kybern.store.RangeRequest;
import io.kybern.store.RangeResult;
import io.kybern.store.Store;
import io.kybern.store.Watch;
import io.kybern.store.WatchListener;
import io.kybern.store.WriteResult;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A store that reports how long each call took, by operation and the key it touched; everything else
 * passes through unchanged. Thread-safe as the store it wraps.
 */
final class MeasuredStore implements Store {

    /** Where the durations go: operation ({@code get}, {@code list}, {@code create}...), key, nanoseconds. */
    interface Recorder {
        void record(String operation, String key, long nanos);
    }

    private final Store store;
    private final Recorder recorder;

    MeasuredStore(Store store, Recorder recorder) {
        this.store = store;
        this.recorder = recorder;
    }

    /** The resource a key belongs to ({@code /registry/<resource>/...}), as the {@code type} label. */
    static String resourceOf(String key) {
        if (!key.startsWith("/registry/")) {
            return "other";
        }
        int end = key.indexOf('/', "/registry/".length());
        return end < 0 ? key.substring("/registry/".length()) : key.substring("/registry/".length(), end);
    }

    private <T> T timed(String operation, String key, Supplier<T> call) {
        long started = System.nanoTime();
        try {
            return call.get();
        } finally {
            recorder.record(operation, key, System.nanoTime() - started);
        }
    }

    @Override
    public Optional<KeyValue> get(String key, long revision) {
        return timed("get", key, () -> store.get(key, revision));
    }

    @Override
    public RangeResult range(RangeRequest request) {
        return timed("list", request.prefix(), () -> store.range(request));
    }

    @Override
    public WriteResult create(String key, byte[] value, long lease) {
        return timed("create", key, () -> store.create(key, value, lease));
    }

    @Override
    public WriteResult update(String key, byte[] value, long expectedModRevision, long lease) {
        return timed("update", key, () -> store.update(key, value, expectedModRevision, lease));
    }

    @Override
    public WriteResult put(String key, byte[] value, long lease) {
        return timed("update", key, () -> store.put(key, value, lease));
    }

    @Override
    public WriteResult delete(String key, long expectedModRevision) {
        return timed("delete", key, () -> store.delete(key, expectedModRevision));
    }

    @Override
    public WriteResult delete(String key) {
        return timed("delete", key, () -> store.delete(key));
    }

    @Override
    public Watch watch(String prefix, long startRevision, WatchListener listener) {
        return store.watch(prefix, startRevision, listener);
    }

    @Override
    public void compact(long revision) {
        store.compact(revision);
    }

    @Override
    public long grantLease(Duration ttl) {
        return store.grantLease(ttl);
    }

    @Override
    public void keepAlive(long lease) {
        store.keepAlive(lease);
    }

    @Override
    public void revokeLease(long lease) {
        store.revokeLease(lease);
    }

    @Override
    public long currentRevision() {
        return store.currentRevision();
    }

    @Override
    public void close() {
        store.close();
    }
}
