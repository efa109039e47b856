package io.kybern.bench;

import io.kybern.store.RangeRequest;
import io.kybern.store.RangeResult;
import io.kybern.store.Store;
import java.util.Map;

/**
 * A full read of every key under one prefix, as a LIST of a resource type without a limit does: loads
 * the keys, then reads them all repeatedly, one read at a time.
 */
final class RangeScenario implements Scenario {

    /** Reads measured at the least, however short the window, so the percentiles mean something. */
    private static final int MIN_READS = 5;

    private final StoreSettings settings;

    RangeScenario(StoreSettings settings) {
        this.settings = settings;
    }

    @Override
    public String name() {
        int keys = settings.rangeKeys();
        return "range" + (keys % 1000 == 0 ? keys / 1000 + "k" : String.valueOf(keys));
    }

    @Override
    public String description() {
        return "read all " + settings.rangeKeys() + " keys under one prefix, " + settings.valueBytes()
                + " B values, one read at a time";
    }

    @Override
    public String throughputLabel() {
        return "reads/s";
    }

    @Override
    public Result run(BenchBackend backend, Progress progress) throws InterruptedException {
        Store store = backend.store();
        String prefix = "/bench/" + name() + "/";
        String label = "[" + backend.name() + "] " + name();
        Loader.load(store, prefix, settings.rangeKeys(), settings.writers(), Values.random(settings.valueBytes(), 3),
                progress, label);
        progress.line(label + ": reading");
        long warmupEnd = System.nanoTime() + settings.warmup().toNanos();
        do {
            readAll(store, prefix);
        } while (System.nanoTime() < warmupEnd);

        Latencies latencies = new Latencies();
        long start = System.nanoTime();
        long windowEnd = start + settings.window().toNanos();
        long now = start;
        while (now < windowEnd || latencies.count() < MIN_READS) {
            long began = now;
            readAll(store, prefix);
            now = System.nanoTime();
            latencies.recordNanos(now - began);
        }
        double seconds = (now - start) / 1e9;
        return Result.of(latencies.count() / seconds, latencies, Map.of("reads", (double) latencies.count()));
    }

    /** Reads the whole prefix, following pages should the backend cap them, and checks the count. */
    private void readAll(Store store, String prefix) {
        RangeRequest request = RangeRequest.prefix(prefix);
        RangeResult page = store.range(request);
        long keys = page.kvs().size();
        while (page.more()) {
            page = store.range(request.next(page));
            keys += page.kvs().size();
        }
        if (keys != settings.rangeKeys()) {
            throw new IllegalStateException("read " + keys + " keys under " + prefix + ", expected "
                    + settings.rangeKeys());
        }
    }
}
