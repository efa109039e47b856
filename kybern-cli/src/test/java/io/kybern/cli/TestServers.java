package io.kybern.cli;

import io.kybern.kubelet.sim.NodeShape;
import io.kybern.kubelet.sim.SimulatedNodes;
import io.kybern.store.Store;
import java.time.InstantSource;
import java.nio.file.Path;
import java.util.List;

/** Starts a whole {@code kybern server} in the test's JVM, on a free port, for end-to-end tests. */
public final class TestServers {

    private TestServers() {
    }

    /** A running server and the admin kubeconfig it wrote. */
    public record Running(Server server, Path kubeconfig) implements AutoCloseable {
        /** The server's simulated nodes (null without any), with a handle to stop and start each. */
        public SimulatedNodes simulatedNodes() {
            return server.simulatedNodes();
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

    public static Running start(Path dataDir) {
        return start(dataDir, true);
    }

    /** A server without its controllers, for tests that run their own. */
    public static Running startWithoutControllers(Path dataDir) {
        return start(dataDir, false);
    }

    /**
     * A server with its controllers and {@code nodes} simulated nodes of the default shape, both reading
     * {@code clock}, so a test can move their time instead of waiting.
     */
    public static Running startWithSimulatedNodes(Path dataDir, int nodes, InstantSource clock) {
        Path kubeconfig = dataDir.resolve("admin.kubeconfig");
        ServerConfig config = new ServerConfig(dataDir, "memory://", "127.0.0.1", 0, kubeconfig, List.of(), true,
                new SimulatedNodes.Options(nodes, SimulatedNodes.Options.DEFAULT_PREFIX, NodeShape.defaults()),
                clock);
        return new Running(Server.start(config), kubeconfig);
    }

    private static Running start(Path dataDir, boolean controllers) {
        Path kubeconfig = dataDir.resolve("admin.kubeconfig");
        ServerConfig config = new ServerConfig(dataDir, "memory://", "127.0.0.1", 0, kubeconfig, List.of(),
                controllers);
        return new Running(Server.start(config), kubeconfig);
    }
}
