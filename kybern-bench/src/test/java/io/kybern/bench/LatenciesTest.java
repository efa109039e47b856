package io.kybern.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LatenciesTest {

    @Test
    void percentilesOfKnownSamples() {
        Latencies latencies = new Latencies();
        for (int ms = 1; ms <= 100; ms++) {
            latencies.recordNanos(ms * 1_000_000L);
        }
        assertThat(latencies.count()).isEqualTo(100);
        // The histogram keeps three significant digits.
        assertThat(latencies.p50Ms()).isCloseTo(50, within(0.1));
        assertThat(latencies.p99Ms()).isCloseTo(99, within(0.1));
    }

    @Test
    void mergingAddsSamples() {
        Latencies a = new Latencies();
        Latencies b = new Latencies();
        a.recordNanos(1_000_000);
        b.recordNanos(3_000_000);
        b.recordNanos(3_000_000);
        a.add(b);
        assertThat(a.count()).isEqualTo(3);
        assertThat(a.p50Ms()).isCloseTo(3, within(0.01));
    }

    @Test
    void negativeDifferencesCountAsZeroAndEmptyIsNaN() {
        Latencies latencies = new Latencies();
        assertThat(latencies.p99Ms()).isNaN();
        latencies.recordNanos(-5);
        assertThat(latencies.p99Ms()).isZero();
    }
}
