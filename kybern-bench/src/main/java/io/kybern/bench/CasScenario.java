package io.kybern.bench;

import io.kybern.store.KeyValue;
import io.kybern.store.Store;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Read-modify-write on a shared set of keys, as controllers update objects: each operation reads a
 * random key and replaces it if no one changed it since. Throughput counts successful updates; losing
 * to a concurrent writer is counted as a conflict. Latency is that of the read plus the update.
 */
final class CasScenario implements Scenario {

    private final StoreSettings settings;

    CasScenario(StoreSettings settings) {
        this.settings = settings;
    }

    @Override
    public String name() {
        return "cas" + settings.writers();
    }

    @Override
    public String description() {
        return "get + compare-and-swap update, " + settings.writers() + " writers on " + settings.casKeys()
                + " shared keys, " + settings.valueBytes() + " B values";
    }

    @Override
    public String throughputLabel() {
        return "updates/s";
    }

    @Override
    public Result run(BenchBackend backend, Progress progress) throws InterruptedException {
        Store store = backend.store();
        String prefix = "/bench/" + name() + "/";
        byte[] value = Values.random(settings.valueBytes(), 2);
        Loader.load(store, prefix, settings.casKeys(), settings.writers(), value, progress,
                "[" + backend.name() + "] " + name());
        var measurement = ClosedLoop.run(settings.writers(), settings.warmup(), settings.window(), worker -> {
            SplittableRandom random = new SplittableRandom(worker);
            return () -> {
                String key = Loader.key(prefix, random.nextInt(settings.casKeys()));
                KeyValue current = store.get(key)
                        .orElseThrow(() -> new IllegalStateException("key " + key + " vanished"));
                boolean swapped = store.update(key, value, current.modRevision()).succeeded();
                return swapped ? ClosedLoop.Outcome.DONE : ClosedLoop.Outcome.CONFLICT;
            };
        });
        Scenarios.reportErrors(progress, backend, this, measurement);
        Map<String, Double> extras = new LinkedHashMap<>();
        extras.put("conflicts/s", measurement.conflictsPerSecond());
        extras.put("errors", (double) measurement.errors());
        return Result.of(measurement.donePerSecond(), measurement.latencies(), extras);
    }
}
