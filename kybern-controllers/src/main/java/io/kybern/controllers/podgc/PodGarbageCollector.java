package io.kybern.controllers.podgc;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.kybern.controllers.nodelifecycle.NodeHealth;
import io.kybern.controllers.runtime.ObjectKey;
import io.kybern.controllers.runtime.Owners;
import io.kybern.controllers.runtime.Reconciler;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Force-deletes pods no node agent will ever finish, as Kubernetes' pod garbage collector does: pods bound
 * to a node that does not exist (after a {@link #ORPHAN_QUARANTINE} and a live read that confirms it), and
 * pods whose graceful deletion has run out on a node that is not Ready (its agent is not there to finish
 * it; Kubernetes asks for an out-of-service taint before doing this, we do it once the grace is over so
 * that namespaces and ReplicaSets on lost nodes can move on). Keys are pods.
 */
public final class PodGarbageCollector implements Reconciler<ObjectKey> {

    private static final Logger log = LoggerFactory.getLogger(PodGarbageCollector.class);

    /** Kubernetes' quarantine before a pod of a missing node is collected: the node may only be late in the cache. */
    static final Duration ORPHAN_QUARANTINE = Duration.ofSeconds(40);

    private final KubernetesClient client;
    private final SharedIndexInformer<Pod> pods;
    private final SharedIndexInformer<Node> nodes;
    private final InstantSource clock;
    private final Map<String, Instant> orphanedSince = new ConcurrentHashMap<>();

    public PodGarbageCollector(KubernetesClient client, SharedIndexInformer<Pod> pods, SharedIndexInformer<Node> nodes,
            InstantSource clock) {
        this.client = client;
        this.pods = pods;
        this.nodes = nodes;
        this.clock = clock;
    }

    public void watch(Consumer<ObjectKey> enqueue) {
        pods.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                onUpdate(null, pod);
            }

            @Override
            public void onUpdate(Pod before, Pod after) {
                String node = nodeName(after);
                if (!node.isEmpty() && (Owners.deleting(after) || nodes.getStore().getByKey(node) == null)) {
                    enqueue.accept(ObjectKey.of(after));
                }
            }

            @Override
            public void onDelete(Pod pod, boolean finalStateUnknown) {
                orphanedSince.remove(ObjectKey.of(pod).cacheKey());
            }
        });
        nodes.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Node node) {
            }

            @Override
            public void onUpdate(Node before, Node after) {
                if (!"True".equals(NodeHealth.ready(after)) && "True".equals(NodeHealth.ready(before))) {
                    enqueuePodsOf(after, enqueue);
                }
            }

            @Override
            public void onDelete(Node node, boolean finalStateUnknown) {
                enqueuePodsOf(node, enqueue);
            }
        });
    }

    private void enqueuePodsOf(Node node, Consumer<ObjectKey> enqueue) {
        String name = node.getMetadata().getName();
        for (Pod pod : pods.getStore().list()) {
            if (name.equals(nodeName(pod))) {
                enqueue.accept(ObjectKey.of(pod));
            }
        }
    }

    @Override
    public Result reconcile(ObjectKey key) {
        Pod pod = pods.getStore().getByKey(key.cacheKey());
        if (pod == null || nodeName(pod).isEmpty()) {
            orphanedSince.remove(key.cacheKey());
            return Result.done();
        }
        Instant now = clock.instant();
        Node node = nodes.getStore().getByKey(nodeName(pod));
        if (node == null) {
            Instant since = orphanedSince.computeIfAbsent(key.cacheKey(), k -> now);
            Instant due = since.plus(ORPHAN_QUARANTINE);
            if (due.isAfter(now)) {
                return Result.requeueAfter(Duration.between(now, due));
            }
            if (client.nodes().withName(nodeName(pod)).get() != null) {
                orphanedSince.remove(key.cacheKey());
                return Result.done();
            }
            forceDelete(pod, "its node " + nodeName(pod) + " does not exist");
            return Result.done();
        }
        orphanedSince.remove(key.cacheKey());
        if (!Owners.deleting(pod) || "True".equals(NodeHealth.ready(node))) {
            return Result.done();
        }
        // deletionTimestamp is when the grace period ends.
        Instant graceOver = Instant.parse(pod.getMetadata().getDeletionTimestamp());
        if (graceOver.isAfter(now)) {
            return Result.requeueAfter(Duration.between(now, graceOver));
        }
        forceDelete(pod, "its node " + nodeName(pod) + " is not ready and its grace period is over");
        return Result.done();
    }

    private void forceDelete(Pod pod, String why) {
        client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                .withGracePeriod(0).delete();
        log.info("pod force-deleted pod={}/{} reason=\"{}\"", pod.getMetadata().getNamespace(),
                pod.getMetadata().getName(), why);
    }

    private static String nodeName(Pod pod) {
        return pod.getSpec() == null || pod.getSpec().getNodeName() == null ? "" : pod.getSpec().getNodeName();
    }
}
