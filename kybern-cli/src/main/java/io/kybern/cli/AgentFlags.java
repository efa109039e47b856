package io.kybern.cli;

import io.kybern.kubelet.agent.AgentConfig;
import io.kybern.kubelet.containerd.ContainerdLayout;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Option;

/** The node agent's flags on {@code kybern server}; names follow kubelet's and k3s'. */
final class AgentFlags {

    @Option(names = "--agent", paramLabel = "RUNTIME", defaultValue = "none",
            description = "Run a node agent for this machine: 'containerd' runs pods in real containers through "
                    + "CRI (a containerd of its own unless --container-runtime-endpoint is given); 'none' runs a "
                    + "control plane only (default: ${DEFAULT-VALUE}).")
    String agent;

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

    @Option(names = "--node-ip", paramLabel = "ADDRESS",
            description = "The node's InternalIP (default: the first non-loopback IPv4 address).")
    String nodeIp;

    /** The agent asked for, with its state under {@code DATA_DIR/agent}, or null for none. */
    AgentConfig config(Path dataDir) {
        switch (agent) {
            case "none" -> {
                return null;
            }
            case "containerd" -> {
                String name = nodeName != null ? nodeName : hostName();
                return new AgentConfig(name, dataDir.resolve("agent"), runtimeEndpoint, clusterCidr, null, pauseImage,
                        nodeIp);
            }
            default -> throw new IllegalArgumentException("--agent must be containerd or none: " + agent);
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName().toLowerCase(Locale.ROOT);
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
