package io.kybern.cli;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code kybern server}: flags only; {@link Server} does the work. Flag names follow k3s. */
@Command(name = "server", description = "Run a Kybern server (the control plane) on this machine.")
final class ServerCommand implements Callable<Integer> {

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "${KYBERN_DATA_DIR:-/var/lib/kybern}",
            description = "Where the server keeps its state (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--datastore-endpoint", paramLabel = "ENDPOINT", defaultValue = "",
            description = "Empty for the embedded SQLite database, sqlite://FILE, "
                    + "etcd://HOST:PORT[,HOST:PORT...] for a real etcd cluster, or memory://.")
    String datastoreEndpoint;

    @Option(names = "--bind-address", paramLabel = "ADDRESS", defaultValue = "0.0.0.0",
            description = "The address the API server listens on (default: ${DEFAULT-VALUE}).")
    String bindAddress;

    @Option(names = "--https-listen-port", paramLabel = "PORT", defaultValue = "6443",
            description = "The API server's HTTPS port (default: ${DEFAULT-VALUE}).")
    int httpsPort;

    @Option(names = "--write-kubeconfig", paramLabel = "FILE",
            description = "Where to write the admin kubeconfig (default: DIR/admin.kubeconfig).")
    Path writeKubeconfig;

    @Option(names = "--tls-san", paramLabel = "NAME",
            description = "An extra host name or IP address for the serving certificate; repeatable.")
    List<String> tlsSans = new ArrayList<>();

    @Option(names = "--disable-controller-manager",
            description = "Do not run the controllers (ReplicaSet, garbage collector, namespace...) in this server.")
    boolean disableControllerManager;

    @Option(names = "--disable-scheduler",
            description = "Do not run the scheduler in this server (pods stay Pending unless another binds them).")
    boolean disableScheduler;

    @Option(names = "--simulated-nodes", paramLabel = "N", defaultValue = "0",
            description = "Run N simulated nodes in this server: Nodes that run their pods without containers "
                    + "(default: ${DEFAULT-VALUE}).")
    int simulatedNodes;

    @Option(names = "--registry-address", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "The address the embedded image registry listens on, plain HTTP (default: ${DEFAULT-VALUE}).")
    String registryAddress;

    @Option(names = "--registry-port", paramLabel = "PORT", defaultValue = "5000",
            description = "The embedded image registry's port; containerd uses it as its registry mirror "
                    + "(default: ${DEFAULT-VALUE}).")
    int registryPort;

    @Option(names = "--disable-registry", description = "Do not run the embedded image registry.")
    boolean disableRegistry;

    @Mixin
    SimNodeFlags simNodes;

    @Option(names = "--agent", paramLabel = "RUNTIME", defaultValue = "none",
            description = "Run a node agent for this machine: 'containerd' runs pods in real containers through "
                    + "CRI (a containerd of its own under DIR/agent unless --container-runtime-endpoint is given); "
                    + "'none' runs a control plane only (default: ${DEFAULT-VALUE}).")
    String agent;

    @Mixin
    AgentFlags agentFlags;

    @Override
    public Integer call() throws Exception {
        ServerConfig config = new ServerConfig(dataDir, datastoreEndpoint, bindAddress, httpsPort, writeKubeconfig,
                tlsSans, !disableControllerManager, !disableScheduler, simNodes.options(simulatedNodes),
                Clock.systemUTC(), disableRegistry ? null : new InetSocketAddress(registryAddress, registryPort),
                agentConfig());
        try (Server server = Server.start(config)) {
            server.awaitShutdown();
        }
        return 0;
    }

    /** The agent {@code --agent} asks for, with its state under {@code DIR/agent}, or null for none. */
    private io.kybern.kubelet.agent.AgentConfig agentConfig() {
        return switch (agent) {
            case "none" -> null;
            case "containerd" -> agentFlags.config(dataDir.resolve("agent"));
            default -> throw new IllegalArgumentException("--agent must be containerd or none: " + agent);
        };
    }
}
