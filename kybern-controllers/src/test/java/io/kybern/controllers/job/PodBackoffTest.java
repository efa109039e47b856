package io.kybern.controllers.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class PodBackoffTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void delayStartsAtTenSecondsDoublesAndStopsAtSixMinutes() {
        assertThat(PodBackoff.delayAfter(0)).isZero();
        assertThat(PodBackoff.delayAfter(1)).isEqualTo(Duration.ofSeconds(10));
        assertThat(PodBackoff.delayAfter(2)).isEqualTo(Duration.ofSeconds(20));
        assertThat(PodBackoff.delayAfter(3)).isEqualTo(Duration.ofSeconds(40));
        assertThat(PodBackoff.delayAfter(6)).isEqualTo(Duration.ofSeconds(320));
        assertThat(PodBackoff.delayAfter(7)).isEqualTo(Duration.ofMinutes(6));
        assertThat(PodBackoff.delayAfter(1000)).isEqualTo(Duration.ofMinutes(6));
    }

    @Test
    void remainingCountsFromTheLastFailureOnTheGivenClock() {
        PodBackoff backoff = PodBackoff.NONE.failed(1, T0).failed(1, T0.plusSeconds(5));
        assertThat(backoff.failuresSinceSuccess()).isEqualTo(2);
        assertThat(backoff.remaining(T0.plusSeconds(5))).isEqualTo(Duration.ofSeconds(20));
        assertThat(backoff.remaining(T0.plusSeconds(15))).isEqualTo(Duration.ofSeconds(10));
        assertThat(backoff.remaining(T0.plusSeconds(25))).isZero();
        assertThat(backoff.remaining(T0.plusSeconds(600))).isZero();
    }

    @Test
    void aSuccessResetsTheCount() {
        PodBackoff backoff = PodBackoff.NONE.failed(3, T0).succeeded();
        assertThat(backoff.remaining(T0)).isZero();
        assertThat(backoff.failed(1, T0).remaining(T0)).isEqualTo(Duration.ofSeconds(10));
        assertThat(PodBackoff.NONE.failed(0, T0)).isEqualTo(PodBackoff.NONE);
    }
}
