package io.kybern.kubelet.agent;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.kybern.kubelet.cri.api.Mount;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A pod's volumes on the node, under {@code VOLUMES/<pod uid>/<volume>}: emptyDir for now (a directory
 * open to every user, as kubelet makes it, or a tmpfs for {@code medium: Memory}), and the container
 * mounts that point into them. Other volume types are not served yet: a container that mounts one is not
 * started (CreateContainerConfigError).
 */
final class PodVolumes {

    /** A volume the agent cannot provide. */
    static final class Unsupported extends Exception {
        Unsupported(String message) {
            super(message);
        }
    }

    private PodVolumes() {
    }

    static Path podDir(Path volumesDir, Pod pod) {
        return volumesDir.resolve(pod.getMetadata().getUid());
    }

    /** Makes the pod's emptyDir volumes (once; a restarted agent finds them made). */
    static void prepare(Path volumesDir, Pod pod) throws IOException, InterruptedException {
        for (Volume volume : PodWorker.list(pod.getSpec().getVolumes())) {
            if (volume.getEmptyDir() == null) {
                continue;
            }
            Path dir = podDir(volumesDir, pod).resolve(volume.getName());
            if (Files.isDirectory(dir)) {
                continue;
            }
            Files.createDirectories(dir);
            if ("Memory".equals(volume.getEmptyDir().getMedium())) {
                String size = volume.getEmptyDir().getSizeLimit() == null ? ""
                        : ",size=" + volume.getEmptyDir().getSizeLimit().getNumericalAmount().toBigInteger();
                run("mount", "-t", "tmpfs", "-o", "mode=0777" + size, "tmpfs", dir.toString());
            }
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        }
    }

    static List<Mount> mounts(Path volumesDir, Pod pod, Container container) throws Unsupported {
        List<Mount> mounts = new ArrayList<>();
        for (VolumeMount mount : PodWorker.list(container.getVolumeMounts())) {
            Volume volume = PodWorker.list(pod.getSpec().getVolumes()).stream()
                    .filter(v -> v.getName().equals(mount.getName())).findFirst()
                    .orElseThrow(() -> new Unsupported("volume \"" + mount.getName() + "\" not found"));
            if (volume.getEmptyDir() == null) {
                throw new Unsupported("volume \"" + volume.getName() + "\": only emptyDir volumes are served yet");
            }
            Path source = podDir(volumesDir, pod).resolve(volume.getName());
            if (mount.getSubPath() != null && !mount.getSubPath().isEmpty()) {
                source = source.resolve(mount.getSubPath());
            }
            mounts.add(Mount.newBuilder().setContainerPath(mount.getMountPath()).setHostPath(source.toString())
                    .setReadonly(Boolean.TRUE.equals(mount.getReadOnly())).build());
        }
        return mounts;
    }

    /** Removes a pod's volumes once its containers are gone (unmounting the memory-backed ones). */
    static void remove(Path volumesDir, String podUid) throws IOException, InterruptedException {
        Path dir = volumesDir.resolve(podUid);
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> volumes = Files.list(dir)) {
            for (Path volume : volumes.toList()) {
                if (isMountPoint(volume)) {
                    run("umount", volume.toString());
                }
            }
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    private static boolean isMountPoint(Path dir) throws IOException {
        String target = dir.toAbsolutePath().toString();
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/mountinfo"))) {
            return lines.anyMatch(line -> line.split(" ")[4].equals(target));
        }
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output.strip());
        }
    }
}
