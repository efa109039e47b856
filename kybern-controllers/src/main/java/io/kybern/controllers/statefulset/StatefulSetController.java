package io.kybern.controllers.statefulset;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Keeps a StatefulSet's pods {@code <set>-0..<set>-(n-1)}, as Kubernetes' StatefulSet controller does.
 * Each sync claims pods and ControllerRevisions, finds the update revision (the current template's) and
 * the current one (the status' {@code currentRevision}), then walks the ordinals: a missing pod is created
 * (from the current revision below the partition, from the update revision otherwise) after its claims; a
 * failed one is deleted to be recreated; with {@code OrderedReady} the walk stops at the first pod not yet
 * Running, Ready and available, and at most one pod is created or deleted per sync. Pods above the replica
 * count go highest ordinal first. A RollingUpdate then deletes the highest-ordinal pod at or above the
 * partition that is not at the update revision, one at a time, waiting for the pods above it to be healthy.
 *
 * <p>No expectations are needed: pods have fixed names, so a second creation from a lagging cache is
 * refused (409) and a second deletion finds nothing (404).
 */
public final class StatefulSetController implements Reconciler<ObjectKey> {

    public static final String COMPONENT = "statefulset-controller";

    private final KubernetesClient client;
    private final SharedIndexInformer<StatefulSet> statefulSets;
    private final SharedIndexInformer<Pod> pods;
    private final EventRecorder events;
    private final PodClaims claims;
    private final ControllerHistory history;
    private final InstantSource clock;

    public StatefulSetController(KubernetesClient client, SharedIndexInformer<StatefulSet> statefulSets,
            SharedIndexInformer<Pod> pods, InstantSource clock) {
        this.client = client;
        this.statefulSets = statefulSets;
        this.pods = pods;
        this.clock = clock;
        this.events = new EventRecorder(client, COMPONENT, clock);
        this.claims = new PodClaims(client);
        this.history = new ControllerHistory(client);
    }

    /** Turns StatefulSet and pod events into StatefulSet keys; call before the informers start. */
    public void watch(Consumer<ObjectKey> enqueue) {
        statefulSets.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(StatefulSet set) {
                enqueue.accept(ObjectKey.of(set));
            }

            @Override
            public void onUpdate(StatefulSet before, StatefulSet after) {
                enqueue.accept(ObjectKey.of(after));
            }

            @Override
            public void onDelete(StatefulSet set, boolean finalStateUnknown) {
            }
        });
        pods.addEventHandler(ControlledPodEvents.withoutExpectations("StatefulSet", this::matching, enqueue));
    }

    private List<ObjectKey> matching(Pod pod) {
        return statefulSets.getIndexer().byIndex(Cache.NAMESPACE_INDEX, pod.getMetadata().getNamespace()).stream()
                .filter(set -> Selectors.of(set.getSpec().getSelector()).test(pod.getMetadata().getLabels()))
                .map(ObjectKey::of).toList();
    }

    /** A pod of the set, by ordinal. */
    private record Member(int ordinal, Pod pod) {
    }

    @Override
    public Result reconcile(ObjectKey key) throws Exception {
        StatefulSet set = statefulSets.getStore().getByKey(key.cacheKey());
        if (set == null) {
            return Result.done();
        }
        var selector = Selectors.of(set.getSpec().getSelector());
        List<Member> members = new ArrayList<>();
        for (Pod pod : claims.claim(set, selector, pods.getIndexer().byIndex(Cache.NAMESPACE_INDEX, key.namespace()))) {
            OptionalInt ordinal = StatefulPods.ordinal(set, pod);
            if (ordinal.isPresent()) {
                members.add(new Member(ordinal.getAsInt(), pod));
            }
        }
        int collisionCount = set.getStatus() == null || set.getStatus().getCollisionCount() == null ? 0
                : set.getStatus().getCollisionCount();
        PodTemplateSpec template = set.getSpec().getTemplate();
        byte[] data = RevisionData.of(template);
        ControllerHistory.Snapshot snapshot = history.snapshot(set, history.claim(set, selector), data,
                template.getMetadata() == null ? Map.of() : template.getMetadata().getLabels(), collisionCount,
                count -> PodTemplateHash.ofBytes(data, count));
        ControllerRevision update = snapshot.current();
        String currentName = set.getStatus() == null ? null : set.getStatus().getCurrentRevision();
        ControllerRevision current = snapshot.history().stream()
                .filter(revision -> revision.getMetadata().getName().equals(currentName)).findFirst().orElse(update);

        Instant now = clock.instant();
        Duration minReady = Duration.ofSeconds(Objects.requireNonNullElse(set.getSpec().getMinReadySeconds(), 0));
        int replicas = Objects.requireNonNullElse(set.getSpec().getReplicas(), 1);
        int start = set.getSpec().getOrdinals() == null || set.getSpec().getOrdinals().getStart() == null ? 0
                : set.getSpec().getOrdinals().getStart();
        Pod[] wanted = new Pod[replicas];
        List<Member> condemned = new ArrayList<>();
        for (Member member : members) {
            if (member.ordinal() >= start && member.ordinal() < start + replicas) {
                wanted[member.ordinal() - start] = member.pod();
            } else {
                condemned.add(member);
            }
        }
        condemned.sort(Comparator.comparingInt(Member::ordinal).reversed());

        if (!Owners.deleting(set)) {
            new Sync(set, current, update, wanted, condemned, start, minReady, now).run();
        }

        Set<String> inUse = new HashSet<>();
        inUse.add(current.getMetadata().getName());
        inUse.add(update.getMetadata().getName());
        members.forEach(member -> inUse.add(StatefulPods.revision(member.pod())));
        history.prune(snapshot.history(), inUse, Objects.requireNonNullElse(set.getSpec().getRevisionHistoryLimit(), 10));

        StatefulSetStatus status = status(set, members, current, update, snapshot.collisionCount(), minReady, now);
        if (!status.equals(set.getStatus())) {
            updateStatus(set, status);
        }
        if (!minReady.isZero() && status.getReadyReplicas() != null
                && status.getReadyReplicas() > Objects.requireNonNullElse(status.getAvailableReplicas(), 0)) {
            return Result.requeueAfter(minReady);
        }
        return Result.done();
    }

    /** One sync's walk over the ordinals; {@link #run} returns as soon as OrderedReady must wait. */
    private final class Sync {
        private final StatefulSet set;
        private final ControllerRevision current;
        private final ControllerRevision update;
        private final Pod[] wanted;
        private final List<Member> condemned;
        private final int start;
        private final Duration minReady;
        private final Instant now;
        private final boolean ordered;

        Sync(StatefulSet set, ControllerRevision current, ControllerRevision update, Pod[] wanted,
                List<Member> condemned, int start, Duration minReady, Instant now) {
            this.set = set;
            this.current = current;
            this.update = update;
            this.wanted = wanted;
            this.condemned = condemned;
            this.start = start;
            this.minReady = minReady;
            this.now = now;
            this.ordered = !"Parallel".equals(set.getSpec().getPodManagementPolicy());
        }

        void run() {
            for (int i = 0; i < wanted.length; i++) {
                Pod pod = wanted[i];
                int ordinal = start + i;
                if (pod == null) {
                    create(ordinal);
                    if (ordered) {
                        return;
                    }
                    continue;
                }
                String phase = Pods.phase(pod);
                if ((phase.equals("Failed") || phase.equals("Succeeded")) && !Owners.deleting(pod)) {
                    events.warning(set, "RecreatingFailedPod", "StatefulSet " + set.getMetadata().getNamespace()
                            + "/" + set.getMetadata().getName() + " is recreating failed Pod "
                            + pod.getMetadata().getName());
                    delete(pod);
                    if (ordered) {
                        return;
                    }
                    continue;
                }
                if (phase.equals("Pending")) {
                    createClaims(ordinal, pod.getMetadata().getName());
                }
                if (ordered && !healthy(pod)) {
                    return; // wait for this pod to be Running, Ready and available before the next
                }
            }
            Pod firstUnhealthy = firstUnhealthy();
            for (Member member : condemned) {
                Pod pod = member.pod();
                if (Owners.deleting(pod)) {
                    if (ordered) {
                        return;
                    }
                    continue;
                }
                if (ordered && !runningAndReady(pod) && pod != firstUnhealthy) {
                    return;
                }
                condemn(pod, member.ordinal());
                if (ordered) {
                    return;
                }
            }
            if (set.getSpec().getUpdateStrategy() == null
                    || !"RollingUpdate".equals(set.getSpec().getUpdateStrategy().getType())) {
                return; // OnDelete: a pod is updated when someone deletes it
            }
            int partition = partition();
            for (int i = wanted.length - 1; i >= Math.max(0, partition); i--) {
                Pod pod = wanted[i];
                if (pod == null) {
                    return;
                }
                if (!StatefulPods.revision(pod).equals(update.getMetadata().getName()) && !Owners.deleting(pod)) {
                    delete(pod);
                    return;
                }
                if (!healthy(pod)) {
                    return;
                }
            }
        }

        private int partition() {
            var rolling = set.getSpec().getUpdateStrategy().getRollingUpdate();
            return rolling == null || rolling.getPartition() == null ? 0 : rolling.getPartition();
        }

        private Pod firstUnhealthy() {
            for (Pod pod : wanted) {
                if (pod != null && !healthy(pod)) {
                    return pod;
                }
            }
            for (Member member : condemned) {
                if (!healthy(member.pod())) {
                    return member.pod();
                }
            }
            return null;
        }

        private boolean healthy(Pod pod) {
            return !Owners.deleting(pod) && runningAndReady(pod) && Pods.available(pod, minReady, now);
        }

        /** The pod of {@code ordinal}: below the partition from the current revision, else the update one. */
        private void create(int ordinal) {
            boolean fromCurrent = set.getSpec().getUpdateStrategy() != null
                    && "RollingUpdate".equals(set.getSpec().getUpdateStrategy().getType())
                    && ordinal < start + partition();
            ControllerRevision revision = fromCurrent ? current : update;
            PodTemplateSpec template = fromCurrent ? RevisionData.template(current) : set.getSpec().getTemplate();
            Pod pod = StatefulPods.newPod(set, template, revision.getMetadata().getName(), ordinal);
            String name = pod.getMetadata().getName();
            if (!createClaims(ordinal, name)) {
                return;
            }
            try {
                client.pods().inNamespace(set.getMetadata().getNamespace()).resource(pod).create();
                events.normal(set, "SuccessfulCreate", "create Pod " + name + " in StatefulSet "
                        + set.getMetadata().getName() + " successful");
            } catch (KubernetesClientException e) {
                if (e.getCode() == 409) {
                    return; // created already; the cache had not shown it yet
                }
                if (ApiErrors.namespaceTerminating(e)) {
                    return; // the namespace is going away with the set in it: nothing to report
                }
                events.warning(set, "FailedCreate", "create Pod " + name + " in StatefulSet "
                        + set.getMetadata().getName() + " failed error: " + ApiErrors.message(e));
                throw e;
            }
        }

        /** Creates the pod's claims that do not exist yet; false when one could not be. */
        private boolean createClaims(int ordinal, String podName) {
            for (PersistentVolumeClaim claim : StatefulPods.claims(set, ordinal)) {
                String name = claim.getMetadata().getName();
                try {
                    client.persistentVolumeClaims().inNamespace(set.getMetadata().getNamespace()).resource(claim)
                            .create();
                    events.normal(set, "SuccessfulCreate", "create Claim " + name + " Pod " + podName
                            + " in StatefulSet " + set.getMetadata().getName() + " success");
                } catch (KubernetesClientException e) {
                    if (e.getCode() == 409) {
                        continue; // the claim outlives its pods: already there
                    }
                    if (ApiErrors.namespaceTerminating(e)) {
                        return false;
                    }
                    events.warning(set, "FailedCreate", "create Claim " + name + " for Pod " + podName
                            + " in StatefulSet " + set.getMetadata().getName() + " failed error: "
                            + ApiErrors.message(e));
                    return false;
                }
            }
            return true;
        }

        /**
         * Deletes a pod beyond the replica count; with {@code whenScaled: Delete} its claims first get the pod
         * as their owner instead of the set, so the garbage collector deletes them after it.
         */
        private void condemn(Pod pod, int ordinal) {
            if (StatefulPods.retention(set, "whenScaled").equals("Delete")) {
                for (PersistentVolumeClaim claim : StatefulPods.claims(set, ordinal)) {
                    ownClaimByPod(claim.getMetadata().getName(), pod);
                }
            }
            delete(pod);
        }

        private void ownClaimByPod(String claimName, Pod pod) {
            var claims = client.persistentVolumeClaims().inNamespace(set.getMetadata().getNamespace())
                    .withName(claimName);
            try {
                claims.edit(claim -> {
                    // The pod becomes the only owner of the two: the collector deletes a dependent only once
                    // all its owners are gone, and the set stays.
                    List<OwnerReference> refs = new ArrayList<>(Owners.references(claim).stream()
                            .filter(ref -> !set.getMetadata().getUid().equals(ref.getUid())).toList());
                    if (refs.stream().noneMatch(ref -> pod.getMetadata().getUid().equals(ref.getUid()))) {
                        OwnerReference owner = Owners.controllerReference(pod);
                        owner.setController(null);
                        refs.add(owner);
                    }
                    claim.getMetadata().setOwnerReferences(refs);
                    return claim;
                });
            } catch (KubernetesClientException e) {
                if (e.getCode() != 404) {
                    throw e;
                }
            }
        }

        private void delete(Pod pod) {
            String name = pod.getMetadata().getName();
            try {
                client.pods().inNamespace(set.getMetadata().getNamespace()).withName(name).delete();
                events.normal(set, "SuccessfulDelete", "delete Pod " + name + " in StatefulSet "
                        + set.getMetadata().getName() + " successful");
            } catch (KubernetesClientException e) {
                if (e.getCode() == 404) {
                    return;
                }
                events.warning(set, "FailedDelete", "delete Pod " + name + " in StatefulSet "
                        + set.getMetadata().getName() + " failed error: " + ApiErrors.message(e));
                throw e;
            }
        }
    }

    private static boolean runningAndReady(Pod pod) {
        return Pods.phase(pod).equals("Running") && Pods.ready(pod);
    }

    private StatefulSetStatus status(StatefulSet set, List<Member> members, ControllerRevision current,
            ControllerRevision update, int collisionCount, Duration minReady, Instant now) {
        int replicas = 0;
        int ready = 0;
        int available = 0;
        int currentReplicas = 0;
        int updated = 0;
        for (Member member : members) {
            Pod pod = member.pod();
            boolean created = !Pods.phase(pod).isEmpty();
            if (created) {
                replicas++;
            }
            if (runningAndReady(pod)) {
                ready++;
                if (Pods.available(pod, minReady, now)) {
                    available++;
                }
            }
            if (created && !Owners.deleting(pod)) {
                String revision = StatefulPods.revision(pod);
                if (revision.equals(current.getMetadata().getName())) {
                    currentReplicas++;
                }
                if (revision.equals(update.getMetadata().getName())) {
                    updated++;
                }
            }
        }
        String currentRevision = current.getMetadata().getName();
        boolean rolling = set.getSpec().getUpdateStrategy() != null
                && "RollingUpdate".equals(set.getSpec().getUpdateStrategy().getType());
        if (rolling && updated == replicas && ready == replicas) {
            // The rollout is complete: the update revision becomes the current one.
            currentReplicas = updated;
            currentRevision = update.getMetadata().getName();
        }
        Long generation = set.getMetadata().getGeneration();
        var conditions = set.getStatus() == null ? null : set.getStatus().getConditions();
        return new StatefulSetStatusBuilder()
                .withObservedGeneration(generation == null || generation == 0 ? null : generation)
                .withReplicas(replicas)
                .withReadyReplicas(omitZero(ready))
                .withCurrentReplicas(omitZero(currentReplicas))
                .withUpdatedReplicas(omitZero(updated))
                .withAvailableReplicas(available)
                .withCurrentRevision(currentRevision)
                .withUpdateRevision(update.getMetadata().getName())
                .withCollisionCount(collisionCount)
                .withConditions(conditions)
                .build();
    }

    private static Integer omitZero(int value) {
        return value == 0 ? null : value;
    }

    private void updateStatus(StatefulSet set, StatefulSetStatus status) {
        StatusWrites.update(client, set, current -> new StatefulSetBuilder(current).withStatus(status).build());
    }
}
