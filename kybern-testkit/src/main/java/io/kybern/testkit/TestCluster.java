package io.kybern.testkit;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kybern.cli.InProcessClients;
import io.kybern.cli.Server;
import io.kybern.cli.ServerConfig;
import io.kybern.kubelet.node.LeaseHeartbeat;
import io.kybern.kubelet.node.NodeLeases;
import io.kybern.kubelet.sim.NodeShape;
import io.kybern.kubelet.sim.SimulatedNode;
import io.kybern.kubelet.sim.SimulatedNodes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * A running in-process cluster and what a test does to it beside the API: stop and start simulated nodes,
 * and move the clock. Made by {@link KybernCluster} (or {@link #start(Settings)} for code that manages its
 * own), closed with the test class (or method) that asked for it. Its methods may be called from any thread.
 */
public final class TestCluster implements AutoCloseable {

    /** How far {@link #advance} moves the clock at a time: less than a node's 10 s Lease renewal. */
    private static final Duration HEARTBEAT_STEP = Duration.ofSeconds(5);
    private static final Duration HEARTBEAT_PATIENCE = Duration.ofSeconds(30);
    /** Held while a server starts for the first time in this JVM, which writes the shared certificates. */
    private static final Object FIRST_START = new Object();
    private static volatile boolean certificatesWritten;

    /**
     * What cluster to run.
     *
     * @param nodes       how many simulated nodes
     * @param shape       their capacity, labels and taints
     * @param controllers whether the controllers run
     * @param scheduler   whether the scheduler runs
     */
    public record Settings(int nodes, NodeShape shape, boolean controllers, boolean scheduler) {
        public Settings {
            if (nodes < 0) {
                throw new IllegalArgumentException("nodes must be 0 or more: " + nodes);
            }
            Objects.requireNonNull(shape, "shape");
        }

        /** Three nodes of the default shape, with controllers and scheduler, as {@code @KybernCluster} defaults. */
        public static Settings defaults() {
            return new Settings(3, NodeShape.defaults(), true, true);
        }

        static Settings of(KybernCluster annotation) {
            NodeShape shape = new NodeShape(annotation.nodeCpu(), annotation.nodeMemory(), annotation.nodePods(),
                    NodeShape.parseLabels(String.join(",", annotation.nodeLabels())),
                    NodeShape.parseTaints(String.join(",", annotation.nodeTaints())));
            return new Settings(annotation.nodes(), shape, annotation.controllers(), annotation.scheduler());
        }
    }

    private final Server server;
    private final Path workDir;
    private final Path kubeconfig;
    private final TestClock clock;
    private final KubernetesClient client;

    private TestCluster(Server server, Path workDir, Path kubeconfig, TestClock clock, KubernetesClient client) {
        this.server = server;
        this.workDir = workDir;
        this.kubeconfig = kubeconfig;
        this.clock = clock;
        this.client = client;
    }

    /** Starts a cluster; returns once the API serves and the simulated nodes are registered. */
    public static TestCluster start(Settings settings) {
        TestClock clock = new TestClock();
        Path workDir;
        try {
            workDir = Files.createTempDirectory("kybern-testkit-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path kubeconfig = workDir.resolve("admin.kubeconfig");
        // Every cluster of this JVM shares one data directory: with the memory datastore the only thing in it
        // is the certificates, and creating them (RSA keys) is most of a cold start. Each server loads them.
        ServerConfig config = new ServerConfig(SharedDataDir.path(), "memory://", "127.0.0.1", 0, kubeconfig,
                List.of(), settings.controllers(), settings.scheduler(),
                new SimulatedNodes.Options(settings.nodes(), SimulatedNodes.Options.DEFAULT_PREFIX, settings.shape()),
                clock, null, null);
        Server server = startServer(config);
        try {
            return new TestCluster(server, workDir, kubeconfig, clock, client(kubeconfig));
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    private static Server startServer(ServerConfig config) {
        if (certificatesWritten) {
            return Server.start(config);
        }
        synchronized (FIRST_START) {
            Server server = Server.start(config);
            certificatesWritten = true;
            return server;
        }
    }

    /** A new admin client of this cluster (the caller closes it); {@link #client()} is the shared one. */
    public static KubernetesClient client(Path kubeconfig) {
        try {
            return InProcessClients.of(Config.fromKubeconfig(Files.readString(kubeconfig)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The admin client the kit injects; closed with the cluster. */
    public KubernetesClient client() {
        return client;
    }

    /** The admin kubeconfig, for kubectl or a client configured by the test. */
    public Path kubeconfig() {
        return kubeconfig;
    }

    public TestClock clock() {
        return clock;
    }

    /** The simulated nodes' names, in order. */
    public List<String> nodeNames() {
        return simulatedNodes().stream().map(SimulatedNode::name).sorted(Comparator.naturalOrder()).toList();
    }

    /**
     * Stops a simulated node as if its machine went away: it no longer renews its Lease or reports its pods,
     * so after 40 s of the clock the node lifecycle controller marks it NotReady.
     */
    public void stopNode(String name) {
        node(name).stop();
    }

    /** Starts a stopped simulated node again: it renews its Lease and becomes Ready. */
    public void startNode(String name) {
        node(name).start();
    }

    /**
     * Moves the clock forward by {@code total} in steps of 5 s, waiting after each until every running node
     * has renewed its Lease on the new time: the node lifecycle controller then sees only the stopped nodes
     * fall silent, as it would in real time.
     */
    public void advance(Duration total) {
        for (Duration left = total; left.isPositive(); left = left.minus(HEARTBEAT_STEP)) {
            clock.advance(left.compareTo(HEARTBEAT_STEP) < 0 ? left : HEARTBEAT_STEP);
            Instant freshEnough = clock.instant().minus(LeaseHeartbeat.RENEW_INTERVAL);
            long deadline = System.nanoTime() + HEARTBEAT_PATIENCE.toNanos();
            while (!leasesRenewedSince(freshEnough)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("running nodes did not renew their Leases within "
                            + HEARTBEAT_PATIENCE.toSeconds() + " s");
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while advancing the clock", e);
                }
            }
        }
    }

    private boolean leasesRenewedSince(Instant freshEnough) {
        return simulatedNodes().stream().filter(SimulatedNode::running).allMatch(node -> {
            Lease lease = client.leases().inNamespace(NodeLeases.NAMESPACE).withName(node.name()).get();
            return lease != null && !lease.getSpec().getRenewTime().toInstant().isBefore(freshEnough);
        });
    }

    private List<SimulatedNode> simulatedNodes() {
        SimulatedNodes nodes = server.simulatedNodes();
        return nodes == null ? List.of() : nodes.nodes();
    }

    private SimulatedNode node(String name) {
        SimulatedNodes nodes = server.simulatedNodes();
        SimulatedNode node = nodes == null ? null : nodes.node(name);
        if (node == null) {
            throw new IllegalArgumentException("no simulated node " + name + "; there are " + nodeNames());
        }
        return node;
    }

    @Override
    public void close() {
        client.close();
        server.close();
        deleteTree(workDir);
    }

    static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            // A temporary directory left behind is harmless; the test's outcome is what matters.
        }
    }

    /** The data directory the clusters of this JVM share, made on first use and removed when the JVM exits. */
    private static final class SharedDataDir {
        private static final Path PATH = create();

        static Path path() {
            return PATH;
        }

        private static Path create() {
            try {
                Path dir = Files.createTempDirectory("kybern-testkit-data-");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir), "kybern-testkit-cleanup"));
                return dir;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
