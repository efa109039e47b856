package io.kybern.scheduler.plugins;

import io.fabric8.kubernetes.api.model.Pod;
import io.kybern.scheduler.framework.CycleState;
import io.kybern.scheduler.framework.NodeInfo;
import io.kybern.scheduler.framework.Plugin;
import io.kybern.scheduler.framework.Status;
import java.util.List;

/**
 * Host ports are the node's: a pod asking for a hostPort (protocol and IP included; 0.0.0.0 meaning every
 * address) fits only where no pod holds it already.
 */
public final class NodePorts implements Plugin.PreFilter, Plugin.Filter {

    public static final String NAME = "NodePorts";
    static final String REASON = "node(s) didn't have free ports for the requested pod ports";
    private static final Object PORTS = new Object();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Status preFilter(CycleState state, Pod pod, List<NodeInfo> nodes) {
        List<NodeInfo.HostPort> ports = NodeInfo.hostPortsOf(pod);
        if (ports.isEmpty()) {
            return Status.SKIP;
        }
        state.write(PORTS, ports);
        return Status.SUCCESS;
    }

    @Override
    public Status filter(CycleState state, Pod pod, NodeInfo node) {
        List<NodeInfo.HostPort> wanted = state.read(PORTS);
        if (wanted == null) {
            wanted = NodeInfo.hostPortsOf(pod);
        }
        for (NodeInfo.HostPort port : wanted) {
            for (NodeInfo.HostPort used : node.usedPorts()) {
                if (port.conflictsWith(used)) {
                    return Status.unschedulable(REASON);
                }
            }
        }
        return Status.SUCCESS;
    }
}
