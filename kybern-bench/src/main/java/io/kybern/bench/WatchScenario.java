package io.kybern.bench;

import io.kybern.store.Store;
import io.kybern.store.StoreException;
import io.kybern.store.Watch;
import io.kybern.store.WatchEvent;
import io.kybern.store.WatchListener;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Watch delivery latency: one writer puts keys at a steady rate under a watched prefix; the latency of
 * each write is the time its event reached the watcher minus the time the write call returned, that
 * is how long after a client was told "done" a controller hears of it.
 */
final class WatchScenario implements Scenario {

    /** Keys the writer cycles through: updates of existing keys, as status writes mostly are. */
    private static final int KEYS = 100;
    /** How long to wait at the end for events still on their way before calling them lost. */
    private static final long DRAIN_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final StoreSettings settings;

    WatchScenario(StoreSettings settings) {
        this.settings = settings;
    }

    @Override
    public String name() {
        return "watch";
    }

    @Override
    public String description() {
        return "write acknowledged -> event received, 1 writer at " + settings.watchRate() + " puts/s, "
                + settings.valueBytes() + " B values";
    }

    @Override
    public String throughputLabel() {
        return "events/s";
    }

    @Override
    public Result run(BenchBackend backend, Progress progress) throws InterruptedException {
        Store store = backend.store();
        String prefix = "/bench/watch/";
        byte[] value = Values.random(settings.valueBytes(), 4);
        long start = System.nanoTime();
        long windowStart = start + settings.warmup().toNanos();
        long windowEnd = windowStart + settings.window().toNanos();
        Pairing pairing = new Pairing(windowStart, windowEnd);
        // Starting at the next revision rather than "now" means no write is missed while the watch is set up.
        try (Watch ignored = store.watch(prefix, store.currentRevision() + 1, pairing)) {
            long interval = TimeUnit.SECONDS.toNanos(1) / settings.watchRate();
            long next = System.nanoTime();
            long written = 0;
            while (next < windowEnd) {
                LockSupport.parkNanos(next - System.nanoTime());
                long revision = store.put(prefix + (written++ % KEYS), value).revision();
                long acked = System.nanoTime();
                pairing.acked(revision, acked);
                // A steady rate, not a catch-up burst after a slow write: bursts would measure queueing.
                next = Math.max(next + interval, acked);
            }
            pairing.awaitAll(System.nanoTime() + DRAIN_NANOS);
        }
        if (pairing.error() != null) {
            throw new IllegalStateException("watch ended: " + pairing.error().getMessage(), pairing.error());
        }
        Map<String, Double> extras = new LinkedHashMap<>();
        extras.put("events before ack", (double) pairing.early());
        extras.put("lost events", (double) pairing.outstanding());
        return Result.of(pairing.latencies().count() / (settings.window().toNanos() / 1e9), pairing.latencies(),
                extras);
    }

    /**
     * Matches each write's acknowledgement with its event by revision, whichever comes first; only writes
     * acknowledged inside the measured window count.
     */
    private static final class Pairing implements WatchListener {

        private final long windowStart;
        private final long windowEnd;
        private final Map<Long, Long> ackedAt = new java.util.HashMap<>();
        private final Map<Long, Long> seenAt = new java.util.HashMap<>();
        private final Latencies latencies = new Latencies();
        private long early;
        private StoreException error;

        Pairing(long windowStart, long windowEnd) {
            this.windowStart = windowStart;
            this.windowEnd = windowEnd;
        }

        synchronized void acked(long revision, long at) {
            if (at < windowStart || at > windowEnd) {
                seenAt.remove(revision);
                return;
            }
            Long seen = seenAt.remove(revision);
            if (seen == null) {
                ackedAt.put(revision, at);
            } else {
                record(seen - at);
            }
        }

        @Override
        public synchronized void onEvents(List<WatchEvent> events) {
            long at = System.nanoTime();
            for (WatchEvent event : events) {
                Long acked = ackedAt.remove(event.revision());
                if (acked == null) {
                    seenAt.put(event.revision(), at);
                } else {
                    record(at - acked);
                }
            }
            notifyAll();
        }

        @Override
        public synchronized void onError(StoreException e) {
            error = e;
            notifyAll();
        }

        private void record(long nanos) {
            if (nanos < 0) {
                early++;
            }
            latencies.recordNanos(nanos);
        }

        synchronized void awaitAll(long deadline) throws InterruptedException {
            long now = System.nanoTime();
            while (!ackedAt.isEmpty() && error == null && now < deadline) {
                TimeUnit.NANOSECONDS.timedWait(this, deadline - now);
                now = System.nanoTime();
            }
        }

        synchronized Latencies latencies() {
            return latencies;
        }

        synchronized long early() {
            return early;
        }

        synchronized long outstanding() {
            return ackedAt.size();
        }

        synchronized StoreException error() {
            return error;
        }
    }
}
