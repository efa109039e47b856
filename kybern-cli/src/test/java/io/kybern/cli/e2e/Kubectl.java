package io.kybern.cli.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs one of the real kubectl binaries installed on the machine against a kubeconfig. */
record Kubectl(Path binary, Path kubeconfig) {

    /** Where the machine's kubectl releases are installed, one binary per minor version. */
    static final Path INSTALL_DIR = Path.of("/usr/lib/google-cloud-sdk/bin");

    record Result(int exitCode, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        }
    }

    static Kubectl version(String minor, Path kubeconfig) {
        Path binary = INSTALL_DIR.resolve("kubectl.1." + minor);
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException("kubectl 1." + minor + " is not installed at " + binary);
        }
        return new Kubectl(binary, kubeconfig);
    }

    Result run(String... args) throws IOException, InterruptedException {
        return runWithInput(null, args);
    }

    /** Runs kubectl with {@code stdin} (or nothing) as its input. */
    Result runWithInput(String stdin, String... args) throws IOException, InterruptedException {
        return runWith(java.util.Map.of(), stdin, args);
    }

    /** Runs kubectl with extra environment variables (an {@code EDITOR}, say) and {@code stdin} or nothing. */
    Result runWith(java.util.Map<String, String> environment, String stdin, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(binary.toString(), "--kubeconfig", kubeconfig.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(environment);
        Process process = builder.start();
        if (stdin != null) {
            process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        process.getOutputStream().close();
        // Read stderr on its own thread so a full pipe on one stream cannot block the other; a platform thread,
        // since a pipe read holds its carrier, and the server under test runs on the same few carriers.
        StringBuilder stderr = new StringBuilder();
        Thread errors = Thread.ofPlatform().daemon().start(() -> {
            try {
                stderr.append(new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                stderr.append("(stderr unreadable: ").append(e).append(')');
            }
        });
        String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        errors.join();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("kubectl " + String.join(" ", args) + " did not finish in 60 s");
        }
        return new Result(process.exitValue(), stdout, stderr.toString());
    }

    /** Starts kubectl without waiting, for watches. */
    Process start(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(binary.toString(), "--kubeconfig", kubeconfig.toString()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }
}
