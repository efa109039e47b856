package io.kybern.apiserver;

import io.kybern.store.ForwardingStore;
import io.kybern.store.KeyValue;
import io.kybern.store.RangeRequest;
import io.kybern.store.RangeResult;
import io.kybern.store.Store;
import io.kybern.store.WriteResult;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A store that reports how long each call took, by operation and the key it touched; everything else
 * passes through unchanged. Thread-safe as the store it wraps.
 */
final class MeasuredStore extends ForwardingStore {

    /** Where the durations go: operation ({@code get}, {@code list}, {@code create}...), key, nanoseconds. */
    interface Recorder {
        void record(String operation, String key, long nanos);
    }

    private final Recorder recorder;

    MeasuredStore(Store store, Recorder recorder) {
        super(store);
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
        return timed("get", key, () -> delegate.get(key, revision));
    }

    @Override
    public RangeResult range(RangeRequest request) {
        return timed("list", request.prefix(), () -> delegate.range(request));
    }

    @Override
    public WriteResult create(String key, byte[] value, long lease) {
        return timed("create", key, () -> delegate.create(key, value, lease));
    }

    @Override
    public WriteResult update(String key, byte[] value, long expectedModRevision, long lease) {
        return timed("update", key, () -> delegate.update(key, value, expectedModRevision, lease));
    }

    @Override
    public WriteResult put(String key, byte[] value, long lease) {
        return timed("update", key, () -> delegate.put(key, value, lease));
    }

    @Override
    public WriteResult delete(String key, long expectedModRevision) {
        return timed("delete", key, () -> delegate.delete(key, expectedModRevision));
    }

    @Override
    public WriteResult delete(String key) {
        return timed("delete", key, () -> delegate.delete(key));
    }
}
