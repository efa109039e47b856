package io.kybern.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Collects what a watch delivers, and checks the listener threading promise while doing so: one call
 * at a time, on which threads, nothing after the watch ended.
 */
public class RecordingListener implements WatchListener {

    private final List<WatchEvent> events = new ArrayList<>();
    private final List<StoreException> errors = new CopyOnWriteArrayList<>();
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    private final AtomicInteger inside = new AtomicInteger();
    private volatile boolean overlapped;
    private volatile boolean emptyBatch;
    private volatile boolean calledAfterError;

    @Override
    public void onEvents(List<WatchEvent> batch) {
        enter();
        try {
            if (!errors.isEmpty()) {
                calledAfterError = true;
            }
            if (batch.isEmpty()) {
                emptyBatch = true;
            }
            beforeRecording(batch);
            synchronized (this) {
                events.addAll(batch);
            }
        } finally {
            inside.decrementAndGet();
        }
    }

    /** A hook for listeners that want to be slow, or to fail. */
    protected void beforeRecording(List<WatchEvent> batch) {
    }

    @Override
    public void onError(StoreException error) {
        // The end of a watch is a call like any other: it must not overlap a delivery either.
        enter();
        try {
            if (!errors.isEmpty()) {
                calledAfterError = true;
            }
            errors.add(error);
        } finally {
            inside.decrementAndGet();
        }
    }

    private void enter() {
        threads.add(Thread.currentThread());
        if (inside.incrementAndGet() != 1) {
            overlapped = true;
        }
    }

    public synchronized List<WatchEvent> events() {
        return List.copyOf(events);
    }

    public synchronized List<Long> revisions() {
        return events.stream().map(WatchEvent::revision).toList();
    }

    public synchronized int size() {
        return events.size();
    }

    /** The error that ended the watch, or {@code null} while it runs. */
    public StoreException error() {
        return errors.isEmpty() ? null : errors.getFirst();
    }

    /** Every error reported; a watch ends once, so more than one is a bug. */
    public List<StoreException> errors() {
        return List.copyOf(errors);
    }

    /** The threads the store called this listener on. */
    public Set<Thread> threads() {
        return Set.copyOf(threads);
    }

    /** Whether the store ever called this listener from two threads at once. */
    public boolean overlapped() {
        return overlapped;
    }

    public boolean sawEmptyBatch() {
        return emptyBatch;
    }

    /** Whether the store called this listener again after reporting the end of its watch. */
    public boolean calledAfterError() {
        return calledAfterError;
    }
}
