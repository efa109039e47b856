package io.kybern.apiserver.registry;

import io.kybern.api.resource.ResourceType;
import io.kybern.apiserver.http.ResponseStream;
import io.kybern.apiserver.status.ApiException;
import io.kybern.apiserver.status.StatusDocuments;
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
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
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
 * event with 410 Expired when that history is compacted. A slow client slows only its own watch: the
 * queue is bounded, and the store catches the watch up from its log.
 */
public final class ObjectWatch {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int QUEUE = 1024;

    /** The annotation on the bookmark that ends a watch's initial events. */
    public static final String INITIAL_EVENTS_END = "k8s.io/initial-events-end";
    /** About how often Kubernetes tells watchers of its progress. */
    public static final Duration BOOKMARK_INTERVAL = Duration.ofMinutes(1);

    private final Store store;
    private final Duration bookmarkInterval;

    public ObjectWatch(Store store) {
        this(store, BOOKMARK_INTERVAL);
    }

    /** @param bookmarkInterval how often a watch that takes bookmarks is told the version it has reached */
    public ObjectWatch(Store store, Duration bookmarkInterval) {
        this.store = store;
        this.bookmarkInterval = bookmarkInterval;
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
                timeout), UnaryOperator.identity(), out);
    }

    /**
     * Streams events as above, each event's object passed through {@code encode} (to a Table, say); ERROR
     * events carry a Status and are sent as they are.
     */
    public void stream(ResourceType type, String namespace, Predicate<ObjectNode> filter, WatchOptions options,
            UnaryOperator<ObjectNode> encode, ResponseStream out) {
        Encoded encoded = new Encoded(out, encode);
        String resourceVersion = options.resourceVersion();
        String prefix = type.namespaced() && !namespace.isEmpty() ? type.storagePrefix() + namespace + "/"
                : type.storagePrefix();
        long deadline = System.nanoTime() + options.timeout().toNanos();
        long reached;
        if (options.startsWithCurrentState()) {
            reached = sendCurrentState(prefix, filter, encoded);
            if (Boolean.TRUE.equals(options.sendInitialEvents())) {
                sendBookmark(out, type, reached, true);
            }
        } else if (resourceVersion.isEmpty() || resourceVersion.equals("0")) {
            reached = store.currentRevision();
        } else {
            reached = parse(resourceVersion);
        }
        long bookmarked = reached;
        long nextBookmark = System.nanoTime() + bookmarkInterval.toNanos();
        BlockingQueue<Object> queue = new LinkedBlockingQueue<>(QUEUE);
        try (Watch ignored = store.watch(prefix, reached + 1, new Forwarder(queue))) {
            while (out.isOpen()) {
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
                if (!sendEvent(event, filter, encoded)) {
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

    /** Sends every current object as ADDED; returns the revision they were read at. */
    private long sendCurrentState(String prefix, Predicate<ObjectNode> filter, Encoded out) {
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

    private static boolean sendEvent(WatchEvent event, Predicate<ObjectNode> filter, Encoded out) {
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
