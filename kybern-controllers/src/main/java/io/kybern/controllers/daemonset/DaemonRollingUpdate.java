package io.kybern.controllers.daemonset;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * One step of a DaemonSet's rolling update, as Kubernetes takes it, free of I/O so it can be tested alone.
 * Without surge, old pods are deleted (the manage step then creates their replacements) while fewer than
 * maxUnavailable nodes are unavailable; an old pod that is not available may always go. With surge, a new
 * pod is created beside the old one on up to maxSurge nodes at once, and the old pod is deleted once the new
 * one is available.
 */
final class DaemonRollingUpdate {

    private DaemonRollingUpdate() {
    }

    /** maxSurge and maxUnavailable as node counts. */
    record Budget(int maxSurge, int maxUnavailable) {
    }

    /** What a step does: old pods to delete by name, nodes to create a new pod on. */
    record Step(List<String> podsToDelete, List<String> nodesToCreateOn) {
    }

    /**
     * Both limits against the number of nodes that should run a daemon pod, percentages rounded up (for
     * both, unlike a Deployment); when both come out zero on a DaemonSet with nodes, one may be unavailable.
     */
    static Budget budget(IntOrString maxSurge, IntOrString maxUnavailable, int desiredNumberScheduled) {
        int surge = scaled(maxSurge, desiredNumberScheduled, 0);
        int unavailable = scaled(maxUnavailable, desiredNumberScheduled, 1);
        if (desiredNumberScheduled > 0 && surge == 0 && unavailable == 0) {
            unavailable = 1;
        }
        return new Budget(surge, unavailable);
    }

    static int scaled(IntOrString value, int total, int fallback) {
        if (value == null) {
            return fallback;
        }
        if (value.getIntVal() != null) {
            return value.getIntVal();
        }
        String text = value.getStrVal();
        if (text == null || !text.endsWith("%")) {
            throw new IllegalArgumentException("invalid value for IntOrString: invalid type: string is not a percentage");
        }
        long percent = Long.parseLong(text.substring(0, text.length() - 1));
        return (int) Math.ceilDiv(percent * total, 100);
    }

    /**
     * The pods of one node sorted into at most one updated and one old pod; empty when there are more of
     * either (the manage step must first remove the extra ones).
     */
    record NodePods(Pod updated, Pod old, boolean sorted) {

        static NodePods of(List<Pod> activePods, Predicate<Pod> isUpdated) {
            Pod updated = null;
            Pod old = null;
            for (Pod pod : activePods) {
                if (isUpdated.test(pod)) {
                    if (updated != null) {
                        return new NodePods(null, null, false);
                    }
                    updated = pod;
                } else {
                    if (old != null) {
                        return new NodePods(null, null, false);
                    }
                    old = pod;
                }
            }
            return new NodePods(updated, old, true);
        }
    }

    /**
     * The step for the pods of every node that should run one (node name to its active daemon pods).
     *
     * @param isUpdated whether a pod carries the current revision's hash
     * @param available whether a pod is available (Ready for minReadySeconds)
     */
    static Step next(Map<String, List<Pod>> podsByNode, Budget budget, Predicate<Pod> isUpdated,
            Predicate<Pod> available) {
        return budget.maxSurge() == 0 ? replace(podsByNode, budget.maxUnavailable(), isUpdated, available)
                : surge(podsByNode, budget.maxSurge(), isUpdated, available);
    }

    private static Step replace(Map<String, List<Pod>> podsByNode, int maxUnavailable, Predicate<Pod> isUpdated,
            Predicate<Pod> available) {
        int unavailable = 0;
        List<String> mustGo = new ArrayList<>();
        List<String> candidates = new ArrayList<>();
        for (var entry : sortedByNode(podsByNode)) {
            NodePods pods = NodePods.of(entry.getValue(), isUpdated);
            if (!pods.sorted() || (pods.old() == null) == (pods.updated() == null)) {
                unavailable++; // the manage step creates or removes a pod here: count it as unavailable
            } else if (pods.updated() != null) {
                if (!available.test(pods.updated())) {
                    unavailable++;
                }
            } else if (!available.test(pods.old())) {
                mustGo.add(pods.old().getMetadata().getName());
            } else if (unavailable < maxUnavailable) {
                candidates.add(pods.old().getMetadata().getName());
            }
        }
        int room = Math.min(Math.max(0, maxUnavailable - unavailable), candidates.size());
        List<String> delete = new ArrayList<>(mustGo);
        delete.addAll(candidates.subList(0, room));
        return new Step(delete, List.of());
    }

    private static Step surge(Map<String, List<Pod>> podsByNode, int maxSurge, Predicate<Pod> isUpdated,
            Predicate<Pod> available) {
        int surging = 0;
        List<String> mustSurge = new ArrayList<>();
        List<String> candidates = new ArrayList<>();
        List<String> delete = new ArrayList<>();
        for (var entry : sortedByNode(podsByNode)) {
            NodePods pods = NodePods.of(entry.getValue(), isUpdated);
            if (!pods.sorted() || pods.old() == null) {
                continue; // nothing to roll here; the manage step looks after it
            }
            if (pods.updated() == null) {
                if (!available.test(pods.old())) {
                    mustSurge.add(entry.getKey());
                } else if (surging < maxSurge) {
                    candidates.add(entry.getKey());
                }
            } else if (!available.test(pods.updated())) {
                surging++; // waiting for the new pod to become available
            } else {
                delete.add(pods.old().getMetadata().getName());
            }
        }
        int room = Math.min(Math.max(0, maxSurge - surging), candidates.size());
        List<String> create = new ArrayList<>(mustSurge);
        create.addAll(candidates.subList(0, room));
        return new Step(delete, create);
    }

    /** Nodes in name order, so a step is the same whatever order the map iterates in. */
    private static List<Map.Entry<String, List<Pod>>> sortedByNode(Map<String, List<Pod>> podsByNode) {
        return podsByNode.entrySet().stream().sorted(Map.Entry.comparingByKey()).toList();
    }
}
