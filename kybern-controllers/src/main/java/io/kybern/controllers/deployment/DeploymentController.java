package io.kybern.controllers.deployment;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.kybern.controllers.runtime.EventRecorder;
import io.kybern.controllers.runtime.ObjectKey;
import io.kybern.controllers.runtime.Owners;
import io.kybern.controllers.runtime.Reconciler;
import io.kybern.controllers.runtime.Selectors;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Kubernetes' deployment controller: a Deployment owns one ReplicaSet per pod template it has had, named
 * {@code <deployment>-<pod-template-hash>}; the one whose template is the Deployment's is the new one and
 * the others are old. A rollout moves pods from the old sets to the new one (RollingUpdate within
 * maxSurge/maxUnavailable, or Recreate: all old pods gone first); a change of {@code spec.replicas}
 * mid-rollout is spread over the sets in proportion; old sets beyond {@code revisionHistoryLimit} are
 * deleted; the status carries the counts and the Progressing and Available conditions that
 * {@code kubectl rollout status} reads. {@code kubectl rollout undo} needs nothing special: it copies an
 * old set's template into the Deployment, which then finds that set as its new one again.
 */
public final class DeploymentController implements Reconciler<ObjectKey> {

    public static final String COMPONENT = "deployment-controller";

    static final String REVISION = "deployment.kubernetes.io/revision";
    static final String REVISION_HISTORY = "deployment.kubernetes.io/revision-history";
    static final String DESIRED_REPLICAS = "deployment.kubernetes.io/desired-replicas";
    static final String MAX_REPLICAS = "deployment.kubernetes.io/max-replicas";
    /** Deployment annotations that are the controller's own or kubectl's, never copied to a ReplicaSet. */
    private static final Set<String> NOT_COPIED = Set.of(REVISION, REVISION_HISTORY, DESIRED_REPLICAS, MAX_REPLICAS,
            "kubectl.kubernetes.io/last-applied-configuration", "deprecated.deployment.rollback.to");

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final KubernetesClient client;
    private final SharedIndexInformer<Deployment> deployments;
    private final SharedIndexInformer<ReplicaSet> replicaSets;
    private final SharedIndexInformer<Pod> pods;
    private final EventRecorder events;
    private final InstantSource clock;

    public DeploymentController(KubernetesClient client, SharedIndexInformer<Deployment> deployments,
            SharedIndexInformer<ReplicaSet> replicaSets, SharedIndexInformer<Pod> pods, InstantSource clock) {
        this.client = client;
        this.deployments = deployments;
        this.replicaSets = replicaSets;
        this.pods = pods;
        this.clock = clock;
        this.events = new EventRecorder(client, COMPONENT, clock);
    }

    /** Turns Deployment, ReplicaSet and pod events into Deployment keys; call before the informers start. */
    public void watch(Consumer<ObjectKey> enqueue) {
        deployments.addEventHandler(handler(d -> enqueue.accept(ObjectKey.of(d))));
        replicaSets.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(ReplicaSet rs) {
                owningOrMatching(rs).forEach(enqueue);
            }

            @Override
            public void onUpdate(ReplicaSet before, ReplicaSet after) {
                owningOrMatching(before).forEach(enqueue);
                owningOrMatching(after).forEach(enqueue);
            }

            @Override
            public void onDelete(ReplicaSet rs, boolean finalStateUnknown) {
                owningOrMatching(rs).forEach(enqueue);
            }
        });
        // A Recreate rollout waits for the old pods to be gone, which only pod deletions tell.
        pods.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
            }

            @Override
            public void onUpdate(Pod before, Pod after) {
            }

            @Override
            public void onDelete(Pod pod, boolean finalStateUnknown) {
                Owners.controllerOf(pod).filter(ref -> "ReplicaSet".equals(ref.getKind()))
                        .map(ref -> replicaSets.getStore().getByKey(pod.getMetadata().getNamespace() + "/"
                                + ref.getName()))
                        .ifPresent(rs -> owningOrMatching(rs).forEach(enqueue));
            }
        });
    }

    private static <T> ResourceEventHandler<T> handler(Consumer<T> onAny) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T object) {
                onAny.accept(object);
            }

            @Override
            public void onUpdate(T before, T after) {
                onAny.accept(after);
            }

            @Override
            public void onDelete(T object, boolean finalStateUnknown) {
                onAny.accept(object);
            }
        };
    }

    /** The Deployment controlling the set, or, for an orphan, every Deployment whose selector matches it. */
    private List<ObjectKey> owningOrMatching(ReplicaSet rs) {
        Optional<OwnerReference> controller = Owners.controllerOf(rs);
        if (controller.isPresent()) {
            return "Deployment".equals(controller.get().getKind())
                    ? List.of(new ObjectKey(rs.getMetadata().getNamespace(), controller.get().getName()))
                    : List.of();
        }
        return deployments.getIndexer().byIndex(Cache.NAMESPACE_INDEX, rs.getMetadata().getNamespace()).stream()
                .filter(d -> Selectors.of(d.getSpec().getSelector()).test(rs.getMetadata().getLabels()))
                .map(ObjectKey::of).toList();
    }

    @Override
    public Result reconcile(ObjectKey key) throws Exception {
        Deployment d = deployments.getStore().getByKey(key.cacheKey());
        if (d == null) {
            return Result.done();
        }
        List<ReplicaSet> owned = claim(d);
        if (Owners.deleting(d)) {
            writeStatus(d, status(d, owned, findNew(d, owned).orElse(null), Optional.empty()));
            return Result.done();
        }
        Optional<DeploymentCondition> pauseCondition = pauseCondition(d);
        if (d.getSpec().getPaused() != null && d.getSpec().getPaused()) {
            // Paused: scale and clean up, but no new ReplicaSet and no rollout step.
            Optional<ReplicaSet> newRs = findNew(d, owned);
            if (isScalingEvent(d, owned)) {
                scaleProportionally(d, owned, newRs.orElse(null));
            }
            DeploymentStatus status = status(d, replicaSetsAfterWrites(d, owned), newRs.orElse(null), pauseCondition);
            writeStatus(d, status);
            return Result.done();
        }
        NewSet newSet = newReplicaSet(d, owned);
        if (newSet.collided()) {
            return Result.done(); // the status now carries a new collisionCount, whose update brings us back
        }
        ReplicaSet newRs = newSet.rs();
        List<ReplicaSet> all = replicaSetsAfterWrites(d, owned);
        List<ReplicaSet> old = all.stream().filter(rs -> !sameUid(rs, newRs)).toList();
        ReplicaSet currentNew = all.stream().filter(rs -> sameUid(rs, newRs)).findFirst().orElse(newRs);

        if (isScalingEvent(d, all) && !newSet.created()) {
            scaleProportionally(d, all, currentNew);
        } else if (isRecreate(d)) {
            recreateStep(d, currentNew, old);
        } else {
            rollingStep(d, currentNew, old);
        }
        all = replicaSetsAfterWrites(d, owned);
        currentNew = all.stream().filter(rs -> sameUid(rs, newRs)).findFirst().orElse(newRs);
        DeploymentStatus status = status(d, all, currentNew, newSet.progressing().or(() -> pauseCondition));
        status = rolloutProgress(d, status, currentNew);
        if (complete(d, status)) {
            cleanupOldReplicaSets(d, all, currentNew);
        }
        writeStatus(d, status);
        return requeueForDeadline(d, status);
    }

    // --- adoption and release ---

    /** The Deployment's ReplicaSets, after adopting matching orphans and releasing owned ones that stopped matching. */
    private List<ReplicaSet> claim(Deployment d) {
        var selector = Selectors.of(d.getSpec().getSelector());
        String uid = d.getMetadata().getUid();
        List<ReplicaSet> owned = new ArrayList<>();
        Boolean mayAdopt = null;
        for (ReplicaSet rs : replicaSets.getIndexer().byIndex(Cache.NAMESPACE_INDEX, d.getMetadata().getNamespace())) {
            Optional<OwnerReference> controller = Owners.controllerOf(rs);
            boolean matches = selector.test(rs.getMetadata().getLabels());
            if (controller.isPresent()) {
                if (!uid.equals(controller.get().getUid())) {
                    continue;
                }
                if (matches || Owners.deleting(d)) {
                    owned.add(rs);
                } else {
                    patchOwnerReferences(rs, Owners.references(rs).stream()
                            .filter(ref -> !uid.equals(ref.getUid())).toList());
                }
            } else if (matches && !Owners.deleting(rs) && !Owners.deleting(d)) {
                if (mayAdopt == null) {
                    Deployment fresh = client.apps().deployments().inNamespace(d.getMetadata().getNamespace())
                            .withName(d.getMetadata().getName()).get();
                    mayAdopt = fresh != null && uid.equals(fresh.getMetadata().getUid()) && !Owners.deleting(fresh);
                }
                List<OwnerReference> refs = new ArrayList<>(Owners.references(rs));
                refs.add(Owners.controllerReference(d));
                if (mayAdopt && patchOwnerReferences(rs, refs)) {
                    owned.add(rs);
                }
            }
        }
        return owned;
    }

    private boolean patchOwnerReferences(ReplicaSet rs, List<OwnerReference> refs) {
        ObjectNode patch = JSON.createObjectNode();
        ObjectNode metadata = patch.putObject("metadata");
        metadata.put("resourceVersion", rs.getMetadata().getResourceVersion());
        ArrayNode array = metadata.putArray("ownerReferences");
        refs.forEach(ref -> array.add(JSON.valueToTree(ref)));
        try {
            client.apps().replicaSets().inNamespace(rs.getMetadata().getNamespace()).resource(rs)
                    .patch(PatchContext.of(PatchType.JSON_MERGE), JSON.writeValueAsString(patch));
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404 || e.getCode() == 409) {
                return false;
            }
            throw e;
        }
    }

    // --- the new ReplicaSet ---

    /** The set the rollout aims at, whether it was just created, and the Progressing condition to report. */
    private record NewSet(ReplicaSet rs, boolean created, boolean collided, Optional<DeploymentCondition> progressing) {
    }

    /** The oldest owned set whose template, without its hash label, is the Deployment's template. */
    static Optional<ReplicaSet> findNew(Deployment d, List<ReplicaSet> owned) {
        JsonNode wanted = JSON.valueToTree(d.getSpec().getTemplate());
        return owned.stream().sorted(OLDEST_FIRST)
                .filter(rs -> JSON.valueToTree(withoutHashLabel(rs.getSpec().getTemplate())).equals(wanted))
                .findFirst();
    }

    static PodTemplateSpec withoutHashLabel(PodTemplateSpec template) {
        PodTemplateSpec copy = new PodTemplateSpecBuilder(template).build();
        if (copy.getMetadata() != null && copy.getMetadata().getLabels() != null
                && copy.getMetadata().getLabels().containsKey(PodTemplateHash.LABEL)) {
            Map<String, String> labels = new LinkedHashMap<>(copy.getMetadata().getLabels());
            labels.remove(PodTemplateHash.LABEL);
            copy.getMetadata().setLabels(labels);
        }
        return copy;
    }

    private NewSet newReplicaSet(Deployment d, List<ReplicaSet> owned) {
        Instant now = now();
        Optional<ReplicaSet> existing = findNew(d, owned);
        long maxOldRevision = owned.stream().filter(rs -> existing.map(e -> !sameUid(e, rs)).orElse(true))
                .mapToLong(DeploymentController::revision).max().orElse(0);
        String revision = Long.toString(maxOldRevision + 1);
        if (existing.isPresent()) {
            ReplicaSet rs = existing.get();
            ReplicaSet updated = withDeploymentAnnotations(d, rs, revision);
            if (!Objects.equals(updated.getMetadata().getAnnotations(), rs.getMetadata().getAnnotations())
                    || !Objects.equals(updated.getSpec().getMinReadySeconds(), rs.getSpec().getMinReadySeconds())) {
                rs = client.resource(updated).update();
            }
            Optional<DeploymentCondition> progressing = Optional.empty();
            if (hasProgressDeadline(d) && condition(d.getStatus(), "Progressing").isEmpty()) {
                progressing = Optional.of(condition("Progressing", "True", "FoundNewReplicaSet",
                        "Found new replica set \"" + rs.getMetadata().getName() + "\"", now));
            }
            return new NewSet(rs, false, false, progressing);
        }
        Integer collisionCount = d.getStatus() == null ? null : d.getStatus().getCollisionCount();
        PodTemplateSpec template = d.getSpec().getTemplate();
        String hash = PodTemplateHash.of(template, collisionCount);
        PodTemplateSpec rsTemplate = new PodTemplateSpecBuilder(template).editOrNewMetadata()
                .addToLabels(PodTemplateHash.LABEL, hash).endMetadata().build();
        LabelSelector selector = new LabelSelectorBuilder(d.getSpec().getSelector())
                .addToMatchLabels(PodTemplateHash.LABEL, hash).build();
        Map<String, String> labels = new LinkedHashMap<>(Objects.requireNonNullElse(
                template.getMetadata() == null ? null : template.getMetadata().getLabels(), Map.of()));
        labels.put(PodTemplateHash.LABEL, hash);
        int replicas = newReplicaSetSize(d, owned);
        ReplicaSet fresh = new ReplicaSetBuilder()
                .withNewMetadata().withName(d.getMetadata().getName() + "-" + hash)
                .withNamespace(d.getMetadata().getNamespace()).withLabels(labels)
                .withOwnerReferences(Owners.controllerReference(d)).endMetadata()
                .withNewSpec().withReplicas(replicas).withMinReadySeconds(d.getSpec().getMinReadySeconds())
                .withSelector(selector).withTemplate(rsTemplate).endSpec().build();
        fresh = withDeploymentAnnotations(d, fresh, revision);
        try {
            ReplicaSet created = client.resource(fresh).create();
            if (replicas > 0) {
                events.normal(d, "ScalingReplicaSet", "Scaled up replica set " + created.getMetadata().getName()
                        + " from 0 to " + replicas);
            }
            Optional<DeploymentCondition> progressing = hasProgressDeadline(d)
                    ? Optional.of(condition("Progressing", "True", "NewReplicaSetCreated",
                            "Created new replica set \"" + created.getMetadata().getName() + "\"", now))
                    : Optional.empty();
            return new NewSet(created, true, false, progressing);
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
        }
        // The name is taken. Ours with our template (a cache that lags): use it. Anything else: a collision,
        // so count it in status and try another name next time.
        ReplicaSet taken = client.apps().replicaSets().inNamespace(d.getMetadata().getNamespace())
                .withName(fresh.getMetadata().getName()).get();
        if (taken != null && Owners.controllerOf(taken).map(ref -> ref.getUid().equals(d.getMetadata().getUid()))
                .orElse(false) && JSON.valueToTree(withoutHashLabel(taken.getSpec().getTemplate()))
                        .equals(JSON.valueToTree(template))) {
            throw new IllegalStateException("replica set " + taken.getMetadata().getName()
                    + " exists but is not in the cache yet");
        }
        DeploymentStatus status = d.getStatus() == null ? new DeploymentStatus() : d.getStatus();
        Deployment bumped = new DeploymentBuilder(d).withStatus(new io.fabric8.kubernetes.api.model.apps
                .DeploymentStatusBuilder(status).withCollisionCount(collisionCount == null ? 1 : collisionCount + 1)
                .build()).build();
        client.resource(bumped).updateStatus();
        return new NewSet(null, false, true, Optional.empty());
    }

    /**
     * How big a brand-new set starts: all the replicas for Recreate (the old pods are gone by then), else
     * what maxSurge leaves room for.
     */
    private int newReplicaSetSize(Deployment d, List<ReplicaSet> owned) {
        if (isRecreate(d)) {
            return owned.stream().allMatch(rs -> specReplicas(rs) == 0 && statusReplicas(rs) == 0) ? replicas(d) : 0;
        }
        Rollout.Fenceposts limits = fenceposts(d);
        return Rollout.newReplicasAfterScaleUp(replicas(d), limits.maxSurge(), 0, sumSpec(owned));
    }

    /** The set's annotations as the Deployment wants them: its own copied, revision, history and sizes. */
    private ReplicaSet withDeploymentAnnotations(Deployment d, ReplicaSet rs, String revision) {
        Map<String, String> annotations = new LinkedHashMap<>(
                Objects.requireNonNullElse(rs.getMetadata().getAnnotations(), Map.of()));
        Objects.requireNonNullElse(d.getMetadata().getAnnotations(), Map.<String, String>of()).forEach((k, v) -> {
            if (!NOT_COPIED.contains(k)) {
                annotations.put(k, v);
            }
        });
        String oldRevision = annotations.get(REVISION);
        if (oldRevision == null || Long.parseLong(oldRevision) < Long.parseLong(revision)) {
            annotations.put(REVISION, revision);
            if (oldRevision != null) {
                // Reused by a rollback: keep the revisions it has been before.
                String history = annotations.get(REVISION_HISTORY);
                annotations.put(REVISION_HISTORY, history == null || history.isEmpty() ? oldRevision
                        : history + "," + oldRevision);
            }
        }
        annotations.putIfAbsent(DESIRED_REPLICAS, Integer.toString(replicas(d)));
        annotations.put(MAX_REPLICAS, Integer.toString(maxReplicas(d)));
        return new ReplicaSetBuilder(rs).editMetadata().withAnnotations(annotations).endMetadata()
                .editSpec().withMinReadySeconds(d.getSpec().getMinReadySeconds()).endSpec().build();
    }

    // --- rollout steps ---

    private void rollingStep(Deployment d, ReplicaSet newRs, List<ReplicaSet> old) {
        int replicas = replicas(d);
        Rollout.Fenceposts limits = fenceposts(d);
        List<ReplicaSet> all = new ArrayList<>(old);
        all.add(newRs);
        int newSpec = specReplicas(newRs);
        if (newSpec > replicas) {
            scale(d, newRs, replicas);
            return;
        }
        int scaledUp = Rollout.newReplicasAfterScaleUp(replicas, limits.maxSurge(), newSpec, sumSpec(all));
        if (scaledUp != newSpec) {
            scale(d, newRs, scaledUp);
            return;
        }
        if (sumSpec(old) == 0) {
            return;
        }
        int budget = Rollout.maxScaleDown(replicas, limits.maxUnavailable(), sumSpec(all), newSpec,
                availableReplicas(newRs));
        if (budget <= 0) {
            return;
        }
        // Unhealthy old pods go first: removing them costs no availability.
        List<ReplicaSet> oldestFirst = old.stream().sorted(OLDEST_FIRST).toList();
        Map<String, Integer> sizes = new HashMap<>();
        int removed = 0;
        for (ReplicaSet rs : oldestFirst) {
            int spec = specReplicas(rs);
            int unhealthy = spec - availableReplicas(rs);
            if (unhealthy <= 0 || removed >= budget) {
                continue;
            }
            int take = Math.min(unhealthy, budget - removed);
            sizes.put(rs.getMetadata().getUid(), spec - take);
            removed += take;
        }
        int allAvailable = availableReplicas(newRs) + old.stream().mapToInt(DeploymentController::availableReplicas).sum();
        int availableBudget = Math.min(budget - removed,
                Rollout.availableScaleDown(replicas, limits.maxUnavailable(), allAvailable));
        for (ReplicaSet rs : oldestFirst) {
            int size = sizes.getOrDefault(rs.getMetadata().getUid(), specReplicas(rs));
            if (availableBudget <= 0) {
                break;
            }
            int take = Math.min(size, availableBudget);
            sizes.put(rs.getMetadata().getUid(), size - take);
            availableBudget -= take;
        }
        for (ReplicaSet rs : oldestFirst) {
            Integer size = sizes.get(rs.getMetadata().getUid());
            if (size != null && size != specReplicas(rs)) {
                scale(d, rs, size);
            }
        }
    }

    private void recreateStep(Deployment d, ReplicaSet newRs, List<ReplicaSet> old) {
        boolean scaledDown = false;
        for (ReplicaSet rs : old) {
            if (specReplicas(rs) > 0) {
                scale(d, rs, 0);
                scaledDown = true;
            }
        }
        if (scaledDown) {
            return;
        }
        // Only when no old pod is left at all does the new set grow.
        boolean oldPodsLeft = old.stream().anyMatch(rs -> statusReplicas(rs) > 0) || pods.getIndexer()
                .byIndex(Cache.NAMESPACE_INDEX, d.getMetadata().getNamespace()).stream()
                .anyMatch(pod -> Owners.controllerOf(pod).map(ref -> old.stream()
                        .anyMatch(rs -> rs.getMetadata().getUid().equals(ref.getUid()))).orElse(false)
                        && !"Succeeded".equals(phase(pod)) && !"Failed".equals(phase(pod)));
        if (!oldPodsLeft && specReplicas(newRs) != replicas(d)) {
            scale(d, newRs, replicas(d));
        }
    }

    /** A change of {@code spec.replicas} while several sets have pods: each grows or shrinks in proportion. */
    private void scaleProportionally(Deployment d, List<ReplicaSet> all, ReplicaSet newRs) {
        List<ReplicaSet> active = all.stream().filter(rs -> specReplicas(rs) > 0).toList();
        if (active.size() <= 1) {
            // One set has pods (or none has: then the new one): it takes the whole new size.
            ReplicaSet target = active.isEmpty() ? newRs : active.getFirst();
            if (target != null) {
                scale(d, target, replicas(d));
            }
            return;
        }
        int allowed = maxReplicas(d);
        Map<String, Integer> sizes = proportionalSizes(active, allowed);
        for (ReplicaSet rs : active) {
            scale(d, rs, sizes.get(rs.getMetadata().getUid()));
        }
    }

    /** Sizes after spreading {@code allowed - current} pods over the active sets; see {@link Rollout#proportion}. */
    static Map<String, Integer> proportionalSizes(List<ReplicaSet> active, int allowed) {
        int toAdd = allowed - sumSpec(active);
        // Growing: the largest (then newest) set first; shrinking: the largest (then oldest) first.
        Comparator<ReplicaSet> order = Comparator.comparingInt(DeploymentController::specReplicas).reversed()
                .thenComparing(toAdd > 0 ? OLDEST_FIRST.reversed() : OLDEST_FIRST);
        List<ReplicaSet> sorted = active.stream().sorted(order).toList();
        Map<String, Integer> sizes = new LinkedHashMap<>();
        int added = 0;
        for (ReplicaSet rs : sorted) {
            int proportion = 0;
            if (toAdd != 0) {
                int annotated = parseInt(annotation(rs, MAX_REPLICAS)).orElse(0);
                proportion = Rollout.proportion(specReplicas(rs), allowed, annotated);
                proportion = toAdd > 0 ? Math.min(proportion, toAdd - added) : Math.max(proportion, toAdd - added);
            }
            sizes.put(rs.getMetadata().getUid(), specReplicas(rs) + proportion);
            added += proportion;
        }
        // What rounding left over goes to the first (largest) set.
        if (!sorted.isEmpty() && added != toAdd) {
            String first = sorted.getFirst().getMetadata().getUid();
            sizes.put(first, Math.max(0, sizes.get(first) + toAdd - added));
        }
        return sizes;
    }

    /** Whether some active set was sized for another {@code spec.replicas} than the Deployment's. */
    private boolean isScalingEvent(Deployment d, List<ReplicaSet> all) {
        String desired = Integer.toString(replicas(d));
        return all.stream().filter(rs -> specReplicas(rs) > 0)
                .anyMatch(rs -> annotation(rs, DESIRED_REPLICAS) != null && !desired.equals(annotation(rs, DESIRED_REPLICAS)));
    }

    /** Sets a set's replicas and its size annotations, with the event Kubernetes records. */
    private void scale(Deployment d, ReplicaSet rs, int size) {
        int from = specReplicas(rs);
        Map<String, String> annotations = new LinkedHashMap<>(
                Objects.requireNonNullElse(rs.getMetadata().getAnnotations(), Map.of()));
        annotations.put(DESIRED_REPLICAS, Integer.toString(replicas(d)));
        annotations.put(MAX_REPLICAS, Integer.toString(maxReplicas(d)));
        if (from == size && annotations.equals(rs.getMetadata().getAnnotations())) {
            return;
        }
        client.resource(new ReplicaSetBuilder(rs).editMetadata().withAnnotations(annotations).endMetadata()
                .editSpec().withReplicas(size).endSpec().build()).update();
        if (from != size) {
            events.normal(d, "ScalingReplicaSet", "Scaled " + (size > from ? "up" : "down") + " replica set "
                    + rs.getMetadata().getName() + " from " + from + " to " + size);
        }
    }

    /** The owned sets as they are now: re-read from the cache, plus those this sync wrote and it lacks. */
    private List<ReplicaSet> replicaSetsAfterWrites(Deployment d, List<ReplicaSet> owned) {
        String uid = d.getMetadata().getUid();
        return client.apps().replicaSets().inNamespace(d.getMetadata().getNamespace()).list().getItems().stream()
                .filter(rs -> Owners.controllerOf(rs).map(ref -> uid.equals(ref.getUid())).orElse(false))
                .filter(rs -> !Owners.deleting(rs) || owned.stream().anyMatch(o -> sameUid(o, rs)))
                .toList();
    }

    // --- history ---

    /** Deletes the oldest old sets without pods beyond {@code revisionHistoryLimit} (10 by default). */
    private void cleanupOldReplicaSets(Deployment d, List<ReplicaSet> all, ReplicaSet newRs) {
        int limit = d.getSpec().getRevisionHistoryLimit() == null ? 10 : d.getSpec().getRevisionHistoryLimit();
        List<ReplicaSet> old = all.stream().filter(rs -> newRs == null || !sameUid(rs, newRs))
                .filter(rs -> !Owners.deleting(rs)).toList();
        int excess = old.size() - limit;
        if (excess <= 0) {
            return;
        }
        List<ReplicaSet> byRevision = old.stream()
                .sorted(Comparator.comparingLong(DeploymentController::revision).thenComparing(OLDEST_FIRST)).toList();
        for (ReplicaSet rs : byRevision) {
            if (excess <= 0) {
                break;
            }
            long observed = rs.getStatus() == null || rs.getStatus().getObservedGeneration() == null ? 0
                    : rs.getStatus().getObservedGeneration();
            long generation = rs.getMetadata().getGeneration() == null ? 0 : rs.getMetadata().getGeneration();
            if (specReplicas(rs) != 0 || statusReplicas(rs) != 0 || observed < generation) {
                continue;
            }
            try {
                client.apps().replicaSets().inNamespace(rs.getMetadata().getNamespace())
                        .withName(rs.getMetadata().getName()).delete();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 404) {
                    throw e;
                }
            }
            excess--;
        }
    }

    // --- status ---

    private DeploymentStatus status(Deployment d, List<ReplicaSet> all, ReplicaSet newRs,
            Optional<DeploymentCondition> progressing) {
        Instant now = now();
        DeploymentStatus old = d.getStatus() == null ? new DeploymentStatus() : d.getStatus();
        int available = all.stream().mapToInt(DeploymentController::availableReplicas).sum();
        DeploymentStatus status = new io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder()
                .withObservedGeneration(d.getMetadata().getGeneration())
                .withReplicas(nullIfZero(all.stream().mapToInt(DeploymentController::statusReplicas).sum()))
                .withUpdatedReplicas(nullIfZero(newRs == null ? 0 : statusReplicas(newRs)))
                .withReadyReplicas(nullIfZero(all.stream().mapToInt(rs -> rs.getStatus() == null
                        || rs.getStatus().getReadyReplicas() == null ? 0 : rs.getStatus().getReadyReplicas()).sum()))
                .withAvailableReplicas(nullIfZero(available))
                .withUnavailableReplicas(nullIfZero(Math.max(0, replicas(d) - available)))
                .withCollisionCount(old.getCollisionCount())
                .withConditions(new ArrayList<>(Objects.requireNonNullElse(old.getConditions(), List.of())))
                .build();
        int minAvailable = replicas(d) - maxUnavailable(d);
        if (available >= minAvailable) {
            setCondition(status, condition("Available", "True", "MinimumReplicasAvailable",
                    "Deployment has minimum availability.", now));
        } else {
            setCondition(status, condition("Available", "False", "MinimumReplicasUnavailable",
                    "Deployment does not have minimum availability.", now));
        }
        progressing.ifPresent(c -> setCondition(status, c));
        if (!hasProgressDeadline(d)) {
            status.getConditions().removeIf(c -> "Progressing".equals(c.getType()));
        }
        return status;
    }

    /** The Progressing condition while not paused: complete, progressing or past its deadline. */
    private DeploymentStatus rolloutProgress(Deployment d, DeploymentStatus status, ReplicaSet newRs) {
        if (!hasProgressDeadline(d)) {
            return status;
        }
        Instant now = now();
        Optional<DeploymentCondition> current = condition(status, "Progressing");
        boolean alreadyComplete = zero(status.getReplicas()) == zero(status.getUpdatedReplicas())
                && current.map(c -> "NewReplicaSetAvailable".equals(c.getReason())).orElse(false);
        if (alreadyComplete) {
            return status;
        }
        String what = newRs == null ? "Deployment \"" + d.getMetadata().getName() + "\""
                : "ReplicaSet \"" + newRs.getMetadata().getName() + "\"";
        DeploymentStatus before = d.getStatus() == null ? new DeploymentStatus() : d.getStatus();
        if (complete(d, status)) {
            setCondition(status, condition("Progressing", "True", "NewReplicaSetAvailable",
                    what + " has successfully progressed.", now));
        } else if (progressed(before, status)) {
            DeploymentCondition updated = condition("Progressing", "True", "ReplicaSetUpdated",
                    what + " is progressing.", now);
            if (current.isPresent() && "True".equals(current.get().getStatus())) {
                updated.setLastTransitionTime(current.get().getLastTransitionTime());
            }
            status.getConditions().removeIf(c -> "Progressing".equals(c.getType()));
            status.getConditions().add(updated);
        } else if (timedOut(d, current, now)) {
            setCondition(status, condition("Progressing", "False", "ProgressDeadlineExceeded",
                    what + " has timed out progressing.", now));
        }
        return status;
    }

    static boolean complete(Deployment d, DeploymentStatus status) {
        int replicas = replicas(d);
        long generation = d.getMetadata().getGeneration() == null ? 0 : d.getMetadata().getGeneration();
        return zero(status.getUpdatedReplicas()) == replicas && zero(status.getReplicas()) == replicas
                && zero(status.getAvailableReplicas()) == replicas
                && (status.getObservedGeneration() == null ? 0 : status.getObservedGeneration()) >= generation;
    }

    /** Whether the counts moved towards the goal since the status last written. */
    private static boolean progressed(DeploymentStatus before, DeploymentStatus after) {
        int oldBefore = zero(before.getReplicas()) - zero(before.getUpdatedReplicas());
        int oldAfter = zero(after.getReplicas()) - zero(after.getUpdatedReplicas());
        return zero(after.getUpdatedReplicas()) > zero(before.getUpdatedReplicas()) || oldAfter < oldBefore
                || zero(after.getReadyReplicas()) > zero(before.getReadyReplicas())
                || zero(after.getAvailableReplicas()) > zero(before.getAvailableReplicas());
    }

    private static boolean timedOut(Deployment d, Optional<DeploymentCondition> current, Instant now) {
        if (current.isEmpty()) {
            return false;
        }
        if ("ProgressDeadlineExceeded".equals(current.get().getReason())) {
            return true;
        }
        Instant since = Instant.parse(current.get().getLastUpdateTime());
        return now.isAfter(since.plusSeconds(d.getSpec().getProgressDeadlineSeconds()));
    }

    /** A rollout still under way is looked at again when its deadline passes, event or not. */
    private Result requeueForDeadline(Deployment d, DeploymentStatus status) {
        Optional<DeploymentCondition> progressing = condition(status, "Progressing");
        if (!hasProgressDeadline(d) || complete(d, status) || progressing.isEmpty()
                || !"ReplicaSetUpdated".equals(progressing.get().getReason())
                        && !"NewReplicaSetCreated".equals(progressing.get().getReason())
                        && !"FoundNewReplicaSet".equals(progressing.get().getReason())
                        && !"DeploymentResumed".equals(progressing.get().getReason())) {
            return Result.done();
        }
        Instant deadline = Instant.parse(progressing.get().getLastUpdateTime())
                .plusSeconds(d.getSpec().getProgressDeadlineSeconds());
        Duration left = Duration.between(clock.instant(), deadline);
        return Result.requeueAfter(left.isNegative() ? Duration.ofSeconds(1) : left.plusSeconds(1));
    }

    /** DeploymentPaused on pausing, DeploymentResumed on resuming (Progressing, status Unknown). */
    private Optional<DeploymentCondition> pauseCondition(Deployment d) {
        if (!hasProgressDeadline(d)) {
            return Optional.empty();
        }
        Optional<DeploymentCondition> current = condition(d.getStatus(), "Progressing");
        boolean paused = Boolean.TRUE.equals(d.getSpec().getPaused());
        if (paused && current.map(c -> !"DeploymentPaused".equals(c.getReason())).orElse(true)) {
            return Optional.of(condition("Progressing", "Unknown", "DeploymentPaused", "Deployment is paused", now()));
        }
        if (!paused && current.map(c -> "DeploymentPaused".equals(c.getReason())).orElse(false)) {
            return Optional.of(condition("Progressing", "Unknown", "DeploymentResumed", "Deployment is resumed",
                    now()));
        }
        return Optional.empty();
    }

    private void writeStatus(Deployment d, DeploymentStatus status) {
        if (status.equals(d.getStatus())) {
            return;
        }
        try {
            client.resource(new DeploymentBuilder(d).withStatus(status).build()).updateStatus();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                throw e; // a conflict retries with backoff, from a fresher cache
            }
        }
    }

    static DeploymentCondition condition(String type, String status, String reason, String message, Instant now) {
        String time = now.toString();
        return new io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder().withType(type)
                .withStatus(status).withReason(reason).withMessage(message).withLastUpdateTime(time)
                .withLastTransitionTime(time).build();
    }

    /**
     * Kubernetes' rule: the same status and reason leave the condition as it is (times included); the same
     * status with another reason keeps the transition time.
     */
    static void setCondition(DeploymentStatus status, DeploymentCondition wanted) {
        Optional<DeploymentCondition> current = condition(status, wanted.getType());
        if (current.isPresent() && current.get().getStatus().equals(wanted.getStatus())
                && Objects.equals(current.get().getReason(), wanted.getReason())) {
            return;
        }
        if (current.isPresent() && current.get().getStatus().equals(wanted.getStatus())) {
            wanted.setLastTransitionTime(current.get().getLastTransitionTime());
        }
        status.getConditions().removeIf(c -> wanted.getType().equals(c.getType()));
        status.getConditions().add(wanted);
    }

    static Optional<DeploymentCondition> condition(DeploymentStatus status, String type) {
        if (status == null || status.getConditions() == null) {
            return Optional.empty();
        }
        return status.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
    }

    // --- small readers ---

    static final Comparator<ReplicaSet> OLDEST_FIRST = Comparator
            .comparing((ReplicaSet rs) -> Objects.requireNonNullElse(rs.getMetadata().getCreationTimestamp(), ""))
            .thenComparing(rs -> rs.getMetadata().getName());

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.SECONDS);
    }

    private static boolean sameUid(ReplicaSet a, ReplicaSet b) {
        return a != null && b != null && Objects.equals(a.getMetadata().getUid(), b.getMetadata().getUid());
    }

    static int replicas(Deployment d) {
        return d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    }

    private static boolean isRecreate(Deployment d) {
        return d.getSpec().getStrategy() != null && "Recreate".equals(d.getSpec().getStrategy().getType());
    }

    private static boolean hasProgressDeadline(Deployment d) {
        Integer deadline = d.getSpec().getProgressDeadlineSeconds();
        return deadline != null && deadline != Integer.MAX_VALUE;
    }

    private static Rollout.Fenceposts fenceposts(Deployment d) {
        var rolling = d.getSpec().getStrategy() == null ? null : d.getSpec().getStrategy().getRollingUpdate();
        return Rollout.resolve(rolling == null ? null : rolling.getMaxSurge(),
                rolling == null ? null : rolling.getMaxUnavailable(), replicas(d));
    }

    /** The pods a Deployment may have at most: replicas plus maxSurge (just replicas for Recreate). */
    static int maxReplicas(Deployment d) {
        return isRecreate(d) ? replicas(d) : replicas(d) + fenceposts(d).maxSurge();
    }

    private static int maxUnavailable(Deployment d) {
        if (isRecreate(d) || replicas(d) == 0) {
            return 0;
        }
        return Math.min(fenceposts(d).maxUnavailable(), replicas(d));
    }

    static long revision(ReplicaSet rs) {
        return parseInt(annotation(rs, REVISION)).orElse(0);
    }

    private static String annotation(ReplicaSet rs, String name) {
        return rs.getMetadata().getAnnotations() == null ? null : rs.getMetadata().getAnnotations().get(name);
    }

    private static Optional<Integer> parseInt(String text) {
        try {
            return text == null ? Optional.empty() : Optional.of(Integer.parseInt(text));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    static int specReplicas(ReplicaSet rs) {
        return rs.getSpec().getReplicas() == null ? 1 : rs.getSpec().getReplicas();
    }

    private static int statusReplicas(ReplicaSet rs) {
        return rs.getStatus() == null || rs.getStatus().getReplicas() == null ? 0 : rs.getStatus().getReplicas();
    }

    private static int availableReplicas(ReplicaSet rs) {
        return rs.getStatus() == null || rs.getStatus().getAvailableReplicas() == null ? 0
                : rs.getStatus().getAvailableReplicas();
    }

    private static int sumSpec(List<ReplicaSet> sets) {
        return sets.stream().mapToInt(DeploymentController::specReplicas).sum();
    }

    private static int zero(Integer value) {
        return value == null ? 0 : value;
    }

    /** Kubernetes omits the status' zero counts (they are {@code omitempty}). */
    private static Integer nullIfZero(int value) {
        return value == 0 ? null : value;
    }

    private static String phase(Pod pod) {
        return pod.getStatus() == null ? null : pod.getStatus().getPhase();
    }
}
