package io.kybern.cli.fabric8;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kybern.cli.TestServers;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/** A {@code kybern server} of its own for each fabric8 test class, and one fabric8 client of it. */
abstract class ServerAndClient {

    @TempDir
    static Path dataDir;

    static TestServers.Running server;
    static KubernetesClient client;

    /**
     * Marks a test class whose server runs no controllers: one that compares what it wrote with what it
     * reads back, where a controller writing an object's status in between would be noise.
     */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    @interface WithoutControllers {}

    @BeforeAll
    static void startServerAndClient(TestInfo test) {
        boolean withoutControllers = test.getTestClass()
                .filter(c -> c.isAnnotationPresent(WithoutControllers.class)).isPresent();
        server = withoutControllers ? TestServers.startWithoutControllers(dataDir) : TestServers.start(dataDir);
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
