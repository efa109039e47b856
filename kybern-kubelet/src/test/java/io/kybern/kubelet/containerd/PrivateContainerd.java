package io.kybern.kubelet.containerd;

import io.grpc.StatusRuntimeException;
import io.kybern.kubelet.cri.CriClient;
import io.kybern.kubelet.cri.api.ListPodSandboxRequest;
import io.kybern.kubelet.cri.api.PodSandbox;
import io.kybern.kubelet.cri.api.RemovePodSandboxRequest;
import io.kybern.kubelet.cri.api.StopPodSandboxRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Test support for suites that run real containers: checks that the machine has what they need (failing
 * with a message that says what to install, never skipping), and cleans up after a containerd under a
 * test's directory: its sandboxes (so their containers, network namespaces and CNI addresses go), the
 * process, the mounts left under the directory and the test's bridge.
 */
public final class PrivateContainerd {

    private PrivateContainerd() {
    }

    /** Fails unless containerd, runc, ctr, the CNI plugins and busybox-static are installed and we are root. */
    public static void requireRuntime() {
        List<String> missing = new ArrayList<>();
        for (String binary : List.of("containerd", "ctr", "runc", "containerd-shim-runc-v2")) {
            if (!onPath(binary)) {
                missing.add(binary);
            }
        }
        for (String plugin : List.of("bridge", "host-local", "loopback", "portmap")) {
            if (!Files.isExecutable(ContainerdLayout.DEFAULT_CNI_BIN_DIR.resolve(plugin))) {
                missing.add(ContainerdLayout.DEFAULT_CNI_BIN_DIR.resolve(plugin).toString());
            }
        }
        if (!Files.isExecutable(io.kybern.images.testimages.TestImages.HOST_BUSYBOX)) {
            missing.add(io.kybern.images.testimages.TestImages.HOST_BUSYBOX.toString());
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("these tests run real containers and need " + missing
                    + ": install the Debian packages containerd runc containernetworking-plugins busybox-static "
                    + "nftables (.ci/run does)");
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new IllegalStateException("these tests run real containers and must run as root");
        }
    }

    private static boolean onPath(String binary) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(":")).map(Path::of)
                .anyMatch(dir -> Files.isExecutable(dir.resolve(binary)));
    }

    /** A bridge name of this test run's own, so concurrent runs do not share one. */
    public static String testBridge() {
        return "kyt" + Long.toHexString(ProcessHandle.current().pid() & 0xffffff);
    }

    /**
     * Stops and removes every sandbox the containerd on that socket has (their containers go with them). An agent
     * may still be removing some of them itself (a pod being deleted as the test ends): a sandbox or container
     * that goes meanwhile is no failure, and what is left is tried again a few times.
     */
    public static void removeAllSandboxes(Path socket) throws InterruptedException {
        if (!Files.exists(socket)) {
            return;
        }
        try (CriClient cri = CriClient.connect(socket)) {
            for (int attempt = 1; ; attempt++) {
                List<PodSandbox> left = cri.runtime().listPodSandbox(ListPodSandboxRequest.getDefaultInstance())
                        .getItemsList();
                if (left.isEmpty()) {
                    return;
                }
                StatusRuntimeException failure = null;
                for (PodSandbox sandbox : left) {
                    try {
                        cri.runtime().stopPodSandbox(StopPodSandboxRequest.newBuilder()
                                .setPodSandboxId(sandbox.getId()).build());
                        cri.runtime().removePodSandbox(RemovePodSandboxRequest.newBuilder()
                                .setPodSandboxId(sandbox.getId()).build());
                    } catch (StatusRuntimeException e) {
                        failure = e;
                    }
                }
                if (attempt == 5) {
                    if (failure != null) {
                        throw failure;
                    }
                    // An agent still running recreates the sandboxes of pods that exist (a crash-looping pod,
                    // say) as fast as they go: what is left goes with containerd, which the caller stops next.
                    System.err.println("PrivateContainerd: " + left.size() + " sandboxes still recreated after "
                            + attempt + " rounds; leaving them to containerd's stop");
                    return;
                }
                Thread.sleep(500);
            }
        }
    }

    /**
     * After containerd is stopped: kills the shims it left (with their containers), unmounts what is still
     * mounted under {@code dir} (deepest first), deletes the bridge with its masquerade rules and the directory.
     */
    public static void cleanUp(Path dir, String bridge) throws IOException, InterruptedException {
        Path absolute = dir.toAbsolutePath();
        killShims(absolute);
        List<String> mounts = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String mountPoint = line.split(" ")[4];
            if (mountPoint.startsWith(absolute.toString())) {
                mounts.add(mountPoint);
            }
        }
        mounts.sort(Comparator.comparing(String::length).reversed());
        for (String mountPoint : mounts) {
            new ProcessBuilder("umount", "-l", mountPoint).inheritIO().start().waitFor();
        }
        if (bridge != null) {
            new ProcessBuilder("ip", "link", "delete", bridge).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
            PodMasquerade.remove(bridge);
        }
        if (Files.exists(absolute)) {
            try (Stream<Path> paths = Files.walk(absolute)) {
                paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    /**
     * Shims outlive their containerd by design. Sandboxes an agent kept recreating while the test removed them (a
     * crash-looping pod) still have theirs, holding the containers' mounts: each shim of a containerd under
     * {@code dir} is killed with its children (the containers' first processes, whose PID namespaces go with them).
     */
    private static void killShims(Path dir) throws InterruptedException {
        List<ProcessHandle> shims = ProcessHandle.allProcesses().filter(process -> process.info().commandLine()
                .filter(line -> line.contains("containerd-shim") && line.contains(dir.toString())).isPresent())
                .toList();
        for (ProcessHandle shim : shims) {
            shim.children().forEach(ProcessHandle::destroyForcibly);
            shim.destroyForcibly();
        }
        for (ProcessHandle shim : shims) {
            try {
                shim.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                System.err.println("PrivateContainerd: shim " + shim.pid() + " still running: " + e);
            }
        }
    }
}
