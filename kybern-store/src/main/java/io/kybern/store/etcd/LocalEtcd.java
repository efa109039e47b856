package io.kybern.store.etcd;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A single-member etcd server on this machine's loopback interface, for tests and benchmarks.
 *
 * <p>Runs the {@code etcd} binary found on the {@code PATH} (Debian: {@code apt-get install etcd-server})
 * or named by the system property {@value #BINARY_PROPERTY}, in a fresh temporary directory that
 * {@link #close()} deletes. etcd keeps its default durability (every commit is fsynced) because
 * benchmarks compare it with other durable stores. Its output goes to {@link #logFile()}.
 */
public final class LocalEtcd implements AutoCloseable {

    /** System property naming the etcd binary to run, instead of the one on the {@code PATH}. */
    public static final String BINARY_PROPERTY = "kybern.etcd.binary";

    private static final String MEMBER_NAME = "kybern-local";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(50);
    /** Tries with fresh ports when etcd dies at start, which is what happens if another process took one. */
    private static final int START_ATTEMPTS = 3;
    private static final long QUOTA_BACKEND_BYTES = 8L * 1024 * 1024 * 1024;
    /** Above the Store's 1.5 MiB value limit plus key and framing, so that the Store's limit is the one hit. */
    private static final long MAX_REQUEST_BYTES = 2L * 1024 * 1024;

    private final Path binary;
    private final Path baseDir;
    private final Path dataDir;
    private final Path logFile;
    private final String clusterToken = "kybern-" + UUID.randomUUID();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Thread shutdownHook = new Thread(this::killQuietly, "kybern-local-etcd-killer");
    private int clientPort;
    private int peerPort;
    /** Volatile for the shutdown hook, which must not wait for this object's lock. */
    private volatile Process process;
    private boolean closed;

    private LocalEtcd(Path binary, Path baseDir) {
        this.binary = binary;
        this.baseDir = baseDir;
        this.dataDir = baseDir.resolve("data");
        this.logFile = baseDir.resolve("etcd.log");
    }

    /** Starts etcd and returns once it answers as healthy. */
    public static LocalEtcd start() {
        Path binary = findBinary();
        Path baseDir;
        try {
            baseDir = Files.createTempDirectory("kybern-etcd-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory for etcd", e);
        }
        LocalEtcd etcd = new LocalEtcd(binary, baseDir);
        Runtime.getRuntime().addShutdownHook(etcd.shutdownHook);
        try {
            etcd.startOnFreePorts();
        } catch (RuntimeException e) {
            etcd.close();
            throw e;
        }
        return etcd;
    }

    /** Where clients connect, for example {@code http://127.0.0.1:40123}. */
    public URI clientEndpoint() {
        return URI.create("http://127.0.0.1:" + clientPort);
    }

    /** etcd's data directory: its write-ahead log and database. */
    public Path dataDir() {
        return dataDir;
    }

    /** etcd's standard output and error, across restarts. */
    public Path logFile() {
        return logFile;
    }

    /** Whether the etcd process is running. */
    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Stops etcd as an operator would (SIGTERM), killing it if it does not exit in time. Keeps the data. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping etcd", e);
        } finally {
            process = null;
        }
    }

    /** Stops etcd and starts it again on the same data and ports; returns once it is healthy again. */
    public synchronized void restart() {
        if (closed) {
            throw new IllegalStateException("this etcd was closed");
        }
        stop();
        launch();
        awaitHealthy();
    }

    /** Stops etcd and deletes its directory. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            stop();
        } finally {
            http.close();
            removeShutdownHook();
            deleteRecursively(baseDir);
        }
    }

    @Override
    public String toString() {
        return "LocalEtcd[" + clientEndpoint() + " in " + baseDir + "]";
    }

    // ---- starting -------------------------------------------------------------------------------------

    private synchronized void startOnFreePorts() {
        for (int attempt = 1; ; attempt++) {
            int[] ports = freePorts(2);
            clientPort = ports[0];
            peerPort = ports[1];
            launch();
            try {
                awaitHealthy();
                return;
            } catch (IllegalStateException e) {
                stop();
                if (attempt == START_ATTEMPTS) {
                    throw e;
                }
                // A failed first start may leave a half-made member behind; start clean.
                deleteRecursively(dataDir);
            }
        }
    }

    private void launch() {
        String client = "http://127.0.0.1:" + clientPort;
        String peer = "http://127.0.0.1:" + peerPort;
        List<String> command = new ArrayList<>(List.of(
                binary.toString(),
                "--name", MEMBER_NAME,
                "--data-dir", dataDir.toString(),
                "--listen-client-urls", client,
                "--advertise-client-urls", client,
                "--listen-peer-urls", peer,
                "--initial-advertise-peer-urls", peer,
                // The initial-cluster settings matter only on the first start; afterwards etcd reads the
                // membership from its data directory.
                "--initial-cluster", MEMBER_NAME + "=" + peer,
                "--initial-cluster-state", "new",
                "--initial-cluster-token", clusterToken,
                "--quota-backend-bytes", Long.toString(QUOTA_BACKEND_BYTES),
                "--max-request-bytes", Long.toString(MAX_REQUEST_BYTES),
                "--logger", "zap",
                "--log-outputs", "stderr"));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                // To a file, not a pipe: nobody reads a pipe while etcd runs, and a full one would block it.
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        unsupportedArch().ifPresent(arch -> builder.environment().put("ETCD_UNSUPPORTED_ARCH", arch));
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + binary, e);
        }
    }

    /** etcd 3.4 runs only on amd64 and ppc64le unless told the architecture is accepted regardless. */
    private static Optional<String> unsupportedArch() {
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        return switch (arch) {
            case "amd64", "x86_64", "ppc64le" -> Optional.empty();
            case "aarch64", "arm64" -> Optional.of("arm64");
            default -> Optional.of(arch);
        };
    }

    private void awaitHealthy() {
        HttpRequest request = HttpRequest.newBuilder(clientEndpoint().resolve("/health"))
                .timeout(Duration.ofSeconds(2))
                .build();
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("etcd exited with status " + process.exitValue()
                        + " while starting; the end of " + logFile + ":\n" + logTail());
            }
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                // etcd answers {"health":"true"} once its member has a leader (itself) and can serve.
                if (response.statusCode() == 200 && response.body().contains("\"health\":\"true\"")) {
                    return;
                }
            } catch (IOException notYetListening) {
                // keep polling
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for etcd to start", e);
            }
            try {
                Thread.sleep(POLL_INTERVAL);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for etcd to start", e);
            }
        }
        throw new IllegalStateException("etcd did not become healthy within " + START_TIMEOUT
                + "; the end of " + logFile + ":\n" + logTail());
    }

    private String logTail() {
        try (Stream<String> lines = Files.lines(logFile)) {
            List<String> all = lines.toList();
            return String.join("\n", all.subList(Math.max(0, all.size() - 20), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    // ---- helpers --------------------------------------------------------------------------------------

    private static Path findBinary() {
        String configured = System.getProperty(BINARY_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            Path path = Path.of(configured);
            if (!Files.isExecutable(path)) {
                throw new IllegalStateException(BINARY_PROPERTY + "=" + configured + " is not an executable file");
            }
            return path;
        }
        String pathVariable = System.getenv().getOrDefault("PATH", "");
        for (String dir : pathVariable.split(File.pathSeparator)) {
            if (!dir.isEmpty()) {
                Path candidate = Path.of(dir, "etcd");
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        Path debian = Path.of("/usr/bin/etcd");
        if (Files.isExecutable(debian)) {
            return debian;
        }
        throw new IllegalStateException("etcd was not found on the PATH; install it (Debian, Ubuntu: "
                + "apt-get install etcd-server) or set -D" + BINARY_PROPERTY + "=/path/to/etcd");
    }

    /** Ports free right now; another process could still take one before etcd binds it (see START_ATTEMPTS). */
    private static int[] freePorts(int count) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                sockets.add(socket);
                ports[i] = socket.getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find free ports for etcd", e);
        } finally {
            for (ServerSocket socket : sockets) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // nothing to do
                }
            }
        }
    }

    private void killQuietly() {
        Process p = process;
        if (p != null) {
            p.destroyForcibly();
        }
    }

    private void removeShutdownHook() {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or about to; it does no harm
        }
    }

    private static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }
}
