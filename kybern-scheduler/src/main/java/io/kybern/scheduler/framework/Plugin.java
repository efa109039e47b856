package io.kybern.scheduler.framework;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Map;

/**
 * A scheduling plugin: it implements one or more of the extension points below, which the
 * {@link Framework} calls in Kubernetes' order for every pod: PreFilter once, Filter per node, PostFilter
 * when no node passed, PreScore once, Score per feasible node (then NormalizeScore), Reserve, Permit,
 * and Bind (asynchronously, off the scheduling thread).
 */
public interface Plugin {

    /** The plugin's name as Kubernetes names it (NodeResourcesFit, TaintToleration...). */
    String name();

    /** Once per cycle, before any node: computes what filters need, or rejects the pod outright. */
    interface PreFilter extends Plugin {
        /**
         * @param nodes every node of the snapshot, for plugins that count pods cluster-wide
         * @return SUCCESS, SKIP (this plugin's Filter has nothing to check), or a rejection that fails all
         *         nodes at once
         */
        Status preFilter(CycleState state, Pod pod, List<NodeInfo> nodes);
    }

    /** Whether the pod can run on one node. Must not change the NodeInfo. */
    interface Filter extends Plugin {
        Status filter(CycleState state, Pod pod, NodeInfo node);
    }

    /** What PostFilter makes of a pod no node passed: a node it nominated (preemption), or nothing. */
    record PostFilterResult(Status status, String nominatedNode) {
    }

    /** Runs when no node passed the filters, to make room (preemption). */
    interface PostFilter extends Plugin {
        /**
         * @param rejections each node's filter status
         * @param nodes      the snapshot the cycle used
         * @param framework  to run the filters again on nodes with pods taken away
         */
        PostFilterResult postFilter(CycleState state, Pod pod, Map<String, Status> rejections, List<NodeInfo> nodes,
                Framework framework);
    }

    /** Once per cycle, before scoring the feasible nodes. */
    interface PreScore extends Plugin {
        Status preScore(CycleState state, Pod pod, List<NodeInfo> feasible, List<NodeInfo> all);
    }

    /** A score for one feasible node, 0..100 after {@link #normalize}. */
    interface Score extends Plugin {
        long score(CycleState state, Pod pod, NodeInfo node);

        /** Brings the raw scores (in the order of {@code nodes}) into 0..100; the default leaves them. */
        default void normalize(CycleState state, Pod pod, List<NodeInfo> nodes, long[] scores) {
        }
    }

    /** Told when the scheduler reserves a node for the pod, and when that reservation is undone. */
    interface Reserve extends Plugin {
        Status reserve(CycleState state, Pod pod, String nodeName);

        void unreserve(CycleState state, Pod pod, String nodeName);
    }

    /** The last word before binding: SUCCESS lets the pod bind, a rejection sends it back to the queue. */
    interface Permit extends Plugin {
        Status permit(CycleState state, Pod pod, String nodeName);
    }

    /** Writes the binding; SKIP lets the next Bind plugin do it. */
    interface Bind extends Plugin {
        Status bind(CycleState state, Pod pod, String nodeName);
    }
}
