package io.kybern.cli;

import io.kybern.kubelet.agent.AgentConfig;
import io.kybern.kubelet.sim.NodeShape;
import io.kybern.kubelet.sim.SimulatedNodes;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.InstantSource;
import java.util.List;
import java.util.Objects;

/**
 * What the user asked the server for; the running parts live in {@link Server}.
 *
 * @param dataDir           where the server keeps its state
 * @param datastoreEndpoint the datastore, in {@link io.kybern.store.Stores}' syntax
 * @param bindAddress       the address the API server listens on
 * @param httpsPort         its port (0 picks a free one)
 * @param writeKubeconfig   where to write the admin kubeconfig
 * @param tlsSans           extra names and addresses for the serving certificate
 * @param controllers       whether to run the controllers (kube-controller-manager's part) in this server
 * @param scheduler         whether to run the scheduler (kube-scheduler's part) in this server
 * @param simulatedNodes    the simulated nodes to run in this server (a count of 0 for none)
 * @param clock             the time the controllers, scheduler and simulated nodes read (tests move their own)
 * @param registry          where the embedded image registry listens (port 0 picks one), or null for none
 * @param agent             the node agent to run for this machine, or null for none (the default for now:
 *                          see docs/decisions/0018-node-agent.md)
 */
public record ServerConfig(Path dataDir, String datastoreEndpoint, String bindAddress, int httpsPort, Path writeKubeconfig,
        List<String> tlsSans, boolean controllers, boolean scheduler, SimulatedNodes.Options simulatedNodes,
        InstantSource clock, InetSocketAddress registry, AgentConfig agent) {

    /** A server without a node agent. */
    ServerConfig(Path dataDir, String datastoreEndpoint, String bindAddress, int httpsPort, Path writeKubeconfig,
            List<String> tlsSans, boolean controllers, boolean scheduler, SimulatedNodes.Options simulatedNodes,
            InstantSource clock, InetSocketAddress registry) {
        this(dataDir, datastoreEndpoint, bindAddress, httpsPort, writeKubeconfig, tlsSans, controllers, scheduler,
                simulatedNodes, clock, registry, null);
    }

    /** A server without simulated nodes, on the system clock, with or without its controllers and scheduler. */
    public ServerConfig(Path dataDir, String datastoreEndpoint, String bindAddress, int httpsPort, Path writeKubeconfig,
            List<String> tlsSans, boolean controllersAndScheduler) {
        this(dataDir, datastoreEndpoint, bindAddress, httpsPort, writeKubeconfig, tlsSans, controllersAndScheduler,
                controllersAndScheduler, noSimulatedNodes(), Clock.systemUTC(), null);
    }

    /** A server with its controllers and scheduler. */
    public ServerConfig(Path dataDir, String datastoreEndpoint, String bindAddress, int httpsPort, Path writeKubeconfig,
            List<String> tlsSans) {
        this(dataDir, datastoreEndpoint, bindAddress, httpsPort, writeKubeconfig, tlsSans, true);
    }

    public ServerConfig {
        Objects.requireNonNull(dataDir, "dataDir");
        datastoreEndpoint = datastoreEndpoint == null ? "" : datastoreEndpoint;
        Objects.requireNonNull(bindAddress, "bindAddress");
        if (httpsPort < 0 || httpsPort > 65535) {
            throw new IllegalArgumentException("--https-listen-port must be 0-65535: " + httpsPort);
        }
        writeKubeconfig = writeKubeconfig == null ? dataDir.resolve("admin.kubeconfig") : writeKubeconfig;
        tlsSans = List.copyOf(tlsSans);
        Objects.requireNonNull(simulatedNodes, "simulatedNodes");
        Objects.requireNonNull(clock, "clock");
    }

    public static SimulatedNodes.Options noSimulatedNodes() {
        return new SimulatedNodes.Options(0, SimulatedNodes.Options.DEFAULT_PREFIX, NodeShape.defaults());
    }
}
