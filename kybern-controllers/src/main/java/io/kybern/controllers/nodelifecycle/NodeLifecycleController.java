package io.kybern.controllers.nodelifecycle;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.kybern.controllers.runtime.EventRecorder;
import io.kybern.controllers.runtime.ObjectKey;
import io.kybern.controllers.runtime.Owners;
import io.kybern.controllers.runtime.Reconciler;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches every node's heartbeats (its Lease in {@code kube-node-lease} and its Ready condition) as
 * Kubernetes' node lifecycle controller does. A node none of whose heartbeats has moved for
 * {@link #GRACE_PERIOD} (node-monitor-grace-period; {@link #STARTUP_GRACE_PERIOD} for one that never
 * reported) gets its kubelet conditions set to Unknown
 * ({@code NodeStatusUnknown}, "Kubelet stopped posting node status.") and a {@code NodeNotReady} event; a
 * node whose Ready is Unknown is tainted {@code node.kubernetes.io/unreachable}, one whose Ready is False
 * {@code node.kubernetes.io/not-ready} (NoSchedule and NoExecute both), and the taints go when it is
 * Ready again; pods on a node that is not Ready are marked not Ready. The NoExecute taints are what {@link TaintEvictionController} evicts pods for.
 *
 * <p>Silence is measured on this controller's clock from when it last <em>saw</em> a heartbeat move, not
 * from the time written in it, so a node whose clock is off is judged fairly (Kubernetes does the same).
 * Each node is looked at again every {@link #MONITOR_PERIOD}. Keys are node names.
 */
public final class NodeLifecycleController implements Reconciler<ObjectKey> {

    private static final Logger log = LoggerFactory.getLogger(NodeLifecycleController.class);

    public static final String COMPONENT = "node-controller";
    public static final Duration GRACE_PERIOD = Duration.ofSeconds(40);
    /** node-startup-grace-period: how long a node that never reported gets before it is marked Unknown. */
    public static final Duration STARTUP_GRACE_PERIOD = Duration.ofSeconds(60);
    public static final Duration MONITOR_PERIOD = Duration.ofSeconds(5);
    static final String LEASE_NAMESPACE = "kube-node-lease";
    private static final String BY_NODE = "node-lifecycle-by-node";

    /** The heartbeats last seen for a node, when they were seen to move, and the Ready status then. */
    private record Observed(String leaseRenewTime, String readyHeartbeat, Instant movedAt, String readyStatus) {
    }

    private final KubernetesClient client;
    private final SharedIndexInformer<Node> nodes;
    private final SharedIndexInformer<Lease> leases;
    private final SharedIndexInformer<Pod> pods;
    private final InstantSource clock;
    private final EventRecorder events;
    private final Map<String, Observed> observed = new ConcurrentHashMap<>();

    public NodeLifecycleController(KubernetesClient client, SharedIndexInformer<Node> nodes,
            SharedIndexInformer<Lease> leases, SharedIndexInformer<Pod> pods, InstantSource clock) {
        this.client = client;
        this.nodes = nodes;
        this.leases = leases;
        this.pods = pods;
        pods.addIndexers(Map.of(BY_NODE, pod -> List.of(pod.getSpec() == null || pod.getSpec().getNodeName() == null
                ? "" : pod.getSpec().getNodeName())));
        this.clock = clock;
        this.events = new EventRecorder(client, COMPONENT, clock);
    }

    public void watch(Consumer<ObjectKey> enqueue) {
        nodes.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Node node) {
                enqueue.accept(ObjectKey.of(node));
            }

            @Override
            public void onUpdate(Node before, Node after) {
                enqueue.accept(ObjectKey.of(after));
            }

            @Override
            public void onDelete(Node node, boolean finalStateUnknown) {
                observed.remove(node.getMetadata().getName());
            }
        });
        leases.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Lease lease) {
                onUpdate(null, lease);
            }

            @Override
            public void onUpdate(Lease before, Lease after) {
                if (LEASE_NAMESPACE.equals(after.getMetadata().getNamespace())) {
                    enqueue.accept(ObjectKey.clusterScoped(after.getMetadata().getName()));
                }
            }

            @Override
            public void onDelete(Lease lease, boolean finalStateUnknown) {
            }
        });
    }

    @Override
    public Result reconcile(ObjectKey key) {
        Node node = nodes.getStore().getByKey(key.cacheKey());
        if (node == null) {
            observed.remove(key.name());
            return Result.done();
        }
        Instant now = clock.instant();
        String name = node.getMetadata().getName();
        Observed before = observed.get(name);
        Observed seen = observe(node, before, now);
        observed.put(name, seen);

        Duration grace = NodeHealth.readyCondition(node).isPresent() ? GRACE_PERIOD : STARTUP_GRACE_PERIOD;
        boolean reported = NodeHealth.readyCondition(node).isPresent();
        if (Duration.between(seen.movedAt(), now).compareTo(grace) > 0
                && (!reported || !"Unknown".equals(seen.readyStatus()))) {
            node = markSilent(node, Duration.between(seen.movedAt(), now), now);
            seen = new Observed(seen.leaseRenewTime(), seen.readyHeartbeat(), seen.movedAt(), "Unknown");
            observed.put(name, seen);
        }
        String ready = NodeHealth.ready(node);
        if (!"True".equals(ready)) {
            markPodsNotReady(name);
        }
        if (before != null && !Objects.equals(before.readyStatus(), ready)) {
            if ("True".equals(ready)) {
                events.normal(node, "NodeReady", "Node " + name + " status is now: NodeReady");
            } else if ("True".equals(before.readyStatus()) && "False".equals(ready)) {
                events.normal(node, "NodeNotReady", "Node " + name + " status is now: NodeNotReady");
            }
        }
        List<Taint> current = node.getSpec() == null || node.getSpec().getTaints() == null ? List.of()
                : node.getSpec().getTaints();
        List<Taint> wanted = NodeHealth.taintsFor(current,
                NodeHealth.readyCondition(node).map(NodeCondition::getStatus).orElse(null), now);
        if (!wanted.equals(current)) {
            client.nodes().resource(new NodeBuilder(node).editOrNewSpec().withTaints(wanted).endSpec().build())
                    .update();
            log.info("node taints updated node={} ready={} taints={}", name, ready, wanted.stream()
                    .map(t -> t.getKey() + ":" + t.getEffect()).toList());
        }
        return Result.requeueAfter(MONITOR_PERIOD);
    }

    /** The node's heartbeats now, with the time they were seen to move (now, if they did or are new). */
    private Observed observe(Node node, Observed before, Instant now) {
        Lease lease = leases.getStore().getByKey(LEASE_NAMESPACE + "/" + node.getMetadata().getName());
        String renewTime = lease == null || lease.getSpec() == null || lease.getSpec().getRenewTime() == null ? null
                : lease.getSpec().getRenewTime().toInstant().toString();
        String heartbeat = NodeHealth.readyCondition(node).map(NodeCondition::getLastHeartbeatTime).orElse(null);
        String ready = NodeHealth.ready(node);
        if (before == null || !Objects.equals(before.leaseRenewTime(), renewTime)
                || !Objects.equals(before.readyHeartbeat(), heartbeat)) {
            return new Observed(renewTime, heartbeat, now, ready);
        }
        return new Observed(renewTime, heartbeat, before.movedAt(), ready);
    }

    /**
     * Pods on a node that is not Ready are not Ready either, whatever their node last said: their Ready
     * condition becomes False (with a {@code NodeNotReady} warning), so endpoints stop sending them traffic.
     */
    private void markPodsNotReady(String nodeName) {
        for (Pod pod : pods.getIndexer().byIndex(BY_NODE, nodeName)) {
            if (pod.getStatus() == null || pod.getStatus().getConditions() == null || Owners.deleting(pod)) {
                continue;
            }
            List<PodCondition> conditions = pod.getStatus().getConditions();
            if (conditions.stream().noneMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()))) {
                continue;
            }
            String now = NodeHealth.seconds(clock.instant());
            List<PodCondition> notReady = conditions.stream().map(c -> "Ready".equals(c.getType())
                    ? new PodConditionBuilder(c).withStatus("False").withLastTransitionTime(now).build() : c).toList();
            try {
                client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(new PodBuilder(pod)
                        .editStatus().withConditions(notReady).endStatus().build()).updateStatus();
                events.warning(pod, "NodeNotReady", "Node is not ready");
            } catch (KubernetesClientException e) {
                // 409: a newer pod is on its way; 404: gone. The next look (every 5 s) tries again.
                log.debug("pod not marked NotReady pod={}/{} code={}", pod.getMetadata().getNamespace(),
                        pod.getMetadata().getName(), e.getCode());
            }
        }
    }

    private Node markSilent(Node node, Duration silentFor, Instant now) {
        List<NodeCondition> current = node.getStatus() == null || node.getStatus().getConditions() == null
                ? List.of() : node.getStatus().getConditions();
        Node silent = new NodeBuilder(node).editOrNewStatus()
                .withConditions(NodeHealth.silentConditions(current, now)).endStatus().build();
        Node updated = client.nodes().resource(silent).updateStatus();
        String name = node.getMetadata().getName();
        log.info("node stopped posting status node={} silent_for_s={}", name, silentFor.toSeconds());
        events.normal(updated, "NodeNotReady", "Node " + name + " status is now: NodeNotReady");
        return updated;
    }
}
