package io.kybern.apiserver.cache;

import java.util.function.IntSupplier;

/**
 * What the watch cache reports, by resource ({@code pods}, {@code deployments.apps}). Called from the
 * cache's threads and from watch requests' threads; implementations must be thread-safe and quick.
 */
public interface CacheMetrics {

    /** A resource's cache was filled from the store (at start, and again after every restart). */
    void initialized(String resource, IntSupplier objects);

    /** Changes the cache received from the store. */
    void received(String resource, int events);

    /** Changes the cache handed to one watcher. */
    void dispatched(String resource, int events);

    CacheMetrics NONE = new CacheMetrics() {
        @Override
        public void initialized(String resource, IntSupplier objects) {
        }

        @Override
        public void received(String resource, int events) {
        }

        @Override
        public void dispatched(String resource, int events) {
        }
    };
}
