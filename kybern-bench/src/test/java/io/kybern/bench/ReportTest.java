package io.kybern.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReportTest {

    private final StoreSettings settings = new StoreSettings(Duration.ZERO, Duration.ofSeconds(1), 16, 1024,
            10_000, 100, 100);

    @Test
    void summaryLineHasTheIssuesKeysWithSubjectFiguresAndRatios() {
        Report report = new Report(List.of("sqlite", "etcd"));
        WriteScenario write1 = new WriteScenario(1, settings);
        WriteScenario write16 = new WriteScenario(16, settings);
        CasScenario cas16 = new CasScenario(settings);
        RangeScenario range = new RangeScenario(settings);
        WatchScenario watch = new WatchScenario(settings);
        report.add(write1, "sqlite", new Result(500, 1, 2, Map.of()));
        report.add(write1, "etcd", new Result(250, 2, 4, Map.of()));
        report.add(write16, "sqlite", new Result(3000, 4, 12.345, Map.of()));
        report.add(write16, "etcd", new Result(2000, 6, 30, Map.of()));
        report.add(cas16, "sqlite", new Result(900, 5, 15, Map.of()));
        report.add(cas16, "etcd", new Result(1200, 5, 15, Map.of()));
        report.add(range, "sqlite", new Result(20, 48.5, 60, Map.of()));
        report.add(range, "etcd", new Result(10, 95, 120, Map.of()));
        report.add(watch, "sqlite", new Result(100, 0.4, 1.25, Map.of()));
        report.add(watch, "etcd", new Result(100, 0.8, 2.5, Map.of()));

        assertThat(report.summaryLine(write1.name(), write16.name(), cas16.name(), range.name(), watch.name()))
                .isEqualTo("store: write1_ops=500 write16_ops=3000 write16_ratio=1.50 write16_p99_ms=12.35"
                        + " cas16_ratio=0.75 range10k_ms=48.50 watch_p99_ms=1.25");
        assertThat(report.backendLine("etcd")).startsWith("store-etcd: write1_ops=250 write1_p50_ms=2.00");
    }

    @Test
    void tableShowsEachBackendAndTheRatio() {
        Report report = new Report(List.of("sqlite", "etcd"));
        WriteScenario write16 = new WriteScenario(16, settings);
        report.add(write16, "sqlite", new Result(3000, 4, 12, Map.of("errors", 0.0)));
        report.add(write16, "etcd", new Result(2000, 8, 30, Map.of("errors", 0.0)));
        StringWriter text = new StringWriter();
        report.printTable(new PrintWriter(text), write16, "test");

        assertThat(text.toString())
                .contains("sqlite/etcd")
                .containsPattern("creates/s +3000 +2000 +1\\.50")
                .containsPattern("p50 ms +4\\.00 +8\\.00 +0\\.50")
                .containsPattern("errors +0 +0 +-");
    }

    @Test
    void singleBackendHasNoRatio() {
        Report report = new Report(List.of("memory"));
        WriteScenario write1 = new WriteScenario(1, settings);
        report.add(write1, "memory", new Result(10, 1, 1, Map.of()));
        assertThat(report.summaryLine(write1.name(), "write16", "cas16", "range10k", "watch"))
                .startsWith("store: write1_ops=10 write16_ops=n/a write16_ratio=n/a");
    }
}
