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
 * <p>Started from {@code resourceVersion} "" or "0", it first sends the current objects as ADDED, then
 * the changes after them. From a given version it sends the changes after that version, or an ERROR
 * event with 410 Expired when that history is compacted. A slow client slows only its own watch: the
 * queue is bounded, and the store catches the watch up from its log.
 */
public final class ObjectWatch {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int QUEUE = 1024;

    private final Store store;

    public ObjectWatch(Store store) {
        this.store = store;
    }

    /**
     * Streams events until the timeout, the client leaves or the history is gone.
     *
     * @param filter          which objects the client asked for (field and label selectors)
     * @param resourceVersion the version to start after; "" or "0" to start with the current state
     */
    public void stream(ResourceType type, String namespace, Predicate<ObjectNode> filter, String resourceVersion,
            Duration timeout, ResponseStream out) {
        stream(type, namespace, filter, resourceVersion, timeout, UnaryOperator.identity(), out);
    }

    /**
     * Streams events as above, each event's object passed through {@code encode} (to a Table, say); ERROR
     * events carry a Status and are sent as they are.
     */
    public void stream(ResourceType type, String namespace, Predicate<ObjectNode> filter, String resourceVersion,
            Duration timeout, UnaryOperator<ObjectNode> encode, ResponseStream out) {
        Encoded encoded = new Encoded(out, encode);
        String prefix = type.namespaced() && !namespace.isEmpty() ? type.storagePrefix() + namespace + "/"
                : type.storagePrefix();
        long deadline = System.nanoTime() + timeout.toNanos();
        long start;
        if (resourceVersion == null || resourceVersion.isEmpty() || resourceVersion.equals("0")) {
            start = sendCurrentState(prefix, filter, encoded) + 1;
        } else {
            start = parse(resourceVersion) + 1;
        }
        BlockingQueue<Object> queue = new LinkedBlockingQueue<>(QUEUE);
        try (Watch ignored = store.watch(prefix, start, new Forwarder(queue))) {
            while (out.isOpen()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                Object next = queue.poll(Math.min(left, TimeUnit.SECONDS.toNanos(1)), TimeUnit.NANOSECONDS);
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
                if (!sendEvent((WatchEvent) next, filter, encoded)) {
                    break;
                }
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
