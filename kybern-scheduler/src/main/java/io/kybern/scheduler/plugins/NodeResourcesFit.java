package io.kybern.scheduler.plugins;

import io.fabric8.kubernetes.api.model.Pod;
import io.kybern.scheduler.framework.CycleState;
import io.kybern.scheduler.framework.NodeInfo;
import io.kybern.scheduler.framework.Plugin;
import io.kybern.scheduler.framework.PodRequests;
import io.kybern.scheduler.framework.Resources;
import io.kybern.scheduler.framework.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Whether the node has room for what the pod requests (CPU, memory, ephemeral storage, extended
 * resources, and one more pod), and — scoring with Kubernetes' default LeastAllocated strategy — how much
 * CPU and memory would stay free: an emptier node scores higher, which spreads pods.
 */
public final class NodeResourcesFit implements Plugin.PreFilter, Plugin.Filter, Plugin.Score {

    public static final String NAME = "NodeResourcesFit";
    private static final Object REQUESTS = new Object();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Status preFilter(CycleState state, Pod pod, List<NodeInfo> nodes) {
        state.write(REQUESTS, PodRequests.of(pod));
        return Status.SUCCESS;
    }

    @Override
    public Status filter(CycleState state, Pod pod, NodeInfo node) {
        Resources request = state.read(REQUESTS);
        if (request == null) {
            request = PodRequests.of(pod);
        }
        List<String> reasons = insufficient(request, node);
        return reasons.isEmpty() ? Status.SUCCESS : Status.unschedulable(reasons.toArray(String[]::new));
    }

    /** Kubernetes' reasons, one per resource that does not fit ("Too many pods", "Insufficient cpu"...). */
    static List<String> insufficient(Resources request, NodeInfo node) {
        List<String> reasons = new ArrayList<>();
        if (node.pods().size() + 1 > node.allowedPods()) {
            reasons.add("Too many pods");
        }
        Resources free = node.allocatable();
        Resources used = node.requested();
        if (request.milliCpu > 0 && request.milliCpu > free.milliCpu - used.milliCpu) {
            reasons.add("Insufficient cpu");
        }
        if (request.memory > 0 && request.memory > free.memory - used.memory) {
            reasons.add("Insufficient memory");
        }
        if (request.ephemeralStorage > 0 && request.ephemeralStorage > free.ephemeralStorage - used.ephemeralStorage) {
            reasons.add("Insufficient ephemeral-storage");
        }
        for (Map.Entry<String, Long> scalar : request.scalars.entrySet()) {
            if (scalar.getValue() > 0 && scalar.getValue() > free.scalar(scalar.getKey()) - used.scalar(scalar.getKey())) {
                reasons.add("Insufficient " + scalar.getKey());
            }
        }
        return reasons;
    }

    @Override
    public long score(CycleState state, Pod pod, NodeInfo node) {
        Resources request = PodRequests.nonZero(state, pod);
        long cpu = leastAllocated(node.nonZeroRequested().milliCpu + request.milliCpu, node.allocatable().milliCpu);
        long memory = leastAllocated(node.nonZeroRequested().memory + request.memory, node.allocatable().memory);
        return (cpu + memory) / 2;
    }

    /** The share of the resource left free, 0..100; nothing left (or nothing there) is 0. */
    static long leastAllocated(long requested, long allocatable) {
        if (allocatable <= 0 || requested > allocatable) {
            return 0;
        }
        return (allocatable - requested) * 100 / allocatable;
    }
}
