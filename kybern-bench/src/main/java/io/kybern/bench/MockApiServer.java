package io.kybern.bench;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.net.InetAddress;
import java.util.HashMap;

/**
 * fabric8's KubernetesMockServer in CRUD mode (objects in memory, no durability), over HTTPS with its
 * self-signed certificate, as the peer of {@code bench api}. Run in a JVM of its own, as Kybern runs in
 * its own, so that neither shares a heap or a garbage collector with the benchmark's clients.
 *
 * <p>Usage: {@code MockApiServer PORT}. Prints {@code listening PORT} once it accepts connections and
 * stops when its standard input closes (the benchmark ending, or dying).
 */
public final class MockApiServer {

    private MockApiServer() {
    }

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), true);
        server.init(InetAddress.getLoopbackAddress(), port);
        System.out.println("listening " + server.getPort());
        System.out.flush();
        while (System.in.read() >= 0) {
            // Wait for the parent to close our input.
        }
        server.destroy();
        System.exit(0);
    }
}
