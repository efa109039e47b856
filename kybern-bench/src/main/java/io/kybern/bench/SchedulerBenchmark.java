package io.kybern.bench;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.NodeStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.kybern.scheduler.Scheduler;
import io.kybern.testkit.TestCluster;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code scheduler} benchmark: a Kybern server (its jar, started with {@code --disable-scheduler} and
 * {@code --disable-controller-manager})
 * with N Node objects created through the API (allocatable and Ready written through the status
 * subresource; no node agent, so pods are only bound, never run) and P basic pods created by concurrent
 * fabric8 clients while no scheduler runs. Then Kybern's scheduler starts in this JVM, a client of that
 * server as it is of its own in {@code kybern server}, and the figure is pods bound per second from its
 * start (informers' first list included) to the last pod a watch sees bound, as kube-scheduler's
 * scheduler_perf measures throughput on pods created beforehand. Pod creation is kept out of the figure:
 * it is the API server's rate, not the scheduler's.
 *
 * <p>Then three figures of the whole server (controllers, scheduler and simulated nodes in its JVM): a
 * Deployment of 1,000 replicas on 100 simulated nodes, timed from its creation to all replicas available;
 * the heap the server holds (after a full collection) with 5,000 simulated nodes and 50,000 running pods;
 * and the test kit's start to its first client call in this JVM (the first start of the JVM, then the
 * median of the next five, which is the figure: a test suite pays the first once).
 */
@Command(
        name = "scheduler",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "The scheduler: pods/s bound on N nodes (API objects, no node agent) for P basic pods.",
            "",
            "Then: a Deployment of 1,000 replicas on 100 simulated nodes to fully available; the server's heap with",
            "5,000 simulated nodes and 50,000 running pods; the test kit's start to its first client call.",
            "Ends with: scheduler: pods_per_s_1k=.. pods_per_s_5k=.. deploy1000_s=.. heap5k_mb=.. testkit_start_ms=..",
            "(--quick runs smaller sizes, so its pods_per_s figures are n/a and the others are marked as quick)."})
public final class SchedulerBenchmark implements Callable<Integer> {

    @Option(names = "--quick", description = "A few minutes: 100 nodes and 1,000 pods, a Deployment of 200 on 20 nodes,"
            + " 500 nodes with 5,000 pods for the heap.")
    boolean quick;

    @Option(names = "--nodes", split = ",", paramLabel = "N", defaultValue = "1000,5000",
            description = "Node counts to run, each on a fresh server (default ${DEFAULT-VALUE}).")
    List<Integer> nodeCounts;

    @Option(names = "--pods", paramLabel = "P", defaultValue = "10000",
            description = "Pods per run (default ${DEFAULT-VALUE}).")
    int pods;

    @Option(names = "--clients", paramLabel = "N", defaultValue = "16",
            description = "Concurrent clients creating nodes and pods (default ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--datastore-endpoint", paramLabel = "ENDPOINT", defaultValue = "",
            description = "The server's datastore, as kybern server takes it (default: its embedded SQLite).")
    String datastore;

    @Option(names = "--jar", paramLabel = "FILE", description = "Kybern's jar (default: -Dkybern.jar, as bin/bench"
            + " sets it).")
    Path jar;

    @Option(names = "--throughput-only", description = "Only the pods/s runs (to profile the scheduler); the summary"
            + " line then shows n/a for the whole-server figures. Same as --parts throughput.")
    boolean throughputOnly;

    /** The benchmark's parts, each one figure (or two) of the summary line. */
    enum Part { throughput, deploy, heap, testkit }

    @Option(names = "--parts", split = ",", paramLabel = "PART", defaultValue = "throughput,deploy,heap,testkit",
            description = "The parts to run, of ${COMPLETION-CANDIDATES} (default all); the summary line shows n/a"
                    + " for the others. One part alone is what to profile.")
    Set<Part> parts;

    @Option(names = "--keep", description = "Keep the run's files (data directories, server logs).")
    boolean keep;

    @Option(names = "--stages", description = "While the Deployment becomes available, print its status and its pods'"
            + " stages (created, bound, running, ready) about once a second: where the time goes. Adds a pod watch"
            + " to the server, so the figure is a little slower.")
    boolean stages;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** One run's figures. */
    record Run(int nodes, int pods, double nodesSeconds, double createSeconds, double bindSeconds) {
        double podsPerSecond() {
            return pods / bindSeconds;
        }
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Progress progress = new Progress(spec.commandLine().getErr());
        if (throughputOnly) {
            parts = Set.of(Part.throughput);
        }
        List<Integer> sizes = !parts.contains(Part.throughput) ? List.<Integer>of()
                : quick ? List.of(100) : nodeCounts;
        int podCount = quick ? 1000 : pods;
        Map<Integer, Run> runs = new LinkedHashMap<>();
        for (int nodes : sizes) {
            Run run = runOnce(nodes, podCount, progress);
            runs.put(nodes, run);
            out.printf("scheduler %d nodes, %d pods: nodes created in %s s; pods created in %s s (%s/s); all bound "
                    + "%s s after the scheduler started: %s pods/s%n", nodes, podCount,
                    Numbers.fixed2(run.nodesSeconds()), Numbers.fixed2(run.createSeconds()),
                    Numbers.plain(Math.round(podCount / run.createSeconds())), Numbers.fixed2(run.bindSeconds()),
                    Numbers.plain(Math.round(run.podsPerSecond())));
            out.flush();
        }

        int deployNodes = quick ? 20 : 100;
        int replicas = quick ? 200 : 1000;
        Double deploySeconds = null;
        if (parts.contains(Part.deploy)) {
            deploySeconds = deploymentToAvailable(deployNodes, replicas, progress);
            out.printf("deployment of %d replicas on %d simulated nodes: fully available in %s s%n", replicas,
                    deployNodes, Numbers.fixed2(deploySeconds));
            out.flush();
        }

        int heapNodes = quick ? 500 : 5000;
        int heapPods = quick ? 5000 : 50000;
        Double heapMb = null;
        if (parts.contains(Part.heap)) {
            heapMb = heapWith(heapNodes, heapPods, progress);
            out.printf("server heap with %d simulated nodes and %d running pods: %s MiB used after a full GC%n",
                    heapNodes, heapPods, Numbers.plain(Math.round(heapMb)));
            out.flush();
        }

        TestkitStarts starts = null;
        if (parts.contains(Part.testkit)) {
            starts = testkitStarts(progress);
            out.printf("test kit (3 simulated nodes, controllers, scheduler) start to first client call: first in the"
                    + " JVM %d ms, then median %d ms of %s (%d ms of CPU each, stop included)%n", starts.first(),
                    starts.median(), starts.warm(), starts.cpuMillisPerStart());
        }

        // A quick run's sizes are not the targets': its figures are shown as quick, never as the targets' own.
        String q = quick ? "(quick)" : "";
        out.println("scheduler: pods_per_s_1k=" + figure(runs.get(1000)) + " pods_per_s_5k=" + figure(runs.get(5000))
                + " deploy1000_s=" + (deploySeconds == null ? "n/a" : Numbers.fixed2(deploySeconds) + q)
                + " heap5k_mb=" + (heapMb == null ? "n/a" : Numbers.plain(Math.round(heapMb)) + q)
                + " testkit_start_ms=" + (starts == null ? "n/a" : Long.toString(starts.median())));
        return CommandLine.ExitCode.OK;
    }

    private static String figure(Run run) {
        return run == null ? "n/a" : Numbers.plain(Math.round(run.podsPerSecond()));
    }

    private Run runOnce(int nodeCount, int podCount, Progress progress) throws Exception {
        Path workDir = Files.createTempDirectory("kybern-bench-scheduler-");
        // No controllers either, as in kube-scheduler's scheduler_perf: these Nodes have no agent renewing their
        // Leases, so the node lifecycle controller would taint them unreachable after 40 s and the scheduler
        // would spend the run explaining why nothing fits.
        List<String> flags = new ArrayList<>(List.of("--disable-scheduler", "--disable-controller-manager"));
        if (!datastore.isEmpty()) {
            flags.addAll(List.of("--datastore-endpoint", datastore));
        }
        try (KybernPeer peer = KybernPeer.start(kybernJar(), aotCache(), workDir, progress, flags);
                KubernetesClient client = peer.client()) {
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            List<KubernetesClient> clientsUsed = new ArrayList<>();
            try {
                for (int i = 0; i < clients; i++) {
                    clientsUsed.add(peer.client());
                }
                long nodesStarted = System.nanoTime();
                parallel(pool, nodeCount, i -> createNode(clientsUsed.get(i % clients), String.format("node-%05d", i)));
                double nodesSeconds = (System.nanoTime() - nodesStarted) / 1e9;
                progress.line("[scheduler] " + nodeCount + " nodes created in " + Numbers.fixed2(nodesSeconds) + " s");
                // Let the scheduler's informer see every node before pods arrive.
                Thread.sleep(2000);

                client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("bench").endMetadata()
                        .build()).create();
                Set<String> bound = ConcurrentHashMap.newKeySet();
                AtomicLong lastBound = new AtomicLong();
                SharedIndexInformer<Pod> informer = client.pods().inNamespace("bench").inform(
                        new ResourceEventHandler<>() {
                            @Override
                            public void onAdd(Pod pod) {
                                seen(pod);
                            }

                            @Override
                            public void onUpdate(Pod old, Pod pod) {
                                seen(pod);
                            }

                            @Override
                            public void onDelete(Pod pod, boolean unknown) {
                            }

                            private void seen(Pod pod) {
                                if (pod.getSpec().getNodeName() != null && bound.add(pod.getMetadata().getName())) {
                                    lastBound.set(System.nanoTime());
                                }
                            }
                        });
                try {
                    long podsStarted = System.nanoTime();
                    parallel(pool, podCount, i -> clientsUsed.get(i % clients).pods().inNamespace("bench")
                            .resource(basicPod("pod-" + i)).create());
                    double createSeconds = (System.nanoTime() - podsStarted) / 1e9;
                    progress.line("[scheduler] " + podCount + " pods created in " + Numbers.fixed2(createSeconds)
                            + " s; starting the scheduler");
                    long schedulerStarted = System.nanoTime();
                    Scheduler scheduler = Scheduler.start(client, Scheduler.Config.defaults(Clock.systemUTC()));
                    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
                    while (bound.size() < podCount && System.nanoTime() < deadline) {
                        Thread.sleep(50);
                    }
                    // The Scheduled events follow the bindings (kybern-scheduler BackgroundEvents): say how far
                    // behind they were, and let them finish before the scheduler stops.
                    int unwritten = scheduler.unwrittenEvents();
                    long eventsDeadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
                    while (scheduler.unwrittenEvents() > 0 && System.nanoTime() < eventsDeadline) {
                        Thread.sleep(20);
                    }
                    progress.line("[scheduler] " + unwritten + " Scheduled events were unwritten when every pod was"
                            + " bound; " + scheduler.unwrittenEvents() + " still unwritten "
                            + Numbers.fixed2((System.nanoTime() - lastBound.get()) / 1e9) + " s after the last binding");
                    scheduler.close();
                    if (bound.size() < podCount) {
                        throw new IllegalStateException("only " + bound.size() + " of " + podCount
                                + " pods bound in 10 minutes; server log: " + workDir);
                    }
                    return new Run(nodeCount, podCount, nodesSeconds, createSeconds,
                            (lastBound.get() - schedulerStarted) / 1e9);
                } finally {
                    informer.close();
                }
            } finally {
                pool.shutdownNow();
                clientsUsed.forEach(KubernetesClient::close);
            }
        } finally {
            if (!keep) {
                deleteTree(workDir);
            } else {
                progress.line("files kept in " + workDir);
            }
        }
    }

    /**
     * A server with {@code nodes} simulated nodes (default shape); a Deployment of {@code replicas} basic pods
     * created at once; seconds from its creation until its status says every replica is available.
     */
    private double deploymentToAvailable(int nodes, int replicas, Progress progress) throws Exception {
        Path workDir = Files.createTempDirectory("kybern-bench-deploy-");
        try (KybernPeer peer = KybernPeer.start(kybernJar(), aotCache(), workDir, progress,
                List.of("--simulated-nodes", Integer.toString(nodes)));
                KubernetesClient client = peer.client()) {
            awaitNodes(client, nodes);
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("bench").endMetadata()
                    .build()).create();
            // With --stages, the pods' progress beside the Deployment's status: which stage the time goes to.
            Map<String, Pod> podsSeen = new ConcurrentHashMap<>();
            SharedIndexInformer<Pod> podInformer = !stages ? null : client.pods().inNamespace("bench").inform(
                    new ResourceEventHandler<>() {
                        @Override
                        public void onAdd(Pod pod) {
                            podsSeen.put(pod.getMetadata().getName(), pod);
                        }

                        @Override
                        public void onUpdate(Pod old, Pod pod) {
                            podsSeen.put(pod.getMetadata().getName(), pod);
                        }

                        @Override
                        public void onDelete(Pod pod, boolean unknown) {
                            podsSeen.remove(pod.getMetadata().getName());
                        }
                    });
            long started = System.nanoTime();
            client.apps().deployments().inNamespace("bench").resource(new DeploymentBuilder().withNewMetadata()
                    .withName("web").endMetadata().withNewSpec().withReplicas(replicas).withNewSelector()
                    .addToMatchLabels("app", "web").endSelector().withNewTemplate().withNewMetadata()
                    .addToLabels("app", "web").endMetadata().withSpec(basicPod("template").getSpec()).endTemplate()
                    .endSpec().build()).create();
            long deadline = started + TimeUnit.MINUTES.toNanos(10);
            String shown = "";
            long shownAt = 0;
            try {
                while (System.nanoTime() < deadline) {
                    Deployment deployment = client.apps().deployments().inNamespace("bench").withName("web").get();
                    DeploymentStatus status = deployment.getStatus() == null ? new DeploymentStatus()
                            : deployment.getStatus();
                    long now = System.nanoTime();
                    String seen = "replicas=" + status.getReplicas() + " updated=" + status.getUpdatedReplicas()
                            + " ready=" + status.getReadyReplicas() + " available=" + status.getAvailableReplicas()
                            + "; pods " + podStages(podsSeen.values());
                    if (stages && !seen.equals(shown) && now - shownAt >= TimeUnit.SECONDS.toNanos(1)) {
                        progress.line("[deploy] " + Numbers.fixed2((now - started) / 1e9) + " s: " + seen);
                        shown = seen;
                        shownAt = now;
                    }
                    Integer available = status.getAvailableReplicas();
                    if (available != null && available == replicas) {
                        return (now - started) / 1e9;
                    }
                    Thread.sleep(100);
                }
            } finally {
                if (podInformer != null) {
                    podInformer.close();
                }
            }
            throw new IllegalStateException("the Deployment of " + replicas + " was not available in 10 minutes; "
                    + "server log: " + workDir);
        } finally {
            cleanUp(workDir, progress);
        }
    }

    private static String podStages(Collection<Pod> pods) {
        int bound = 0;
        int running = 0;
        int ready = 0;
        for (Pod pod : pods) {
            if (pod.getSpec().getNodeName() != null) {
                bound++;
            }
            if (pod.getStatus() != null && "Running".equals(pod.getStatus().getPhase())) {
                running++;
                if (pod.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()))) {
                    ready++;
                }
            }
        }
        return "created=" + pods.size() + " bound=" + bound + " running=" + running + " ready=" + ready;
    }

    /**
     * A server with {@code nodes} simulated nodes and {@code podCount} basic pods created through the API and
     * run by them; the server's heap in use once every pod is Running, after a full collection.
     */
    private double heapWith(int nodes, int podCount, Progress progress) throws Exception {
        Path workDir = Files.createTempDirectory("kybern-bench-heap-");
        try (KybernPeer peer = KybernPeer.start(kybernJar(), aotCache(), workDir, progress,
                List.of("--simulated-nodes", Integer.toString(nodes)));
                KubernetesClient client = peer.client()) {
            awaitNodes(client, nodes);
            progress.line("[heap] " + nodes + " simulated nodes registered; creating " + podCount + " pods");
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("bench").endMetadata()
                    .build()).create();
            Set<String> running = ConcurrentHashMap.newKeySet();
            SharedIndexInformer<Pod> informer = client.pods().inNamespace("bench").inform(new ResourceEventHandler<>() {
                @Override
                public void onAdd(Pod pod) {
                    seen(pod);
                }

                @Override
                public void onUpdate(Pod old, Pod pod) {
                    seen(pod);
                }

                @Override
                public void onDelete(Pod pod, boolean unknown) {
                }

                private void seen(Pod pod) {
                    if (pod.getStatus() != null && "Running".equals(pod.getStatus().getPhase())) {
                        running.add(pod.getMetadata().getName());
                    }
                }
            });
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            List<KubernetesClient> clientsUsed = new ArrayList<>();
            try {
                for (int i = 0; i < clients; i++) {
                    clientsUsed.add(peer.client());
                }
                parallel(pool, podCount, i -> clientsUsed.get(i % clients).pods().inNamespace("bench")
                        .resource(basicPod("pod-" + i)).create());
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(20);
                while (running.size() < podCount && System.nanoTime() < deadline) {
                    Thread.sleep(500);
                }
                if (running.size() < podCount) {
                    throw new IllegalStateException("only " + running.size() + " of " + podCount
                            + " pods running in 20 minutes; server log: " + workDir);
                }
                progress.line("[heap] " + podCount + " pods running; measuring the server's heap");
                return peer.heapUsedMb();
            } finally {
                informer.close();
                pool.shutdownNow();
                clientsUsed.forEach(KubernetesClient::close);
            }
        } finally {
            cleanUp(workDir, progress);
        }
    }

    /**
     * The first test kit start of this JVM, the next five, and the CPU this JVM spent per warm start (each
     * cluster's stop included): a figure the machine's load does not stretch as it does the wall clock.
     */
    record TestkitStarts(long first, List<Long> warm, long cpuMillisPerStart) {
        long median() {
            List<Long> sorted = warm.stream().sorted().toList();
            return sorted.get(sorted.size() / 2);
        }
    }

    private static TestkitStarts testkitStarts(Progress progress) {
        long first = testkitStart();
        List<Long> warm = new ArrayList<>();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpuBefore = os.getProcessCpuTime();
        for (int i = 0; i < 5; i++) {
            warm.add(testkitStart());
        }
        long cpuPerStart = (os.getProcessCpuTime() - cpuBefore) / 5 / 1_000_000;
        progress.line("[testkit] first start " + first + " ms, then " + warm + " ms, " + cpuPerStart
                + " ms of CPU each");
        return new TestkitStarts(first, warm, cpuPerStart);
    }

    /** Milliseconds from asking the test kit for a cluster to the answer of its first client call. */
    private static long testkitStart() {
        long started = System.nanoTime();
        try (TestCluster cluster = TestCluster.start(TestCluster.Settings.defaults())) {
            cluster.client().namespaces().withName("default").get();
            return (System.nanoTime() - started) / 1_000_000;
        }
    }

    private static void awaitNodes(KubernetesClient client, int nodes) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (client.nodes().list().getItems().size() < nodes) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the " + nodes + " simulated nodes did not register in 5 minutes");
            }
            Thread.sleep(200);
        }
    }

    private void cleanUp(Path workDir, Progress progress) throws IOException {
        if (!keep) {
            deleteTree(workDir);
        } else {
            progress.line("files kept in " + workDir);
        }
    }

    private interface Task {
        void run(int index) throws Exception;
    }

    private static void parallel(ExecutorService pool, int count, Task task) throws Exception {
        List<Future<?>> futures = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int index = i;
            futures.add(pool.submit(() -> {
                task.run(index);
                return null;
            }));
        }
        for (Future<?> future : futures) {
            future.get();
        }
    }

    private static void createNode(KubernetesClient client, String name) {
        Map<String, Quantity> resources = Map.of("cpu", new Quantity("32"), "memory", new Quantity("128Gi"),
                "pods", new Quantity("110"));
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName(name)
                .withLabels(Map.of("kubernetes.io/hostname", name)).endMetadata().build()).create();
        Node node = client.nodes().withName(name).get();
        node.setStatus(new NodeStatusBuilder().withCapacity(resources).withAllocatable(resources)
                .withConditions(new NodeConditionBuilder().withType("Ready").withStatus("True")
                        .withReason("KubeletReady").build()).build());
        client.nodes().resource(node).updateStatus();
    }

    /** kube-scheduler's perf tests' basic pod: one container with small requests. */
    private static Pod basicPod(String name) {
        return new PodBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec().addNewContainer()
                .withName("pause").withImage("registry.k8s.io/pause:3.10").withNewResources()
                .withRequests(Map.of("cpu", new Quantity("100m"), "memory", new Quantity("500Mi"))).endResources()
                .endContainer().endSpec().build();
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
