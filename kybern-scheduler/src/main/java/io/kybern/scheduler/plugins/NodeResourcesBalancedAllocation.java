package io.kybern.scheduler.plugins;

import io.fabric8.kubernetes.api.model.Pod;
import io.kybern.scheduler.framework.CycleState;
import io.kybern.scheduler.framework.NodeInfo;
import io.kybern.scheduler.framework.Plugin;
import io.kybern.scheduler.framework.PodRequests;
import io.kybern.scheduler.framework.Resources;

/**
 * Prefers nodes whose CPU and memory would be used in like shares once the pod is there, so neither runs
 * out while the other lies idle: {@code (1 - standard deviation of the two fractions) * 100}, as
 * Kubernetes' NodeResourcesBalancedAllocation scores.
 */
public final class NodeResourcesBalancedAllocation implements Plugin.Score {

    public static final String NAME = "NodeResourcesBalancedAllocation";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public long score(CycleState state, Pod pod, NodeInfo node) {
        Resources request = PodRequests.nonZero(state, pod);
        double cpu = fraction(node.nonZeroRequested().milliCpu + request.milliCpu, node.allocatable().milliCpu);
        double memory = fraction(node.nonZeroRequested().memory + request.memory, node.allocatable().memory);
        // With two resources the standard deviation is half their difference.
        double deviation = Math.abs(cpu - memory) / 2;
        return (long) ((1 - deviation) * 100);
    }

    private static double fraction(long requested, long allocatable) {
        if (allocatable <= 0) {
            return 1;
        }
        return Math.min(1.0, (double) requested / allocatable);
    }
}
