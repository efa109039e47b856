package io.kybern.bench;

import org.HdrHistogram.Histogram;

/**
 * Latencies of one measurement. Not thread-safe: each worker records into its own instance and the
 * instances are merged afterwards, so recording never contends on a lock.
 */
final class Latencies {

    private static final double NANOS_PER_MILLI = 1_000_000.0;

    /** Three significant digits: 1.23 ms and 123 ms alike, far finer than run-to-run noise. */
    private final Histogram histogram = new Histogram(3);

    void recordNanos(long nanos) {
        // A clock step or an event seen before its write returned can make a difference negative.
        histogram.recordValue(Math.max(0, nanos));
    }

    void add(Latencies other) {
        histogram.add(other.histogram);
    }

    long count() {
        return histogram.getTotalCount();
    }

    /** The latency below which {@code percentile} percent of samples fall, in ms; NaN without samples. */
    double percentileMs(double percentile) {
        if (count() == 0) {
            return Double.NaN;
        }
        return histogram.getValueAtPercentile(percentile) / NANOS_PER_MILLI;
    }

    double p50Ms() {
        return percentileMs(50);
    }

    double p99Ms() {
        return percentileMs(99);
    }
}
