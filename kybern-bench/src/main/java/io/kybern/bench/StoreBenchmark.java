package io.kybern.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code store} benchmark: the sqlite backend against a real etcd, both started fresh on this
 * machine in the same run, scenario by scenario, so that whatever else the machine is doing weighs on
 * both alike. With {@code --churn} it instead runs the long churn that checks compaction bounds the files.
 */
@Command(
        name = "store",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "The store backends, sqlite against a real etcd started for the run.",
            "",
            "Creates with 1 and N concurrent writers, get + compare-and-swap updates with N writers, a full range"
                    + " read of 10,000 keys and watch delivery latency, each on every backend in turn, with the ratio"
                    + " of the first backend to the second (sqlite/etcd). The last line on stdout is the summary.",
            "",
            "With --churn: creates, updates and deletes over 10,000 live keys for --minutes, reporting how the"
                    + " files grew from the first minute to the end."})
public final class StoreBenchmark implements Callable<Integer> {

    @Option(names = "--quick", description = "A run of a few minutes: 1 s warm-up and 4 s measured per scenario;"
            + " with --churn, 2 minutes.")
    boolean quick;

    @Option(names = "--warmup", paramLabel = "SECONDS", description = "Warm-up per scenario and backend"
            + " (default 5, 1 with --quick).")
    Double warmupSeconds;

    @Option(names = "--duration", paramLabel = "SECONDS", description = "Measured time per scenario and backend"
            + " (default 25, 4 with --quick).")
    Double durationSeconds;

    @Option(names = "--backends", split = ",", paramLabel = "NAME", defaultValue = "sqlite,etcd",
            description = "Backends to run, the subject first and its peer second (default ${DEFAULT-VALUE});"
                    + " one of sqlite, etcd, memory.")
    List<String> backendNames;

    @Option(names = "--writers", paramLabel = "N", defaultValue = "16", description = "Concurrent writers (default ${DEFAULT-VALUE}).")
    int writers;

    @Option(names = "--value-size", paramLabel = "BYTES", defaultValue = "1024",
            description = "Size of every value (default ${DEFAULT-VALUE}).")
    int valueBytes;

    @Option(names = "--range-keys", paramLabel = "N", defaultValue = "10000", description = "Keys in the range read (default ${DEFAULT-VALUE}).")
    int rangeKeys;

    @Option(names = "--cas-keys", paramLabel = "N", defaultValue = "100",
            description = "Keys the CAS writers share (default ${DEFAULT-VALUE}).")
    int casKeys;

    @Option(names = "--watch-rate", paramLabel = "PUTS_PER_S", defaultValue = "100",
            description = "Write rate under the watch (default ${DEFAULT-VALUE}).")
    int watchRate;

    @Option(names = "--churn", description = "Run the churn instead of the scenarios.")
    boolean churn;

    @Option(names = "--minutes", paramLabel = "N", description = "Churn duration (default 30, 2 with --quick).")
    Double minutes;

    @Option(names = "--churn-keys", paramLabel = "N", defaultValue = "10000", description = "Live keys during churn (default ${DEFAULT-VALUE}).")
    int churnKeys;

    @Option(names = "--churn-writers", paramLabel = "N", defaultValue = "4",
            description = "Churning writers per backend (default ${DEFAULT-VALUE}).")
    int churnWriters;

    @Option(names = "--compact-every", paramLabel = "SECONDS", defaultValue = "10",
            description = "During churn, compact every backend this often to its revision minus --compact-keep;"
                    + " 0 leaves compaction to the backends (default ${DEFAULT-VALUE}).")
    double compactEverySeconds;

    @Option(names = "--compact-keep", paramLabel = "REVISIONS", defaultValue = "1000",
            description = "History kept by those compactions (default ${DEFAULT-VALUE}).")
    long compactKeep;

    @Option(names = "--work-dir", paramLabel = "DIR",
            description = "Where the run's files go, in a fresh subdirectory (default: the system temp dir).")
    Path workDirParent;

    @Option(names = "--keep", description = "Keep the run's files instead of deleting them.")
    boolean keep;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        validate();
        PrintWriter out = spec.commandLine().getOut();
        Progress progress = new Progress(spec.commandLine().getErr());
        Path workDir = workDirParent == null
                ? Files.createTempDirectory("kybern-bench-store-")
                : Files.createTempDirectory(Files.createDirectories(workDirParent), "kybern-bench-store-");
        try (Backends backends = Backends.open(backendNames, workDir, keep, progress)) {
            if (churn) {
                new ChurnRun(churnSettings(), progress).run(backends.list(), out);
            } else {
                runScenarios(backends.list(), out, progress);
            }
        }
        return CommandLine.ExitCode.OK;
    }

    private void runScenarios(List<BenchBackend> backends, PrintWriter out, Progress progress) throws Exception {
        StoreSettings settings = settings();
        WriteScenario write1 = new WriteScenario(1, settings);
        WriteScenario writeN = new WriteScenario(writers, settings);
        CasScenario casN = new CasScenario(settings);
        RangeScenario range = new RangeScenario(settings);
        WatchScenario watch = new WatchScenario(settings);
        Report report = new Report(backends.stream().map(BenchBackend::name).toList());
        String measuredHow = seconds(settings.warmup()) + " s warm-up, then " + seconds(settings.window())
                + " s measured, per backend";
        for (Scenario scenario : List.of(write1, writeN, casN, range, watch)) {
            // Backend after backend within a scenario, so that both see the machine in much the same state.
            for (BenchBackend backend : backends) {
                progress.line("[" + backend.name() + "] " + scenario.name() + ": " + measuredHow);
                report.add(scenario, backend.name(), scenario.run(backend, progress));
            }
            report.printTable(out, scenario, measuredHow);
        }
        out.println();
        for (BenchBackend backend : backends.reversed()) {
            out.println(report.backendLine(backend.name()));
        }
        out.println(report.summaryLine(write1.name(), writeN.name(), casN.name(), range.name(), watch.name()));
        out.flush();
    }

    StoreSettings settings() {
        double warmup = warmupSeconds != null ? warmupSeconds : quick ? 1 : 5;
        double window = durationSeconds != null ? durationSeconds : quick ? 4 : 25;
        return new StoreSettings(ofSeconds(warmup), ofSeconds(window), writers, valueBytes, rangeKeys, casKeys,
                watchRate);
    }

    ChurnRun.Settings churnSettings() {
        Duration duration = ofSeconds(60 * (minutes != null ? minutes : quick ? 2 : 30));
        // The reference is the size after the first minute; a run too short for that takes it halfway.
        Duration baseline = duration.compareTo(Duration.ofMinutes(2)) >= 0 ? Duration.ofMinutes(1) : duration.dividedBy(2);
        return new ChurnRun.Settings(duration, baseline, churnKeys, churnWriters, valueBytes,
                ofSeconds(compactEverySeconds), compactKeep);
    }

    private void validate() {
        if (backendNames.isEmpty() || new HashSet<>(backendNames).size() != backendNames.size()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--backends needs distinct names");
        }
        for (String name : backendNames) {
            if (!Backends.NAMES.contains(name)) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "unknown backend '" + name + "'; known: " + String.join(", ", Backends.NAMES));
            }
        }
        if (minutes != null && !churn) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--minutes goes with --churn");
        }
    }

    private static Duration ofSeconds(double seconds) {
        return Duration.ofMillis(Math.round(seconds * 1000));
    }

    private static String seconds(Duration duration) {
        return Numbers.plain(duration.toMillis() / 1000.0);
    }
}
