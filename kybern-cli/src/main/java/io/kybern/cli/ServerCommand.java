package io.kybern.cli;

import io.kybern.kubelet.agent.AgentConfig;
import io.kybern.kubelet.containerd.ContainerdPrerequisites;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code kybern server}: flags only; {@link Server} does the work. Flag names follow k3s. */
@Command(name = "server", description = "Run a Kybern server (the control plane and a node agent) on this machine.")
final class ServerCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(ServerCommand.class);

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

    @Option(names = "--disable-agent",
            description = "Run a control plane only: no node agent for this machine. Without it the server runs "
                    + "this machine's pods in real containers through CRI, on a containerd of its own under "
                    + "DIR/agent unless --container-runtime-endpoint is given.")
    boolean disableAgent;

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

    /**
     * The agent for this machine, with its state under {@code DIR/agent}, or null for none: when
     * {@code --disable-agent} says so, or when the machine cannot run its own containerd (then a warning
     * says what is missing and the server goes on as a control plane).
     */
    private AgentConfig agentConfig() {
        if (disableAgent) {
            return null;
        }
        AgentConfig config = agentFlags.config(dataDir.resolve("agent"));
        if (config.runtimeEndpoint() == null) {
            List<String> missing = ContainerdPrerequisites.ofThisProcess().missing();
            if (!missing.isEmpty()) {
                log.warn("node agent not started, running a control plane only: missing {}; install {} and run "
                        + "as root, or pass --disable-agent", String.join("; ", missing),
                        ContainerdPrerequisites.PACKAGES);
                return null;
            }
        }
        return config;
    }
}
