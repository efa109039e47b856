package io.kybern.scheduler.plugins;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PreferredSchedulingTerm;
import io.kybern.api.selector.NodeSelectors;
import io.kybern.scheduler.framework.CycleState;
import io.kybern.scheduler.framework.NodeInfo;
import io.kybern.scheduler.framework.Plugin;
import io.kybern.scheduler.framework.Status;
import java.util.List;
import java.util.Map;

/**
 * spec.nodeSelector and spec.affinity.nodeAffinity: the node must carry every nodeSelector label and
 * match one of the required terms; each preferred term it matches adds its weight, and scores are scaled
 * so the best node gets 100.
 */
public final class NodeAffinity implements Plugin.Filter, Plugin.Score {

    public static final String NAME = "NodeAffinity";
    static final String REASON = "node(s) didn't match Pod's node affinity/selector";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Status filter(CycleState state, Pod pod, NodeInfo node) {
        return requiredMatch(pod, node.node()) ? Status.SUCCESS : Status.unresolvable(REASON);
    }

    /** Whether the node satisfies the pod's nodeSelector and required node affinity. */
    public static boolean requiredMatch(Pod pod, Node node) {
        Map<String, String> labels = Matching.labels(node.getMetadata().getLabels());
        Map<String, String> selector = pod.getSpec().getNodeSelector();
        if (selector != null) {
            for (var entry : selector.entrySet()) {
                if (!entry.getValue().equals(labels.get(entry.getKey()))) {
                    return false;
                }
            }
        }
        var affinity = pod.getSpec().getAffinity() == null ? null : pod.getSpec().getAffinity().getNodeAffinity();
        if (affinity == null || affinity.getRequiredDuringSchedulingIgnoredDuringExecution() == null) {
            return true;
        }
        List<NodeSelectorTerm> terms = affinity.getRequiredDuringSchedulingIgnoredDuringExecution()
                .getNodeSelectorTerms();
        return terms != null && NodeSelectors.matchesAnyTerm(terms, node);
    }

    @Override
    public long score(CycleState state, Pod pod, NodeInfo node) {
        var affinity = pod.getSpec().getAffinity() == null ? null : pod.getSpec().getAffinity().getNodeAffinity();
        if (affinity == null || affinity.getPreferredDuringSchedulingIgnoredDuringExecution() == null) {
            return 0;
        }
        long total = 0;
        for (PreferredSchedulingTerm term : affinity.getPreferredDuringSchedulingIgnoredDuringExecution()) {
            if (term.getWeight() != null && term.getWeight() != 0 && term.getPreference() != null
                    && NodeSelectors.matches(term.getPreference(), node.node())) {
                total += term.getWeight();
            }
        }
        return total;
    }

    @Override
    public void normalize(CycleState state, Pod pod, List<NodeInfo> nodes, long[] scores) {
        Scores.scaleToMax(scores, false);
    }
}
