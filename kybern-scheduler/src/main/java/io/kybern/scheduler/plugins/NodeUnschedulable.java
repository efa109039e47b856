package io.kybern.scheduler.plugins;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.kybern.scheduler.framework.CycleState;
import io.kybern.scheduler.framework.NodeInfo;
import io.kybern.scheduler.framework.Plugin;
import io.kybern.scheduler.framework.Status;

/**
 * A cordoned node (spec.unschedulable) takes only pods that tolerate the
 * {@code node.kubernetes.io/unschedulable:NoSchedule} taint, as DaemonSet pods do.
 */
public final class NodeUnschedulable implements Plugin.Filter {

    public static final String NAME = "NodeUnschedulable";
    static final String REASON = "node(s) were unschedulable";
    private static final Taint UNSCHEDULABLE = new TaintBuilder().withKey("node.kubernetes.io/unschedulable")
            .withEffect("NoSchedule").build();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Status filter(CycleState state, Pod pod, NodeInfo node) {
        boolean cordoned = node.node().getSpec() != null && Boolean.TRUE.equals(node.node().getSpec().getUnschedulable());
        if (!cordoned || Matching.tolerates(pod.getSpec().getTolerations(), UNSCHEDULABLE)) {
            return Status.SUCCESS;
        }
        return Status.unresolvable(REASON);
    }
}
