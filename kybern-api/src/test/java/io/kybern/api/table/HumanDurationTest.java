package io.kybern.api.table;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class HumanDurationTest {

    @ParameterizedTest(name = "{0} s is {1}")
    @CsvSource({
            "-5, <invalid>",
            "-2, <invalid>",
            "-1, 0s",
            "0, 0s",
            "59, 59s",
            "119, 119s",
            "120, 2m",
            "150, 2m30s",
            "599, 9m59s",
            "600, 10m",
            "10799, 179m",
            "10800, 3h",
            "12600, 3h30m",
            "28799, 7h59m",
            "28800, 8h",
            "172799, 47h",
            "172800, 2d",
            "183600, 2d3h",
            "691199, 7d23h",
            "691200, 8d",
            "63071999, 729d",
            "63072000, 2y",
            "63158400, 2y1d",
            "252288000, 8y",
            "315360000, 10y"
    })
    void formatsLikeKubernetes(long seconds, String expected) {
        assertThat(HumanDuration.format(Duration.ofSeconds(seconds))).isEqualTo(expected);
    }

    @Test
    void fractionsOfASecondAreDropped() {
        assertThat(HumanDuration.format(Duration.ofMillis(1999))).isEqualTo("1s");
        assertThat(HumanDuration.format(Duration.ofMillis(-1999))).isEqualTo("0s");
    }

    @Test
    void sinceAMissingTimestampIsUnknown() {
        Instant now = Instant.parse("2026-11-22T10:00:00Z");
        assertThat(HumanDuration.since(null, now)).isEqualTo("<unknown>");
        assertThat(HumanDuration.since(now.minusSeconds(330), now)).isEqualTo("5m30s");
    }
}
