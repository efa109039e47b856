package io.kybern.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the command end to end on the in-memory store, with tiny sizes; checks shape, never timing. */
class BenchMainTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return BenchMain.execute(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), args);
    }

    private List<String> stdoutLines() {
        return out.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void unknownBenchmarkIsNamedAndTheKnownOnesListed() {
        assertThat(run("stor")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown benchmark 'stor'").contains("store");
    }

    @Test
    void apiIsListedAndAnUnknownPeerIsRefused() {
        assertThat(run("nope")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("api");

        assertThat(run("api", "--peers", "kybern,k3s")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown peer 'k3s'");
    }

    @Test
    void apiRefusesAnUnknownScenarioAndReadsWithoutCreates() {
        assertThat(run("api", "--scenarios", "create,lsit")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown scenario 'lsit'").contains("list10k");

        assertThat(run("api", "--scenarios", "get,list")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("get and update read and change the ConfigMaps"
                + " create makes");
    }

    @Test
    void unknownBackendIsRefused() {
        assertThat(run("store", "--backends", "sqlite,mysql")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown backend 'mysql'");
    }

    @Test
    void storeScenariosEndWithTheSummaryLine(@TempDir Path dir) throws Exception {
        int code = run("store", "--backends", "memory", "--warmup", "0", "--duration", "0.2", "--writers", "2",
                "--range-keys", "50", "--cas-keys", "5", "--work-dir", dir.toString());

        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(stdoutLines().getLast()).matches("store: write1_ops=\\d+ write2_ops=\\d+ write2_ratio=n/a"
                + " write2_p99_ms=[\\d.]+ cas2_ratio=n/a range50_ms=[\\d.]+ watch_p99_ms=[\\d.]+");
        assertThat(stdoutLines()).anyMatch(line -> line.startsWith("store-memory: write1_ops="));
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("loading 50 keys");
        try (var left = Files.list(dir)) {
            assertThat(left).as("the run's files are deleted").isEmpty();
        }
    }

    @Test
    void sqliteAgainstARealEtcdGivesRatios(@TempDir Path dir) throws Exception {
        int code = run("store", "--warmup", "0", "--duration", "0.3", "--range-keys", "20", "--cas-keys", "4",
                "--writers", "2", "--work-dir", dir.toString());

        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(stdoutLines().getLast()).matches("store: write1_ops=\\d+ write2_ops=\\d+ write2_ratio=[\\d.]+"
                + " write2_p99_ms=[\\d.]+ cas2_ratio=[\\d.]+ range20_ms=[\\d.]+ watch_p99_ms=[\\d.]+");
        assertThat(stdoutLines()).anyMatch(line -> line.startsWith("store-etcd: write1_ops="));
        assertThat(stdoutLines()).anyMatch(line -> line.matches("  lost events +0 +0 +-"));
        try (var left = Files.list(dir)) {
            assertThat(left).as("the run's files are deleted").isEmpty();
        }
    }

    @Test
    void churnEndsWithItsSummaryLine(@TempDir Path dir) {
        int code = run("store", "--churn", "--backends", "memory", "--minutes", "0.02", "--churn-keys", "40",
                "--churn-writers", "2", "--compact-every", "0.3", "--compact-keep", "10", "--work-dir", dir.toString());

        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(stdoutLines().getLast())
                .matches("store-churn: size_1min_mb=n/a size_end_mb=n/a growth=n/a minutes=0.02");
        assertThat(stdoutLines()).anyMatch(line -> line.matches("  live keys +40"));
    }
}
