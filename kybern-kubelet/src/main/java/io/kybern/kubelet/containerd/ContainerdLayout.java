package io.kybern.kubelet.containerd;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where an agent's own containerd keeps everything, all under one directory so that several agents (or
 * tests) on one machine never share state, and the settings its configuration is written from.
 *
 * @param dir          the containerd directory under the agent's data directory
 * @param sandboxImage the image of every pod's sandbox (pause) container
 * @param cniBinDir    where the CNI plugins are installed
 * @param mirror       HOST:PORT of a plain-HTTP registry (Kybern's embedded one) that mirrors docker.io, or
 *                     null for none
 */
public record ContainerdLayout(Path dir, String sandboxImage, Path cniBinDir, String mirror) {

    /**
     * Kybern's pause image, as kybern-images builds it ({@code kybern/pause:1}) and the embedded registry
     * serves it through the docker.io mirror.
     */
    public static final String DEFAULT_SANDBOX_IMAGE = "docker.io/kybern/pause:1";
    /** The registry the mirror stands in for: image names without a registry are docker.io's. */
    static final String MIRRORED_REGISTRY = "docker.io";
    /** Debian's containernetworking-plugins install here. */
    public static final Path DEFAULT_CNI_BIN_DIR = Path.of("/usr/lib/cni");

    public ContainerdLayout {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(sandboxImage, "sandboxImage");
        Objects.requireNonNull(cniBinDir, "cniBinDir");
        dir = dir.toAbsolutePath();
    }

    public static ContainerdLayout under(Path agentDataDir) {
        return new ContainerdLayout(agentDataDir.resolve("containerd"), DEFAULT_SANDBOX_IMAGE, DEFAULT_CNI_BIN_DIR,
                null);
    }

    public ContainerdLayout withSandboxImage(String image) {
        return new ContainerdLayout(dir, image, cniBinDir, mirror);
    }

    public ContainerdLayout withMirror(String hostAndPort) {
        return new ContainerdLayout(dir, sandboxImage, cniBinDir, hostAndPort);
    }

    /**
     * containerd's hosts.toml for docker.io when there is a mirror: pulls and resolves go to the mirror
     * over plain HTTP (containerd reaches a loopback HTTP registry without certificates), docker.io itself
     * staying the upstream. Null without a mirror.
     */
    public String mirrorHostsToml() {
        if (mirror == null) {
            return null;
        }
        return """
                # Written by the Kybern node agent at each start; edits are overwritten.
                server = "https://registry-1.docker.io"

                [host.%s]
                  capabilities = ["pull", "resolve"]
                """.formatted(quote("http://" + mirror));
    }

    public Path configFile() {
        return dir.resolve("config.toml");
    }

    public Path root() {
        return dir.resolve("root");
    }

    public Path state() {
        return dir.resolve("state");
    }

    public Path socket() {
        return dir.resolve("containerd.sock");
    }

    public Path log() {
        return dir.resolve("containerd.log");
    }

    /** Registry host configuration (hosts.toml per registry): where the mirrors to Kybern's registry go. */
    public Path registryConfigDir() {
        return dir.resolve("certs.d");
    }

    public Path cniConfDir() {
        return dir.resolve("cni").resolve("net.d");
    }

    /** Where the containers' log files are written, one directory per pod as kubelet's /var/log/pods. */
    public Path podLogDir() {
        return dir.getParent().resolve("pods");
    }

    /**
     * containerd's configuration (format version 2, as containerd 1.6 reads it): its own root, state and
     * socket, and the CRI plugin set up as kubelet expects it (runc with cgroupfs, overlayfs, our pause
     * image, CNI from our directories).
     */
    public String configToml() {
        return """
                # Written by the Kybern node agent at each start; edits are overwritten.
                version = 2
                root = %s
                state = %s

                [grpc]
                  address = %s

                [ttrpc]
                  address = %s

                [plugins."io.containerd.internal.v1.opt"]
                  path = %s

                [plugins."io.containerd.grpc.v1.cri"]
                  sandbox_image = %s
                  stream_server_address = "127.0.0.1"
                  stream_server_port = "0"
                  enable_selinux = false
                  # The sandbox's oom_score_adj (-998) and anything else below containerd's own would need
                  # CAP_SYS_RESOURCE, which a containerized or restricted root lacks; runc then fails to start.
                  restrict_oom_score_adj = true

                  [plugins."io.containerd.grpc.v1.cri".containerd]
                    snapshotter = "overlayfs"
                    default_runtime_name = "runc"

                    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
                      runtime_type = "io.containerd.runc.v2"

                      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
                        SystemdCgroup = false
                        # runc's state of our containers, beside ours rather than in the machine-wide /run
                        Root = %s

                  [plugins."io.containerd.grpc.v1.cri".cni]
                    bin_dir = %s
                    conf_dir = %s
                    max_conf_num = 1

                  [plugins."io.containerd.grpc.v1.cri".registry]
                    config_path = %s
                """.formatted(quote(root()), quote(state()), quote(socket()), quote(dir.resolve("containerd-ttrpc.sock")),
                quote(dir.resolve("opt")), quote(sandboxImage), quote(state().resolve("runc")), quote(cniBinDir),
                quote(cniConfDir()),
                quote(registryConfigDir()));
    }

    /** A TOML basic string. */
    static String quote(Object value) {
        return "\"" + value.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
