package io.kybern.kubelet.containerd;

import io.kybern.kubelet.cri.CriClient;
import io.kybern.kubelet.cri.api.VersionResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's own containerd: configured from a {@link ContainerdLayout}, started, waited for until its
 * CRI service answers (with progress in the log), started again whenever it dies while the agent runs,
 * and stopped with SIGTERM when the agent stops. Containers outlive containerd (their shims keep them),
 * so a restart loses no pod.
 */
public final class ContainerdSupervisor implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ContainerdSupervisor.class);

    public static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(2);
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    static final Duration MAX_RESTART_DELAY = Duration.ofSeconds(30);

    private final ContainerdLayout layout;
    private final String binary;
    private final Thread watcher;
    private volatile Process process;
    private volatile boolean closed;
    private volatile int restarts;

    private ContainerdSupervisor(ContainerdLayout layout, String binary) {
        this.layout = layout;
        this.binary = binary;
        this.watcher = Thread.ofVirtual().name("containerd-supervisor").unstarted(this::watch);
    }

    /**
     * Writes the configuration, starts containerd and returns once its CRI service answers a Version call;
     * fails with the tail of containerd's log if it exits or does not answer in time.
     */
    public static ContainerdSupervisor start(ContainerdLayout layout) {
        return start(layout, "containerd");
    }

    static ContainerdSupervisor start(ContainerdLayout layout, String binary) {
        ContainerdSupervisor supervisor = new ContainerdSupervisor(layout, binary);
        try {
            Files.createDirectories(layout.dir());
            Files.createDirectories(layout.registryConfigDir());
            if (layout.mirrorHostsToml() != null) {
                Path hosts = Files.createDirectories(layout.registryConfigDir()
                        .resolve(ContainerdLayout.MIRRORED_REGISTRY));
                Files.writeString(hosts.resolve("hosts.toml"), layout.mirrorHostsToml());
            }
            Files.createDirectories(layout.cniConfDir());
            Files.writeString(layout.configFile(), layout.configToml());
            supervisor.launch();
            supervisor.awaitReady(READY_TIMEOUT);
        } catch (IOException e) {
            supervisor.close();
            throw new UncheckedIOException("containerd could not start", e);
        } catch (RuntimeException e) {
            supervisor.close();
            throw e;
        }
        supervisor.watcher.start();
        return supervisor;
    }

    public ContainerdLayout layout() {
        return layout;
    }

    public Path socket() {
        return layout.socket();
    }

    /** The running containerd's process id, or -1 between a death and its restart. */
    public long pid() {
        Process current = process;
        return current != null && current.isAlive() ? current.pid() : -1;
    }

    /** How many times containerd was started again after it died. */
    public int restarts() {
        return restarts;
    }

    private void launch() throws IOException {
        if (Files.exists(layout.socket())) {
            Files.delete(layout.socket()); // a stale socket of a containerd that died with the agent
        }
        ProcessBuilder builder = new ProcessBuilder(List.of(binary, "--config", layout.configFile().toString()))
                .redirectErrorStream(true).redirectOutput(Redirect.appendTo(layout.log().toFile()));
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new IOException("cannot run " + binary + " (is containerd installed?): " + e.getMessage(), e);
        }
        log.info("containerd starting pid={} config={}", process.pid(), layout.configFile());
    }

    private void awaitReady(Duration timeout) {
        long started = System.nanoTime();
        long deadline = started + timeout.toNanos();
        long nextProgress = started + PROGRESS_INTERVAL.toNanos();
        try (CriClient cri = CriClient.connect(layout.socket())) {
            while (true) {
                Process current = process;
                if (!current.isAlive()) {
                    throw new IllegalStateException("containerd exited with status " + current.exitValue()
                            + " while starting; the end of " + layout.log() + ":\n" + logTail());
                }
                if (Files.exists(layout.socket())) {
                    try {
                        VersionResponse version = cri.version(Duration.ofSeconds(2));
                        log.info("containerd ready version={} cri={} elapsed_ms={}", version.getRuntimeVersion(),
                                version.getRuntimeApiVersion(), (System.nanoTime() - started) / 1_000_000);
                        return;
                    } catch (RuntimeException notYet) {
                        // The socket is there before the CRI plugin is loaded.
                    }
                }
                long now = System.nanoTime();
                if (now > deadline) {
                    throw new IllegalStateException("containerd did not answer on " + layout.socket() + " within "
                            + timeout.toSeconds() + " s; the end of " + layout.log() + ":\n" + logTail());
                }
                if (now > nextProgress) {
                    log.info("waiting for containerd socket={} elapsed_s={}", layout.socket(),
                            (now - started) / 1_000_000_000);
                    nextProgress = now + PROGRESS_INTERVAL.toNanos();
                }
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for containerd", e);
        }
    }

    /** Restarts containerd whenever it dies, waiting longer after each quick death (at most 30 s). */
    private void watch() {
        Duration delay = Duration.ofSeconds(1);
        while (!closed) {
            Process current = process;
            try {
                int status = current.waitFor();
                if (closed) {
                    return;
                }
                log.warn("containerd exited status={}; restarting in {} ms", status, delay.toMillis());
                Thread.sleep(delay);
                if (closed) {
                    return;
                }
                long before = System.nanoTime();
                launch();
                restarts++;
                awaitReady(READY_TIMEOUT);
                // A containerd that ran a while resets the back-off; one that dies at once doubles it.
                delay = System.nanoTime() - before > Duration.ofMinutes(1).toNanos() ? Duration.ofSeconds(1)
                        : min(delay.multipliedBy(2), MAX_RESTART_DELAY);
            } catch (InterruptedException e) {
                return;
            } catch (IOException | RuntimeException e) {
                log.warn("containerd restart failed: {}", e.getMessage());
                delay = min(delay.multipliedBy(2), MAX_RESTART_DELAY);
                try {
                    Thread.sleep(delay);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(layout.log());
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Stops containerd (SIGTERM, then SIGKILL after 10 s); the containers it started keep running. */
    @Override
    public void close() {
        closed = true;
        watcher.interrupt();
        Process current = process;
        if (current == null || !current.isAlive()) {
            return;
        }
        current.destroy();
        try {
            if (!current.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                current.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.info("containerd stopped");
    }
}
