package io.kybern.scheduler.framework;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Runs plugins at their extension points and picks a node: PreFilter, Filter over enough nodes
 * (Kubernetes' percentageOfNodesToScore: all up to 100 nodes, then a share that shrinks with the
 * cluster, never under 100 or 5%), PostFilter when none passed, then PreScore, Score, NormalizeScore
 * and the weighted sum; the best node wins, ties broken at random. Reserve, Permit and Bind run through
 * the methods below, called by the scheduler.
 *
 * <p>One scheduling cycle at a time (the scheduler's single scheduling thread); Bind may run on other
 * threads.
 */
public final class Framework {

    public static final long MAX_NODE_SCORE = 100;
    private static final int MIN_FEASIBLE_NODES_TO_FIND = 100;
    private static final int MIN_FEASIBLE_PERCENTAGE = 5;

    /** A plugin's place in scoring: its score counts {@code weight} times. */
    public record Weighted(Plugin.Score plugin, int weight) {
    }

    /** The node picked for a pod, and how many nodes were looked at and found feasible. */
    public record Decision(String node, int evaluated, int feasible) {
    }

    /** The outcome of one cycle: a node, or why none ({@code error}), with the node PostFilter nominated. */
    public record Outcome(Decision decision, FitError error, String nominatedNode) {
    }

    private final List<Plugin.PreFilter> preFilters = new ArrayList<>();
    private final List<Plugin.Filter> filters = new ArrayList<>();
    private final List<Plugin.PostFilter> postFilters = new ArrayList<>();
    private final List<Plugin.PreScore> preScores = new ArrayList<>();
    private final List<Weighted> scores = new ArrayList<>();
    private final List<Plugin.Reserve> reserves = new ArrayList<>();
    private final List<Plugin.Permit> permits = new ArrayList<>();
    private final List<Plugin.Bind> binds = new ArrayList<>();
    private final RandomGenerator random;
    /** Where each filtering plugin stands in {@link #filters}, so a PreFilter's SKIP marks its Filter. */
    private final Map<Plugin, Integer> filterIndex = new IdentityHashMap<>();
    /** The cycle state's key for the filters whose PreFilter said SKIP (a boolean per filter). */
    private static final Object SKIPPED_FILTERS = new Object();
    private int nextStartNode;

    /**
     * @param plugins each placed at every point it implements, in this order
     * @param weights score weights by plugin name (1 when absent)
     */
    public Framework(List<? extends Plugin> plugins, Map<String, Integer> weights, RandomGenerator random) {
        this.random = random;
        for (Plugin plugin : plugins) {
            if (plugin instanceof Plugin.PreFilter p) {
                preFilters.add(p);
            }
            if (plugin instanceof Plugin.Filter p) {
                filterIndex.put(p, filters.size());
                filters.add(p);
            }
            if (plugin instanceof Plugin.PostFilter p) {
                postFilters.add(p);
            }
            if (plugin instanceof Plugin.PreScore p) {
                preScores.add(p);
            }
            if (plugin instanceof Plugin.Score p) {
                scores.add(new Weighted(p, weights.getOrDefault(p.name(), 1)));
            }
            if (plugin instanceof Plugin.Reserve p) {
                reserves.add(p);
            }
            if (plugin instanceof Plugin.Permit p) {
                permits.add(p);
            }
            if (plugin instanceof Plugin.Bind p) {
                binds.add(p);
            }
        }
    }

    /** Picks a node for the pod among {@code nodes} (a snapshot this cycle may not change), or says why not. */
    public Outcome schedule(CycleState state, Pod pod, List<NodeInfo> nodes) {
        if (nodes.isEmpty()) {
            return new Outcome(null, new FitError(0, Map.of(), "", ""), null);
        }
        Status pre = runPreFilter(state, pod, nodes);
        if (pre.code() == Status.Code.ERROR) {
            throw new IllegalStateException(pre.plugin() + ": " + pre.message());
        }
        Map<String, Status> rejections = new LinkedHashMap<>();
        if (pre.isRejection()) {
            for (NodeInfo node : nodes) {
                rejections.put(node.name(), pre);
            }
            return postFilter(state, pod, nodes, new FitError(nodes.size(), rejections, pre.message(), ""));
        }
        List<NodeInfo> feasible = findFeasible(state, pod, nodes, rejections);
        if (feasible.isEmpty()) {
            return postFilter(state, pod, nodes, new FitError(nodes.size(), rejections, "", ""));
        }
        int evaluated = feasible.size() + rejections.size();
        if (feasible.size() == 1) {
            return new Outcome(new Decision(feasible.getFirst().name(), evaluated, 1), null, null);
        }
        long[] totals = score(state, pod, feasible, nodes);
        return new Outcome(new Decision(feasible.get(best(totals)).name(), evaluated, feasible.size()), null, null);
    }

    private Outcome postFilter(CycleState state, Pod pod, List<NodeInfo> nodes, FitError error) {
        for (Plugin.PostFilter plugin : postFilters) {
            Plugin.PostFilterResult result = plugin.postFilter(state, pod, error.rejections(), nodes, this);
            if (result.status().isSuccess()) {
                return new Outcome(null, error.withPostFilterMessage(result.status().message()),
                        result.nominatedNode());
            }
            if (!result.status().isSkip()) {
                return new Outcome(null, error.withPostFilterMessage(result.status().message()), null);
            }
        }
        return new Outcome(null, error, null);
    }

    /** Every PreFilter; the first rejection (named after its plugin) or SUCCESS. Plugins that SKIP are noted. */
    public Status runPreFilter(CycleState state, Pod pod, List<NodeInfo> nodes) {
        boolean[] skipped = new boolean[filters.size()];
        state.write(SKIPPED_FILTERS, skipped);
        for (Plugin.PreFilter plugin : preFilters) {
            Status status = plugin.preFilter(state, pod, nodes);
            if (status.isSkip()) {
                Integer filter = filterIndex.get(plugin);
                if (filter != null) {
                    skipped[filter] = true;
                }
            } else if (!status.isSuccess()) {
                return status.from(plugin.name());
            }
        }
        return Status.SUCCESS;
    }

    /** Every Filter on one node, stopping at the first that rejects it. */
    public Status runFilters(CycleState state, Pod pod, NodeInfo node) {
        return runFilters(state, pod, node, skippedFilters(state));
    }

    /**
     * The filters' skip marks, read once per cycle rather than once per filter and node: on a thousand nodes
     * those look-ups were a tenth of a cycle. None (a state PreFilter did not see) skips nothing.
     */
    private boolean[] skippedFilters(CycleState state) {
        boolean[] skipped = state.read(SKIPPED_FILTERS);
        return skipped != null ? skipped : new boolean[filters.size()];
    }

    private Status runFilters(CycleState state, Pod pod, NodeInfo node, boolean[] skipped) {
        for (int i = 0; i < filters.size(); i++) {
            if (skipped[i]) {
                continue;
            }
            Plugin.Filter plugin = filters.get(i);
            Status status = plugin.filter(state, pod, node);
            if (!status.isSuccess()) {
                return status.from(plugin.name());
            }
        }
        return Status.SUCCESS;
    }

    private List<NodeInfo> findFeasible(CycleState state, Pod pod, List<NodeInfo> nodes,
            Map<String, Status> rejections) {
        int wanted = feasibleNodesToFind(nodes.size());
        boolean[] skipped = skippedFilters(state);
        List<NodeInfo> feasible = new ArrayList<>();
        // A node preemption nominated for this pod is tried first: room was made there.
        String nominated = pod.getStatus() == null ? null : pod.getStatus().getNominatedNodeName();
        if (nominated != null && !nominated.isEmpty()) {
            for (NodeInfo node : nodes) {
                if (node.name().equals(nominated) && runFilters(state, pod, node, skipped).isSuccess()) {
                    feasible.add(node);
                    return feasible;
                }
            }
        }
        int start = nextStartNode % nodes.size();
        int looked = 0;
        for (; looked < nodes.size() && feasible.size() < wanted; looked++) {
            NodeInfo node = nodes.get((start + looked) % nodes.size());
            Status status = runFilters(state, pod, node, skipped);
            if (status.isSuccess()) {
                feasible.add(node);
            } else {
                rejections.put(node.name(), status);
            }
        }
        // The next pod starts where this one stopped, so every node gets looked at.
        nextStartNode = (start + looked) % nodes.size();
        return feasible;
    }

    /** How many feasible nodes are enough: Kubernetes' adaptive percentageOfNodesToScore. */
    static int feasibleNodesToFind(int allNodes) {
        if (allNodes < MIN_FEASIBLE_NODES_TO_FIND) {
            return allNodes;
        }
        int percentage = Math.max(MIN_FEASIBLE_PERCENTAGE, 50 - allNodes / 125);
        int count = allNodes * percentage / 100;
        return Math.max(count, MIN_FEASIBLE_NODES_TO_FIND);
    }

    /** Each feasible node's weighted sum of normalized scores. */
    public long[] score(CycleState state, Pod pod, List<NodeInfo> feasible, List<NodeInfo> all) {
        Map<String, Boolean> skipped = new HashMap<>();
        for (Plugin.PreScore plugin : preScores) {
            Status status = plugin.preScore(state, pod, feasible, all);
            if (status.isSkip()) {
                skipped.put(plugin.name(), true);
            } else if (status.code() == Status.Code.ERROR) {
                throw new IllegalStateException(plugin.name() + ": " + status.message());
            }
        }
        long[] totals = new long[feasible.size()];
        for (Weighted weighted : scores) {
            if (skipped.containsKey(weighted.plugin().name())) {
                continue;
            }
            long[] raw = new long[feasible.size()];
            for (int i = 0; i < raw.length; i++) {
                raw[i] = weighted.plugin().score(state, pod, feasible.get(i));
            }
            weighted.plugin().normalize(state, pod, feasible, raw);
            for (int i = 0; i < raw.length; i++) {
                if (raw[i] < 0 || raw[i] > MAX_NODE_SCORE) {
                    throw new IllegalStateException(weighted.plugin().name() + " scored " + raw[i]
                            + " outside 0.." + MAX_NODE_SCORE);
                }
                totals[i] += raw[i] * weighted.weight();
            }
        }
        return totals;
    }

    /** The index of the highest total; among equals, each has the same chance (reservoir sampling). */
    private int best(long[] totals) {
        int best = 0;
        int ties = 1;
        for (int i = 1; i < totals.length; i++) {
            if (totals[i] > totals[best]) {
                best = i;
                ties = 1;
            } else if (totals[i] == totals[best] && random.nextInt(++ties) == 0) {
                best = i;
            }
        }
        return best;
    }

    /** Reserve on every plugin; on a failure, the ones already reserved are undone. */
    public Status reserve(CycleState state, Pod pod, String node) {
        for (int i = 0; i < reserves.size(); i++) {
            Status status = reserves.get(i).reserve(state, pod, node);
            if (!status.isSuccess()) {
                unreserve(state, pod, node);
                return status.from(reserves.get(i).name());
            }
        }
        return Status.SUCCESS;
    }

    /** Unreserve on every Reserve plugin, in reverse order, as Kubernetes does. */
    public void unreserve(CycleState state, Pod pod, String node) {
        for (int i = reserves.size() - 1; i >= 0; i--) {
            reserves.get(i).unreserve(state, pod, node);
        }
    }

    public Status permit(CycleState state, Pod pod, String node) {
        for (Plugin.Permit plugin : permits) {
            Status status = plugin.permit(state, pod, node);
            if (!status.isSuccess()) {
                return status.from(plugin.name());
            }
        }
        return Status.SUCCESS;
    }

    /** The first Bind plugin that does not SKIP binds the pod. */
    public Status bind(CycleState state, Pod pod, String node) {
        for (Plugin.Bind plugin : binds) {
            Status status = plugin.bind(state, pod, node);
            if (!status.isSkip()) {
                return status.from(plugin.name());
            }
        }
        return Status.error("no bind plugin bound the pod");
    }
}
