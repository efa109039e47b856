package io.kybern.store;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Collects what a watch delivers, and checks the listener threading promise while doing so. */
public class RecordingListener implements WatchListener {

    private final List<WatchEvent> events = new ArrayList<>();
    private final AtomicInteger inside = new AtomicInteger();
    private volatile StoreException error;
    private volatile boolean overlapped;
    private volatile boolean emptyBatch;

    @Override
    public void onEvents(List<WatchEvent> batch) {
        if (inside.incrementAndGet() != 1) {
            overlapped = true;
        }
        try {
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

    /** A hook for listeners that want to be slow. */
    protected void beforeRecording(List<WatchEvent> batch) {
    }

    @Override
    public void onError(StoreException error) {
        this.error = error;
    }

    public synchronized List<WatchEvent> events() {
        return List.copyOf(events);
    }

    public synchronized int size() {
        return events.size();
    }

    public StoreException error() {
        return error;
    }

    /** Whether the store ever called this listener from two threads at once. */
    public boolean overlapped() {
        return overlapped;
    }

    public boolean sawEmptyBatch() {
        return emptyBatch;
    }
}
