package io.kybern.cli;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.kybern.kubelet.agent.AgentConfig;
import io.kybern.kubelet.agent.NodeAgent;
import io.kybern.kubelet.node.LeaseHeartbeat;
import io.kybern.kubelet.node.NodeLeases;
import io.kybern.kubelet.sim.NodeShape;
import io.kybern.kubelet.sim.SimulatedNode;
import io.kybern.kubelet.sim.SimulatedNodes;
import io.kybern.store.Store;
import java.time.InstantSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Starts a whole {@code kybern server} in the test's JVM, on a free port, for end-to-end tests. */
public final class TestServers {

    private static final Duration HEARTBEAT_STEP = Duration.ofSeconds(5);

    private TestServers() {
    }

    /** A running server and the admin kubeconfig it wrote. */
    public record Running(Server server, Path kubeconfig) implements AutoCloseable {
        /** The server's simulated nodes (null without any), with a handle to stop and start each. */
        public SimulatedNodes simulatedNodes() {
            return server.simulatedNodes();
        }

        /**
         * Moves {@code clock} (the one this server was started with) forward in steps of 5 s, waiting after
         * each until every running simulated node has renewed its Lease on the new time: the node lifecycle
         * controller then never sees a running node silent for its 40 s, only the stopped ones.
         */
        public void advance(MovableClock clock, Duration total) {
            try (KubernetesClient client = new KubernetesClientBuilder()
                    .withConfig(Config.fromKubeconfig(Files.readString(kubeconfig)))
                    .withHttpClientFactory(new JdkHttpClientFactory()).build()) {
                for (Duration left = total; left.isPositive(); left = left.minus(HEARTBEAT_STEP)) {
                    clock.advance(left.compareTo(HEARTBEAT_STEP) < 0 ? left : HEARTBEAT_STEP);
                    Instant freshEnough = clock.instant().minus(LeaseHeartbeat.RENEW_INTERVAL);
                    await().atMost(Duration.ofSeconds(30)).until(() -> simulatedNodes().nodes().stream()
                            .filter(SimulatedNode::running).allMatch(node -> {
                                Lease lease = client.leases().inNamespace(NodeLeases.NAMESPACE).withName(node.name())
                                        .get();
                                return lease != null
                                        && !lease.getSpec().getRenewTime().toInstant().isBefore(freshEnough);
                            }));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** The server's node agent, or null without one. */
        public NodeAgent agent() {
            return server.agent();
        }

        /** The server's datastore, for what an operator does beside the API (compacting its history, say). */
        public Store store() {
            return server.store();
        }

        @Override
        public void close() {
            server.close();
        }
    }

    /** Marks a test class whose server runs no controllers or scheduler (it compares what it wrote with what it reads). */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    public @interface WithoutControllers {}

    /** Marks a test class whose server runs this many simulated nodes, on the class's own movable clock. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    public @interface WithSimulatedNodes {
        int value();
    }

    /** The server a test class asks for by its annotations: simulated nodes, no controllers, or the default. */
    public static Running startFor(Class<?> testClass, Path dataDir, InstantSource clock) {
        WithSimulatedNodes nodes = testClass.getAnnotation(WithSimulatedNodes.class);
        if (nodes != null) {
            return startWithSimulatedNodes(dataDir, nodes.value(), clock);
        }
        return testClass.isAnnotationPresent(WithoutControllers.class) ? startWithoutControllers(dataDir)
                : start(dataDir);
    }

    public static Running start(Path dataDir) {
        return start(dataDir, "memory://", true);
    }

    /** A server without its controllers, for tests that run their own. */
    public static Running startWithoutControllers(Path dataDir) {
        return start(dataDir, "memory://", false);
    }

    /** A server on the embedded SQLite store in {@code dataDir}, which a later one there starts from. */
    public static Running startPersistent(Path dataDir) {
        return start(dataDir, "", true);
    }

    /**
     * A server with its controllers, scheduler and {@code nodes} simulated nodes of the default shape, all reading
     * {@code clock}, so a test can move their time instead of waiting.
     */
    public static Running startWithSimulatedNodes(Path dataDir, int nodes, InstantSource clock) {
        Path kubeconfig = dataDir.resolve("admin.kubeconfig");
        ServerConfig config = new ServerConfig(dataDir, "memory://", "127.0.0.1", 0, kubeconfig, List.of(), true, true,
                new SimulatedNodes.Options(nodes, SimulatedNodes.Options.DEFAULT_PREFIX, NodeShape.defaults()),
                clock, null);
        return new Running(Server.start(config), kubeconfig);
    }

    /**
     * A server with its controllers, scheduler, image registry and a node agent running pods in real
     * containers (see {@code KubectlContainerdTest}); the caller cleans up the agent's containerd. Its
     * kubelet API listens on a free port (tests share the machine).
     */
    public static Running startWithAgent(Path dataDir, AgentConfig agent) {
        Path kubeconfig = dataDir.resolve("admin.kubeconfig");
        // The server builds busybox and the pause image into its image store, as on a user's first start, and
        // its registry, on a free port, serves them as containerd's docker.io mirror.
        ServerConfig config = new ServerConfig(dataDir, "memory://", "127.0.0.1", 0, kubeconfig, List.of(), true, true,
                ServerConfig.noSimulatedNodes(), java.time.Clock.systemUTC(),
                new java.net.InetSocketAddress("127.0.0.1", 0), agent.withKubeletPort(0));
        return new Running(Server.start(config), kubeconfig);
    }

    /** Runs the {@code kybern} command line in this JVM, as a user would run it; returns its exit code. */
    public static int run(String... args) {
        return Main.commandLine().execute(args);
    }

    private static Running start(Path dataDir, String datastore, boolean controllers) {
        Path kubeconfig = dataDir.resolve("admin.kubeconfig");
        ServerConfig config = new ServerConfig(dataDir, datastore, "127.0.0.1", 0, kubeconfig, List.of(),
                controllers);
        return new Running(Server.start(config), kubeconfig);
    }
}
