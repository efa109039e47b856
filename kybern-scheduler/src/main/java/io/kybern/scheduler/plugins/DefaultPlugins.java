package io.kybern.scheduler.plugins;

import io.kybern.scheduler.framework.Plugin;
import java.util.List;
import java.util.Map;

/** Kubernetes' default profile: which plugins run, in what order, and how much each score weighs. */
public final class DefaultPlugins {

    /** Score weights of the default profile (kube-scheduler's defaults). */
    public static final Map<String, Integer> WEIGHTS = Map.of(
            NodeResourcesFit.NAME, 1,
            NodeResourcesBalancedAllocation.NAME, 1,
            TaintToleration.NAME, 3,
            NodeAffinity.NAME, 2,
            InterPodAffinity.NAME, 2,
            PodTopologySpread.NAME, 2);

    private DefaultPlugins() {
    }

    /**
     * The filtering and scoring plugins (no preemption or binding, which need the API), in Kubernetes'
     * order: cheap, decisive checks first.
     */
    public static List<Plugin> filtersAndScores(VolumeBinding volumes, InterPodAffinity interPodAffinity) {
        return List.of(new NodeUnschedulable(), new NodeName(), new TaintToleration(), new NodeAffinity(),
                new NodePorts(), new NodeResourcesFit(), volumes, new PodTopologySpread(), interPodAffinity,
                new NodeResourcesBalancedAllocation());
    }
}
