package io.kybern.controllers.daemonset;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatus;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.kybern.controllers.deployment.PodTemplateHash;
import io.kybern.controllers.history.ControllerHistory;
import io.kybern.controllers.history.RevisionData;
import io.kybern.controllers.runtime.ApiErrors;
import io.kybern.controllers.runtime.ControlledPodEvents;
import io.kybern.controllers.runtime.EventRecorder;
import io.kybern.controllers.runtime.Expectations;
import io.kybern.controllers.runtime.ObjectKey;
import io.kybern.controllers.runtime.Owners;
import io.kybern.controllers.runtime.PodClaims;
import io.kybern.controllers.runtime.Pods;
import io.kybern.controllers.runtime.Reconciler;
import io.kybern.controllers.runtime.Selectors;
import io.kybern.controllers.runtime.StatusWrites;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Keeps one pod of each DaemonSet on every node its template is {@link NodeEligibility eligible} for, as
 * Kubernetes' DaemonSet controller does. Each sync: claim pods and ControllerRevisions, find or create the
 * revision of the current template (its hash labels new pods), then either manage (create missing daemon
 * pods, delete failed and surplus ones and those on nodes no longer eligible) or, when nothing needs
 * managing, take one {@link DaemonRollingUpdate} step; then prune old revisions and write the status.
 * Creations and deletions go through {@link Expectations}, so a lagging pod cache never doubles them.
 */
public final class DaemonSetController implements Reconciler<ObjectKey> {

    public static final String COMPONENT = "daemonset-controller";
    /** At most this many creations or deletions per sync, as Kubernetes' burstReplicas for DaemonSets. */
    static final int BURST = 250;

    private final KubernetesClient client;
    private final SharedIndexInformer<DaemonSet> daemonSets;
    private final SharedIndexInformer<Pod> pods;
    private final SharedIndexInformer<Node> nodes;
    private final Expectations<ObjectKey> expectations;
    private final EventRecorder events;
    private final PodClaims claims;
    private final ControllerHistory history;
    private final InstantSource clock;

    public DaemonSetController(KubernetesClient client, SharedIndexInformer<DaemonSet> daemonSets,
            SharedIndexInformer<Pod> pods, SharedIndexInformer<Node> nodes, InstantSource clock) {
        this.client = client;
        this.daemonSets = daemonSets;
        this.pods = pods;
        this.nodes = nodes;
        this.clock = clock;
        this.expectations = new Expectations<>(clock);
        this.events = new EventRecorder(client, COMPONENT, clock);
        this.claims = new PodClaims(client);
        this.history = new ControllerHistory(client);
    }

    /** Turns DaemonSet, pod and node events into DaemonSet keys; call before the informers start. */
    public void watch(Consumer<ObjectKey> enqueue) {
        daemonSets.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(DaemonSet ds) {
                enqueue.accept(ObjectKey.of(ds));
            }

            @Override
            public void onUpdate(DaemonSet before, DaemonSet after) {
                enqueue.accept(ObjectKey.of(after));
            }

            @Override
            public void onDelete(DaemonSet ds, boolean finalStateUnknown) {
                expectations.forget(ObjectKey.of(ds));
            }
        });
        pods.addEventHandler(ControlledPodEvents.withExpectations("DaemonSet", expectations, this::matching, enqueue));
        nodes.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Node node) {
                everyDaemonSet(enqueue);
            }

            @Override
            public void onUpdate(Node before, Node after) {
                // Only what eligibility reads: labels, taints, the name; heartbeats change nothing.
                if (!Objects.equals(before.getMetadata().getLabels(), after.getMetadata().getLabels())
                        || !Objects.equals(before.getSpec(), after.getSpec())) {
                    everyDaemonSet(enqueue);
                }
            }

            @Override
            public void onDelete(Node node, boolean finalStateUnknown) {
                everyDaemonSet(enqueue);
            }
        });
    }

    private void everyDaemonSet(Consumer<ObjectKey> enqueue) {
        daemonSets.getStore().list().forEach(ds -> enqueue.accept(ObjectKey.of(ds)));
    }

    private List<ObjectKey> matching(Pod pod) {
        return daemonSets.getIndexer().byIndex(Cache.NAMESPACE_INDEX, pod.getMetadata().getNamespace()).stream()
                .filter(ds -> Selectors.of(ds.getSpec().getSelector()).test(pod.getMetadata().getLabels()))
                .map(ObjectKey::of).toList();
    }

    @Override
    public Result reconcile(ObjectKey key) throws Exception {
        DaemonSet ds = daemonSets.getStore().getByKey(key.cacheKey());
        if (ds == null) {
            expectations.forget(key);
            return Result.done();
        }
        // Expectations before the cache, as Kubernetes reads them: a creation observed between a cache read
        // and this check would pass for a cache that already held it, and its node would get a second pod.
        boolean cacheCaughtUp = expectations.satisfied(key);
        var selector = Selectors.of(ds.getSpec().getSelector());
        List<Pod> owned = claims.claim(ds, selector,
                pods.getIndexer().byIndex(Cache.NAMESPACE_INDEX, key.namespace()));
        List<Node> allNodes = nodes.getStore().list();
        Map<String, List<Pod>> byNode = new HashMap<>();
        List<Pod> nowhere = new ArrayList<>();
        for (Pod pod : owned) {
            DaemonPods.targetNode(pod).ifPresentOrElse(
                    node -> byNode.computeIfAbsent(node, n -> new ArrayList<>()).add(pod), () -> nowhere.add(pod));
        }
        int collisionCount = ds.getStatus() == null || ds.getStatus().getCollisionCount() == null ? 0
                : ds.getStatus().getCollisionCount();
        var template = ds.getSpec().getTemplate();
        ControllerHistory.Snapshot snapshot = history.snapshot(ds, history.claim(ds, selector),
                RevisionData.of(template), template.getMetadata() == null ? Map.of() : template.getMetadata().getLabels(),
                collisionCount, count -> PodTemplateHash.of(template, count == 0 ? null : count));
        String hash = snapshot.current().getMetadata().getLabels().get(ControllerHistory.HASH_LABEL);

        Instant now = clock.instant();
        Duration minReady = Duration.ofSeconds(Objects.requireNonNullElse(ds.getSpec().getMinReadySeconds(), 0));
        Map<String, NodeEligibility> eligibility = new HashMap<>();
        for (Node node : allNodes) {
            eligibility.put(node.getMetadata().getName(), NodeEligibility.of(template.getSpec(), node));
        }
        if (!Owners.deleting(ds) && cacheCaughtUp) {
            Changes changes = manage(ds, eligibility, byNode, nowhere, hash, minReady, now);
            if (changes.isEmpty() && rollingUpdate(ds)) {
                Map<String, List<Pod>> eligibleActive = new HashMap<>();
                eligibility.forEach((node, decision) -> {
                    if (decision.shouldRun()) {
                        eligibleActive.put(node, byNode.getOrDefault(node, List.of()).stream()
                                .filter(Pods::active).toList());
                    }
                });
                var rolling = ds.getSpec().getUpdateStrategy().getRollingUpdate();
                var budget = DaemonRollingUpdate.budget(rolling == null ? null : rolling.getMaxSurge(),
                        rolling == null ? null : rolling.getMaxUnavailable(),
                        (int) eligibility.values().stream().filter(NodeEligibility::shouldRun).count());
                var step = DaemonRollingUpdate.next(eligibleActive, budget, pod -> DaemonPods.updated(pod, hash),
                        pod -> Pods.available(pod, minReady, now));
                Set<String> names = new HashSet<>(step.podsToDelete());
                changes = new Changes(owned.stream().filter(p -> names.contains(p.getMetadata().getName())).toList(),
                        step.nodesToCreateOn());
            }
            apply(ds, key, changes, hash);
        }

        Set<String> liveHashes = new HashSet<>();
        owned.stream().filter(Pods::active).forEach(pod -> liveHashes.add(
                Objects.requireNonNullElse(pod.getMetadata().getLabels(), Map.<String, String>of())
                        .getOrDefault(ControllerHistory.HASH_LABEL, "")));
        liveHashes.add(hash);
        Set<String> inUse = new HashSet<>();
        for (ControllerRevision revision : snapshot.history()) {
            if (liveHashes.contains(revision.getMetadata().getLabels().get(ControllerHistory.HASH_LABEL))) {
                inUse.add(revision.getMetadata().getName());
            }
        }
        history.prune(snapshot.history(), inUse, Objects.requireNonNullElse(ds.getSpec().getRevisionHistoryLimit(), 10));

        DaemonSetStatus status = status(ds, eligibility, byNode, hash, snapshot.collisionCount(), minReady, now);
        if (!status.equals(ds.getStatus())) {
            updateStatus(ds, status);
        }
        if (!minReady.isZero() && status.getNumberReady() > Objects.requireNonNullElse(status.getNumberAvailable(), 0)) {
            return Result.requeueAfter(minReady);
        }
        return Result.done();
    }

    private static boolean rollingUpdate(DaemonSet ds) {
        return ds.getSpec().getUpdateStrategy() != null
                && "RollingUpdate".equals(ds.getSpec().getUpdateStrategy().getType());
    }

    private static boolean surgeAllowed(DaemonSet ds) {
        if (!rollingUpdate(ds) || ds.getSpec().getUpdateStrategy().getRollingUpdate() == null) {
            return false;
        }
        var surge = ds.getSpec().getUpdateStrategy().getRollingUpdate().getMaxSurge();
        return surge != null && DaemonRollingUpdate.scaled(surge, 100, 0) > 0;
    }

    /** Pods to delete and nodes to create a pod on. */
    record Changes(List<Pod> podsToDelete, List<String> nodesToCreateOn) {
        boolean isEmpty() {
            return podsToDelete.isEmpty() && nodesToCreateOn.isEmpty();
        }
    }

    /** Kubernetes' manage step: what each node's daemon pods need regardless of the update strategy. */
    private Changes manage(DaemonSet ds, Map<String, NodeEligibility> eligibility, Map<String, List<Pod>> byNode,
            List<Pod> nowhere, String hash, Duration minReady, Instant now) {
        List<Pod> delete = new ArrayList<>();
        List<String> create = new ArrayList<>();
        for (var entry : eligibility.entrySet()) {
            String node = entry.getKey();
            NodeEligibility decision = entry.getValue();
            List<Pod> onNode = byNode.getOrDefault(node, List.of());
            if (decision.shouldRun() && onNode.isEmpty()) {
                create.add(node);
            } else if (decision.mayContinueRunning()) {
                List<Pod> running = new ArrayList<>();
                for (Pod pod : onNode) {
                    if (Owners.deleting(pod)) {
                        continue;
                    }
                    if (Pods.phase(pod).equals("Failed")) {
                        events.warning(ds, "FailedDaemonPod", "Found failed daemon pod " + pod.getMetadata()
                                .getNamespace() + "/" + pod.getMetadata().getName() + " on node " + node
                                + ", will try to kill it");
                        delete.add(pod);
                    } else {
                        running.add(pod);
                    }
                }
                if (decision.shouldRun() && running.isEmpty() && onNode.stream().noneMatch(Owners::deleting)) {
                    create.add(node);
                }
                delete.addAll(surplus(ds, running, hash, minReady, now));
            } else {
                onNode.stream().filter(pod -> !Owners.deleting(pod)).forEach(delete::add);
            }
        }
        // Pods with no node to run on: adopted ones that name none, and unbound ones for nodes since deleted
        // (bound ones on a deleted node are the pod garbage collector's).
        nowhere.stream().filter(pod -> !Owners.deleting(pod)).forEach(delete::add);
        byNode.forEach((node, onNode) -> {
            if (!eligibility.containsKey(node)) {
                onNode.stream().filter(pod -> !Owners.deleting(pod) && (pod.getSpec().getNodeName() == null
                        || pod.getSpec().getNodeName().isEmpty())).forEach(delete::add);
            }
        });
        create.sort(Comparator.naturalOrder());
        return new Changes(delete, create);
    }

    /**
     * Of several running daemon pods on one node, those to delete: all but the oldest without surge; with
     * surge, the oldest updated pod stays, and the oldest old one only while it is ready and the updated one
     * not yet available.
     */
    private List<Pod> surplus(DaemonSet ds, List<Pod> running, String hash, Duration minReady, Instant now) {
        if (running.size() <= 1) {
            return List.of();
        }
        List<Pod> oldestFirst = running.stream().sorted(OLDEST_FIRST).toList();
        if (!surgeAllowed(ds)) {
            return oldestFirst.subList(1, oldestFirst.size());
        }
        List<Pod> delete = new ArrayList<>();
        Pod oldestNew = null;
        Pod oldestOld = null;
        for (Pod pod : oldestFirst) {
            if (DaemonPods.updated(pod, hash) && oldestNew == null) {
                oldestNew = pod;
            } else if (!DaemonPods.updated(pod, hash) && oldestOld == null) {
                oldestOld = pod;
            } else {
                delete.add(pod);
            }
        }
        if (oldestNew != null && oldestOld != null
                && (!Pods.ready(oldestOld) || Pods.available(oldestNew, minReady, now))) {
            delete.add(oldestOld);
        }
        return delete;
    }

    private static final Comparator<Pod> OLDEST_FIRST = Comparator
            .comparing((Pod pod) -> Objects.requireNonNullElse(pod.getMetadata().getCreationTimestamp(), ""))
            .thenComparing(pod -> pod.getMetadata().getName());

    /** Creates and deletes, at most {@link #BURST} of each, expected before they are sent. */
    private void apply(DaemonSet ds, ObjectKey key, Changes changes, String hash) {
        List<String> create = changes.nodesToCreateOn().subList(0, Math.min(BURST, changes.nodesToCreateOn().size()));
        List<Pod> delete = changes.podsToDelete().stream().distinct().limit(BURST).toList();
        if (create.isEmpty() && delete.isEmpty()) {
            return;
        }
        Set<String> uids = new HashSet<>();
        delete.forEach(pod -> uids.add(pod.getMetadata().getUid()));
        expectations.expect(key, create.size(), uids);
        RuntimeException failure = null;
        for (Pod pod : delete) {
            try {
                if (expectations.delete(key, pod.getMetadata().getUid(), () -> client.pods()
                        .inNamespace(key.namespace()).withName(pod.getMetadata().getName()).delete())) {
                    events.normal(ds, "SuccessfulDelete", "Deleted pod: " + pod.getMetadata().getName());
                }
            } catch (KubernetesClientException e) {
                if (e.getCode() != 404) {
                    events.warning(ds, "FailedDelete", "Error deleting: " + ApiErrors.message(e));
                    failure = e;
                }
            }
        }
        // Slow start, as for ReplicaSets: batches of 1, 2, 4... so a refused creation fails once, not 250 times.
        int done = 0;
        for (int batch = 1; done < create.size() && failure == null; batch *= 2) {
            int end = Math.min(create.size(), done + batch);
            for (int i = done; i < end; i++) {
                try {
                    Pod created = client.pods().inNamespace(key.namespace())
                            .resource(DaemonPods.forNode(ds, create.get(i), hash)).create();
                    events.normal(ds, "SuccessfulCreate", "Created pod: " + created.getMetadata().getName());
                } catch (KubernetesClientException e) {
                    expectations.creationObserved(key);
                    String message = ApiErrors.message(e);
                    if (ApiErrors.namespaceTerminating(e)) {
                        continue;
                    }
                    events.warning(ds, "FailedCreate", "Error creating: " + message);
                    failure = e;
                }
            }
            done = end;
        }
        for (int skipped = done; skipped < create.size(); skipped++) {
            expectations.creationObserved(key); // never sent, so never observed
        }
        if (failure != null) {
            throw failure;
        }
    }

    private DaemonSetStatus status(DaemonSet ds, Map<String, NodeEligibility> eligibility,
            Map<String, List<Pod>> byNode, String hash, int collisionCount, Duration minReady, Instant now) {
        int desired = 0;
        int current = 0;
        int misscheduled = 0;
        int ready = 0;
        int available = 0;
        int updated = 0;
        for (var entry : eligibility.entrySet()) {
            List<Pod> onNode = byNode.getOrDefault(entry.getKey(), List.of()).stream().filter(Pods::active)
                    .sorted(OLDEST_FIRST).toList();
            if (!entry.getValue().shouldRun()) {
                if (!onNode.isEmpty()) {
                    misscheduled++;
                }
                continue;
            }
            desired++;
            if (onNode.isEmpty()) {
                continue;
            }
            current++;
            Pod oldest = onNode.getFirst();
            if (Pods.ready(oldest)) {
                ready++;
                if (Pods.available(oldest, minReady, now)) {
                    available++;
                }
            }
            if (DaemonPods.updated(oldest, hash)) {
                updated++;
            }
        }
        Long generation = ds.getMetadata().getGeneration();
        var conditions = ds.getStatus() == null ? null : ds.getStatus().getConditions();
        return new DaemonSetStatusBuilder()
                .withCurrentNumberScheduled(current)
                .withNumberMisscheduled(misscheduled)
                .withDesiredNumberScheduled(desired)
                .withNumberReady(ready)
                .withObservedGeneration(generation == null || generation == 0 ? null : generation)
                .withUpdatedNumberScheduled(omitZero(updated))
                .withNumberAvailable(omitZero(available))
                .withNumberUnavailable(omitZero(desired - available))
                .withCollisionCount(collisionCount == 0 ? null : collisionCount)
                .withConditions(conditions)
                .build();
    }

    /** Zero as absent, as Go's {@code omitempty} writes it, so the stored status equals the one read back. */
    private static Integer omitZero(int value) {
        return value == 0 ? null : value;
    }

    private void updateStatus(DaemonSet ds, DaemonSetStatus status) {
        StatusWrites.update(client, ds, current -> new DaemonSetBuilder(current).withStatus(status).build());
    }
}
