package io.kybern.kubelet.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CriLogReaderTest {

    static final String LOG = """
            2026-12-06T05:00:01.000000001Z stdout F one
            2026-12-06T05:00:02Z stdout P tw
            2026-12-06T05:00:02.5Z stdout F o
            not a CRI line
            2026-12-06T05:00:03Z stderr F three
            2026-12-06T05:00:04Z stdout F
            """;

    @TempDir
    Path dir;

    private String read(String content, LogOptions options) throws Exception {
        Path file = dir.resolve("0.log");
        Files.writeString(file, content);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CriLogReader.copy(file, options, () -> false, out);
        return out.toString(StandardCharsets.UTF_8);
    }

    private static LogOptions options() {
        return new LogOptions(false, false, null, null, false, null);
    }

    @Test
    void piecesAreJoinedAndBadLinesSkipped() throws Exception {
        assertThat(read(LOG, options())).isEqualTo("one\ntwo\nthree\n\n");
    }

    @Test
    void timestampsPrefixEachLineWithItsFirstPiecesTime() throws Exception {
        assertThat(read(LOG, new LogOptions(false, false, null, null, true, null))).isEqualTo("""
                2026-12-06T05:00:01.000000001Z one
                2026-12-06T05:00:02Z two
                2026-12-06T05:00:03Z three
                2026-12-06T05:00:04Z\s
                """);
    }

    @Test
    void tailKeepsTheLastLines() throws Exception {
        assertThat(read(LOG, new LogOptions(false, false, 2L, null, false, null))).isEqualTo("three\n\n");
        assertThat(read(LOG, new LogOptions(false, false, 0L, null, false, null))).isEmpty();
        assertThat(read(LOG, new LogOptions(false, false, 10L, null, false, null))).isEqualTo("one\ntwo\nthree\n\n");
    }

    @Test
    void sinceLeavesOutOlderLines() throws Exception {
        assertThat(read(LOG, new LogOptions(false, false, null, Instant.parse("2026-12-06T05:00:02.5Z"), false,
                null))).isEqualTo("two\nthree\n\n");
    }

    @Test
    void limitBytesCutsTheLog() throws Exception {
        assertThat(read(LOG, new LogOptions(false, false, null, null, false, 6L))).isEqualTo("one\ntw");
    }

    @Test
    void anUnfinishedLastLineIsHeldBack() throws Exception {
        assertThat(read("2026-12-06T05:00:01Z stdout F one\n2026-12-06T05:00:02Z stdout F tw", options()))
                .isEqualTo("one\n");
    }

    @Test
    void followingSendsAppendedLinesAndEndsWhenTheContainerStops() throws Exception {
        Path file = dir.resolve("1.log");
        Files.writeString(file, "2026-12-06T05:00:01Z stdout F one\n");
        AtomicBoolean running = new AtomicBoolean(true);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread follower = Thread.ofVirtual().start(() -> {
            try {
                CriLogReader.copy(file, new LogOptions(true, false, null, null, false, null), running::get, out);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        Thread.sleep(300);
        assertThat(follower.isAlive()).isTrue();
        Files.writeString(file, "2026-12-06T05:00:02Z stdout P tw", StandardOpenOption.APPEND);
        Thread.sleep(300);
        Files.writeString(file, "o\n2026-12-06T05:00:03Z stdout F three\n", StandardOpenOption.APPEND);
        running.set(false);
        follower.join(5_000);
        assertThat(follower.isAlive()).isFalse();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("one\ntwothree\n");
    }
}
