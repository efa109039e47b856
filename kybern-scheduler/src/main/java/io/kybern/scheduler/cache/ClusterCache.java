package io.kybern.scheduler.cache;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.kybern.scheduler.framework.NodeInfo;
import io.kybern.scheduler.framework.Pods;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The scheduler's view of nodes and the pods on them, fed by the informers, plus the pods it has
 * <em>assumed</em>: placed on a node but not yet bound. Assuming lets the next pod see the room the
 * previous one took while its binding is still on the wire; the informer's copy of the bound pod then
 * confirms the assumption, and a failed binding forgets it.
 *
 * <p>Thread-safe. Each scheduling cycle works on a {@link Snapshot}, refreshed here with copies of only
 * the nodes that changed since the last refresh.
 */
public final class ClusterCache {

    private record PodState(NodeInfo.PodInfo info, String node, boolean assumed) {
    }

    private final Map<String, NodeInfo> nodes = new LinkedHashMap<>();
    /** The same nodes, the most recently changed last, so a refresh reads only those changed since the last. */
    private final LinkedHashMap<String, NodeInfo> byRecency = new LinkedHashMap<>();
    /** Pods on nodes the cache has not seen (yet), by node name. */
    private final Map<String, Map<String, NodeInfo.PodInfo>> orphans = new HashMap<>();
    private final Map<String, PodState> pods = new HashMap<>();
    private long generation;
    /** Bumped whenever the set of nodes (not just their content) changes. */
    private long membership;

    public synchronized void addOrUpdateNode(Node node) {
        String name = node.getMetadata().getName();
        NodeInfo info = nodes.get(name);
        if (info == null) {
            info = new NodeInfo(node);
            nodes.put(name, info);
            membership++;
            Map<String, NodeInfo.PodInfo> waiting = orphans.remove(name);
            if (waiting != null) {
                waiting.values().forEach(info::addPod);
            }
        } else {
            info.setNode(node);
        }
        changed(info);
    }

    public synchronized void removeNode(String name) {
        NodeInfo removed = nodes.remove(name);
        byRecency.remove(name);
        if (removed != null) {
            membership++;
            generation++;
            // Its pods stay known; they are counted again should the node come back.
            Map<String, NodeInfo.PodInfo> waiting = orphans.computeIfAbsent(name, n -> new LinkedHashMap<>());
            removed.pods().forEach(p -> waiting.put(p.key(), p));
        }
    }

    /** An assigned pod as the informer sees it: added, updated, or confirming an assumption. */
    public synchronized void addOrUpdatePod(Pod pod) {
        if (!Pods.assigned(pod)) {
            return;
        }
        String key = Pods.key(pod);
        PodState previous = pods.get(key);
        if (previous != null) {
            detach(key, previous.node());
        }
        if (Pods.terminal(pod)) {
            // Finished pods hold nothing on their node.
            pods.remove(key);
            return;
        }
        NodeInfo.PodInfo info = NodeInfo.PodInfo.of(pod);
        attach(info, pod.getSpec().getNodeName());
        pods.put(key, new PodState(info, pod.getSpec().getNodeName(), false));
    }

    public synchronized void removePod(Pod pod) {
        String key = Pods.key(pod);
        PodState previous = pods.remove(key);
        if (previous != null) {
            detach(key, previous.node());
        }
    }

    /**
     * The scheduler placed {@code pod} on {@code node} and is binding it. The pod is kept as given (its
     * spec.nodeName may still be empty): the cache knows its node, and the informer's bound copy replaces it.
     */
    public synchronized void assume(Pod pod, String node) {
        String key = Pods.key(pod);
        if (pods.containsKey(key)) {
            throw new IllegalStateException("pod " + key + " is already in the cache");
        }
        NodeInfo.PodInfo info = NodeInfo.PodInfo.of(pod);
        attach(info, node);
        pods.put(key, new PodState(info, node, true));
    }

    /** The binding failed: the room the pod took is given back, unless the informer saw it bound meanwhile. */
    public synchronized void forget(Pod pod) {
        String key = Pods.key(pod);
        PodState state = pods.get(key);
        if (state != null && state.assumed()) {
            pods.remove(key);
            detach(key, state.node());
        }
    }

    public synchronized boolean isAssumed(String key) {
        PodState state = pods.get(key);
        return state != null && state.assumed();
    }

    /** Whether the pod is in the cache at all (assumed or seen bound). */
    public synchronized boolean contains(String key) {
        return pods.containsKey(key);
    }

    private void attach(NodeInfo.PodInfo info, String nodeName) {
        NodeInfo node = nodes.get(nodeName);
        if (node == null) {
            orphans.computeIfAbsent(nodeName, n -> new LinkedHashMap<>()).put(info.key(), info);
            return;
        }
        node.addPod(info);
        changed(node);
    }

    private void detach(String key, String nodeName) {
        NodeInfo node = nodes.get(nodeName);
        if (node == null) {
            Map<String, NodeInfo.PodInfo> waiting = orphans.get(nodeName);
            if (waiting != null) {
                waiting.remove(key);
            }
            return;
        }
        if (node.removePod(key)) {
            changed(node);
        }
    }

    private void changed(NodeInfo node) {
        node.setGeneration(++generation);
        byRecency.remove(node.name());
        byRecency.put(node.name(), node);
    }

    /**
     * Copies into {@code snapshot} every node that changed since it was last refreshed, walking back from the
     * most recently changed one (as Kubernetes' cache does), so a cycle on a thousand nodes copies the one or
     * two that changed rather than looking at all of them.
     */
    public synchronized void refresh(Snapshot snapshot) {
        if (snapshot.membership != membership) {
            snapshot.byName.keySet().retainAll(nodes.keySet());
            for (NodeInfo node : nodes.values()) {
                if (node.generation() > snapshot.generation || !snapshot.byName.containsKey(node.name())) {
                    snapshot.byName.put(node.name(), node.copy());
                }
            }
            snapshot.list = new ArrayList<>(nodes.size());
            snapshot.index.clear();
            for (String name : nodes.keySet()) {
                snapshot.index.put(name, snapshot.list.size());
                snapshot.list.add(snapshot.byName.get(name));
            }
        } else {
            for (NodeInfo node : byRecency.sequencedValues().reversed()) {
                if (node.generation() <= snapshot.generation) {
                    break;
                }
                NodeInfo copy = node.copy();
                snapshot.byName.put(node.name(), copy);
                snapshot.list.set(snapshot.index.get(node.name()), copy);
            }
        }
        snapshot.generation = generation;
        snapshot.membership = membership;
    }

    /** The nodes one scheduling cycle sees; refreshed by {@link ClusterCache#refresh}, changed by no one else. */
    public static final class Snapshot {
        private final Map<String, NodeInfo> byName = new HashMap<>();
        private final Map<String, Integer> index = new HashMap<>();
        private List<NodeInfo> list = new ArrayList<>();
        private long generation = -1;
        private long membership = -1;

        public List<NodeInfo> nodes() {
            return list;
        }

        public NodeInfo node(String name) {
            return byName.get(name);
        }
    }
}
