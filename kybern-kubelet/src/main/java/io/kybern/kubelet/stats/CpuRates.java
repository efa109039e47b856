package io.kybern.kubelet.stats;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * CPU rates (nanocores: CPU nanoseconds per second) from cumulative CPU times, as kubelet computes
 * {@code usageNanoCores}: the last sample of each container (and of the node) is kept, and the rate is the
 * time spent between it and the next sample over the time between them. Samples closer than
 * {@link #MIN_INTERVAL_NANOS} to the kept one do not replace it (a rate over a few milliseconds is noise);
 * they get the last rate.
 *
 * <p>Threading: synchronized; the summary is built on request threads and by the agent's sampler.
 */
final class CpuRates {

    static final long MIN_INTERVAL_NANOS = 1_000_000_000L;

    private record Sample(long timeNanos, long usageNanos, Long rate) {
    }

    private final Map<String, Sample> last = new HashMap<>();

    /**
     * The rate of {@code key} at this sample, or null for its first sample (or when its cumulative time went
     * back: a new container under the same key).
     */
    synchronized Long rate(String key, long timeNanos, long usageNanos) {
        Sample previous = last.get(key);
        if (previous == null || usageNanos < previous.usageNanos || timeNanos < previous.timeNanos) {
            last.put(key, new Sample(timeNanos, usageNanos, null));
            return null;
        }
        long elapsed = timeNanos - previous.timeNanos;
        if (elapsed < MIN_INTERVAL_NANOS) {
            return previous.rate;
        }
        long rate = Math.round((usageNanos - previous.usageNanos) * 1e9 / elapsed);
        last.put(key, new Sample(timeNanos, usageNanos, rate));
        return rate;
    }

    /** Forgets the samples of keys no longer seen (removed containers). */
    synchronized void retain(Set<String> keys) {
        last.keySet().retainAll(keys);
    }
}
