package io.kybern.kubelet.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class CriLogLineTest {

    @Test
    void aFullLineHasItsTimeStreamAndText() {
        CriLogLine line = CriLogLine.parse("2026-12-06T05:21:23.123456789Z stdout F hello  world").orElseThrow();
        assertThat(line.timestamp()).isEqualTo("2026-12-06T05:21:23.123456789Z");
        assertThat(line.time()).isEqualTo(Instant.parse("2026-12-06T05:21:23.123456789Z"));
        assertThat(line.stream()).isEqualTo("stdout");
        assertThat(line.partial()).isFalse();
        assertThat(line.text()).isEqualTo("hello  world");
    }

    @Test
    void aPieceIsPartialAndExtraTagsAreIgnored() {
        CriLogLine line = CriLogLine.parse("2026-12-06T05:21:23Z stderr P:x half").orElseThrow();
        assertThat(line.partial()).isTrue();
        assertThat(line.stream()).isEqualTo("stderr");
        assertThat(line.text()).isEqualTo("half");
    }

    @Test
    void anEmptyLineMayEndAfterItsTag() {
        assertThat(CriLogLine.parse("2026-12-06T05:21:23Z stdout F").orElseThrow().text()).isEmpty();
        assertThat(CriLogLine.parse("2026-12-06T05:21:23Z stdout F ").orElseThrow().text()).isEmpty();
    }

    @Test
    void linesNotInTheFormatAreRefused() {
        assertThat(CriLogLine.parse("")).isEmpty();
        assertThat(CriLogLine.parse("just some text")).isEmpty();
        assertThat(CriLogLine.parse("yesterday stdout F text")).isEmpty();
        assertThat(CriLogLine.parse("2026-12-06T05:21:23Z stdin F text")).isEmpty();
        assertThat(CriLogLine.parse("2026-12-06T05:21:23Z stdout X text")).isEmpty();
        assertThat(CriLogLine.parse("2026-12-06T05:21:23Z stdout")).isEmpty();
    }
}
