package io.kybern.bench;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.grpc.StatusRuntimeException;
import io.kybern.kubelet.cri.CriClient;
import io.kybern.kubelet.cri.api.ListPodSandboxRequest;
import io.kybern.kubelet.containerd.ContainerdLayout;
import io.kybern.kubelet.containerd.PrivateContainerd;
import io.kybern.kubelet.containerd.TestImageImport;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code podstartup} benchmark: pod startup latency on a real node, against containerd's own.
 *
 * <p>A Kybern server (its jar, with controllers and scheduler, no agent of its own) and a separate
 * {@code kybern agent} process joined to it with a service account's token, running its own containerd: the
 * agent alone in its JVM is the honest way to measure its resident memory, which in {@code kybern server}
 * would be mixed with the API server's, the controllers' and the scheduler's. The busybox and pause images
 * (made from the machine's busybox-static, as the containerd tests make them) are imported into that
 * containerd beforehand, so nothing is pulled. Each round, on a node with no sandbox left from the round
 * before, first starts the same number of containers directly with {@code ctr run -d} (same containerd, same
 * image, a containerd namespace of their own: the raw figure, per container from launching {@code ctr} to its
 * return) and removes them; then starts as many pods through CRI directly ({@link CriDirect}: sandbox, network
 * and container, as any node agent must, the floor under the agent's figure) and removes them; then creates the
 * pods at once through the API (one thread per pod) and times each from just before its create call to the
 * first event of a watch that shows it Running, as Kubernetes' pod startup SLI is measured (scheduling,
 * sandbox, CNI network and container included). Each burst's CPU, by process (server, agent, containerd, shims)
 * and for the whole machine, is printed with the round. The pods of the last round stay running while the
 * agent's resident memory is read from {@code /proc}. Ends with {@code podstartup: p50_s=.. p50_ratio=..
 * p99_s=.. agent_rss_mb=.. cri_p50_s=..} (p50 and p99 of every round's pods, the ratio against the raw p50,
 * the CRI peer's p50).
 *
 * <p>Needs root with containerd, ctr, runc, the CNI plugins and busybox-static, as the containerd tests do.
 */
@Command(
        name = "podstartup",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Pod startup on a real node, against containerd alone; the agent's resident memory.",
            "",
            "N pods created at once through the API, creation to Running seen by a watch, against the same N",
            "containers started directly with ctr on the same containerd and the same N pods started through",
            "CRI directly (no API, no agent); and the separate agent process's resident memory with the pods",
            "running.",
            "Ends with: podstartup: p50_s=.. p50_ratio=.. p99_s=.. agent_rss_mb=.. cri_p50_s=..",
            "Needs root, containerd, ctr, runc, the CNI plugins and busybox-static."})
public final class PodStartupBenchmark implements Callable<Integer> {

    static final String NODE = "bench-node";
    static final String NAMESPACE = "bench";
    static final String RAW_NAMESPACE = "kybern-bench-raw";
    static final String CLUSTER_CIDR = "10.127.0.0/16";
    static final Duration NODE_READY_TIMEOUT = Duration.ofSeconds(180);
    static final Duration PODS_RUNNING_TIMEOUT = Duration.ofSeconds(300);

    @Option(names = "--quick", description = "One round instead of --rounds (a couple of minutes).")
    boolean quick;

    @Option(names = "--pods", paramLabel = "N", defaultValue = "30",
            description = "Pods (and raw containers) started at once per round (default ${DEFAULT-VALUE}).")
    int pods;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "3",
            description = "Rounds; the percentiles are over every round's pods (default ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--jar", paramLabel = "FILE", description = "Kybern's jar (default: -Dkybern.jar, as bin/bench"
            + " sets it).")
    Path jar;

    @Option(names = "--keep", description = "Keep the server's data directory and the logs (the agent's directory"
            + " goes with its mounts and network).")
    boolean keep;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Progress progress = new Progress(spec.commandLine().getErr());
        PrivateContainerd.requireRuntime();
        Path jarFile = kybernJar();
        int roundCount = quick ? 1 : rounds;
        Path workDir = Files.createTempDirectory("kybern-bench-podstartup-");
        String bridge = PrivateContainerd.testBridge();
        Path agentDir = workDir.resolve("agent");
        Path socket = ContainerdLayout.under(agentDir).socket();
        RawContainerd raw = new RawContainerd(socket, RAW_NAMESPACE, TestImageImport.BUSYBOX);
        CriDirect cri = new CriDirect(socket, TestImageImport.BUSYBOX, workDir.resolve("cri-logs"));
        Latencies rawLatencies = new Latencies();
        Latencies criLatencies = new Latencies();
        Latencies podLatencies = new Latencies();
        double agentRss;
        try (KybernPeer server = KybernPeer.start(jarFile, aotCache(), workDir, progress, List.of());
                KubernetesClient client = server.client()) {
            AgentProcess agent = AgentProcess.start(jarFile, server.config().getMasterUrl(), agentToken(client),
                    server.serverCa(), agentDir, workDir.resolve("agent.log"), List.of("--node-name", NODE,
                            "--cni-bridge", bridge, "--cluster-cidr", CLUSTER_CIDR, "--kubelet-port", "0"));
            try {
                awaitNodeReady(client, agent, progress);
                TestImageImport.importInto(socket, Files.createDirectories(workDir.resolve("images")));
                TestImageImport.importInto(socket, RAW_NAMESPACE,
                        Files.createDirectories(workDir.resolve("images-raw")));
                progress.line("[podstartup] busybox and pause imported into the agent's containerd");
                NodeCpu cpu = new NodeCpu(server.pid(), agent.pid(), agentDir);
                client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE)
                        .endMetadata().build()).create();
                for (int round = 1; round <= roundCount; round++) {
                    List<String> rawIds = new ArrayList<>();
                    List<String> criNames = new ArrayList<>();
                    for (int i = 0; i < pods; i++) {
                        rawIds.add(String.format("raw-%d-%02d", round, i));
                        criNames.add(String.format("cri-%d-%02d", round, i));
                    }
                    List<Long> rawNanos = raw.startAll(rawIds);
                    rawNanos.forEach(rawLatencies::recordNanos);
                    raw.removeAll();
                    awaitNoSandboxes(socket);
                    Burst criBurst = Burst.measure(cpu, () -> cri.startAll(criNames));
                    criBurst.nanos().forEach(criLatencies::recordNanos);
                    cri.removeAll();
                    awaitNoSandboxes(socket);
                    int thisRound = round;
                    Burst podBurst = Burst.measure(cpu, () -> startPods(client, thisRound));
                    podBurst.nanos().forEach(podLatencies::recordNanos);
                    progress.line("[podstartup] round " + round + ": raw ctr p50 " + seconds(median(rawNanos))
                            + " s; CRI p50 " + seconds(median(criBurst.nanos())) + " s, slowest "
                            + seconds(max(criBurst.nanos())) + " s; pods p50 " + seconds(median(podBurst.nanos()))
                            + " s, slowest " + seconds(max(podBurst.nanos())) + " s");
                    progress.line("[podstartup]   CPU for the CRI burst: " + criBurst.cpu());
                    progress.line("[podstartup]   CPU for the pods' burst: " + podBurst.cpu());
                    if (round < roundCount) {
                        deletePods(client);
                        awaitNoSandboxes(socket);
                    }
                }
                // The last round's pods run: let the agent settle after its burst, then read its memory.
                Thread.sleep(5000);
                agentRss = agent.residentMb();
                deletePods(client);
            } finally {
                try {
                    raw.removeAll();
                    cri.removeAll();
                    removeSandboxes(socket);
                } finally {
                    agent.close();
                }
            }
        } finally {
            PrivateContainerd.cleanUp(agentDir, bridge);
            if (!keep) {
                PrivateContainerd.cleanUp(workDir, null);
            } else {
                progress.line("[podstartup] files kept in " + workDir);
            }
        }
        double rawP50 = rawLatencies.p50Ms() / 1000;
        double p50 = podLatencies.p50Ms() / 1000;
        double p99 = podLatencies.p99Ms() / 1000;
        out.printf("raw containerd (ctr run -d, %d at once, %d round%s): p50 %s s, p99 %s s%n", pods, roundCount,
                roundCount == 1 ? "" : "s", Numbers.fixed2(rawP50), Numbers.fixed2(rawLatencies.p99Ms() / 1000));
        out.printf("CRI directly (RunPodSandbox, CreateContainer, StartContainer, %d at once): p50 %s s, p99 %s s%n",
                pods, Numbers.fixed2(criLatencies.p50Ms() / 1000), Numbers.fixed2(criLatencies.p99Ms() / 1000));
        out.printf("pods (%d created at once through the API, creation to Running by a watch): p50 %s s, p99 %s s%n",
                pods, Numbers.fixed2(p50), Numbers.fixed2(p99));
        out.printf("agent process resident memory with %d pods running: %s MiB%n", pods,
                Numbers.plain(Math.round(agentRss)));
        // The figures depend on what else the machine runs: say how busy it was.
        out.println("load average (1, 5, 15 min) at the end: " + String.join(" ",
                Arrays.asList(Files.readString(Path.of("/proc/loadavg")).strip().split("\\s+")).subList(0, 3)));
        out.println("podstartup: p50_s=" + Numbers.fixed2(p50) + " p50_ratio=" + Numbers.fixed2(p50 / rawP50)
                + " p99_s=" + Numbers.fixed2(p99) + " agent_rss_mb=" + Numbers.plain(Math.round(agentRss))
                + " cri_p50_s=" + Numbers.fixed2(criLatencies.p50Ms() / 1000)
                + (quick ? " (quick)" : ""));
        return CommandLine.ExitCode.OK;
    }

    /** A service account's token, as {@code kubectl create token} would give one to join an agent. */
    private static String agentToken(KubernetesClient client) {
        client.serviceAccounts().inNamespace("kube-system").resource(new ServiceAccountBuilder().withNewMetadata()
                .withName("bench-agent").endMetadata().build()).create();
        return client.serviceAccounts().inNamespace("kube-system").withName("bench-agent")
                .tokenRequest(new TokenRequestBuilder().withNewSpec().withExpirationSeconds(3600L).endSpec().build())
                .getStatus().getToken();
    }

    private static void awaitNodeReady(KubernetesClient client, AgentProcess agent, Progress progress)
            throws Exception {
        long deadline = System.nanoTime() + NODE_READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!agent.alive()) {
                throw new IllegalStateException("the agent exited before its node was ready; see " + agent.log());
            }
            Node node = client.nodes().withName(NODE).get();
            if (node != null && node.getStatus() != null && node.getStatus().getConditions() != null
                    && node.getStatus().getConditions().stream().anyMatch(c -> c.getType().equals("Ready")
                            && c.getStatus().equals("True"))) {
                progress.line("[podstartup] node " + NODE + " ready, agent pid " + agent.pid());
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("node " + NODE + " not ready within " + NODE_READY_TIMEOUT + "; see "
                + agent.log());
    }

    /** Creates the round's pods at once and returns each one's creation-to-Running time, in ns. */
    private List<Long> startPods(KubernetesClient client, int round) throws Exception {
        Map<String, Long> createdAt = new ConcurrentHashMap<>();
        Map<String, Long> runningAt = new ConcurrentHashMap<>();
        CountDownLatch allRunning = new CountDownLatch(pods);
        Watch watch = client.pods().inNamespace(NAMESPACE).watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, Pod pod) {
                long now = System.nanoTime();
                if (pod.getStatus() != null && "Running".equals(pod.getStatus().getPhase())
                        && runningAt.putIfAbsent(pod.getMetadata().getName(), now) == null) {
                    allRunning.countDown();
                }
            }

            @Override
            public void onClose(WatcherException cause) {
                // Ends with the round (or the run's failure reports the missing pods).
            }
        });
        try (watch; ExecutorService creators = Executors.newFixedThreadPool(pods)) {
            CountDownLatch ready = new CountDownLatch(1);
            List<Future<?>> creations = new ArrayList<>();
            for (int i = 0; i < pods; i++) {
                String name = String.format("pod-%d-%02d", round, i);
                creations.add(creators.submit(() -> {
                    ready.await();
                    createdAt.put(name, System.nanoTime());
                    client.pods().inNamespace(NAMESPACE).resource(pod(name)).create();
                    return null;
                }));
            }
            ready.countDown();
            for (Future<?> creation : creations) {
                creation.get();
            }
            if (!allRunning.await(PODS_RUNNING_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                throw new IllegalStateException((pods - runningAt.size()) + " of " + pods + " pods not Running within "
                        + PODS_RUNNING_TIMEOUT);
            }
        }
        List<Long> nanos = new ArrayList<>();
        createdAt.forEach((name, created) -> nanos.add(runningAt.get(name) - created));
        return nanos;
    }

    private static Pod pod(String name) {
        // IfNotPresent: the image was imported; :latest would otherwise be pulled, and there is no registry.
        return new PodBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec().addNewContainer()
                .withName("sleep").withImage("busybox").withImagePullPolicy("IfNotPresent")
                .withCommand("sleep", "3600").endContainer().withTerminationGracePeriodSeconds(0L).endSpec().build();
    }

    /** Deletes the namespace's pods and waits until the agent has removed them (their sandboxes with them). */
    private static void deletePods(KubernetesClient client) throws InterruptedException {
        client.pods().inNamespace(NAMESPACE).withGracePeriod(0).delete();
        long deadline = System.nanoTime() + PODS_RUNNING_TIMEOUT.toNanos();
        while (!client.pods().inNamespace(NAMESPACE).list().getItems().isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("pods not removed within " + PODS_RUNNING_TIMEOUT);
            }
            Thread.sleep(200);
        }
    }

    /** A burst's latencies and the CPU its processes used. */
    private record Burst(List<Long> nanos, String cpu) {

        static Burst measure(NodeCpu cpu, Callable<List<Long>> burst) throws Exception {
            Map<String, Double> before = cpu.read();
            double machineBefore = NodeCpu.machineBusySeconds();
            List<Long> nanos = burst.call();
            Map<String, Double> used = NodeCpu.used(before, cpu.read());
            double machine = NodeCpu.machineBusySeconds() - machineBefore;
            return new Burst(nanos, NodeCpu.describe(used) + "; the machine's busy time " + Numbers.fixed2(machine)
                    + " s");
        }
    }

    /**
     * Waits until containerd has no sandbox left, and a second more for their shims to exit: the next burst would
     * otherwise start beside the removal and share the CPU with it.
     */
    private static void awaitNoSandboxes(Path socket) throws InterruptedException {
        long deadline = System.nanoTime() + PODS_RUNNING_TIMEOUT.toNanos();
        try (CriClient cri = CriClient.connect(socket)) {
            while (cri.runtime().listPodSandbox(ListPodSandboxRequest.getDefaultInstance()).getItemsCount() > 0) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("sandboxes not removed within " + PODS_RUNNING_TIMEOUT);
                }
                Thread.sleep(200);
            }
        }
        Thread.sleep(1000);
    }

    /**
     * Removes what sandboxes remain before the agent stops its containerd (their shims would outlive it). The
     * agent may be removing some at the same moment: one that vanished meanwhile is tried again.
     */
    private static void removeSandboxes(Path socket) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                PrivateContainerd.removeAllSandboxes(socket);
                return;
            } catch (StatusRuntimeException e) {
                if (attempt == 5) {
                    throw e;
                }
                Thread.sleep(500);
            }
        }
    }

    private static long median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get((sorted.size() - 1) / 2);
    }

    private static long max(List<Long> values) {
        return values.stream().mapToLong(Long::longValue).max().orElse(0);
    }

    private static String seconds(long nanos) {
        return Numbers.fixed2(nanos / 1e9);
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

    private static Path aotCache() {
        String property = System.getProperty("kybern.aot");
        return property == null ? null : Path.of(property);
    }
}
