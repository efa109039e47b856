package io.kybern.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code kybern agent} started from the built jar as a process of its own, joined to a server with a bearer
 * token: the node agent alone in its JVM, so that its resident memory is its own (its containerd is a child
 * process with its own figure, as kubelet's runtime is not kubelet's). Same JVM options as every kybern
 * command ({@code bin/lib/jvm.options}), no AOT cache (its mapped archive would count as resident).
 */
final class AgentProcess implements AutoCloseable {

    /** The options file {@code kybern agent} adds, beside the shared one (as bin/kybern uses it). */
    static final String AGENT_OPTIONS = "agent-jvm.options";

    private final Process process;
    private final Path log;

    private AgentProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /**
     * @param flags {@code kybern agent} flags beyond the server, token, CA and data directory (node name, CNI
     *              bridge, cluster CIDR)
     */
    static AgentProcess start(Path jar, String serverUrl, String token, Path serverCa, Path dataDir, Path log,
            List<String> flags) throws IOException {
        Path options = KybernPeer.jvmOptionsFor(jar);
        List<String> command = new ArrayList<>(List.of(ApiPeer.javaBinary(), "@" + options,
                "@" + options.resolveSibling(AGENT_OPTIONS), "-jar", jar.toString(), "agent", "--server", serverUrl,
                "--token", token, "--certificate-authority", serverCa.toString(), "--data-dir", dataDir.toString()));
        command.addAll(flags);
        Files.createDirectories(log.getParent());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new AgentProcess(process, log);
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    double residentMb() throws IOException {
        return ApiPeer.residentMb(process.pid());
    }

    Path log() {
        return log;
    }

    /** SIGTERM, as on a node's shutdown: the agent stops its containerd and exits. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
