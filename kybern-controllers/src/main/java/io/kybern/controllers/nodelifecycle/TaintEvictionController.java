package io.kybern.controllers.nodelifecycle;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.client.KubernetesClient;
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
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes' NoExecute taint manager (taint-eviction-controller): a pod on a node with NoExecute taints
 * is deleted at once when one of them is not tolerated, after the smallest tolerationSeconds of the
 * tolerations that matched otherwise, and never when none of those is limited. Whoever added the taint
 * (the node lifecycle controller or a user) does not matter. Each eviction is a {@code TaintManagerEviction}
 * event on the pod. Keys are pods.
 *
 * <p>The time is counted from when the taints appeared (their timeAdded, else when this controller first
 * saw them) or from the pod's creation if it came later.
 */
public final class TaintEvictionController implements Reconciler<ObjectKey> {

    private static final Logger log = LoggerFactory.getLogger(TaintEvictionController.class);

    public static final String COMPONENT = "taint-eviction-controller";
    static final String BY_NODE = "taint-eviction-by-node";

    private final KubernetesClient client;
    private final SharedIndexInformer<Pod> pods;
    private final SharedIndexInformer<Node> nodes;
    private final InstantSource clock;
    private final EventRecorder events;
    /** When this controller first saw a taint without timeAdded: node, key and effect. */
    private final Map<String, Instant> taintsFirstSeen = new ConcurrentHashMap<>();

    public TaintEvictionController(KubernetesClient client, SharedIndexInformer<Pod> pods,
            SharedIndexInformer<Node> nodes, InstantSource clock) {
        this.client = client;
        this.pods = pods;
        this.nodes = nodes;
        this.clock = clock;
        this.events = new EventRecorder(client, COMPONENT, clock);
        pods.addIndexers(Map.of(BY_NODE, pod -> List.of(nodeName(pod))));
    }

    public void watch(Consumer<ObjectKey> enqueue) {
        pods.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                onUpdate(null, pod);
            }

            @Override
            public void onUpdate(Pod before, Pod after) {
                Node node = nodes.getStore().getByKey(nodeName(after));
                if (node != null && !noExecuteTaints(node).isEmpty()) {
                    enqueue.accept(ObjectKey.of(after));
                }
            }

            @Override
            public void onDelete(Pod pod, boolean finalStateUnknown) {
            }
        });
        nodes.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Node node) {
                onUpdate(null, node);
            }

            @Override
            public void onUpdate(Node before, Node after) {
                if (before != null && noExecuteTaints(before).equals(noExecuteTaints(after))) {
                    return;
                }
                for (Pod pod : pods.getIndexer().byIndex(BY_NODE, after.getMetadata().getName())) {
                    enqueue.accept(ObjectKey.of(pod));
                }
            }

            @Override
            public void onDelete(Node node, boolean finalStateUnknown) {
                taintsFirstSeen.keySet().removeIf(k -> k.startsWith(node.getMetadata().getName() + "/"));
            }
        });
    }

    @Override
    public Result reconcile(ObjectKey key) {
        Pod pod = pods.getStore().getByKey(key.cacheKey());
        if (pod == null || Owners.deleting(pod)) {
            return Result.done();
        }
        Node node = nodes.getStore().getByKey(nodeName(pod));
        if (node == null) {
            return Result.done();
        }
        List<Taint> taints = noExecuteTaints(node);
        if (taints.isEmpty()) {
            return Result.done();
        }
        List<Toleration> tolerations = pod.getSpec().getTolerations() == null ? List.of()
                : pod.getSpec().getTolerations();
        Optional<Duration> stay = Tolerations.allowedStay(tolerations, taints);
        if (stay.isEmpty()) {
            return Result.done(); // tolerated for ever; a change of taints brings the pod back
        }
        Instant now = clock.instant();
        Instant evictAt = since(node, taints, pod).plus(stay.get());
        if (evictAt.isAfter(now)) {
            return Result.requeueAfter(Duration.between(now, evictAt));
        }
        String namespace = pod.getMetadata().getNamespace();
        String name = pod.getMetadata().getName();
        events.normal(pod, "TaintManagerEviction", "Marking for deletion Pod " + namespace + "/" + name);
        client.pods().inNamespace(namespace).withName(name).delete();
        log.info("pod evicted by taint pod={}/{} node={}", namespace, name, node.getMetadata().getName());
        return Result.done();
    }

    /** From when the pod's time on the tainted node counts: the earliest taint's arrival, or the pod's creation. */
    private Instant since(Node node, List<Taint> taints, Pod pod) {
        Instant tainted = Instant.MAX;
        for (Taint taint : taints) {
            Instant added = taint.getTimeAdded() != null ? Instant.parse(taint.getTimeAdded())
                    : taintsFirstSeen.computeIfAbsent(node.getMetadata().getName() + "/" + taint.getKey() + ":"
                            + taint.getEffect(), k -> clock.instant());
            if (added.isBefore(tainted)) {
                tainted = added;
            }
        }
        String created = pod.getMetadata().getCreationTimestamp();
        Instant createdAt = created == null ? tainted : Instant.parse(created);
        return createdAt.isAfter(tainted) ? createdAt : tainted;
    }

    static List<Taint> noExecuteTaints(Node node) {
        if (node.getSpec() == null || node.getSpec().getTaints() == null) {
            return List.of();
        }
        return node.getSpec().getTaints().stream().filter(t -> "NoExecute".equals(t.getEffect())).toList();
    }

    private static String nodeName(Pod pod) {
        return pod.getSpec() == null || pod.getSpec().getNodeName() == null ? "" : pod.getSpec().getNodeName();
    }
}
