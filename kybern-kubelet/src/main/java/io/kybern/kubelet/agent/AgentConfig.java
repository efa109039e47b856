package io.kybern.kubelet.agent;

import io.kybern.kubelet.containerd.CniNetwork;
import io.kybern.kubelet.containerd.ContainerdLayout;
import io.kybern.kubelet.server.KubeletServer;
import java.nio.file.Path;
import java.util.Objects;

/**
 * What a node agent is asked for.
 *
 * @param nodeName         its Node's name (kubelet's default: the host name, lower case)
 * @param dataDir          where it keeps its state (containerd's included) and the containers' logs
 * @param runtimeEndpoint  an existing CRI socket to use, or null to start a containerd of its own
 * @param clusterCidr      where a node without a pod CIDR takes its /24 from
 * @param bridgeName       the pods' Linux bridge (distinct per agent on one machine)
 * @param sandboxImage     the pause image of every pod sandbox
 * @param internalIp       the node's InternalIP (the pods' hostIP), or null to pick the first non-loopback
 *                         IPv4 address
 * @param registryMirror   HOST:PORT of Kybern's registry, containerd's mirror for docker.io, or null
 * @param kubeletPort      the port of its kubelet API (kubelet's 10250 by default; 0 for any free one)
 * @param staticPodPath    the directory of static pod manifests (kubelet's staticPodPath); null for
 *                         {@code DATA/pod-manifests}, where k3s has them
 */
public record AgentConfig(String nodeName, Path dataDir, String runtimeEndpoint, String clusterCidr,
        String bridgeName, String sandboxImage, String internalIp, String registryMirror, int kubeletPort,
        Path staticPodPath) {

    public AgentConfig(String nodeName, Path dataDir, String runtimeEndpoint, String clusterCidr, String bridgeName,
            String sandboxImage, String internalIp, String registryMirror, int kubeletPort) {
        this(nodeName, dataDir, runtimeEndpoint, clusterCidr, bridgeName, sandboxImage, internalIp, registryMirror,
                kubeletPort, null);
    }

    public AgentConfig(String nodeName, Path dataDir, String runtimeEndpoint, String clusterCidr, String bridgeName,
            String sandboxImage, String internalIp) {
        this(nodeName, dataDir, runtimeEndpoint, clusterCidr, bridgeName, sandboxImage, internalIp, null);
    }

    public AgentConfig(String nodeName, Path dataDir, String runtimeEndpoint, String clusterCidr, String bridgeName,
            String sandboxImage, String internalIp, String registryMirror) {
        this(nodeName, dataDir, runtimeEndpoint, clusterCidr, bridgeName, sandboxImage, internalIp, registryMirror,
                KubeletServer.DEFAULT_PORT);
    }

    public static final String DEFAULT_CLUSTER_CIDR = "10.42.0.0/16";

    public AgentConfig {
        Objects.requireNonNull(nodeName, "nodeName");
        Objects.requireNonNull(dataDir, "dataDir");
        clusterCidr = clusterCidr == null ? DEFAULT_CLUSTER_CIDR : clusterCidr;
        bridgeName = bridgeName == null ? CniNetwork.DEFAULT_BRIDGE : bridgeName;
        sandboxImage = sandboxImage == null ? ContainerdLayout.DEFAULT_SANDBOX_IMAGE : sandboxImage;
        if (kubeletPort < 0 || kubeletPort > 65535) {
            throw new IllegalArgumentException("kubelet port out of range: " + kubeletPort);
        }
        if (runtimeEndpoint != null && runtimeEndpoint.isBlank()) {
            runtimeEndpoint = null;
        }
        staticPodPath = staticPodPath == null ? dataDir.resolve("pod-manifests") : staticPodPath;
    }

    /** An agent with its own containerd and the defaults. */
    public static AgentConfig defaults(String nodeName, Path dataDir) {
        return new AgentConfig(nodeName, dataDir, null, null, null, null, null, null, KubeletServer.DEFAULT_PORT);
    }

    public AgentConfig withRegistryMirror(String hostAndPort) {
        return new AgentConfig(nodeName, dataDir, runtimeEndpoint, clusterCidr, bridgeName, sandboxImage, internalIp,
                hostAndPort, kubeletPort, staticPodPath);
    }

    public AgentConfig withKubeletPort(int port) {
        return new AgentConfig(nodeName, dataDir, runtimeEndpoint, clusterCidr, bridgeName, sandboxImage, internalIp,
                registryMirror, port, staticPodPath);
    }

    public ContainerdLayout containerdLayout() {
        return ContainerdLayout.under(dataDir).withSandboxImage(sandboxImage).withMirror(registryMirror);
    }

    /** The pods' log directories (as kubelet's /var/log/pods). */
    public Path podLogDir() {
        return dataDir.resolve("pods");
    }
}
