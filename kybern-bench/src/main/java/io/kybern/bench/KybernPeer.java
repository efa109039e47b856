package io.kybern.bench;

import io.fabric8.kubernetes.client.Config;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code kybern server} started from the built jar as a process of its own, with the embedded SQLite
 * datastore (durable: a write is acknowledged once fsynced) in a fresh data directory, configured
 * from the admin kubeconfig it writes. Started as {@code bin/kybern server} starts it: with the JVM options of
 * {@code bin/lib/jvm.options} (one file for both) and JDK 25's ahead-of-time class cache, recorded first by a
 * training start when the cache is missing.
 */
final class KybernPeer extends ApiPeer {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    private final Path kubeconfig;

    private KybernPeer(Process process, double readySeconds, Path log, Path kubeconfig) {
        super("kybern", process, readySeconds, log);
        this.kubeconfig = kubeconfig;
    }

    /**
     * @param jar         the runnable jar
     * @param aotCache    the AOT cache file to use (recorded first if missing), or null to start without
     * @param serverFlags extra {@code kybern server} flags (simulated nodes, say)
     */
    static KybernPeer start(Path jar, Path aotCache, Path workDir, Progress progress, List<String> serverFlags)
            throws IOException, InterruptedException {
        if (!Files.isRegularFile(jar)) {
            throw new IOException("no Kybern jar at " + jar + "; build it with bin/kybern version");
        }
        Path jvmOptions = jvmOptionsFor(jar);
        if (!Files.isRegularFile(jvmOptions)) {
            throw new IOException("no JVM options file at " + jvmOptions);
        }
        if (aotCache != null && !Files.isRegularFile(aotCache)) {
            progress.line("[kybern] recording the AOT class cache " + aotCache + " with a training start");
            Path training = Files.createDirectories(workDir.resolve("kybern-training"));
            Launched run = launch(jar, jvmOptions, List.of("-XX:AOTCacheOutput=" + aotCache), training, List.of());
            run.process().destroy();
            if (!run.process().waitFor(60, TimeUnit.SECONDS)) {
                run.process().destroyForcibly();
            }
        }
        List<String> aot = aotCache != null && Files.isRegularFile(aotCache)
                ? List.of("-XX:AOTCache=" + aotCache) : List.of();
        Launched run = launch(jar, jvmOptions, aot, Files.createDirectories(workDir.resolve("kybern")), serverFlags);
        progress.line("[kybern] ready in " + Numbers.fixed2(run.readySeconds()) + " s"
                + (aot.isEmpty() ? " (no AOT cache)" : " (with the AOT cache)") + ", pid " + run.process().pid());
        return new KybernPeer(run.process(), run.readySeconds(), run.log(), run.dataDir().resolve("admin.kubeconfig"));
    }

    /** The server's JVM options: bin/lib/jvm.options, as bin/bench names it, or beside the jar's project. */
    static Path jvmOptionsFor(Path jar) {
        String property = System.getProperty("kybern.jvmOptions");
        if (property != null) {
            return Path.of(property);
        }
        // kybern-cli/target/kybern.jar lies two levels below the project's root.
        Path root = jar.toAbsolutePath().getParent().getParent().getParent();
        return root.resolve("bin").resolve("lib").resolve("jvm.options");
    }

    private record Launched(Process process, double readySeconds, Path log, Path dataDir) {
    }

    private static Launched launch(Path jar, Path optionsFile, List<String> jvmOptions, Path dir,
            List<String> serverFlags) throws IOException, InterruptedException {
        int port = freePort();
        Path dataDir = dir.resolve("data");
        Path log = dir.resolve("server.log");
        List<String> command = new ArrayList<>(List.of(javaBinary(), "@" + optionsFile));
        command.addAll(jvmOptions);
        // As bin/kybern: KYBERN_JAVA_OPTS comes after the file and wins (a flight recording of the server, say).
        String extra = System.getenv().getOrDefault("KYBERN_JAVA_OPTS", "").strip();
        if (!extra.isEmpty()) {
            command.addAll(List.of(extra.split("\\s+")));
        }
        command.addAll(List.of("-jar", jar.toString(), "server", "--data-dir", dataDir.toString(),
                "--bind-address", "127.0.0.1", "--https-listen-port", Integer.toString(port),
                // The image registry has its own fixed port and no part in these benchmarks, nor has a node
                // agent: the peer (fabric8's mock server) runs no containers either.
                "--disable-registry", "--disable-agent"));
        command.addAll(serverFlags);
        long launched = System.nanoTime();
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        try {
            long ready = awaitAnswer(URI.create("https://127.0.0.1:" + port + "/readyz"), true, process, log,
                    START_TIMEOUT);
            // The kubeconfig is written after the listener is up; wait for it as a client would.
            Path kubeconfig = dataDir.resolve("admin.kubeconfig");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.isRegularFile(kubeconfig) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            return new Launched(process, (ready - launched) / 1e9, log, dataDir);
        } catch (IOException | InterruptedException | RuntimeException e) {
            process.destroyForcibly();
            throw e;
        }
    }

    /** The CA certificate the server's serving certificate chains to (its {@code DIR/tls/server-ca.crt}). */
    Path serverCa() {
        return kubeconfig.getParent().resolve("tls").resolve("server-ca.crt");
    }

    @Override
    Config config() {
        try {
            // fabric8's defaults, WebSocket watches included, as the mock's clients have them.
            return Config.fromKubeconfig(Files.readString(kubeconfig));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
