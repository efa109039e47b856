package io.kybern.scheduler.plugins;

import io.fabric8.kubernetes.api.model.Pod;
import io.kybern.scheduler.framework.CycleState;
import io.kybern.scheduler.framework.NodeInfo;
import io.kybern.scheduler.framework.Plugin;
import io.kybern.scheduler.framework.Status;

/** A pod that names its node (spec.nodeName) fits only there. */
public final class NodeName implements Plugin.Filter {

    public static final String NAME = "NodeName";
    static final String REASON = "node(s) didn't match the requested node name";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Status filter(CycleState state, Pod pod, NodeInfo node) {
        String wanted = pod.getSpec().getNodeName();
        if (wanted == null || wanted.isEmpty() || wanted.equals(node.name())) {
            return Status.SUCCESS;
        }
        return Status.unresolvable(REASON);
    }
}
