package io.kybern.kubelet.agent;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kybern.kubelet.cri.api.Mount;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A pod's volumes on the node, under {@code VOLUMES/<pod uid>/<volume>}: emptyDir (a directory open to
 * every user, as kubelet makes it, or a tmpfs for {@code medium: Memory}); configMap, secret, downwardAPI
 * and projected volumes (their files written by {@link VolumeFiles}); hostPath (the host's path, checked
 * by its type); persistentVolumeClaim bound to a hostPath or local volume ({@link ClaimVolumes}); and the
 * container mounts that point into them. Other volume types are not served: a container that mounts one is
 * not started (CreateContainerConfigError).
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

    /**
     * Makes the pod's emptyDir volumes (once; a restarted agent finds them made), writes the files of its
     * configMap, secret, downwardAPI and projected volumes afresh, and checks (or makes) its host paths and
     * those of its claims' volumes.
     *
     * @return where each persistentVolumeClaim volume is on the node, by volume name
     */
    static Map<String, Path> prepare(Path volumesDir, Pod pod, KubernetesClient client)
            throws IOException, InterruptedException, VolumeFiles.MountFailed, Unsupported {
        Map<String, Path> claims = new HashMap<>();
        for (Volume volume : PodWorker.list(pod.getSpec().getVolumes())) {
            if (volume.getPersistentVolumeClaim() != null) {
                ClaimVolumes.Source source = ClaimVolumes.resolve(pod.getMetadata().getNamespace(), volume.getName(),
                        volume.getPersistentVolumeClaim(), client);
                HostPaths.check(volume.getName(), source.path(), source.hostPathType());
                claims.put(volume.getName(), source.path());
                continue;
            }
            if (volume.getHostPath() != null) {
                HostPaths.check(volume.getName(), Path.of(volume.getHostPath().getPath()),
                        volume.getHostPath().getType());
                continue;
            }
            if (VolumeFiles.isApiBacked(volume)) {
                write(podDir(volumesDir, pod).resolve(volume.getName()), VolumeFiles.of(volume, pod, client));
                continue;
            }
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
        return claims;
    }

    /** Replaces the directory's content with the files; a mounted directory stays the same inode. */
    private static void write(Path dir, Map<String, VolumeFiles.File> files) throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (Stream<Path> old = Files.list(dir)) {
            for (Path path : old.toList()) {
                deleteTree(path);
            }
        }
        for (var entry : files.entrySet()) {
            Path file = dir.resolve(entry.getKey()).normalize();
            if (!file.startsWith(dir)) {
                throw new IOException("volume file path leaves its volume: " + entry.getKey());
            }
            Files.createDirectories(file.getParent());
            Files.write(file, entry.getValue().content());
            Files.setPosixFilePermissions(file, permissions(entry.getValue().mode()));
        }
    }

    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = {PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.GROUP_READ, PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE,
            PosixFilePermission.OWNER_READ};
        for (int i = 0; i < bits.length; i++) {
            if ((mode & (1 << i)) != 0) {
                permissions.add(bits[i]);
            }
        }
        return permissions;
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    /**
     * The container's mounts.
     *
     * @param claims where the pod's persistentVolumeClaim volumes are, as {@link #prepare} found them
     */
    static List<Mount> mounts(Path volumesDir, Pod pod, Container container, Map<String, Path> claims)
            throws Unsupported {
        List<Mount> mounts = new ArrayList<>();
        for (VolumeMount mount : PodWorker.list(container.getVolumeMounts())) {
            Volume volume = PodWorker.list(pod.getSpec().getVolumes()).stream()
                    .filter(v -> v.getName().equals(mount.getName())).findFirst()
                    .orElseThrow(() -> new Unsupported("volume \"" + mount.getName() + "\" not found"));
            boolean apiBacked = VolumeFiles.isApiBacked(volume);
            Path source;
            boolean readOnly = apiBacked || Boolean.TRUE.equals(mount.getReadOnly());
            if (volume.getPersistentVolumeClaim() != null && claims.containsKey(volume.getName())) {
                source = claims.get(volume.getName());
                readOnly |= Boolean.TRUE.equals(volume.getPersistentVolumeClaim().getReadOnly());
            } else if (volume.getHostPath() != null) {
                source = Path.of(volume.getHostPath().getPath());
            } else if (volume.getEmptyDir() != null || apiBacked) {
                source = podDir(volumesDir, pod).resolve(volume.getName());
            } else {
                throw new Unsupported("volume \"" + volume.getName() + "\": its type is not served by this node yet");
            }
            if (mount.getSubPath() != null && !mount.getSubPath().isEmpty()) {
                source = source.resolve(mount.getSubPath());
            }
            mounts.add(Mount.newBuilder().setContainerPath(mount.getMountPath()).setHostPath(source.toString())
                    // Volumes of API content are always read-only, as kubelet mounts them.
                    .setReadonly(readOnly).build());
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
