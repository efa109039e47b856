package io.kybern.kubelet.stats;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

class CpuRatesTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void theFirstSampleHasNoRate() {
        assertThat(new CpuRates().rate("c", 10 * SECOND, 5 * SECOND)).isNull();
    }

    @Test
    void theRateIsTheTimeSpentOverTheTimeElapsed() {
        CpuRates rates = new CpuRates();
        rates.rate("c", 10 * SECOND, 5 * SECOND);
        // 1.5 CPU seconds in 2 s: 750 millicores
        assertThat(rates.rate("c", 12 * SECOND, 6 * SECOND + SECOND / 2)).isEqualTo(750_000_000L);
        // then measured from the kept sample at 12 s: nothing spent
        assertThat(rates.rate("c", 14 * SECOND, 6 * SECOND + SECOND / 2)).isZero();
    }

    @Test
    void aSampleTooCloseToTheKeptOneGetsTheLastRateAndDoesNotReplaceIt() {
        CpuRates rates = new CpuRates();
        rates.rate("c", 10 * SECOND, 0);
        assertThat(rates.rate("c", 11 * SECOND, SECOND / 4)).isEqualTo(250_000_000L);
        assertThat(rates.rate("c", 11 * SECOND + 1_000, SECOND)).isEqualTo(250_000_000L);
        // the kept sample is still the one at 11 s
        assertThat(rates.rate("c", 12 * SECOND, SECOND / 4 + SECOND)).isEqualTo(SECOND);
    }

    @Test
    void keysAreIndependentAndForgottenWhenNotRetained() {
        CpuRates rates = new CpuRates();
        rates.rate("a", 10 * SECOND, 0);
        rates.rate("b", 10 * SECOND, 0);
        rates.retain(Set.of("a"));
        assertThat(rates.rate("a", 12 * SECOND, SECOND)).isEqualTo(500_000_000L);
        assertThat(rates.rate("b", 12 * SECOND, SECOND)).isNull();
    }

    @Test
    void aCounterThatWentBackStartsOver() {
        CpuRates rates = new CpuRates();
        rates.rate("c", 10 * SECOND, 5 * SECOND);
        assertThat(rates.rate("c", 12 * SECOND, SECOND)).isNull();
        assertThat(rates.rate("c", 14 * SECOND, 2 * SECOND)).isEqualTo(500_000_000L);
    }
}
