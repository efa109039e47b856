package io.kybern.scheduler.plugins;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodAffinityTerm;
import io.fabric8.kubernetes.api.model.WeightedPodAffinityTerm;
import io.kybern.scheduler.framework.CycleState;
import io.kybern.scheduler.framework.NodeInfo;
import io.kybern.scheduler.framework.Plugin;
import io.kybern.scheduler.framework.Status;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Pod affinity and anti-affinity between pods, per topology domain (the nodes sharing a value of the
 * term's topologyKey):
 * <ul>
 * <li>required affinity: the node's domain must hold a pod matching every term — unless no pod anywhere
 * matches and the pod matches its own terms (the first of a group may go anywhere);</li>
 * <li>required anti-affinity: no pod matching a term in the node's domain;</li>
 * <li>existing pods' required anti-affinity: the incoming pod must not match it in their domain;</li>
 * <li>preferred terms of the pod, and of existing pods towards it, add or take their weight.</li>
 * </ul>
 * A term looks at the namespaces it lists, those its namespaceSelector selects, or else the pod's own.
 */
public final class InterPodAffinity implements Plugin.PreFilter, Plugin.Filter, Plugin.PreScore, Plugin.Score {

    public static final String NAME = "InterPodAffinity";
    static final String AFFINITY = "node(s) didn't match pod affinity rules";
    static final String ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";
    static final String EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";
    private static final Object PRE_FILTER = new Object();
    private static final Object PRE_SCORE = new Object();

    /** A topology domain: a key and a node's value of it. */
    record Domain(String key, String value) {
    }

    private record Counts(Map<Domain, Integer> existingAntiAffinity, List<Map<Domain, Integer>> affinityPerTerm,
            Map<Domain, Integer> antiAffinity, boolean anyAffinityMatch) {
    }

    private final Function<String, Map<String, String>> namespaceLabels;

    /** @param namespaceLabels a namespace's labels by name (empty when unknown), for namespaceSelector */
    public InterPodAffinity(Function<String, Map<String, String>> namespaceLabels) {
        this.namespaceLabels = namespaceLabels;
    }

    @Override
    public String name() {
        return NAME;
    }

    private static List<PodAffinityTerm> requiredAffinity(Pod pod) {
        var affinity = pod.getSpec().getAffinity();
        if (affinity == null || affinity.getPodAffinity() == null
                || affinity.getPodAffinity().getRequiredDuringSchedulingIgnoredDuringExecution() == null) {
            return List.of();
        }
        return affinity.getPodAffinity().getRequiredDuringSchedulingIgnoredDuringExecution();
    }

    private static List<PodAffinityTerm> requiredAntiAffinity(Pod pod) {
        var affinity = pod.getSpec().getAffinity();
        if (affinity == null || affinity.getPodAntiAffinity() == null
                || affinity.getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution() == null) {
            return List.of();
        }
        return affinity.getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution();
    }

    private static List<WeightedPodAffinityTerm> preferred(Pod pod, boolean anti) {
        var affinity = pod.getSpec().getAffinity();
        if (affinity == null) {
            return List.of();
        }
        List<WeightedPodAffinityTerm> terms = anti
                ? affinity.getPodAntiAffinity() == null ? null
                        : affinity.getPodAntiAffinity().getPreferredDuringSchedulingIgnoredDuringExecution()
                : affinity.getPodAffinity() == null ? null
                        : affinity.getPodAffinity().getPreferredDuringSchedulingIgnoredDuringExecution();
        return terms == null ? List.of() : terms;
    }

    /** Whether {@code target} is among the pods the term (written in {@code owner}) selects. */
    boolean termMatches(PodAffinityTerm term, Pod owner, Pod target) {
        String namespace = target.getMetadata().getNamespace();
        List<String> namespaces = term.getNamespaces() == null ? List.of() : term.getNamespaces();
        boolean inNamespace;
        if (term.getNamespaceSelector() != null) {
            inNamespace = namespaces.contains(namespace)
                    || Matching.matches(term.getNamespaceSelector(), namespaceLabels.apply(namespace));
        } else if (!namespaces.isEmpty()) {
            inNamespace = namespaces.contains(namespace);
        } else {
            inNamespace = namespace.equals(owner.getMetadata().getNamespace());
        }
        return inNamespace && Matching.matches(term.getLabelSelector(), target.getMetadata().getLabels());
    }

    private static String label(NodeInfo node, String key) {
        return Matching.labels(node.node().getMetadata().getLabels()).get(key);
    }

    @Override
    public Status preFilter(CycleState state, Pod pod, List<NodeInfo> nodes) {
        List<PodAffinityTerm> affinity = requiredAffinity(pod);
        List<PodAffinityTerm> antiAffinity = requiredAntiAffinity(pod);
        Map<Domain, Integer> existingAnti = new HashMap<>();
        List<Map<Domain, Integer>> affinityCounts = new ArrayList<>();
        for (int i = 0; i < affinity.size(); i++) {
            affinityCounts.add(new HashMap<>());
        }
        Map<Domain, Integer> antiCounts = new HashMap<>();
        boolean any = false;
        // A pod without terms of its own is checked only against the existing pods' anti-affinity.
        boolean ownTerms = !affinity.isEmpty() || !antiAffinity.isEmpty();
        for (NodeInfo node : nodes) {
            for (NodeInfo.PodInfo info : ownTerms ? node.pods() : node.podsWithRequiredAntiAffinity()) {
                Pod existing = info.pod();
                for (PodAffinityTerm term : requiredAntiAffinity(existing)) {
                    String value = label(node, term.getTopologyKey());
                    if (value != null && termMatches(term, existing, pod)) {
                        existingAnti.merge(new Domain(term.getTopologyKey(), value), 1, Integer::sum);
                    }
                }
                for (int i = 0; i < affinity.size(); i++) {
                    PodAffinityTerm term = affinity.get(i);
                    if (termMatches(term, pod, existing)) {
                        any = true;
                        String value = label(node, term.getTopologyKey());
                        if (value != null) {
                            affinityCounts.get(i).merge(new Domain(term.getTopologyKey(), value), 1, Integer::sum);
                        }
                    }
                }
                for (PodAffinityTerm term : antiAffinity) {
                    String value = label(node, term.getTopologyKey());
                    if (value != null && termMatches(term, pod, existing)) {
                        antiCounts.merge(new Domain(term.getTopologyKey(), value), 1, Integer::sum);
                    }
                }
            }
        }
        if (affinity.isEmpty() && antiAffinity.isEmpty() && existingAnti.isEmpty()) {
            return Status.SKIP;
        }
        state.write(PRE_FILTER, new Counts(existingAnti, affinityCounts, antiCounts, any));
        return Status.SUCCESS;
    }

    @Override
    public Status filter(CycleState state, Pod pod, NodeInfo node) {
        Counts counts = state.read(PRE_FILTER);
        if (counts == null) {
            return Status.SUCCESS;
        }
        List<PodAffinityTerm> affinity = requiredAffinity(pod);
        boolean affinityOk = true;
        for (int i = 0; i < affinity.size(); i++) {
            String key = affinity.get(i).getTopologyKey();
            String value = label(node, key);
            if (value == null || counts.affinityPerTerm().get(i).getOrDefault(new Domain(key, value), 0) <= 0) {
                affinityOk = false;
                break;
            }
        }
        if (!affinityOk) {
            // The first pod of a group that selects itself may start it anywhere its topology keys exist.
            boolean selfMatch = affinity.stream().allMatch(term -> termMatches(term, pod, pod));
            boolean keysPresent = affinity.stream().allMatch(term -> label(node, term.getTopologyKey()) != null);
            if (counts.anyAffinityMatch() || !selfMatch || !keysPresent) {
                return Status.unresolvable(AFFINITY);
            }
        }
        for (PodAffinityTerm term : requiredAntiAffinity(pod)) {
            String value = label(node, term.getTopologyKey());
            if (value != null && counts.antiAffinity().getOrDefault(new Domain(term.getTopologyKey(), value), 0) > 0) {
                return Status.unschedulable(ANTI_AFFINITY);
            }
        }
        for (Map.Entry<String, String> entry : Matching.labels(node.node().getMetadata().getLabels()).entrySet()) {
            if (counts.existingAntiAffinity().getOrDefault(new Domain(entry.getKey(), entry.getValue()), 0) > 0) {
                return Status.unschedulable(EXISTING_ANTI_AFFINITY);
            }
        }
        return Status.SUCCESS;
    }

    @Override
    public Status preScore(CycleState state, Pod pod, List<NodeInfo> feasible, List<NodeInfo> all) {
        List<WeightedPodAffinityTerm> affinity = preferred(pod, false);
        List<WeightedPodAffinityTerm> antiAffinity = preferred(pod, true);
        Map<Domain, Long> weights = new HashMap<>();
        boolean anyExistingPreferences = false;
        // A pod without preferences of its own is scored only by the existing pods' preferences.
        boolean ownPreferences = !affinity.isEmpty() || !antiAffinity.isEmpty();
        for (NodeInfo node : all) {
            for (NodeInfo.PodInfo info : ownPreferences ? node.pods() : node.podsWithAffinity()) {
                Pod existing = info.pod();
                add(weights, node, pod, existing, affinity, 1);
                add(weights, node, pod, existing, antiAffinity, -1);
                List<WeightedPodAffinityTerm> theirs = preferred(existing, false);
                List<WeightedPodAffinityTerm> theirsAnti = preferred(existing, true);
                if (!theirs.isEmpty() || !theirsAnti.isEmpty()) {
                    anyExistingPreferences = true;
                    add(weights, node, existing, pod, theirs, 1);
                    add(weights, node, existing, pod, theirsAnti, -1);
                }
            }
        }
        if (affinity.isEmpty() && antiAffinity.isEmpty() && !anyExistingPreferences) {
            return Status.SKIP;
        }
        state.write(PRE_SCORE, weights);
        return Status.SUCCESS;
    }

    /** Adds each term's weight (signed) to the domain of {@code node} when the term selects {@code target}. */
    private void add(Map<Domain, Long> weights, NodeInfo node, Pod owner, Pod target,
            List<WeightedPodAffinityTerm> terms, int sign) {
        for (WeightedPodAffinityTerm weighted : terms) {
            PodAffinityTerm term = weighted.getPodAffinityTerm();
            String value = label(node, term.getTopologyKey());
            if (value != null && termMatches(term, owner, target)) {
                weights.merge(new Domain(term.getTopologyKey(), value), (long) sign * weighted.getWeight(), Long::sum);
            }
        }
    }

    @Override
    public long score(CycleState state, Pod pod, NodeInfo node) {
        Map<Domain, Long> weights = state.read(PRE_SCORE);
        if (weights == null) {
            return 0;
        }
        long total = 0;
        for (Map.Entry<String, String> entry : Matching.labels(node.node().getMetadata().getLabels()).entrySet()) {
            total += weights.getOrDefault(new Domain(entry.getKey(), entry.getValue()), 0L);
        }
        return total;
    }

    @Override
    public void normalize(CycleState state, Pod pod, List<NodeInfo> nodes, long[] scores) {
        Scores.scaleMinMax(scores);
    }
}
