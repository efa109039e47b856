package io.kybern.api.protobuf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Go's spellings of durations and times, with values from Go's own documentation of them. */
class GoValuesTest {

    @Test
    void durationsPrintAsGoPrintsThem() {
        assertThat(GoValues.duration(0)).isEqualTo("0s");
        assertThat(GoValues.duration(90_000_000_000L)).isEqualTo("1m30s");
        assertThat(GoValues.duration(3_600_000_000_000L)).isEqualTo("1h0m0s");
        assertThat(GoValues.duration(1_500_000_000L)).isEqualTo("1.5s");
        assertThat(GoValues.duration(1_500_000L)).isEqualTo("1.5ms");
        assertThat(GoValues.duration(2_000L)).isEqualTo("2µs");
        assertThat(GoValues.duration(7L)).isEqualTo("7ns");
        assertThat(GoValues.duration(-90_000_000_000L)).isEqualTo("-1m30s");
        assertThat(GoValues.duration(Long.MIN_VALUE)).isEqualTo("-2562047h47m16.854775808s");
    }

    @Test
    void durationsParseAsGoParsesThem() {
        assertThat(GoValues.parseDuration("1m30s", "")).isEqualTo(90_000_000_000L);
        assertThat(GoValues.parseDuration("1.5h", "")).isEqualTo(5_400_000_000_000L);
        assertThat(GoValues.parseDuration("-1.5ms", "")).isEqualTo(-1_500_000L);
        assertThat(GoValues.parseDuration("300us", "")).isEqualTo(300_000L);
        assertThat(GoValues.parseDuration("0", "")).isZero();
        assertThat(GoValues.parseDuration("2h45m", "")).isEqualTo(9_900_000_000_000L);
        for (String bad : new String[] {"", "5", "1x", "s", "1m30", "--1s", ".s"}) {
            assertThatThrownBy(() -> GoValues.parseDuration(bad, "spec.d")).as(bad)
                    .isInstanceOf(ProtobufException.class).hasMessageContaining("spec.d");
        }
    }

    @Test
    void timesAreUtcInSecondsAndMicroTimesInMicroseconds() {
        assertThat(GoValues.time(1_704_164_645L, 999_999_999, "")).isEqualTo("2024-01-02T03:04:05Z");
        assertThat(GoValues.microTime(1_704_164_645L, 120_000, "")).isEqualTo("2024-01-02T03:04:05.000120Z");
        assertThat(GoValues.parseTime("2024-01-02T04:04:05+01:00", "").getEpochSecond()).isEqualTo(1_704_164_645L);
        assertThatThrownBy(() -> GoValues.time(Long.MAX_VALUE, 0, "metadata.creationTimestamp"))
                .isInstanceOf(ProtobufException.class).hasMessageContaining("creationTimestamp");
    }
}
