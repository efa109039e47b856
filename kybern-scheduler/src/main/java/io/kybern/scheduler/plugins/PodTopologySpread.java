package io.kybern.scheduler.plugins;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.kybern.scheduler.framework.CycleState;
import io.kybern.scheduler.framework.Framework;
import io.kybern.scheduler.framework.NodeInfo;
import io.kybern.scheduler.framework.Plugin;
import io.kybern.scheduler.framework.Status;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * spec.topologySpreadConstraints: pods matching a constraint's selector (in the pod's namespace) are
 * counted per domain of its topologyKey over the eligible nodes (those with every key, matching the pod's
 * node affinity unless nodeAffinityPolicy is Ignore, tolerated unless nodeTaintsPolicy is Ignore).
 * DoNotSchedule constraints filter: placing the pod may not make its domain exceed the least populated one
 * by more than maxSkew (the least counts as 0 while there are fewer domains than minDomains).
 * ScheduleAnyway constraints score: the fewer matching pods in the node's domains, the better.
 */
public final class PodTopologySpread implements Plugin.PreFilter, Plugin.Filter, Plugin.PreScore, Plugin.Score {

    public static final String NAME = "PodTopologySpread";
    static final String REASON = "node(s) didn't match pod topology spread constraints";
    static final String MISSING_LABEL = "node(s) didn't match pod topology spread constraints (missing required label)";
    private static final Object PRE_FILTER = new Object();
    private static final Object PRE_SCORE = new Object();

    /** One constraint with its selector (matchLabelKeys folded in) and the pods it counts per domain value. */
    private record Counted(TopologySpreadConstraint constraint, LabelSelector selector, Map<String, Integer> counts,
            int globalMin) {
    }

    @Override
    public String name() {
        return NAME;
    }

    private static List<TopologySpreadConstraint> constraints(Pod pod, String when) {
        List<TopologySpreadConstraint> all = pod.getSpec().getTopologySpreadConstraints();
        if (all == null) {
            return List.of();
        }
        return all.stream().filter(c -> when.equals(c.getWhenUnsatisfiable())).toList();
    }

    /** The constraint's selector, with matchLabelKeys turned into matchLabels from the pod's own labels. */
    private static LabelSelector selectorOf(TopologySpreadConstraint constraint, Pod pod) {
        LabelSelector selector = constraint.getLabelSelector();
        if (constraint.getMatchLabelKeys() == null || constraint.getMatchLabelKeys().isEmpty() || selector == null) {
            return selector;
        }
        Map<String, String> labels = Matching.labels(pod.getMetadata().getLabels());
        Map<String, String> match = new HashMap<>(selector.getMatchLabels() == null ? Map.of() : selector.getMatchLabels());
        for (String key : constraint.getMatchLabelKeys()) {
            if (labels.containsKey(key)) {
                match.put(key, labels.get(key));
            }
        }
        return new LabelSelectorBuilder(selector).withMatchLabels(match).build();
    }

    private static boolean eligible(Pod pod, NodeInfo node, List<TopologySpreadConstraint> constraints,
            TopologySpreadConstraint constraint) {
        Map<String, String> labels = Matching.labels(node.node().getMetadata().getLabels());
        for (TopologySpreadConstraint c : constraints) {
            if (!labels.containsKey(c.getTopologyKey())) {
                return false;
            }
        }
        if (!"Ignore".equals(constraint.getNodeAffinityPolicy()) && !NodeAffinity.requiredMatch(pod, node.node())) {
            return false;
        }
        if ("Honor".equals(constraint.getNodeTaintsPolicy()) && node.node().getSpec() != null
                && node.node().getSpec().getTaints() != null) {
            for (Taint taint : node.node().getSpec().getTaints()) {
                boolean enforced = "NoSchedule".equals(taint.getEffect()) || "NoExecute".equals(taint.getEffect());
                if (enforced && !Matching.tolerates(pod.getSpec().getTolerations(), taint)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static List<Counted> count(Pod pod, List<TopologySpreadConstraint> constraints, List<NodeInfo> nodes) {
        List<Counted> result = new ArrayList<>();
        for (TopologySpreadConstraint constraint : constraints) {
            LabelSelector selector = selectorOf(constraint, pod);
            Map<String, Integer> counts = new HashMap<>();
            for (NodeInfo node : nodes) {
                if (!eligible(pod, node, constraints, constraint)) {
                    continue;
                }
                String value = node.node().getMetadata().getLabels().get(constraint.getTopologyKey());
                int matching = 0;
                for (NodeInfo.PodInfo info : node.pods()) {
                    Pod existing = info.pod();
                    if (existing.getMetadata().getDeletionTimestamp() == null
                            && existing.getMetadata().getNamespace().equals(pod.getMetadata().getNamespace())
                            && Matching.matches(selector, existing.getMetadata().getLabels())) {
                        matching++;
                    }
                }
                counts.merge(value, matching, Integer::sum);
            }
            int min = counts.values().stream().mapToInt(Integer::intValue).min().orElse(0);
            Integer minDomains = constraint.getMinDomains();
            if (minDomains != null && counts.size() < minDomains) {
                min = 0;
            }
            result.add(new Counted(constraint, selector, counts, min));
        }
        return result;
    }

    @Override
    public Status preFilter(CycleState state, Pod pod, List<NodeInfo> nodes) {
        List<TopologySpreadConstraint> hard = constraints(pod, "DoNotSchedule");
        if (hard.isEmpty()) {
            return Status.SKIP;
        }
        state.write(PRE_FILTER, count(pod, hard, nodes));
        return Status.SUCCESS;
    }

    @Override
    public Status filter(CycleState state, Pod pod, NodeInfo node) {
        List<Counted> counted = state.read(PRE_FILTER);
        if (counted == null) {
            return Status.SUCCESS;
        }
        Map<String, String> labels = Matching.labels(node.node().getMetadata().getLabels());
        for (Counted c : counted) {
            String value = labels.get(c.constraint().getTopologyKey());
            if (value == null) {
                return Status.unresolvable(MISSING_LABEL);
            }
            int self = Matching.matches(c.selector(), pod.getMetadata().getLabels()) ? 1 : 0;
            int skew = c.counts().getOrDefault(value, 0) + self - c.globalMin();
            if (skew > c.constraint().getMaxSkew()) {
                return Status.unschedulable(REASON);
            }
        }
        return Status.SUCCESS;
    }

    @Override
    public Status preScore(CycleState state, Pod pod, List<NodeInfo> feasible, List<NodeInfo> all) {
        List<TopologySpreadConstraint> soft = constraints(pod, "ScheduleAnyway");
        if (soft.isEmpty()) {
            return Status.SKIP;
        }
        state.write(PRE_SCORE, count(pod, soft, all));
        return Status.SUCCESS;
    }

    @Override
    public long score(CycleState state, Pod pod, NodeInfo node) {
        List<Counted> counted = state.read(PRE_SCORE);
        long total = 0;
        Map<String, String> labels = Matching.labels(node.node().getMetadata().getLabels());
        for (Counted c : counted) {
            String value = labels.get(c.constraint().getTopologyKey());
            if (value != null) {
                total += c.counts().getOrDefault(value, 0);
            }
        }
        return total;
    }

    /** Fewer matching pods is better: the least crowded node gets 100, the most crowded the least. */
    @Override
    public void normalize(CycleState state, Pod pod, List<NodeInfo> nodes, long[] scores) {
        long max = 0;
        long min = Long.MAX_VALUE;
        for (long score : scores) {
            max = Math.max(max, score);
            min = Math.min(min, score);
        }
        for (int i = 0; i < scores.length; i++) {
            scores[i] = max == min ? Framework.MAX_NODE_SCORE
                    : Framework.MAX_NODE_SCORE * (max - scores[i]) / (max - min);
        }
    }
}
