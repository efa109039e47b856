package io.kybern.cli;

import io.kybern.kubelet.agent.AgentConfig;
import io.kybern.kubelet.containerd.CniNetwork;
import io.kybern.kubelet.containerd.ContainerdLayout;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Option;

/** The node agent's flags, shared by {@code kybern server} and {@code kybern agent}; names follow kubelet's and k3s'. */
final class AgentFlags {

    @Option(names = "--node-name", paramLabel = "NAME",
            description = "The agent's Node name (default: this machine's host name).")
    String nodeName;

    @Option(names = "--container-runtime-endpoint", paramLabel = "SOCKET",
            description = "An existing CRI runtime's socket (path or unix://PATH) instead of the agent's own "
                    + "containerd.")
    String runtimeEndpoint;

    @Option(names = "--cluster-cidr", paramLabel = "CIDR", defaultValue = AgentConfig.DEFAULT_CLUSTER_CIDR,
            description = "Where nodes take their /24 pod CIDR from (default: ${DEFAULT-VALUE}).")
    String clusterCidr;

    @Option(names = "--pause-image", paramLabel = "IMAGE", defaultValue = ContainerdLayout.DEFAULT_SANDBOX_IMAGE,
            description = "The pod sandbox image (default: ${DEFAULT-VALUE}).")
    String pauseImage;

    @Option(names = "--cni-bridge", paramLabel = "NAME", defaultValue = CniNetwork.DEFAULT_BRIDGE,
            description = "The pods' Linux bridge (default: ${DEFAULT-VALUE}).")
    String bridge;

    @Option(names = "--node-ip", paramLabel = "ADDRESS",
            description = "The node's InternalIP (default: the first non-loopback IPv4 address).")
    String nodeIp;

    @Option(names = "--kubelet-port", paramLabel = "PORT", defaultValue = "10250",
            description = "The port of the agent's kubelet API, which the API server reaches for logs, exec, "
                    + "attach, port-forward and stats (default: ${DEFAULT-VALUE}; 0 picks a free port).")
    int kubeletPort;

    @Option(names = "--pod-manifest-path", paramLabel = "DIR",
            description = "The directory of static pod manifests, run by the agent with mirror pods in the API "
                    + "(kubelet's staticPodPath; default: pod-manifests in the agent's data directory, as k3s has it).")
    Path staticPodPath;

    /** The agent these flags ask for, with its state (containerd's included) in {@code agentDir}. */
    AgentConfig config(Path agentDir) {
        String name = nodeName != null ? nodeName : hostName();
        return new AgentConfig(name, agentDir, runtimeEndpoint, clusterCidr, bridge, pauseImage, nodeIp, null,
                kubeletPort, staticPodPath);
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName().toLowerCase(Locale.ROOT);
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
