package io.kybern.cli;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.kybern.kubelet.sim.SimulatedNodes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code kybern sim}: simulated nodes joined to an existing cluster (any Kubernetes API server), until
 * stopped; {@code kybern sim stop-node|start-node NAME} stops or starts one of them from outside, through
 * the {@value SimulatedNodes#STOPPED_ANNOTATION} annotation its simulator follows.
 */
@Command(name = "sim", description = "Run simulated nodes against an existing cluster.",
        subcommands = {SimCommand.StopNode.class, SimCommand.StartNode.class})
final class SimCommand implements Callable<Integer> {

    // Not required by picocli, which would then ask for it before the subcommands too: checked in call().
    @Option(names = "--kubeconfig", paramLabel = "FILE",
            description = "The kubeconfig of the cluster to join (required).")
    Path kubeconfig;

    @Option(names = "--nodes", paramLabel = "N", defaultValue = "1",
            description = "How many simulated nodes (default: ${DEFAULT-VALUE}).")
    int nodes;

    @Mixin
    SimNodeFlags simNodes;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (kubeconfig == null) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "Missing required option: '--kubeconfig=FILE'");
        }
        CountDownLatch stopped = new CountDownLatch(1);
        try (KubernetesClient client = client(kubeconfig);
                SimulatedNodes set = SimulatedNodes.start(client, simNodes.options(nodes), Clock.systemUTC())) {
            Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown, "kybern-sim-shutdown"));
            System.out.println(set.nodes().size() + " simulated nodes running; stop with Ctrl-C");
            stopped.await();
        }
        return 0;
    }

    static KubernetesClient client(Path kubeconfig) throws IOException {
        return new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(kubeconfig)))
                .withHttpClientFactory(new JdkHttpClientFactory()).build();
    }

    /** Sets or clears the stop annotation of a simulated node; 1 with a message if there is no such node. */
    static int annotate(Path kubeconfig, String node, boolean stop) throws IOException {
        try (KubernetesClient client = client(kubeconfig)) {
            Node existing = client.nodes().withName(node).get();
            if (existing == null || existing.getMetadata().getLabels() == null
                    || !"true".equals(existing.getMetadata().getLabels().get(SimulatedNodes.SIMULATED_LABEL))) {
                System.err.println("error: " + (existing == null ? "nodes \"" + node + "\" not found"
                        : "node " + node + " is not a simulated node (no " + SimulatedNodes.SIMULATED_LABEL
                                + "=true label)"));
                return 1;
            }
            client.nodes().resource(existing).patch(PatchContext.of(PatchType.JSON_MERGE),
                    "{\"metadata\":{\"annotations\":{\"" + SimulatedNodes.STOPPED_ANNOTATION + "\":"
                            + (stop ? "\"true\"" : "null") + "}}}");
        }
        System.out.println("node/" + node + (stop ? " stopped" : " started"));
        return 0;
    }

    @Command(name = "stop-node", description = "Stop a simulated node: no more Lease renewals, status or pod care.")
    static final class StopNode implements Callable<Integer> {
        @Option(names = "--kubeconfig", paramLabel = "FILE", required = true,
                description = "The kubeconfig of the node's cluster.")
        Path kubeconfig;

        @Parameters(paramLabel = "NAME")
        String node;

        @Override
        public Integer call() throws Exception {
            return annotate(kubeconfig, node, true);
        }
    }

    @Command(name = "start-node", description = "Start a stopped simulated node again.")
    static final class StartNode implements Callable<Integer> {
        @Option(names = "--kubeconfig", paramLabel = "FILE", required = true,
                description = "The kubeconfig of the node's cluster.")
        Path kubeconfig;

        @Parameters(paramLabel = "NAME")
        String node;

        @Override
        public Integer call() throws Exception {
            return annotate(kubeconfig, node, false);
        }
    }
}
