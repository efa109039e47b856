package io.kybern.cli;

import io.kybern.kubelet.sim.NodeShape;
import io.kybern.kubelet.sim.SimulatedNodes;
import picocli.CommandLine.Option;

/** The flags that shape simulated nodes, shared by {@code kybern server} and {@code kybern sim}. */
final class SimNodeFlags {

    @Option(names = "--sim-node-cpu", paramLabel = "QUANTITY", defaultValue = NodeShape.DEFAULT_CPU,
            description = "CPU capacity of each simulated node (default: ${DEFAULT-VALUE}).")
    String cpu;

    @Option(names = "--sim-node-memory", paramLabel = "QUANTITY", defaultValue = NodeShape.DEFAULT_MEMORY,
            description = "Memory capacity of each simulated node (default: ${DEFAULT-VALUE}).")
    String memory;

    @Option(names = "--sim-node-pods", paramLabel = "N", defaultValue = "" + NodeShape.DEFAULT_PODS,
            description = "How many pods each simulated node takes (default: ${DEFAULT-VALUE}).")
    int pods;

    @Option(names = "--sim-node-labels", paramLabel = "K=V,...", defaultValue = "",
            description = "Extra labels of each simulated node.")
    String labels;

    @Option(names = "--sim-node-taints", paramLabel = "K=V:EFFECT,...", defaultValue = "",
            description = "Taints each simulated node registers with.")
    String taints;

    @Option(names = "--sim-node-prefix", paramLabel = "PREFIX", defaultValue = SimulatedNodes.Options.DEFAULT_PREFIX,
            description = "The simulated nodes' name prefix; they are PREFIX0, PREFIX1... (default: ${DEFAULT-VALUE}).")
    String prefix;

    SimulatedNodes.Options options(int count) {
        return new SimulatedNodes.Options(count, prefix, new NodeShape(cpu, memory, pods,
                NodeShape.parseLabels(labels), NodeShape.parseTaints(taints)));
    }
}
