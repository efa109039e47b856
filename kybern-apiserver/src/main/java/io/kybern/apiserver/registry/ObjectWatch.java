package io.kybern.apiserver.registry;

import io.kybern.api.resource.ResourceType;
import io.kybern.apiserver.cache.CachedEvent;
import io.kybern.apiserver.cache.CachedObject;
import io.kybern.apiserver.cache.Snapshot;
import io.kybern.apiserver.cache.WatchCaches;
import io.kybern.apiserver.http.ResponseStream;
import io.kybern.apiserver.status.ApiException;
import io.kybern.apiserver.status.StatusDocuments;
import io.kybern.store.CompactedException;
import io.kybern.store.FutureRevisionException;
import io.kybern.store.KeyValue;
import io.kybern.store.RangeRequest;
import io.kybern.store.RangeResult;
import io.kybern.store.Store;
import io.kybern.store.StoreException;
import io.kybern.store.Watch;
import io.kybern.store.WatchEvent;
import io.kybern.store.WatchListener;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * One watch request: a stream of {@code {"type": ..., "object": ...}} lines, ADDED, MODIFIED and
 * DELETED in resourceVersion order, as Kubernetes' watch encodes them in JSON.
 *
 * <p>Started from {@code resourceVersion} "" or "0" (or with {@code sendInitialEvents=true}), it first
 * sends the current objects as ADDED, then the changes after them; with {@code sendInitialEvents} a
 * BOOKMARK annotated {@code k8s.io/initial-events-end} marks where the initial objects end. Clients that
 * allow bookmarks are told the version the watch has reached about once a minute. From a given version it sends the changes after that version, or an ERROR
 * event with 410 Expired when that history has left the watch cache's window or been compacted in the store.
 *
 * <p>Served from the {@link WatchCaches}: the current objects and the recent changes in memory, each encoded
 * once however many watches send it. A slow client slows only its own watch, reading the window at its own
 * pace. While the caches are not ready (being filled again after the store watch behind them ended), a watch
 * is served from the store directly, as it would be without a cache; so is a watch from a version before its
 * cache was filled, history the cache never had. Either way the watch sends the same changes.
 */
public final class ObjectWatch {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int QUEUE = 1024;

    /** For a resource served as long as the server runs: every built-in one. */
    public static final LongSupplier ALWAYS_SERVED = () -> Long.MAX_VALUE;

    /** The encoding that sends objects as stored; with it, cached objects go out as the bytes they are. */
    public static final UnaryOperator<ObjectNode> AS_STORED = UnaryOperator.identity();

    /** The annotation on the bookmark that ends a watch's initial events. */
    public static final String INITIAL_EVENTS_END = "k8s.io/initial-events-end";
    /** About how often Kubernetes tells watchers of its progress. */
    public static final Duration BOOKMARK_INTERVAL = Duration.ofMinutes(1);

    private final Store store;
    private final WatchCaches caches;
    private final Duration bookmarkInterval;

    /** A watch over its own caches of {@code store}. */
    public ObjectWatch(Store store) {
        this(store, new WatchCaches(store), BOOKMARK_INTERVAL);
    }

    /** @param bookmarkInterval how often a watch that takes bookmarks is told the version it has reached */
    public ObjectWatch(Store store, Duration bookmarkInterval) {
        this(store, new WatchCaches(store), bookmarkInterval);
    }

    public ObjectWatch(Store store, WatchCaches caches, Duration bookmarkInterval) {
        this.store = store;
        this.caches = caches;
        this.bookmarkInterval = bookmarkInterval;
    }

    public WatchCaches caches() {
        return caches;
    }

    /**
     * Streams events until the timeout, the client leaves or the history is gone.
     *
     * @param filter          which objects the client asked for (field and label selectors)
     * @param resourceVersion the version to start after; "" or "0" to start with the current state
     */
    public void stream(ResourceType type, String namespace, Predicate<ObjectNode> filter, String resourceVersion,
            Duration timeout, ResponseStream out) {
        stream(type, namespace, filter, new WatchOptions(resourceVersion == null ? "" : resourceVersion, null, false,
                timeout), AS_STORED, out);
    }

    /**
     * Streams events as above, each event's object passed through {@code encode} (to a Table, say); ERROR
     * events carry a Status and are sent as they are.
     */
    public void stream(ResourceType type, String namespace, Predicate<ObjectNode> filter, WatchOptions options,
            UnaryOperator<ObjectNode> encode, ResponseStream out) {
        stream(type, namespace, filter, options, encode, ALWAYS_SERVED, out);
    }

    /**
     * Streams events as above for a resource that may stop being served (a custom resource whose definition
     * goes): once {@code servedUntil} names a revision, the watch sends the changes up to it and ends.
     *
     * @param servedUntil the store revision up to which the resource is served; {@link Long#MAX_VALUE} while it is
     */
    public void stream(ResourceType type, String namespace, Predicate<ObjectNode> filter, WatchOptions options,
            UnaryOperator<ObjectNode> encode, LongSupplier servedUntil, ResponseStream out) {
        Encoded encoded = new Encoded(out, encode);
        String resourceVersion = options.resourceVersion();
        if (options.startsWithCurrentState()) {
            Optional<Snapshot> snapshot = initialState(type, namespace, options);
            if (snapshot.isEmpty()) {
                streamFromStore(type, namespace, filter, options, encoded, servedUntil);
                return;
            }
            if (!sendCurrentState(snapshot.get(), filter, encoded)) {
                out.close();
                return;
            }
            if (Boolean.TRUE.equals(options.sendInitialEvents())
                    && !sendBookmark(out, type, snapshot.get().revision(), true)) {
                out.close();
                return;
            }
            Optional<WatchCaches.Follower> follower = caches.follow(type, namespace, snapshot.get().revision(),
                    snapshot.get().generation());
            if (follower.isEmpty()) {
                // The initial objects went out already: end here, and the client watches again from them.
                out.close();
                return;
            }
            follow(type, filter, options, encoded, follower.get(), servedUntil);
            return;
        }
        long after;
        if (resourceVersion.isEmpty() || resourceVersion.equals("0")) {
            after = store.currentRevision();
        } else {
            after = parse(resourceVersion);
            long compacted = compactedAbove(type, after);
            if (compacted > 0) {
                send(out, "ERROR", StatusDocuments.failure(ApiException.gone("too old resource version: "
                        + resourceVersion + " (" + compacted + ")")));
                out.close();
                return;
            }
        }
        // The same start whichever serves the watch: a change written meanwhile is sent by either.
        Optional<WatchCaches.Follower> follower = caches.follow(type, namespace, after, -1);
        if (follower.isEmpty()) {
            streamChangesFromStore(type, namespace, filter, options, encoded, after, servedUntil);
            return;
        }
        follow(type, filter, options, encoded, follower.get(), servedUntil);
    }

    /**
     * The store's compaction point when it lies above {@code revision}, else 0. The cache serves only history
     * the store still has, so a watch from a compacted version gets 410 whether or not the cache's window
     * still holds it, as it would without a cache.
     */
    private long compactedAbove(ResourceType type, long revision) {
        try {
            store.range(RangeRequest.prefix(type.storagePrefix()).withLimit(1).atRevision(revision));
            return 0;
        } catch (CompactedException e) {
            return e.compactRevision();
        } catch (FutureRevisionException e) {
            // Not reached yet: the watch waits for it.
            return 0;
        }
    }

    /**
     * The objects a watch starts with, from the cache: "0" takes what it has, "" (and sendInitialEvents
     * without a version) the latest state, a version a state not older than it; empty when the cache
     * cannot give that in time.
     */
    private Optional<Snapshot> initialState(ResourceType type, String namespace, WatchOptions options) {
        String version = options.resourceVersion();
        if (version.equals("0")) {
            return caches.list(type, namespace, store.currentRevision(), true);
        }
        long notOlderThan = version.isEmpty() ? store.currentRevision() : parse(version);
        return caches.list(type, namespace, notOlderThan, false);
    }

    private void follow(ResourceType type, Predicate<ObjectNode> filter, WatchOptions options, Encoded encoded,
            WatchCaches.Follower follower, LongSupplier servedUntil) {
        ResponseStream out = encoded.out();
        long deadline = System.nanoTime() + options.timeout().toNanos();
        long bookmarked = follower.reached();
        long nextBookmark = System.nanoTime() + bookmarkInterval.toNanos();
        try {
            // The follower reaches every revision the caches reach, so it passes where the resource stopped.
            while (out.isOpen() && follower.reached() < servedUntil.getAsLong()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                if (options.allowWatchBookmarks() && System.nanoTime() >= nextBookmark) {
                    // Only progress is worth telling: the version this watch has had every change up to.
                    long reached = follower.reached();
                    if (reached > bookmarked && !sendBookmark(out, type, reached, false)) {
                        break;
                    }
                    bookmarked = reached;
                    nextBookmark = System.nanoTime() + bookmarkInterval.toNanos();
                }
                long wait = Math.min(left, TimeUnit.SECONDS.toNanos(1));
                if (options.allowWatchBookmarks()) {
                    wait = Math.max(1, Math.min(wait, nextBookmark - System.nanoTime()));
                }
                List<CachedEvent> events;
                try {
                    events = follower.next(wait);
                } catch (WatchCaches.TooOldException e) {
                    send(out, "ERROR", StatusDocuments.failure(ApiException.gone("too old resource version: "
                            + follower.reached() + " (" + e.windowStart() + ")")));
                    break;
                } catch (WatchCaches.EndedException e) {
                    // The client watches again, from a version the refilled cache can serve or after a list.
                    break;
                }
                boolean open = true;
                for (CachedEvent event : events) {
                    if (!sendEvent(type, event, filter, encoded, follower.typeFields())) {
                        open = false;
                        break;
                    }
                }
                if (!open) {
                    break;
                }
            }
        } finally {
            out.close();
        }
    }

    /** Sends the snapshot's objects the filter selects as ADDED; false if the client left. */
    private static boolean sendCurrentState(Snapshot snapshot, Predicate<ObjectNode> filter, Encoded out) {
        for (CachedObject object : snapshot.matching(filter)) {
            if (!sendCached(out, "ADDED", object, snapshot.type(), snapshot.typeFields())) {
                return false;
            }
        }
        return true;
    }

    private static boolean sendEvent(ResourceType type, CachedEvent event, Predicate<ObjectNode> filter,
            Encoded out, byte[] typeFields) {
        if (filter == WatchCaches.EVERYTHING) {
            String kind = event.deleted() ? "DELETED" : event.previous() == null ? "ADDED" : "MODIFIED";
            return sendCached(out, kind, event.object(), type, typeFields);
        }
        String apiVersion = type.gvr().groupVersion().apiVersion();
        boolean now = filter.test(event.object().object(type.kind(), apiVersion));
        if (event.deleted()) {
            return !now || sendCached(out, "DELETED", event.object(), type, typeFields);
        }
        boolean before = event.previous() != null
                && filter.test(event.previous().object(type.kind(), apiVersion));
        if (now) {
            return sendCached(out, before ? "MODIFIED" : "ADDED", event.object(), type, typeFields);
        }
        // An object that stops matching the selector leaves the client's view: DELETED, as Kubernetes does.
        return !before || sendCached(out, "DELETED", event.object(), type, typeFields);
    }

    /** Sends a cached object: its bytes as they are when nothing transforms it, else decoded and encoded. */
    private static boolean sendCached(Encoded encoded, String eventType, CachedObject object, ResourceType type,
            byte[] typeFields) {
        if (encoded.encode() != AS_STORED) {
            return send(encoded, eventType, object.object(type.kind(), type.gvr().groupVersion().apiVersion()));
        }
        byte[] head = ("{\"type\":\"" + eventType + "\",\"object\":").getBytes(StandardCharsets.UTF_8);
        byte[] body = object.json(typeFields);
        byte[] line = new byte[head.length + body.length + 2];
        System.arraycopy(head, 0, line, 0, head.length);
        System.arraycopy(body, 0, line, head.length, body.length);
        line[line.length - 2] = '}';
        line[line.length - 1] = '\n';
        return encoded.out().write(line);
    }

    /** The watch as served without a cache: the initial state read from the store, changes from a store watch. */
    private void streamFromStore(ResourceType type, String namespace, Predicate<ObjectNode> filter,
            WatchOptions options, Encoded encoded, LongSupplier servedUntil) {
        long reached = sendStoreState(prefixOf(type, namespace), filter, encoded);
        if (Boolean.TRUE.equals(options.sendInitialEvents()) && !sendBookmark(encoded.out(), type, reached, true)) {
            encoded.out().close();
            return;
        }
        streamChangesFromStore(type, namespace, filter, options, encoded, reached, servedUntil);
    }

    /** The changes after {@code reached}, from a store watch. */
    private void streamChangesFromStore(ResourceType type, String namespace, Predicate<ObjectNode> filter,
            WatchOptions options, Encoded encoded, long reached, LongSupplier servedUntil) {
        ResponseStream out = encoded.out();
        String resourceVersion = options.resourceVersion();
        String prefix = prefixOf(type, namespace);
        long deadline = System.nanoTime() + options.timeout().toNanos();
        long bookmarked = reached;
        long nextBookmark = System.nanoTime() + bookmarkInterval.toNanos();
        BlockingQueue<Object> queue = new LinkedBlockingQueue<>(QUEUE);
        try (Watch ignored = store.watch(prefix, reached + 1, new Forwarder(queue))) {
            while (out.isOpen() && reached < servedUntil.getAsLong()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                if (options.allowWatchBookmarks() && System.nanoTime() >= nextBookmark) {
                    // Only progress is worth telling: the version of the last change this watch passed.
                    if (reached > bookmarked && !sendBookmark(out, type, reached, false)) {
                        break;
                    }
                    bookmarked = reached;
                    nextBookmark = System.nanoTime() + bookmarkInterval.toNanos();
                }
                long wait = Math.min(left, TimeUnit.SECONDS.toNanos(1));
                if (options.allowWatchBookmarks()) {
                    wait = Math.max(1, Math.min(wait, nextBookmark - System.nanoTime()));
                }
                Object next = queue.poll(wait, TimeUnit.NANOSECONDS);
                if (next == null) {
                    if (servedUntil.getAsLong() != Long.MAX_VALUE) {
                        // No longer served, and a quiet store watch has delivered this prefix's last changes.
                        break;
                    }
                    continue;
                }
                if (next instanceof CompactedException e) {
                    send(out, "ERROR", StatusDocuments.failure(ApiException.gone("too old resource version: "
                            + resourceVersion + " (" + e.compactRevision() + ")")));
                    break;
                }
                if (next instanceof StoreException e) {
                    send(out, "ERROR", StatusDocuments.failure(ApiException.internal(e.getMessage())));
                    break;
                }
                WatchEvent event = (WatchEvent) next;
                if (!sendStoreEvent(event, filter, encoded)) {
                    break;
                }
                reached = event.revision();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            out.close();
        }
    }

    private static String prefixOf(ResourceType type, String namespace) {
        return type.namespaced() && !namespace.isEmpty() ? type.storagePrefix() + namespace + "/"
                : type.storagePrefix();
    }

    /** Sends every current object as ADDED; returns the revision they were read at. */
    private long sendStoreState(String prefix, Predicate<ObjectNode> filter, Encoded out) {
        RangeResult all = store.range(RangeRequest.prefix(prefix));
        for (KeyValue kv : all.kvs()) {
            ObjectNode object = ObjectStorage.decode(kv);
            if (filter.test(object) && !send(out, "ADDED", object)) {
                break;
            }
        }
        return all.revision();
    }

    /**
     * A BOOKMARK: only the kind and the version reached, so a client that reconnects resumes from there
     * instead of relisting; the first after the initial events says they are complete.
     */
    private static boolean sendBookmark(ResponseStream out, ResourceType type, long revision, boolean initialEnd) {
        ObjectNode object = JSON.createObjectNode();
        object.put("kind", type.kind());
        object.put("apiVersion", type.gvr().groupVersion().apiVersion());
        ObjectNode metadata = object.putObject("metadata");
        metadata.put("resourceVersion", Long.toString(revision));
        if (initialEnd) {
            metadata.putObject("annotations").put(INITIAL_EVENTS_END, "true");
        }
        return send(out, "BOOKMARK", object);
    }

    private static boolean sendStoreEvent(WatchEvent event, Predicate<ObjectNode> filter, Encoded out) {
        if (event.type() == WatchEvent.Type.DELETE) {
            // The last state of the object, stamped with the revision of its deletion.
            ObjectNode last = ObjectStorage.decode(event.previous());
            ((ObjectNode) last.get("metadata")).put("resourceVersion", Long.toString(event.revision()));
            return !filter.test(last) || send(out, "DELETED", last);
        }
        ObjectNode object = ObjectStorage.decode(event.kv());
        boolean now = filter.test(object);
        boolean before = event.previous() != null && filter.test(ObjectStorage.decode(event.previous()));
        if (now) {
            return send(out, before ? "MODIFIED" : "ADDED", object);
        }
        // An object that stops matching the selector leaves the client's view: DELETED, as Kubernetes does.
        return !before || send(out, "DELETED", object);
    }

    /** The response stream and how objects are encoded on it. */
    private record Encoded(ResponseStream out, UnaryOperator<ObjectNode> encode) {
    }

    private static boolean send(Encoded encoded, String type, ObjectNode object) {
        return send(encoded.out(), type, encoded.encode().apply(object));
    }

    private static boolean send(ResponseStream out, String type, ObjectNode object) {
        ObjectNode event = JSON.createObjectNode();
        event.put("type", type);
        event.set("object", object);
        byte[] line = JSON.writeValueAsBytes(event);
        byte[] withNewline = java.util.Arrays.copyOf(line, line.length + 1);
        withNewline[line.length] = '\n';
        return out.write(withNewline);
    }

    private static long parse(String resourceVersion) {
        try {
            return Long.parseLong(resourceVersion);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("invalid resource version: " + resourceVersion);
        }
    }

    /** Moves the store's events onto the request's queue, blocking when the client is behind. */
    private record Forwarder(BlockingQueue<Object> queue) implements WatchListener {
        @Override
        public void onEvents(List<WatchEvent> events) {
            try {
                for (WatchEvent event : events) {
                    queue.put(event);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void onError(StoreException error) {
            queue.offer(error);
        }
    }
}
