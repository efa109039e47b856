package io.kybern.scheduler.plugins;

import io.fabric8.kubernetes.api.model.Pod;
import io.kybern.scheduler.framework.CycleState;
import io.kybern.scheduler.framework.FitError;
import io.kybern.scheduler.framework.Framework;
import io.kybern.scheduler.framework.NodeInfo;
import io.kybern.scheduler.framework.Plugin;
import io.kybern.scheduler.framework.Pods;
import io.kybern.scheduler.framework.Status;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Preemption, when no node fits: on each node where it could help (the filters did not reject it for
 * good), take away every pod of lower priority and see whether the pod fits; if so, give back as many as
 * possible, the most important first, keeping the rest as victims. Of the nodes that work, pick the one
 * whose most important victim has the lowest priority, then the lowest sum of victim priorities, then
 * the fewest victims. The victims are deleted gracefully and the pod is nominated to the node, so it is
 * tried there first once they are gone. PodDisruptionBudgets are not consulted yet.
 */
public final class DefaultPreemption implements Plugin.PostFilter {

    public static final String NAME = "DefaultPreemption";
    static final String NOT_HELPFUL = "Preemption is not helpful for scheduling";
    static final String NO_VICTIMS = "No preemption victims found for incoming pod";

    /** Carries out a preemption: deletes the victims on the node chosen for {@code preemptor}. */
    public interface Evictor {
        void evict(Pod preemptor, String node, List<Pod> victims);
    }

    /** The victims preemption would take on one node. */
    public record Candidate(String node, List<Pod> victims) {
        int highestPriority() {
            return victims.stream().mapToInt(Pods::priority).max().orElse(Integer.MIN_VALUE);
        }

        long prioritySum() {
            // Shifted so negative priorities still add up as "less important".
            return victims.stream().mapToLong(p -> (long) Pods.priority(p) + Integer.MAX_VALUE + 1).sum();
        }
    }

    private final Evictor evictor;

    public DefaultPreemption(Evictor evictor) {
        this.evictor = evictor;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public PostFilterResult postFilter(CycleState state, Pod pod, Map<String, Status> rejections,
            List<NodeInfo> nodes, Framework framework) {
        if ("Never".equals(pod.getSpec().getPreemptionPolicy())) {
            return new PostFilterResult(Status.unschedulable("preemption: not eligible due to preemptionPolicy=Never."),
                    null);
        }
        if (victimsStillTerminating(pod, nodes)) {
            return new PostFilterResult(Status.unschedulable(
                    "preemption: not eligible due to a terminating pod on the nominated node."), null);
        }
        Map<String, Status> outcome = new LinkedHashMap<>();
        List<Candidate> candidates = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            NodeInfo node = nodes.get(i);
            Status rejection = rejections.get(node.name());
            if (rejection != null && rejection.code() == Status.Code.UNRESOLVABLE) {
                outcome.put(node.name(), Status.unresolvable(NOT_HELPFUL));
                continue;
            }
            Status result = selectVictims(pod, nodes, i, framework, candidates);
            if (!result.isSuccess()) {
                outcome.put(node.name(), result);
            }
        }
        if (candidates.isEmpty()) {
            String message = new FitError(nodes.size(), outcome, "", "").message();
            return new PostFilterResult(Status.unschedulable("preemption: " + message), null);
        }
        Candidate chosen = best(candidates);
        evictor.evict(pod, chosen.node(), chosen.victims());
        return new PostFilterResult(Status.SUCCESS, chosen.node());
    }

    /**
     * Whether the pod already preempted: it is nominated to a node where lower-priority pods are still
     * being deleted. Preempting again would only take more victims; it waits for those instead.
     */
    static boolean victimsStillTerminating(Pod pod, List<NodeInfo> nodes) {
        String nominated = pod.getStatus() == null ? null : pod.getStatus().getNominatedNodeName();
        if (nominated == null || nominated.isEmpty()) {
            return false;
        }
        int priority = Pods.priority(pod);
        for (NodeInfo node : nodes) {
            if (node.name().equals(nominated)) {
                return node.pods().stream().anyMatch(info -> info.pod().getMetadata().getDeletionTimestamp() != null
                        && Pods.priority(info.pod()) < priority);
            }
        }
        return false;
    }

    /** The candidate Kubernetes would pick: lowest top victim priority, lowest sum, fewest victims, first. */
    static Candidate best(List<Candidate> candidates) {
        return candidates.stream().min(Comparator.comparingInt(Candidate::highestPriority)
                .thenComparingLong(Candidate::prioritySum)
                .thenComparingInt(c -> c.victims().size())).orElseThrow();
    }

    /**
     * Finds the fewest lower-priority pods on {@code nodes[index]} whose removal lets the pod fit; adds a
     * candidate and returns SUCCESS, or returns why not.
     */
    static Status selectVictims(Pod pod, List<NodeInfo> nodes, int index, Framework framework,
            List<Candidate> candidates) {
        NodeInfo original = nodes.get(index);
        int priority = Pods.priority(pod);
        List<NodeInfo.PodInfo> lower = original.pods().stream()
                .filter(info -> Pods.priority(info.pod()) < priority).toList();
        if (lower.isEmpty()) {
            return Status.unresolvable(NO_VICTIMS);
        }
        NodeInfo trial = original.copy();
        for (NodeInfo.PodInfo info : lower) {
            trial.removePod(info.key());
        }
        List<NodeInfo> world = new ArrayList<>(nodes);
        world.set(index, trial);
        Status fits = fits(pod, world, trial, framework);
        if (!fits.isSuccess()) {
            return fits;
        }
        // Give back the most important first: higher priority, then the longest running.
        List<NodeInfo.PodInfo> ordered = new ArrayList<>(lower);
        ordered.sort(Comparator.comparingInt((NodeInfo.PodInfo info) -> Pods.priority(info.pod())).reversed()
                .thenComparing(info -> startTime(info.pod())));
        List<Pod> victims = new ArrayList<>();
        for (NodeInfo.PodInfo info : ordered) {
            trial.addPod(info);
            if (!fits(pod, world, trial, framework).isSuccess()) {
                trial.removePod(info.key());
                victims.add(info.pod());
            }
        }
        candidates.add(new Candidate(original.name(), victims));
        return Status.SUCCESS;
    }

    private static Status fits(Pod pod, List<NodeInfo> world, NodeInfo node, Framework framework) {
        CycleState state = new CycleState();
        Status pre = framework.runPreFilter(state, pod, world);
        if (!pre.isSuccess()) {
            return pre;
        }
        return framework.runFilters(state, pod, node);
    }

    private static String startTime(Pod pod) {
        String started = pod.getStatus() == null ? null : pod.getStatus().getStartTime();
        return started == null ? pod.getMetadata().getCreationTimestamp() == null ? ""
                : pod.getMetadata().getCreationTimestamp() : started;
    }
}
