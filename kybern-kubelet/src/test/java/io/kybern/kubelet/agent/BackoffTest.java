package io.kybern.kubelet.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void firstRetryAtOnceThenTenSecondsDoublingUpToFiveMinutes() {
        assertThat(Backoff.delay(0)).isZero();
        assertThat(Backoff.delay(1)).isEqualTo(Duration.ofSeconds(10));
        assertThat(Backoff.delay(2)).isEqualTo(Duration.ofSeconds(20));
        assertThat(Backoff.delay(3)).isEqualTo(Duration.ofSeconds(40));
        assertThat(Backoff.delay(5)).isEqualTo(Duration.ofSeconds(160));
        assertThat(Backoff.delay(6)).isEqualTo(Duration.ofMinutes(5));
        assertThat(Backoff.delay(1000)).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void readsLikeGoDurations() {
        assertThat(Backoff.format(Duration.ofSeconds(10))).isEqualTo("10s");
        assertThat(Backoff.format(Duration.ofSeconds(80))).isEqualTo("1m20s");
        assertThat(Backoff.format(Duration.ofMinutes(5))).isEqualTo("5m0s");
    }
}
