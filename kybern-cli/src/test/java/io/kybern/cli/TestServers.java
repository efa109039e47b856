package io.kybern.cli;

import io.kybern.store.Store;
import java.nio.file.Path;
import java.util.List;

/** Starts a whole {@code kybern server} in the test's JVM, on a free port, for end-to-end tests. */
public final class TestServers {

    private TestServers() {
    }

    /** A running server and the admin kubeconfig it wrote. */
    public record Running(Server server, Path kubeconfig) implements AutoCloseable {
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

    private static Running start(Path dataDir, String datastore, boolean controllers) {
        Path kubeconfig = dataDir.resolve("admin.kubeconfig");
        ServerConfig config = new ServerConfig(dataDir, datastore, "127.0.0.1", 0, kubeconfig, List.of(),
                controllers);
        return new Running(Server.start(config), kubeconfig);
    }
}
