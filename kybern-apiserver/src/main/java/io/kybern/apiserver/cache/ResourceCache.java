package io.kybern.apiserver.cache;

import io.kybern.api.resource.ResourceType;
import io.kybern.store.KeyValue;
import io.kybern.store.WatchEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;

/**
 * The cache of one resource: its current objects by store key and a window of its most recent changes.
 * Every change after {@link #windowStart()} is in the window; older ones have been let go.
 *
 * <p>Threading: not thread-safe; {@link WatchCaches} guards every cache with its one lock.
 */
final class ResourceCache {

    private static final Logger log = LoggerFactory.getLogger(ResourceCache.class);

    private final ResourceType type;
    private final TreeMap<String, CachedObject> objects = new TreeMap<>();
    private final CachedEvent[] window;
    // The window is a ring: the oldest event at first, size events in all.
    private int first;
    private int size;
    private long windowStart;
    private long filledAt;

    ResourceCache(ResourceType type, int capacity) {
        this.type = type;
        this.window = new CachedEvent[capacity];
    }

    /** The resource as first asked for; its other versions share the cache, as they share the store keys. */
    ResourceType type() {
        return type;
    }

    String prefix() {
        return type.storagePrefix();
    }

    /** Replaces everything with the objects the store had at {@code revision}; the window starts there. */
    void reset(List<KeyValue> current, long revision) {
        objects.clear();
        for (KeyValue kv : current) {
            CachedObject object = decodable(kv.key(), kv.value(), kv.modRevision());
            if (object != null) {
                objects.put(kv.key(), object);
            }
        }
        java.util.Arrays.fill(window, null);
        first = 0;
        size = 0;
        windowStart = revision;
        filledAt = revision;
    }

    /** Applies one change of the store, newer than everything applied before; null if it shows nothing. */
    CachedEvent apply(WatchEvent change) {
        String key = change.kv().key();
        CachedObject previous = objects.get(key);
        CachedEvent event;
        if (change.type() == WatchEvent.Type.DELETE) {
            objects.remove(key);
            CachedObject last = previous != null ? previous : change.previous() == null ? null
                    : decodable(key, change.previous().value(), change.previous().modRevision());
            if (last == null) {
                return null;
            }
            event = new CachedEvent(change.revision(), true, last.atRevision(change.revision()), last);
        } else {
            CachedObject now = decodable(key, change.kv().value(), change.revision());
            if (now == null) {
                objects.remove(key);
                return null;
            }
            objects.put(key, now);
            event = new CachedEvent(change.revision(), false, now, previous);
        }
        append(event);
        return event;
    }

    /**
     * The cached form of a stored value, or null for one that is not a JSON object (nothing the API server
     * writes; skipped with a warning rather than stopping the cache of every other object).
     */
    private static CachedObject decodable(String key, byte[] value, long revision) {
        try {
            return CachedObject.of(key, value, revision);
        } catch (JacksonException | ClassCastException e) {
            log.warn("watch cache skips {}: its value is not a JSON object ({})", key, e.getMessage());
            return null;
        }
    }

    private void append(CachedEvent event) {
        if (size == window.length) {
            // Full: the oldest change goes, and watches from before it can no longer be served.
            windowStart = window[first].revision();
            window[first] = null;
            first = (first + 1) % window.length;
            size--;
        }
        window[(first + size) % window.length] = event;
        size++;
    }

    /** Every change after {@code revision} is in the window from this revision on. */
    long windowStart() {
        return windowStart;
    }

    /**
     * The revision the cache was last filled at. Changes before it never were in the window, unlike those
     * between it and {@link #windowStart()}, which the window held and let go.
     */
    long filledAt() {
        return filledAt;
    }

    /**
     * Up to {@code max} changes after {@code revision} under {@code prefix}, oldest first; the caller checked
     * the window.
     *
     * @param events     the changes found
     * @param scannedTo  the revision of the last change looked at, or -1 when every change was
     */
    record Slice(List<CachedEvent> events, long scannedTo) {
    }

    Slice eventsAfter(long revision, String prefix, int max) {
        // Binary search for the first event newer than revision.
        int low = 0;
        int high = size;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (window[(first + mid) % window.length].revision() <= revision) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        List<CachedEvent> events = new ArrayList<>();
        for (int i = low; i < size; i++) {
            CachedEvent event = window[(first + i) % window.length];
            if (event.object().key().startsWith(prefix)) {
                events.add(event);
                if (events.size() == max) {
                    return new Slice(events, event.revision());
                }
            }
        }
        return new Slice(events, -1);
    }

    /** The current objects under {@code prefix}, in key order. */
    List<CachedObject> objects(String prefix) {
        if (prefix.equals(prefix())) {
            return new ArrayList<>(objects.values());
        }
        return new ArrayList<>(objects.subMap(prefix, prefix + Character.MAX_VALUE).values());
    }

    /** The current object under a store key, or null. */
    CachedObject get(String key) {
        return objects.get(key);
    }

    int objectCount() {
        return objects.size();
    }
}
