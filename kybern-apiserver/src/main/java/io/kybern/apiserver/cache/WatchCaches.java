package io.kybern.apiserver.cache;

import io.kybern.api.resource.ResourceType;
import io.kybern.store.CompactedException;
import io.kybern.store.KeyValue;
import io.kybern.store.RangeRequest;
import io.kybern.store.RangeResult;
import io.kybern.store.Store;
import io.kybern.store.StoreException;
import io.kybern.store.Watch;
import io.kybern.store.WatchEvent;
import io.kybern.store.WatchListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The watch caches of every resource, kept from one store watch over the whole key space.
 *
 * <p>One watch rather than one per resource because it also tells how far the caches have come: every
 * revision of the store is a change of some key, so once the watch has delivered revision {@code r}, every
 * cache holds every change up to {@code r}. Kubernetes learns the same from etcd's progress notifications;
 * it is what lets a list "not older than" a version, or one that must see the latest writes, be served
 * from memory.
 *
 * <p>A resource is cached from its first use (or from {@link #start}) on. When the store watch ends (the
 * store lost the history it needed, or failed), every cache is filled again from a fresh read and the
 * watches served from the old contents are ended, as Kubernetes' cacher ends its watchers when it
 * re-initializes; clients then watch again, from the cache's new window or after a new list.
 *
 * <p>Threading: safe from any thread. One lock guards every cache; the store watch's thread applies
 * changes under it, requests copy what they need under it and encode outside it.
 */
public final class WatchCaches implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WatchCaches.class);

    /** How many recent changes each resource keeps for watches that start in the past. */
    public static final int DEFAULT_WINDOW = 4096;
    /** How long a read waits for the caches to reach the version it needs before the store serves it. */
    static final Duration CATCH_UP_WAIT = Duration.ofSeconds(1);
    /** The most changes one watch takes from the window at a time. */
    private static final int BATCH = 256;
    private static final Duration FIRST_RETRY = Duration.ofMillis(100);
    private static final Duration LAST_RETRY = Duration.ofSeconds(30);

    /**
     * A filter identical to this one matches every object, so objects need not be decoded to be tested:
     * what they hold is copied as encoded.
     */
    public static final Predicate<ObjectNode> EVERYTHING = object -> true;

    private final Store store;
    private final int windowCapacity;
    private final CacheMetrics metrics;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition progressed = lock.newCondition();
    // Guarded by lock.
    private final TreeMap<String, ResourceCache> byPrefix = new TreeMap<>();
    private final Map<String, byte[]> typeFields = new java.util.concurrent.ConcurrentHashMap<>();
    private long revision;
    private long generation;
    private boolean ready;
    private boolean closed;
    private Listener listener;
    private Watch storeWatch;

    public WatchCaches(Store store) {
        this(store, DEFAULT_WINDOW, CacheMetrics.NONE);
    }

    /** @param windowCapacity how many recent changes each resource keeps */
    public WatchCaches(Store store, int windowCapacity, CacheMetrics metrics) {
        if (windowCapacity < 1) {
            throw new IllegalArgumentException("window capacity must be positive: " + windowCapacity);
        }
        this.store = store;
        this.windowCapacity = windowCapacity;
        this.metrics = metrics;
    }

    /** Starts caching these resources in the background, so that the first requests find them filled. */
    public void start(Collection<ResourceType> types) {
        Thread.ofVirtual().name("watch cache start").start(() -> {
            for (ResourceType type : types) {
                try {
                    cacheOf(type);
                } catch (StoreException e) {
                    log.warn("watch cache of {} not started: {}", type.gvr().groupResource(), e.toString());
                    return;
                }
            }
        });
    }

    /**
     * The objects of one resource in a namespace ("" for all), from a cache that has reached
     * {@code notOlderThan}; empty when it cannot say so within {@link #CATCH_UP_WAIT}, and then the store
     * should answer.
     *
     * @param staleAllowed serve what the cache has even when it has not reached {@code notOlderThan} in time
     *                     (a {@code resourceVersion=0} read, which may be served from any version)
     */
    public Optional<Snapshot> list(ResourceType type, String namespace, long notOlderThan, boolean staleAllowed) {
        ResourceCache cache;
        try {
            cache = cacheOf(type);
        } catch (StoreException e) {
            return Optional.empty();
        }
        lock.lock();
        try {
            if (!awaitRevision(notOlderThan, CATCH_UP_WAIT.toNanos()) && !(staleAllowed && ready)) {
                return Optional.empty();
            }
            return Optional.of(new Snapshot(type, typeFieldsOf(type), revision, generation,
                    cache.objects(prefixOf(type, namespace))));
        } finally {
            lock.unlock();
        }
    }

    /**
     * A list request's answer from the cache, where Kubernetes' cacher serves it too: {@code resourceVersion=0}
     * (whatever the limit, which is then ignored and the whole list sent, as Kubernetes does), a version to
     * be not older than ({@code resourceVersionMatch} unset or {@code NotOlderThan}) without a limit, and a
     * consistent list (no version) without a limit once the cache has reached the store's current revision
     * (Kubernetes' consistent reads from cache). Exact versions, continued lists and limited lists other
     * than at version 0 are the store's: empty then, and for any list the cache cannot serve in time.
     */
    public Optional<Snapshot> listFor(ResourceType type, String namespace, String resourceVersion, String match,
            int limit, String continueToken) {
        String version = resourceVersion == null ? "" : resourceVersion;
        String versionMatch = match == null ? "" : match;
        if ((continueToken != null && !continueToken.isEmpty())
                || !(versionMatch.isEmpty() || versionMatch.equals("NotOlderThan"))) {
            return Optional.empty();
        }
        if (version.isEmpty()) {
            // Every write acknowledged before this read is at or below the current revision.
            return limit > 0 || !versionMatch.isEmpty() ? Optional.empty()
                    : list(type, namespace, store.currentRevision(), false);
        }
        if (version.equals("0")) {
            // Any version will do; the latest one, when the cache reaches it promptly, surprises nobody.
            return list(type, namespace, store.currentRevision(), true);
        }
        long notOlderThan;
        try {
            notOlderThan = Long.parseLong(version);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        if (limit > 0 || notOlderThan <= 0) {
            return Optional.empty();
        }
        return list(type, namespace, notOlderThan, false);
    }

    /**
     * The changes of one resource in a namespace after {@code after}, as they come; empty when the store
     * should serve the watch instead: when the caches have not reached the store's current revision within
     * {@link #CATCH_UP_WAIT}, or when {@code after} lies before the revision the cache was filled at (history
     * the cache never had; the store still has it, or answers 410 if it compacted it).
     *
     * <p>Waiting for the store's current revision, read after the request arrived, makes the answer the same
     * however far behind the store watch is: every change acknowledged before the watch is in the window
     * when it starts, so a watch from a version that the window has let go always gets 410, never the
     * changes that happened not to have pushed it out yet.
     *
     * @param generation the {@link Snapshot#generation()} the watch began from, or -1 when it begins here
     */
    public Optional<Follower> follow(ResourceType type, String namespace, long after, long generation) {
        ResourceCache cache;
        long current;
        try {
            cache = cacheOf(type);
            current = store.currentRevision();
        } catch (StoreException e) {
            return Optional.empty();
        }
        lock.lock();
        try {
            if (!awaitRevision(current, CATCH_UP_WAIT.toNanos()) || after < cache.filledAt()) {
                return Optional.empty();
            }
            return Optional.of(new Follower(cache, typeFieldsOf(type), prefixOf(type, namespace), after,
                    generation < 0 ? this.generation : generation));
        } finally {
            lock.unlock();
        }
    }

    /**
     * One object as the cache holds it now, without waiting for the cache to reach any revision: what an
     * informer's lister answers, for checks made at every request that accept, as Kubernetes' do, not to see
     * a change acknowledged a moment ago. Empty when the cache does not hold the object, or is not filled
     * (starting, or being filled again after its store watch ended): the store knows then.
     */
    public Optional<CachedObject> current(ResourceType type, String namespace, String name) {
        ResourceCache cache;
        try {
            cache = cacheOf(type);
        } catch (StoreException e) {
            return Optional.empty();
        }
        lock.lock();
        try {
            return ready ? Optional.ofNullable(cache.get(type.storageKey(namespace, name))) : Optional.empty();
        } finally {
            lock.unlock();
        }
    }

    /** The revision every cache has reached. */
    public long revision() {
        lock.lock();
        try {
            return revision;
        } finally {
            lock.unlock();
        }
    }

    /** How many objects the cache of each resource holds, by group and resource ({@code deployments.apps}). */
    public Map<String, Integer> objectCounts() {
        lock.lock();
        try {
            Map<String, Integer> counts = new TreeMap<>();
            byPrefix.values().forEach(c -> counts.put(c.type().gvr().groupResource(), c.objectCount()));
            return counts;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        Watch watch;
        lock.lock();
        try {
            closed = true;
            ready = false;
            generation++;
            watch = storeWatch;
            storeWatch = null;
            listener = null;
            progressed.signalAll();
        } finally {
            lock.unlock();
        }
        if (watch != null) {
            watch.close();
        }
    }

    /** {@code {"kind":..,"apiVersion":..,} } of a resource version's objects, built once. */
    private byte[] typeFieldsOf(ResourceType type) {
        return typeFields.computeIfAbsent(type.gvr().groupVersion().apiVersion() + "/" + type.kind(),
                k -> CachedObject.typeFields(type.kind(), type.gvr().groupVersion().apiVersion()));
    }

    private static String prefixOf(ResourceType type, String namespace) {
        return type.namespaced() && !namespace.isEmpty() ? type.storagePrefix() + namespace + "/"
                : type.storagePrefix();
    }

    /** The cache of a resource, filled now if it is new. */
    private ResourceCache cacheOf(ResourceType type) {
        lock.lock();
        try {
            if (closed) {
                throw new StoreException("the watch cache is closed");
            }
            if (listener == null) {
                // Not watching: at first use, or while a restart is pending; the caller waits for it.
                if (storeWatch == null && generation == 0) {
                    restart();
                }
            }
            ResourceCache cache = byPrefix.get(type.storagePrefix());
            if (cache == null) {
                cache = new ResourceCache(type, windowCapacity);
                if (ready) {
                    fill(cache, revision);
                }
                byPrefix.put(type.storagePrefix(), cache);
            }
            return cache;
        } finally {
            lock.unlock();
        }
    }

    /** Reads everything again at the store's current revision and watches from there. Called with the lock held. */
    private void restart() {
        long current = store.currentRevision();
        Listener next = new Listener();
        Watch watch = store.watch("", current + 1, next);
        try {
            for (ResourceCache cache : byPrefix.values()) {
                fill(cache, current);
            }
        } catch (StoreException e) {
            watch.close();
            throw e;
        }
        listener = next;
        storeWatch = watch;
        revision = current;
        ready = true;
        progressed.signalAll();
    }

    private void fill(ResourceCache cache, long at) {
        List<KeyValue> all = new ArrayList<>();
        RangeRequest request = RangeRequest.prefix(cache.prefix());
        if (at > 0) {
            request = request.atRevision(at);
        }
        RangeResult page = store.range(request);
        all.addAll(page.kvs());
        cache.reset(all, at);
        ResourceCache filled = cache;
        metrics.initialized(cache.type().gvr().groupResource(), () -> {
            lock.lock();
            try {
                return filled.objectCount();
            } finally {
                lock.unlock();
            }
        });
    }

    /** Waits, with the lock held, until the caches are ready and have reached {@code target}. */
    private boolean awaitRevision(long target, long nanos) {
        long left = nanos;
        while (!ready || revision < target) {
            if (left <= 0) {
                return false;
            }
            try {
                left = progressed.awaitNanos(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    private ResourceCache cacheOfKey(String key) {
        Map.Entry<String, ResourceCache> floor = byPrefix.floorEntry(key);
        return floor != null && key.startsWith(floor.getKey()) ? floor.getValue() : null;
    }

    /** Receives the store's changes; ignored once a restart has replaced it. */
    private final class Listener implements WatchListener {
        @Override
        public void onEvents(List<WatchEvent> events) {
            lock.lock();
            try {
                if (listener != this) {
                    return;
                }
                for (WatchEvent event : events) {
                    ResourceCache cache = cacheOfKey(event.kv().key());
                    if (cache != null) {
                        cache.apply(event);
                        metrics.received(cache.type().gvr().groupResource(), 1);
                    }
                    revision = event.revision();
                }
                progressed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void onError(StoreException error) {
            lock.lock();
            try {
                if (listener != this) {
                    return;
                }
                log.info("the store watch behind the watch cache ended ({}); filling the caches again",
                        error instanceof CompactedException ? "history compacted" : error.toString());
                listener = null;
                storeWatch = null;
                ready = false;
                generation++;
                progressed.signalAll();
            } finally {
                lock.unlock();
            }
            Thread.ofVirtual().name("watch cache restart").start(WatchCaches.this::restartUntilDone);
        }
    }

    private void restartUntilDone() {
        Duration wait = FIRST_RETRY;
        while (true) {
            lock.lock();
            try {
                if (closed || listener != null) {
                    return;
                }
                restart();
                return;
            } catch (StoreException e) {
                log.warn("watch cache restart failed, retrying in {}: {}", wait, e.toString());
            } finally {
                lock.unlock();
            }
            try {
                Thread.sleep(wait);
            } catch (InterruptedException e) {
                return;
            }
            wait = wait.multipliedBy(2).compareTo(LAST_RETRY) > 0 ? LAST_RETRY : wait.multipliedBy(2);
        }
    }

    /** The changes a watch has not had yet, from one resource's window. Used by that watch's thread only. */
    public final class Follower {
        private final ResourceCache cache;
        private final byte[] typeFields;
        private final String prefix;
        private final long generation;
        private long reached;

        private Follower(ResourceCache cache, byte[] typeFields, String prefix, long after, long generation) {
            this.cache = cache;
            this.typeFields = typeFields;
            this.prefix = prefix;
            this.reached = after;
            this.generation = generation;
        }

        /** The revision up to which this watch has had every change (passed on or not). */
        public long reached() {
            return reached;
        }

        /** {@code {"kind":..,"apiVersion":..,} } of the resource's objects. */
        public byte[] typeFields() {
            return typeFields;
        }

        /**
         * The next changes, waiting up to {@code nanos} for some; empty if none came.
         *
         * @throws TooOldException when changes this watch needs have left the window
         * @throws EndedException  when the caches were filled again and this watch must end
         */
        public List<CachedEvent> next(long nanos) {
            long left = nanos;
            lock.lock();
            try {
                while (true) {
                    if (generation != WatchCaches.this.generation) {
                        throw new EndedException();
                    }
                    if (reached < cache.windowStart()) {
                        throw new TooOldException(reached, cache.windowStart());
                    }
                    ResourceCache.Slice slice = cache.eventsAfter(reached, prefix, BATCH);
                    if (slice.scannedTo() >= 0) {
                        reached = slice.scannedTo();
                    } else if (revision > reached) {
                        reached = revision;
                    }
                    if (!slice.events().isEmpty()) {
                        metrics.dispatched(cache.type().gvr().groupResource(), slice.events().size());
                        return slice.events();
                    }
                    if (left <= 0) {
                        return List.of();
                    }
                    left = progressed.awaitNanos(left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return List.of();
            } finally {
                lock.unlock();
            }
        }
    }

    /** A watch's changes are no longer in the window: 410 Expired, as Kubernetes answers. */
    public static final class TooOldException extends RuntimeException {
        private final long windowStart;

        TooOldException(long requested, long windowStart) {
            super("too old resource version: " + requested + " (" + windowStart + ")", null, false, false);
            this.windowStart = windowStart;
        }

        /** The oldest version the window can still serve a watch from. */
        public long windowStart() {
            return windowStart;
        }
    }

    /** The caches were filled again: watches served from their old contents end, and clients watch again. */
    public static final class EndedException extends RuntimeException {
        EndedException() {
            super("the watch cache was re-initialized", null, false, false);
        }
    }

    /** Waits up to {@code timeout} until the caches have reached {@code target}; for tests and waits. */
    public boolean awaitRevision(long target, Duration timeout) {
        lock.lock();
        try {
            return awaitRevision(target, timeout.toNanos());
        } finally {
            lock.unlock();
        }
    }
}
