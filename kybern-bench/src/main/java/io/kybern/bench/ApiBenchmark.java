package io.kybern.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code api} benchmark: the same fabric8 client against Kybern (its jar, embedded SQLite, durable)
 * and against fabric8's KubernetesMockServer in CRUD mode (in memory, no durability), each in a JVM of
 * its own, started on this machine in the same run. Scenario by scenario, Kybern first and the mock
 * second, so that whatever else the machine does weighs on both alike.
 */
@Command(
        name = "api",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "The API server through fabric8: Kybern against fabric8's mock server (CRUD mode).",
            "",
            "ConfigMap create, get, update and LIST of 1,000 with N concurrent clients, one change seen by 100"
                    + " watchers, a LIST of 10,000 pods at resourceVersion=0, time to ready and resident memory,"
                    + " with the ratio kybern/mock of every figure. The last line on stdout is the summary."})
public final class ApiBenchmark implements Callable<Integer> {

    @Option(names = "--quick", description = "A run of a few minutes: 1 s warm-up and 4 s measured per scenario,"
            + " 5 LISTs of the pods.")
    boolean quick;

    @Option(names = "--warmup", paramLabel = "SECONDS", description = "Warm-up per scenario and peer (default 5,"
            + " 1 with --quick).")
    Double warmupSeconds;

    @Option(names = "--duration", paramLabel = "SECONDS", description = "Measured time per scenario and peer"
            + " (default 25, 4 with --quick).")
    Double durationSeconds;

    @Option(names = "--clients", paramLabel = "N", defaultValue = "16",
            description = "Concurrent clients, each a fabric8 client of its own (default ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--watchers", paramLabel = "N", defaultValue = "100",
            description = "Watches following one changing object (default ${DEFAULT-VALUE}).")
    int watchers;

    @Option(names = "--watch-rate", paramLabel = "CHANGES_PER_S", defaultValue = "10",
            description = "Changes per second under the watchers (default ${DEFAULT-VALUE}).")
    int watchRate;

    @Option(names = "--list-items", paramLabel = "N", defaultValue = "1000",
            description = "ConfigMaps in the listed namespace (default ${DEFAULT-VALUE}).")
    int listItems;

    @Option(names = "--pods", paramLabel = "N", defaultValue = "10000",
            description = "Pods loaded, then listed at resourceVersion=0 (default ${DEFAULT-VALUE}).")
    int pods;

    @Option(names = "--list-repeats", paramLabel = "N", description = "LISTs of the pods measured (default 20,"
            + " 5 with --quick).")
    Integer listRepeats;

    @Option(names = "--peers", split = ",", paramLabel = "NAME", defaultValue = "kybern,mock",
            description = "Servers to run, the subject first (default ${DEFAULT-VALUE}).")
    List<String> peerNames;

    @Option(names = "--scenarios", split = ",", paramLabel = "NAME", defaultValue = "create,get,update,list,watch,list10k",
            description = "Scenarios to run, in this order whatever the order given (default ${DEFAULT-VALUE});"
                    + " get and update need create. The summary names only the figures measured.")
    List<String> scenarioNames;

    @Option(names = "--server-flag", paramLabel = "FLAG", description = "A flag for `kybern server`, repeatable"
            + " (--server-flag=--disable-controller-manager, say, to see what the controllers cost); the targets are"
            + " measured without.")
    List<String> serverFlags = new ArrayList<>();

    @Option(names = "--jar", paramLabel = "FILE", description = "Kybern's jar (default: -Dkybern.jar, as bin/bench"
            + " sets it).")
    Path jar;

    @Option(names = "--no-aot", description = "Start Kybern without the AOT class cache bin/kybern uses.")
    boolean noAot;

    @Option(names = "--work-dir", paramLabel = "DIR",
            description = "Where the run's files go, in a fresh subdirectory (default: the system temp dir).")
    Path workDirParent;

    @Option(names = "--keep", description = "Keep the run's files (data directories, server logs).")
    boolean keep;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private static final List<String> SCENARIOS = List.of("create", "get", "update", "list", "watch", "list10k");

    @Override
    public Integer call() throws Exception {
        for (String name : peerNames) {
            if (!name.equals("kybern") && !name.equals("mock")) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "unknown peer '" + name + "'; known: kybern, mock");
            }
        }
        for (String name : scenarioNames) {
            if (!SCENARIOS.contains(name)) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "unknown scenario '" + name + "'; known: " + String.join(", ", SCENARIOS));
            }
        }
        if (!scenarioNames.contains("create") && (scenarioNames.contains("get") || scenarioNames.contains("update"))) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "get and update read and change the ConfigMaps create makes: add create");
        }
        PrintWriter out = spec.commandLine().getOut();
        Progress progress = new Progress(spec.commandLine().getErr());
        ApiScenarios.Settings settings = settings();
        Path workDir = workDirParent == null ? Files.createTempDirectory("kybern-bench-api-")
                : Files.createTempDirectory(Files.createDirectories(workDirParent), "kybern-bench-api-");
        List<ApiPeer> peers = new ArrayList<>();
        List<ApiScenarios> runs = new ArrayList<>();
        try {
            for (String name : peerNames) {
                ApiPeer peer = name.equals("kybern")
                        ? KybernPeer.start(kybernJar(), aotCache(), workDir, progress, serverFlags)
                        : MockPeer.start(workDir, progress);
                peers.add(peer);
                runs.add(new ApiScenarios(peer, settings));
            }
            run(settings, peers, runs, out, progress);
        } finally {
            for (ApiScenarios run : runs) {
                run.close();
            }
            for (ApiPeer peer : peers) {
                peer.close();
            }
            if (!keep) {
                deleteTree(workDir);
            } else {
                progress.line("files kept in " + workDir);
            }
        }
        return CommandLine.ExitCode.OK;
    }

    private void run(ApiScenarios.Settings settings, List<ApiPeer> peers, List<ApiScenarios> runs, PrintWriter out,
            Progress progress) throws Exception {
        List<String> names = peers.stream().map(ApiPeer::name).toList();
        Map<String, Map<String, Result>> results = new LinkedHashMap<>();
        String measured = Numbers.plain(settings.warmup().toMillis() / 1000.0) + " s warm-up, then "
                + Numbers.plain(settings.window().toMillis() / 1000.0) + " s measured, per server";
        int n = settings.clients();
        // Both JVMs (servers and clients) start cold; without this the first scenario measures the JIT.
        Duration warmJit = Duration.ofSeconds(Math.max(3, settings.warmup().toSeconds()));
        for (int i = 0; i < peers.size(); i++) {
            progress.line("[" + peers.get(i).name() + "] warming up: " + warmJit.toSeconds()
                    + " s of creates, gets and updates, not measured");
            runs.get(i).warmUp(warmJit);
        }
        List<String> chosen = chosenScenarios();
        for (String scenario : chosen) {
            for (int i = 0; i < peers.size(); i++) {
                ApiScenarios on = runs.get(i);
                progress.line("[" + peers.get(i).name() + "] " + scenario);
                Result result = switch (scenario) {
                    case "create" -> on.create();
                    case "get" -> on.get();
                    case "update" -> on.update();
                    case "list" -> {
                        on.loadListNamespace(progress);
                        yield on.list();
                    }
                    case "watch" -> on.watch();
                    case "list10k" -> {
                        on.loadPods(progress);
                        yield on.listPods();
                    }
                    default -> throw new IllegalStateException(scenario);
                };
                results.computeIfAbsent(scenario, s -> new LinkedHashMap<>()).put(peers.get(i).name(), result);
            }
            ApiTable table = switch (scenario) {
                case "create" -> new ApiTable("create" + n, "ConfigMap creates, " + n + " clients", measured,
                        "creates/s");
                case "get" -> new ApiTable("get" + n, "ConfigMap GETs of random created ones, " + n + " clients",
                        measured, "gets/s");
                case "update" -> new ApiTable("update" + n, "ConfigMap updates with resourceVersion, " + n
                        + " clients, each on its own objects", measured, "updates/s");
                case "list" -> new ApiTable("list" + shortCount(settings.listItems()), "LIST of "
                        + settings.listItems() + " ConfigMaps, " + n + " clients", measured, "lists/s");
                case "watch" -> new ApiTable("watch" + settings.watchers(), "one ConfigMap changed "
                        + settings.watchRate() + " times/s, " + settings.watchers()
                        + " watchers: write acknowledged -> event received", measured, "events/s");
                case "list10k" -> new ApiTable("list" + shortCount(settings.pods()), "LIST of " + settings.pods()
                        + " pods at resourceVersion=0, one at a time, read as bytes by fabric8's HTTP client"
                        + " (typed: decoded into Pods too)", settings.listRepeats() + " LISTs after 2 unmeasured",
                        "lists/s");
                default -> throw new IllegalStateException(scenario);
            };
            table.print(out, names, results.get(scenario));
        }
        Map<String, Map<String, Double>> figures = new LinkedHashMap<>();
        for (ApiPeer peer : peers) {
            Map<String, Double> own = new LinkedHashMap<>();
            own.put("ready_s", peer.readySeconds());
            if (results.containsKey("list10k")) {
                own.put("rss10k_mb", results.get("list10k").get(peer.name()).extras().get("rss MB"));
            }
            figures.put(peer.name(), own);
        }
        ApiTable.printStartAndMemory(out, names, figures);
        out.println();
        for (ApiPeer peer : peers.reversed()) {
            out.println(peerLine(peer.name(), settings, results, figures.get(peer.name())));
        }
        out.println(summary(names, settings, results, figures));
        out.flush();
    }

    private String peerLine(String peer, ApiScenarios.Settings settings, Map<String, Map<String, Result>> results,
            Map<String, Double> figures) {
        StringBuilder line = new StringBuilder("api-" + peer + ":");
        for (String scenario : chosenScenarios()) {
            Result r = results.get(scenario).get(peer);
            String label = label(scenario, settings);
            line.append(' ').append(label).append("_ops=").append(Numbers.figure(r.throughput()));
            line.append(' ').append(label).append("_p50_ms=").append(Numbers.fixed2(r.p50Ms()));
            line.append(' ').append(label).append("_p99_ms=").append(Numbers.fixed2(r.p99Ms()));
        }
        figures.forEach((k, v) -> line.append(' ').append(k).append('=').append(Numbers.fixed2(v)));
        return line.toString();
    }

    /**
     * {@code api: create_ratio=.. create_p99_ms=.. list10k_ms=.. watch100_p99_ms=.. ready_s=..
     * rss10k_mb=..}: the subject's figures, and its create throughput over the peer's.
     */
    private String summary(List<String> names, ApiScenarios.Settings settings,
            Map<String, Map<String, Result>> results, Map<String, Map<String, Double>> figures) {
        String subject = names.getFirst();
        StringBuilder line = new StringBuilder("api:");
        if (results.containsKey("create")) {
            double ratio = names.size() < 2 ? Double.NaN : Numbers.ratio(
                    results.get("create").get(subject).throughput(),
                    results.get("create").get(names.get(1)).throughput());
            line.append(" create_ratio=").append(Numbers.fixed2(ratio))
                    .append(" create_p99_ms=").append(Numbers.fixed2(results.get("create").get(subject).p99Ms()));
        }
        if (results.containsKey("list10k")) {
            line.append(' ').append(label("list10k", settings)).append("_ms=")
                    .append(Numbers.fixed2(results.get("list10k").get(subject).p50Ms()));
        }
        if (results.containsKey("watch")) {
            line.append(' ').append(label("watch", settings)).append("_p99_ms=")
                    .append(Numbers.fixed2(results.get("watch").get(subject).p99Ms()));
        }
        line.append(" ready_s=").append(Numbers.fixed2(figures.get(subject).get("ready_s")));
        if (results.containsKey("list10k")) {
            line.append(" rss").append(shortCount(settings.pods())).append("_mb=")
                    .append(Numbers.whole(figures.get(subject).get("rss10k_mb")));
        }
        return line.toString();
    }

    /** The scenarios asked for, in the order they always run in. */
    private List<String> chosenScenarios() {
        return SCENARIOS.stream().filter(scenarioNames::contains).toList();
    }

    private String label(String scenario, ApiScenarios.Settings settings) {
        return switch (scenario) {
            case "create", "get", "update" -> scenario + settings.clients();
            case "list" -> "list" + shortCount(settings.listItems());
            case "watch" -> "watch" + settings.watchers();
            case "list10k" -> "list" + shortCount(settings.pods());
            default -> scenario;
        };
    }

    /** 1000 as 1k, 10000 as 10k, anything else as it is. */
    static String shortCount(int n) {
        return n >= 1000 && n % 1000 == 0 ? (n / 1000) + "k" : Integer.toString(n);
    }

    ApiScenarios.Settings settings() {
        double warmup = warmupSeconds != null ? warmupSeconds : quick ? 1 : 5;
        double window = durationSeconds != null ? durationSeconds : quick ? 4 : 25;
        int repeats = listRepeats != null ? listRepeats : quick ? 5 : 20;
        return new ApiScenarios.Settings(Duration.ofMillis(Math.round(warmup * 1000)),
                Duration.ofMillis(Math.round(window * 1000)), clients, watchers, watchRate, listItems, pods, repeats);
    }

    private Path kybernJar() {
        if (jar != null) {
            return jar;
        }
        String property = System.getProperty("kybern.jar");
        if (property == null) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "where is Kybern's jar? give --jar, or run through bin/bench, which builds it");
        }
        return Path.of(property);
    }

    private Path aotCache() {
        if (noAot) {
            return null;
        }
        String property = System.getProperty("kybern.aot");
        return property == null ? null : Path.of(property);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
