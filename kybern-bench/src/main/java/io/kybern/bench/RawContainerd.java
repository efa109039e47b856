package io.kybern.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The peer of the pod startup benchmark: containers started on the same containerd directly with the real
 * {@code ctr run -d} (which returns once the task runs), all at once, in a containerd namespace of their own so
 * that the agent never sees them. No sandbox, no CNI network, no API: the raw cost a pod's start builds on.
 */
final class RawContainerd {

    private final Path socket;
    private final String namespace;
    private final String image;

    RawContainerd(Path socket, String namespace, String image) {
        this.socket = socket;
        this.namespace = namespace;
        this.image = image;
    }

    /** Starts {@code ids} at once; returns each one's time from launching {@code ctr} to its exit, in ns. */
    List<Long> startAll(List<String> ids) throws Exception {
        return AtOnce.timeEach(ids, id -> ctr("run", "-d", image, id, "sleep", "3600"));
    }

    /** Kills and removes every container of the namespace, quietly (clean-up also after a failed run). */
    void removeAll() throws Exception {
        String listed = ctrOutput("containers", "list", "-q");
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (String id : listed.lines().map(String::strip).filter(line -> !line.isEmpty()).toList()) {
                pool.submit(() -> {
                    ctrQuietly("tasks", "rm", "-f", id);
                    ctrQuietly("containers", "rm", id);
                    return null;
                });
            }
        }
    }

    private void ctr(String... args) throws IOException, InterruptedException {
        Result result = run(args);
        if (result.exit() != 0) {
            throw new IOException("ctr " + String.join(" ", args) + " failed with " + result.exit() + ": "
                    + result.output().strip());
        }
    }

    private String ctrOutput(String... args) throws IOException, InterruptedException {
        Result result = run(args);
        return result.exit() == 0 ? result.output() : "";
    }

    private void ctrQuietly(String... args) throws IOException, InterruptedException {
        run(args);
    }

    private record Result(int exit, String output) {
    }

    private Result run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("ctr", "--address", socket.toString(), "-n", namespace));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("ctr " + String.join(" ", args) + " did not finish in 120 s");
        }
        return new Result(process.exitValue(), output);
    }
}
