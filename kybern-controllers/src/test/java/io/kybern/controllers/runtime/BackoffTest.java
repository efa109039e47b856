package io.kybern.controllers.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void doublesFromTheBaseAndStopsAtTheCapWithoutOverflowing() {
        Backoff backoff = new Backoff(Duration.ofMillis(5), Duration.ofSeconds(60));

        assertThat(backoff.after(0)).isZero();
        assertThat(backoff.after(1)).isEqualTo(Duration.ofMillis(5));
        assertThat(backoff.after(4)).isEqualTo(Duration.ofMillis(40));
        assertThat(backoff.after(14)).isEqualTo(Duration.ofMillis(40_960));
        assertThat(backoff.after(15)).isEqualTo(Duration.ofSeconds(60));
        assertThat(backoff.after(Integer.MAX_VALUE)).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void refusesACapBelowTheBase() {
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
