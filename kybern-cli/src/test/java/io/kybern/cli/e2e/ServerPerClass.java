package io.kybern.cli.e2e;

import io.kybern.cli.MovableClock;
import io.kybern.cli.TestServers;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code kybern server} of its own for each end-to-end test class (as its {@link TestServers} annotations
 * ask), in a temporary data directory, and
 * the real kubectl of a given minor release pointed at it with the admin kubeconfig.
 */
abstract class ServerPerClass {

    @TempDir
    static Path dataDir;

    static TestServers.Running server;

    /** The time of a server with simulated nodes ({@link TestServers.WithSimulatedNodes}), which a test moves. */
    static MovableClock clock;

    @BeforeAll
    static void startServer(TestInfo test) {
        clock = new MovableClock();
        server = TestServers.startFor(test.getTestClass().orElseThrow(), dataDir, clock);
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    static Kubectl kubectl(String minor) {
        return Kubectl.version(minor, server.kubeconfig());
    }
}
