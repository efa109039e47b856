package io.kybern.controllers.replicaset;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.kybern.controllers.runtime.ApiErrors;
import io.kybern.controllers.runtime.ControlledPodEvents;
import io.kybern.controllers.runtime.EventRecorder;
import io.kybern.controllers.runtime.Expectations;
import io.kybern.controllers.runtime.ObjectKey;
import io.kybern.controllers.runtime.Owners;
import io.kybern.controllers.runtime.PodClaims;
import io.kybern.controllers.runtime.Pods;
import io.kybern.controllers.runtime.Reconciler;
import io.kybern.controllers.runtime.StatusWrites;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Keeps {@code spec.replicas} pods of a ReplicaSet or ReplicationController, as Kubernetes' ReplicaSet
 * controller does: it adopts orphan pods its selector matches and releases owned pods that stopped
 * matching, creates missing pods from the template (named by {@code generateName}, owned with
 * {@code controller: true}), deletes surplus ones in {@link DeletionOrder}, and reports counts, the
 * observed generation and a ReplicaFailure condition in status. Creations and deletions go through
 * {@link Expectations} so a lagging pod cache never causes a second round of them.
 */
public final class ReplicaController<T extends HasMetadata> implements Reconciler<ObjectKey> {

    /** At most this many creations or deletions per sync, as Kubernetes' burstReplicas. */
    static final int BURST = 500;

    private final ReplicatedKind<T> kind;
    private final KubernetesClient client;
    private final SharedIndexInformer<T> owners;
    private final SharedIndexInformer<Pod> pods;
    private final Expectations<ObjectKey> expectations;
    private final EventRecorder events;
    private final PodClaims claims;
    private final InstantSource clock;

    private ReplicaController(ReplicatedKind<T> kind, KubernetesClient client, SharedIndexInformer<T> owners,
            SharedIndexInformer<Pod> pods, InstantSource clock) {
        this.kind = kind;
        this.client = client;
        this.owners = owners;
        this.pods = pods;
        this.clock = clock;
        this.expectations = new Expectations<>(clock);
        this.events = new EventRecorder(client, kind.component(), clock);
        this.claims = new PodClaims(client);
    }

    /** The ReplicaSet controller, reading ReplicaSets and pods from these informers. */
    public static ReplicaController<io.fabric8.kubernetes.api.model.apps.ReplicaSet> forReplicaSets(
            KubernetesClient client, SharedIndexInformer<io.fabric8.kubernetes.api.model.apps.ReplicaSet> owners,
            SharedIndexInformer<Pod> pods, InstantSource clock) {
        return new ReplicaController<>(new ReplicaSets(), client, owners, pods, clock);
    }

    /** The ReplicationController controller. */
    public static ReplicaController<io.fabric8.kubernetes.api.model.ReplicationController> forReplicationControllers(
            KubernetesClient client, SharedIndexInformer<io.fabric8.kubernetes.api.model.ReplicationController> owners,
            SharedIndexInformer<Pod> pods, InstantSource clock) {
        return new ReplicaController<>(new ReplicationControllers(), client, owners, pods, clock);
    }

    public String component() {
        return kind.component();
    }

    /** Turns owner and pod events into owner keys on {@code enqueue}; call before the informers start. */
    public void watch(Consumer<ObjectKey> enqueue) {
        owners.addEventHandler(new ResourceEventHandler<T>() {
            @Override
            public void onAdd(T owner) {
                enqueue.accept(ObjectKey.of(owner));
            }

            @Override
            public void onUpdate(T before, T after) {
                enqueue.accept(ObjectKey.of(after));
            }

            @Override
            public void onDelete(T owner, boolean finalStateUnknown) {
                expectations.forget(ObjectKey.of(owner));
                enqueue.accept(ObjectKey.of(owner));
            }
        });
        pods.addEventHandler(ControlledPodEvents.withExpectations(kind.type().getSimpleName(), expectations,
                this::matchingOwners, enqueue));
    }

    private List<ObjectKey> matchingOwners(Pod pod) {
        List<ObjectKey> matching = new ArrayList<>();
        for (T owner : owners.getIndexer().byIndex(Cache.NAMESPACE_INDEX, pod.getMetadata().getNamespace())) {
            if (kind.selector(owner).test(pod.getMetadata().getLabels())) {
                matching.add(ObjectKey.of(owner));
            }
        }
        return matching;
    }

    @Override
    public Result reconcile(ObjectKey key) throws Exception {
        T owner = owners.getStore().getByKey(key.cacheKey());
        if (owner == null) {
            expectations.forget(key);
            return Result.done();
        }
        boolean needsSync = expectations.satisfied(key) && !Owners.deleting(owner);
        List<Pod> active = pods.getIndexer().byIndex(Cache.NAMESPACE_INDEX, key.namespace()).stream()
                .filter(Pods::active).toList();
        List<Pod> owned = claims.claim(owner, kind.selector(owner), active);
        Optional<ReplicaCounts.Failure> failure = Optional.empty();
        if (needsSync) {
            failure = manageReplicas(owner, owned);
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        ReplicaCounts counts = count(owner, owned, failure, now);
        if (!counts.equals(kind.status(owner))) {
            updateStatus(owner, counts, now);
        }
        if (failure.isPresent()) {
            throw new IllegalStateException(failure.get().message());
        }
        int minReady = kind.minReadySeconds(owner);
        if (minReady > 0 && counts.readyReplicas() > counts.availableReplicas()) {
            return Result.requeueAfter(Duration.ofSeconds(minReady));
        }
        return Result.done();
    }

    // --- creating and deleting ---

    private Optional<ReplicaCounts.Failure> manageReplicas(T owner, List<Pod> owned) {
        ObjectKey key = ObjectKey.of(owner);
        int diff = owned.size() - kind.replicas(owner);
        if (diff < 0) {
            return createPods(owner, key, Math.min(-diff, BURST));
        }
        if (diff > 0) {
            return deletePods(owner, key, owned, Math.min(diff, BURST));
        }
        return Optional.empty();
    }

    /**
     * Creates in {@link SlowStart} batches of 1, 2, 4..., each batch's creations at once, as Kubernetes does:
     * when creation fails (a bad template, a terminating namespace) it fails for one small batch, not for a
     * hundred pods.
     */
    private Optional<ReplicaCounts.Failure> createPods(T owner, ObjectKey key, int count) {
        expectations.expectCreations(key, count);
        SlowStart.Outcome<ReplicaCounts.Failure> outcome = SlowStart.run(count, () -> createPod(owner, key),
                thrown -> {
                    // createPod answers the server's refusals itself; this one will not be observed either.
                    expectations.creationObserved(key);
                    return new ReplicaCounts.Failure("FailedCreate", String.valueOf(thrown.getMessage()));
                });
        // The creations not attempted will never be observed.
        for (int skipped = outcome.attempted(); skipped < count; skipped++) {
            expectations.creationObserved(key);
        }
        return outcome.failure();
    }

    private Optional<ReplicaCounts.Failure> createPod(T owner, ObjectKey key) {
        Pod pod = podFromTemplate(owner);
        try {
            Pod created = client.pods().inNamespace(key.namespace()).resource(pod).create();
            events.normal(owner, "SuccessfulCreate", "Created pod: " + created.getMetadata().getName());
            return Optional.empty();
        } catch (KubernetesClientException e) {
            expectations.creationObserved(key);
            String message = ApiErrors.message(e);
            if (ApiErrors.namespaceTerminating(e)) {
                // The namespace is going away with this owner in it: nothing to report.
                return Optional.empty();
            }
            events.warning(owner, "FailedCreate", "Error creating: " + message);
            return Optional.of(new ReplicaCounts.Failure("FailedCreate", message));
        }
    }

    private Pod podFromTemplate(T owner) {
        PodTemplateSpec template = kind.template(owner);
        var metadata = template.getMetadata() == null ? new ObjectMetaBuilder().build() : template.getMetadata();
        return new PodBuilder()
                .withMetadata(new ObjectMetaBuilder()
                        .withGenerateName(owner.getMetadata().getName() + "-")
                        .withNamespace(owner.getMetadata().getNamespace())
                        .withLabels(metadata.getLabels())
                        .withAnnotations(metadata.getAnnotations())
                        .withFinalizers(metadata.getFinalizers())
                        .withOwnerReferences(Owners.controllerReference(owner))
                        .build())
                .withSpec(template.getSpec())
                .build();
    }

    private Optional<ReplicaCounts.Failure> deletePods(T owner, ObjectKey key, List<Pod> owned, int count) {
        List<Pod> victims = owned.stream().sorted(DeletionOrder.FIRST_TO_DELETE).limit(count).toList();
        Set<String> uids = new HashSet<>();
        victims.forEach(pod -> uids.add(pod.getMetadata().getUid()));
        expectations.expectDeletions(key, uids);
        Optional<ReplicaCounts.Failure> failure = Optional.empty();
        for (Pod pod : victims) {
            try {
                if (expectations.delete(key, pod.getMetadata().getUid(), () -> client.pods()
                        .inNamespace(key.namespace()).withName(pod.getMetadata().getName()).delete())) {
                    events.normal(owner, "SuccessfulDelete", "Deleted pod: " + pod.getMetadata().getName());
                }
            } catch (KubernetesClientException e) {
                if (e.getCode() != 404) {
                    String message = ApiErrors.message(e);
                    events.warning(owner, "FailedDelete", "Error deleting: " + message);
                    failure = Optional.of(new ReplicaCounts.Failure("FailedDelete", message));
                }
            }
        }
        return failure;
    }

    // --- status ---

    private ReplicaCounts count(T owner, List<Pod> owned, Optional<ReplicaCounts.Failure> failure, Instant now) {
        Map<String, String> templateLabels = kind.template(owner).getMetadata() == null ? Map.of()
                : Objects.requireNonNullElse(kind.template(owner).getMetadata().getLabels(), Map.of());
        Duration minReady = Duration.ofSeconds(kind.minReadySeconds(owner));
        int fullyLabeled = 0;
        int ready = 0;
        int available = 0;
        for (Pod pod : owned) {
            Map<String, String> labels = Objects.requireNonNullElse(pod.getMetadata().getLabels(), Map.of());
            if (labels.entrySet().containsAll(templateLabels.entrySet())) {
                fullyLabeled++;
            }
            if (Pods.ready(pod)) {
                ready++;
                if (Pods.available(pod, minReady, now)) {
                    available++;
                }
            }
        }
        Long generation = owner.getMetadata().getGeneration();
        // As Kubernetes: a ReplicaFailure condition already there stays as it is while creating keeps failing
        // (a new message each time would be a new status, a new event and an immediate retry).
        Optional<ReplicaCounts.Failure> reported = failure.isPresent() && kind.status(owner).failure().isPresent()
                ? kind.status(owner).failure() : failure;
        return new ReplicaCounts(owned.size(), fullyLabeled, ready, available, generation == null ? 0 : generation,
                reported);
    }

    private void updateStatus(T owner, ReplicaCounts counts, Instant now) {
        StatusWrites.update(client, owner, current -> kind.withStatus(current, counts, now));
    }
}
