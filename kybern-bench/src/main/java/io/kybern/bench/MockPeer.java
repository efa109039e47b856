package io.kybern.bench;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * fabric8's KubernetesMockServer in CRUD mode ({@link MockApiServer}) in a JVM of its own, started from
 * the benchmark's own classpath with the same JVM options Kybern gets (none beyond the defaults).
 */
final class MockPeer extends ApiPeer {

    private final int port;

    private MockPeer(Process process, double readySeconds, Path log, int port) {
        super("mock", process, readySeconds, log);
        this.port = port;
    }

    static MockPeer start(Path workDir, Progress progress) throws IOException, InterruptedException {
        int port = freePort();
        Path log = Files.createDirectories(workDir.resolve("mock")).resolve("server.log");
        List<String> command = List.of(javaBinary(), "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), MockApiServer.class.getName(), Integer.toString(port));
        long launched = System.nanoTime();
        // Its input stays a pipe: the mock server stops when that pipe closes, even if this JVM dies.
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            long ready = awaitAnswer(URI.create("https://127.0.0.1:" + port + "/api/v1/namespaces/default/configmaps"),
                    false, process, log, Duration.ofSeconds(120));
            double seconds = (ready - launched) / 1e9;
            progress.line("[mock] ready in " + Numbers.fixed2(seconds) + " s, pid " + process.pid());
            return new MockPeer(process, seconds, log, port);
        } catch (IOException | InterruptedException | RuntimeException e) {
            process.destroyForcibly();
            throw e;
        }
    }

    @Override
    Config config() {
        return new ConfigBuilder(Config.empty()).withMasterUrl("https://127.0.0.1:" + port)
                .withTrustCerts(true).withNamespace("default").build();
    }
}
