package io.kybern.bench;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/**
 * An API server under test in a process of its own: Kybern from its jar, or fabric8's mock server. Both
 * are reached over HTTPS on loopback by fabric8 clients built the same way, so that only the server
 * differs.
 *
 * <p>Threading: {@link #client()} may be called from any thread; {@link #close()} once, at the end.
 */
abstract class ApiPeer implements AutoCloseable {

    private final String name;
    private final Process process;
    private final double readySeconds;
    private final Path log;

    ApiPeer(String name, Process process, double readySeconds, Path log) {
        this.name = name;
        this.process = process;
        this.readySeconds = readySeconds;
        this.log = log;
    }

    String name() {
        return name;
    }

    /** Seconds from launching the JVM to the first good answer. */
    double readySeconds() {
        return readySeconds;
    }

    long pid() {
        return process.pid();
    }

    /** The process's resident memory now, in MiB, from {@code /proc/<pid>/status}. */
    double residentMb() throws IOException {
        return residentMb(process.pid());
    }

    /** A process's resident memory now, in MiB, from {@code /proc/<pid>/status}. */
    static double residentMb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                String[] parts = line.substring("VmRSS:".length()).strip().split("\\s+");
                return Long.parseLong(parts[0]) / 1024.0;
            }
        }
        throw new IOException("no VmRSS for process " + pid);
    }

    /**
     * The process's Java heap in use after a full collection, in MiB: what the objects it holds take, without
     * the garbage a collection has not reached yet. Asks the JVM through {@code jcmd}.
     */
    double heapUsedMb() throws IOException, InterruptedException {
        jcmd("GC.run");
        String info = jcmd("GC.heap_info");
        java.util.regex.Matcher used = java.util.regex.Pattern.compile("used (\\d+)K").matcher(info);
        if (!used.find()) {
            throw new IOException("no heap figure in jcmd GC.heap_info: " + info);
        }
        return Long.parseLong(used.group(1)) / 1024.0;
    }

    private String jcmd(String command) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process run = new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), command)
                .redirectErrorStream(true).start();
        String output = new String(run.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!run.waitFor(120, TimeUnit.SECONDS) || run.exitValue() != 0) {
            throw new IOException("jcmd " + command + " failed: " + output);
        }
        return output;
    }

    /** CPU time the server's process has used so far (user and system, all its threads). */
    Duration cpuTime() {
        return process.toHandle().info().totalCpuDuration().orElse(Duration.ZERO);
    }

    /** The client configuration: where the server is and how to trust and authenticate to it. */
    abstract Config config();

    /** A new fabric8 client of its own (its own connections), over the JDK HTTP client. */
    KubernetesClient client() {
        Config config = config();
        // Watches and concurrent requests must not queue in the client; the same limits for both peers.
        config.setMaxConcurrentRequests(1024);
        config.setMaxConcurrentRequestsPerHost(1024);
        config.setRequestTimeout(60_000);
        return new KubernetesClientBuilder().withConfig(config).withHttpClientFactory(new JdkHttpClientFactory())
                .build();
    }

    boolean alive() {
        return process.isAlive();
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** The last lines the process logged, for an error message. */
    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * Polls {@code url} every 10 ms until it answers with a status below {@code 500} (any answer from
     * the mock server, which has no health endpoint) or exactly 200 ({@code strict}); returns when.
     */
    static long awaitAnswer(URI url, boolean strict, Process process, Path log, Duration timeout)
            throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().sslContext(trustAll()).connectTimeout(Duration.ofSeconds(2))
                .version(HttpClient.Version.HTTP_1_1).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("the server exited with " + process.exitValue() + " before it was ready;"
                        + " see " + log);
            }
            try {
                HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(url)
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofInputStream());
                response.body().close();
                if (strict ? response.statusCode() == 200 : response.statusCode() < 500) {
                    return System.nanoTime();
                }
            } catch (IOException notYet) {
                // Not listening yet.
            }
            Thread.sleep(10);
        }
        throw new IOException("no answer from " + url + " within " + timeout + "; see " + log);
    }

    /** Readiness probes only; the benchmark's clients verify the server as configured. */
    private static SSLContext trustAll() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
            return context;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
