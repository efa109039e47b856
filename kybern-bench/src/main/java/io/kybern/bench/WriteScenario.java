package io.kybern.bench;

import io.kybern.store.Store;
import io.kybern.store.WriteResult;
import java.util.LinkedHashMap;
import java.util.Map;

/** Creates of new keys, each writer on its own keys: the cost of a durable write, alone or concurrent. */
final class WriteScenario implements Scenario {

    private final int writers;
    private final StoreSettings settings;

    WriteScenario(int writers, StoreSettings settings) {
        this.writers = writers;
        this.settings = settings;
    }

    @Override
    public String name() {
        return "write" + writers;
    }

    @Override
    public String description() {
        return "creates of new keys, " + writers + (writers == 1 ? " writer" : " concurrent writers") + ", "
                + settings.valueBytes() + " B values";
    }

    @Override
    public String throughputLabel() {
        return "creates/s";
    }

    @Override
    public Result run(BenchBackend backend, Progress progress) throws InterruptedException {
        Store store = backend.store();
        String prefix = "/bench/" + name() + "/";
        byte[] value = Values.random(settings.valueBytes(), 1);
        var measurement = ClosedLoop.run(writers, settings.warmup(), settings.window(), worker -> {
            String workerPrefix = prefix + worker + "/";
            long[] sequence = {0};
            return () -> {
                String key = workerPrefix + sequence[0]++;
                WriteResult result = store.create(key, value);
                if (!result.succeeded()) {
                    throw new IllegalStateException("create of new key " + key + " failed");
                }
                return ClosedLoop.Outcome.DONE;
            };
        });
        Scenarios.reportErrors(progress, backend, this, measurement);
        Map<String, Double> extras = new LinkedHashMap<>();
        extras.put("errors", (double) measurement.errors());
        return Result.of(measurement.donePerSecond(), measurement.latencies(), extras);
    }
}
