package io.kybern.store;

import java.time.Duration;
import java.util.Optional;

/**
 * A store that hands every call to another: a wrapper overrides only the calls it measures, watches or holds
 * back.
 */
public abstract class ForwardingStore implements Store {

    protected final Store delegate;

    protected ForwardingStore(Store delegate) {
        this.delegate = delegate;
    }

    @Override
    public Optional<KeyValue> get(String key, long revision) {
        return delegate.get(key, revision);
    }

    @Override
    public RangeResult range(RangeRequest request) {
        return delegate.range(request);
    }

    @Override
    public WriteResult create(String key, byte[] value, long lease) {
        return delegate.create(key, value, lease);
    }

    @Override
    public WriteResult update(String key, byte[] value, long expectedModRevision, long lease) {
        return delegate.update(key, value, expectedModRevision, lease);
    }

    @Override
    public WriteResult put(String key, byte[] value, long lease) {
        return delegate.put(key, value, lease);
    }

    @Override
    public WriteResult delete(String key, long expectedModRevision) {
        return delegate.delete(key, expectedModRevision);
    }

    @Override
    public WriteResult delete(String key) {
        return delegate.delete(key);
    }

    @Override
    public Watch watch(String prefix, long startRevision, WatchListener listener) {
        return delegate.watch(prefix, startRevision, listener);
    }

    @Override
    public void compact(long revision) {
        delegate.compact(revision);
    }

    @Override
    public long grantLease(Duration ttl) {
        return delegate.grantLease(ttl);
    }

    @Override
    public void keepAlive(long lease) {
        delegate.keepAlive(lease);
    }

    @Override
    public void revokeLease(long lease) {
        delegate.revokeLease(lease);
    }

    @Override
    public long currentRevision() {
        return delegate.currentRevision();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
