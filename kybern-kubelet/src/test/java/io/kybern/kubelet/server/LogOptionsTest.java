package io.kybern.kubelet.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LogOptionsTest {

    static final Instant NOW = Instant.parse("2026-12-06T05:00:00Z");

    @Test
    void noParametersMeanTheWholeCurrentLog() {
        assertThat(LogOptions.parse(Map.of(), NOW)).isEqualTo(new LogOptions(false, false, null, null, false, null));
    }

    @Test
    void everyParameterIsRead() {
        LogOptions options = LogOptions.parse(Map.of("follow", List.of("true"), "previous", List.of("1"),
                "tailLines", List.of("5"), "sinceSeconds", List.of("10"), "timestamps", List.of("true"),
                "limitBytes", List.of("100")), NOW);
        assertThat(options).isEqualTo(new LogOptions(true, true, 5L, NOW.minusSeconds(10), true, 100L));
        assertThat(LogOptions.parse(Map.of("sinceTime", List.of("2026-12-06T04:00:00Z"), "follow", List.of("false")),
                NOW)).isEqualTo(new LogOptions(false, false, null, Instant.parse("2026-12-06T04:00:00Z"), false, null));
    }

    @Test
    void badValuesAreRefused() {
        assertThatThrownBy(() -> LogOptions.parse(Map.of("tailLines", List.of("x")), NOW))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tailLines");
        assertThatThrownBy(() -> LogOptions.parse(Map.of("tailLines", List.of("-1")), NOW))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LogOptions.parse(Map.of("sinceSeconds", List.of("0")), NOW))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LogOptions.parse(Map.of("limitBytes", List.of("0")), NOW))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LogOptions.parse(Map.of("sinceTime", List.of("today")), NOW))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LogOptions.parse(Map.of("follow", List.of("maybe")), NOW))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LogOptions.parse(Map.of("sinceSeconds", List.of("5"),
                "sinceTime", List.of("2026-12-06T04:00:00Z")), NOW)).isInstanceOf(IllegalArgumentException.class);
    }
}
