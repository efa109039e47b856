package io.kybern.controllers.daemonset;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import io.kybern.api.selector.NodeSelectors;
import io.kybern.controllers.nodelifecycle.Tolerations;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Whether a DaemonSet's pod belongs on a node, decided as Kubernetes' DaemonSet controller decides it
 * (the scheduler then only binds): the template's {@code nodeName}, {@code nodeSelector} and required node
 * affinity must match the node, and its tolerations (with {@link DaemonPodTolerations} added) must tolerate
 * the node's NoSchedule and NoExecute taints. A pod already there may stay while its NoExecute taints are
 * tolerated, even when a NoSchedule taint would keep a new one out.
 *
 * @param shouldRun          a daemon pod should be on the node
 * @param mayContinueRunning a daemon pod already on the node may stay there
 */
public record NodeEligibility(boolean shouldRun, boolean mayContinueRunning) {

    private static final NodeEligibility NEITHER = new NodeEligibility(false, false);

    /** The decision for the pod spec of a DaemonSet's template (its tolerations completed) and a node. */
    public static NodeEligibility of(PodSpec template, Node node) {
        String nodeName = template.getNodeName();
        if (nodeName != null && !nodeName.isEmpty() && !nodeName.equals(node.getMetadata().getName())) {
            return NEITHER;
        }
        if (!matchesNodeSelectorAndAffinity(template, node)) {
            return NEITHER;
        }
        List<Toleration> tolerations = DaemonPodTolerations.completed(template);
        List<Taint> taints = node.getSpec() == null || node.getSpec().getTaints() == null ? List.of()
                : node.getSpec().getTaints();
        boolean noExecuteTolerated = true;
        boolean noScheduleTolerated = true;
        for (Taint taint : taints) {
            boolean tolerated = tolerations.stream().anyMatch(t -> Tolerations.tolerates(t, taint));
            if (tolerated) {
                continue;
            }
            if ("NoExecute".equals(taint.getEffect())) {
                noExecuteTolerated = false;
            } else if ("NoSchedule".equals(taint.getEffect())) {
                noScheduleTolerated = false;
            }
        }
        return new NodeEligibility(noExecuteTolerated && noScheduleTolerated, noExecuteTolerated);
    }

    /** spec.nodeSelector (every label) and the required node affinity (any one term). */
    static boolean matchesNodeSelectorAndAffinity(PodSpec spec, Node node) {
        Map<String, String> labels = Objects.requireNonNullElse(node.getMetadata().getLabels(), Map.of());
        if (spec.getNodeSelector() != null) {
            for (var entry : spec.getNodeSelector().entrySet()) {
                if (!entry.getValue().equals(labels.get(entry.getKey()))) {
                    return false;
                }
            }
        }
        var affinity = spec.getAffinity() == null ? null : spec.getAffinity().getNodeAffinity();
        if (affinity == null || affinity.getRequiredDuringSchedulingIgnoredDuringExecution() == null) {
            return true;
        }
        return NodeSelectors.matchesAnyTerm(
                affinity.getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms(), node);
    }
}
