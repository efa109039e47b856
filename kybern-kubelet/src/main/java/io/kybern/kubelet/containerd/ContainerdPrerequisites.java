package io.kybern.kubelet.containerd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * What an agent running its own containerd needs from the machine, checked before it starts: root,
 * the containerd and runc binaries on the PATH, and the CNI plugins the pod network is made of. The
 * server runs its agent by default, and on a machine without these it is better told so in one line
 * than shown a containerd start failure.
 *
 * @param searchPath the directories binaries are looked for in (the PATH)
 * @param cniBinDir  where the CNI plugins must be
 * @param uid        the process' effective user id, if known
 */
public record ContainerdPrerequisites(List<Path> searchPath, Path cniBinDir, OptionalLong uid) {

    /** The Debian packages that provide what is checked, for the message. */
    public static final String PACKAGES = "containerd runc containernetworking-plugins";
    private static final List<String> BINARIES = List.of("containerd", "runc");
    private static final List<String> CNI_PLUGINS = List.of("bridge", "host-local", "loopback", "portmap");

    /** This process' view: its PATH, Debian's CNI directory, its effective uid. */
    public static ContainerdPrerequisites ofThisProcess() {
        String path = System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        List<Path> dirs = Pattern.compile(":").splitAsStream(path).filter(s -> !s.isEmpty()).map(Path::of).toList();
        return new ContainerdPrerequisites(dirs, ContainerdLayout.DEFAULT_CNI_BIN_DIR, effectiveUid());
    }

    /** What is missing, one phrase each; empty when the agent can start. */
    public List<String> missing() {
        List<String> missing = new ArrayList<>();
        if (uid.isPresent() && uid.getAsLong() != 0) {
            missing.add("root (containers need it; running as uid " + uid.getAsLong() + ")");
        }
        for (String binary : BINARIES) {
            if (searchPath.stream().noneMatch(dir -> Files.isExecutable(dir.resolve(binary)))) {
                missing.add(binary + " on the PATH");
            }
        }
        List<String> plugins = CNI_PLUGINS.stream().filter(p -> !Files.isExecutable(cniBinDir.resolve(p))).toList();
        if (!plugins.isEmpty()) {
            missing.add("the CNI plugins " + String.join(", ", plugins) + " in " + cniBinDir);
        }
        return missing;
    }

    /** The effective uid from /proc/self/status ("Uid: real effective saved fs"), if it can be read. */
    private static OptionalLong effectiveUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    String[] ids = line.substring(4).strip().split("\\s+");
                    return OptionalLong.of(Long.parseLong(ids[1]));
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux, or an unexpected format: let containerd itself say what is wrong.
        }
        return OptionalLong.empty();
    }
}
