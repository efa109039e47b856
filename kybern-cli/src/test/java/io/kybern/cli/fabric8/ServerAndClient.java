package io.kybern.cli.fabric8;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kybern.cli.MovableClock;
import io.kybern.cli.TestServers;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code kybern server} of its own for each fabric8 test class (as its {@link TestServers} annotations ask),
 * and one fabric8 client of it.
 */
abstract class ServerAndClient {

    @TempDir
    static Path dataDir;

    static TestServers.Running server;
    static KubernetesClient client;
    /** The time of a server with simulated nodes ({@link TestServers.WithSimulatedNodes}), which a test moves. */
    static MovableClock clock;

    @BeforeAll
    static void startServerAndClient(TestInfo test) {
        clock = new MovableClock();
        server = TestServers.startFor(test.getTestClass().orElseThrow(), dataDir, clock);
        client = Fabric8.client(server.kubeconfig());
    }

    @AfterAll
    static void stopServerAndClient() {
        if (client != null) {
            client.close();
            client = null;
        }
        if (server != null) {
            server.close();
            server = null;
        }
    }
}
