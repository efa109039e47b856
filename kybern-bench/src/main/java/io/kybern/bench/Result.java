package io.kybern.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One scenario's figures on one backend.
 *
 * @param throughput operations per second (what counts as one is the scenario's)
 * @param p50Ms      median latency, in ms
 * @param p99Ms      99th percentile latency, in ms
 * @param extras     further figures, by label, in display order: conflicts, errors, lost events
 */
record Result(double throughput, double p50Ms, double p99Ms, Map<String, Double> extras) {

    Result {
        extras = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(extras));
    }

    static Result of(double throughput, Latencies latencies, Map<String, Double> extras) {
        return new Result(throughput, latencies.p50Ms(), latencies.p99Ms(), extras);
    }
}
