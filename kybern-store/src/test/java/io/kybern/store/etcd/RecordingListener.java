package io.kybern.store.etcd;

import io.kybern.store.StoreException;
import io.kybern.store.WatchEvent;
import io.kybern.store.WatchListener;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Records what a watch delivers, and how: on which threads, how many calls at once, empty batches. */
final class RecordingListener implements WatchListener {

    final List<WatchEvent> events = new CopyOnWriteArrayList<>();
    final List<StoreException> errors = new CopyOnWriteArrayList<>();
    final Set<Thread> threads = ConcurrentHashMap.newKeySet();
    final AtomicInteger batches = new AtomicInteger();
    final AtomicInteger emptyBatches = new AtomicInteger();
    final AtomicInteger maxConcurrentCalls = new AtomicInteger();
    final AtomicInteger callsAfterError = new AtomicInteger();
    private final AtomicInteger concurrentCalls = new AtomicInteger();
    /** Holds the first batch until released, to play a slow listener. */
    private final CountDownLatch gate;

    RecordingListener() {
        this.gate = new CountDownLatch(0);
    }

    private RecordingListener(CountDownLatch gate) {
        this.gate = gate;
    }

    /** A listener whose first call blocks until {@link #release()}. */
    static RecordingListener blocked() {
        return new RecordingListener(new CountDownLatch(1));
    }

    void release() {
        gate.countDown();
    }

    @Override
    public void onEvents(List<WatchEvent> batch) {
        int now = concurrentCalls.incrementAndGet();
        maxConcurrentCalls.accumulateAndGet(now, Math::max);
        threads.add(Thread.currentThread());
        if (!errors.isEmpty()) {
            callsAfterError.incrementAndGet();
        }
        if (batch.isEmpty()) {
            emptyBatches.incrementAndGet();
        }
        try {
            if (!gate.await(60, TimeUnit.SECONDS)) {
                throw new AssertionError("the test never released the listener");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        events.addAll(batch);
        batches.incrementAndGet();
        concurrentCalls.decrementAndGet();
    }

    @Override
    public void onError(StoreException error) {
        threads.add(Thread.currentThread());
        errors.add(error);
    }

    List<Long> revisions() {
        return events.stream().map(WatchEvent::revision).toList();
    }
}
