package io.kybern.scheduler.plugins;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import io.kybern.scheduler.framework.CycleState;
import io.kybern.scheduler.framework.NodeInfo;
import io.kybern.scheduler.framework.Plugin;
import io.kybern.scheduler.framework.Status;
import java.util.List;

/**
 * A node's NoSchedule and NoExecute taints keep off pods that do not tolerate them; PreferNoSchedule taints
 * only lower the node's score, by how many of them the pod does not tolerate.
 */
public final class TaintToleration implements Plugin.Filter, Plugin.Score {

    public static final String NAME = "TaintToleration";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Status filter(CycleState state, Pod pod, NodeInfo node) {
        List<Taint> taints = node.node().getSpec() == null ? null : node.node().getSpec().getTaints();
        if (taints == null) {
            return Status.SUCCESS;
        }
        for (Taint taint : taints) {
            boolean enforced = "NoSchedule".equals(taint.getEffect()) || "NoExecute".equals(taint.getEffect());
            if (enforced && !Matching.tolerates(pod.getSpec().getTolerations(), taint)) {
                return Status.unresolvable("node(s) had untolerated taint {" + taint.getKey() + ": "
                        + Matching.nullToEmpty(taint.getValue()) + "}");
            }
        }
        return Status.SUCCESS;
    }

    @Override
    public long score(CycleState state, Pod pod, NodeInfo node) {
        List<Taint> taints = node.node().getSpec() == null ? null : node.node().getSpec().getTaints();
        if (taints == null) {
            return 0;
        }
        // Only tolerations that can apply to PreferNoSchedule count (no effect, or that effect).
        List<Toleration> tolerations = pod.getSpec().getTolerations() == null ? List.of()
                : pod.getSpec().getTolerations().stream().filter(t -> t.getEffect() == null
                        || t.getEffect().isEmpty() || t.getEffect().equals("PreferNoSchedule")).toList();
        long untolerated = 0;
        for (Taint taint : taints) {
            if ("PreferNoSchedule".equals(taint.getEffect()) && !Matching.tolerates(tolerations, taint)) {
                untolerated++;
            }
        }
        return untolerated;
    }

    @Override
    public void normalize(CycleState state, Pod pod, List<NodeInfo> nodes, long[] scores) {
        Scores.scaleToMax(scores, true);
    }
}
