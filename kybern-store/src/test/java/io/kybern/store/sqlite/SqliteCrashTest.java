package io.kybern.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import io.kybern.store.KeyValue;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a writing process with SIGKILL at random moments and checks that every write it acknowledged is
 * there afterwards, with the revision it was acknowledged with, and that the store goes on working.
 *
 * <p>The child prints an acknowledgement only after its write returned, straight into a file; what
 * reached that file before the kill is exactly what the child had been told was durable.
 */
class SqliteCrashTest {

    private static final int CYCLES = Integer.getInteger("kybern.crash.cycles", 20);

    private record Ack(long revision, String value) {
    }

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedWriteSurvivesSigkill() throws Exception {
        Path db = dir.resolve("state.db");
        long seed = Long.getLong("kybern.crash.seed", System.nanoTime());
        Random random = new Random(seed);
        Map<String, Ack> acknowledged = new HashMap<>();
        long highestAcknowledged = 0;
        int totalAcks = 0;

        for (int cycle = 0; cycle < CYCLES; cycle++) {
            Path acks = dir.resolve("acks-" + cycle + ".txt");
            Process child = new ProcessBuilder(javaBinary(), "-cp", System.getProperty("java.class.path"),
                    CrashWriter.class.getName(), db.toString(), "g" + cycle)
                    .redirectOutput(acks.toFile())
                    .redirectError(dir.resolve("child-" + cycle + ".err").toFile())
                    .start();
            long readyAt = awaitReady(child, acks);
            assertThat(readyAt).as("revision the child reopened at (seed %d)", seed)
                    .isGreaterThanOrEqualTo(highestAcknowledged);

            Thread.sleep(100 + random.nextInt(900));
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();

            for (String line : Files.readAllLines(acks, StandardCharsets.UTF_8)) {
                String[] parts = line.split(" ");
                // The last line may have been cut by the kill; a cut line was not a complete acknowledgement.
                if (parts.length == 4 && parts[0].equals("ack") && line.endsWith("-" + parts[3].substring(
                        parts[3].lastIndexOf('-') + 1))) {
                    Ack ack = new Ack(Long.parseLong(parts[2]), parts[3]);
                    // Concurrent writers may print out of revision order; keep the newest per key.
                    acknowledged.merge(parts[1], ack, (a, b) -> a.revision() >= b.revision() ? a : b);
                    totalAcks++;
                }
            }
            highestAcknowledged = Math.max(highestAcknowledged,
                    acknowledged.values().stream().mapToLong(Ack::revision).max().orElse(0));

            try (SqliteStore store = SqliteStore.open(db)) {
                for (Map.Entry<String, Ack> e : acknowledged.entrySet()) {
                    KeyValue kv = store.get(e.getKey()).orElse(null);
                    assertThat(kv).as("acknowledged key %s after cycle %d (seed %d)", e.getKey(), cycle, seed)
                            .isNotNull();
                    assertThat(kv.modRevision()).isGreaterThanOrEqualTo(e.getValue().revision());
                    KeyValue then = store.get(e.getKey(), e.getValue().revision()).orElseThrow();
                    assertThat(then.valueAsString()).isEqualTo(e.getValue().value());
                    assertThat(then.modRevision()).isEqualTo(e.getValue().revision());
                }
                assertThat(store.currentRevision()).isGreaterThanOrEqualTo(highestAcknowledged);
                long probe = store.put("/crash/probe", new byte[] {(byte) cycle}).revision();
                assertThat(probe).as("revisions never go backwards").isGreaterThan(highestAcknowledged);
                highestAcknowledged = probe;
            }
        }
        assertThat(totalAcks).as("writes acknowledged over %d cycles", CYCLES).isGreaterThan(CYCLES * 10);
    }

    private static long awaitReady(Process child, Path acks) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            List<String> lines = Files.exists(acks) ? Files.readAllLines(acks, StandardCharsets.UTF_8) : List.of();
            if (!lines.isEmpty() && lines.getFirst().startsWith("ready ") && lines.size() > 1) {
                return Long.parseLong(lines.getFirst().substring(6));
            }
            if (!child.isAlive()) {
                throw new AssertionError("crash writer exited with " + child.exitValue());
            }
            Thread.sleep(10);
        }
        child.destroyForcibly();
        throw new AssertionError("crash writer did not start within 60 s");
    }

    private static String javaBinary() {
        return ProcessHandle.current().info().command().orElse(
                Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }
}
