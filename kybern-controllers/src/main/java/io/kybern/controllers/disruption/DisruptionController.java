package io.kybern.controllers.disruption;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ReplicationController;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetStatus;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.kybern.controllers.runtime.EventRecorder;
import io.kybern.controllers.runtime.ObjectKey;
import io.kybern.controllers.runtime.Owners;
import io.kybern.controllers.runtime.Pods;
import io.kybern.controllers.runtime.Reconciler;
import io.kybern.controllers.runtime.Selectors;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Kubernetes' disruption controller: for each PodDisruptionBudget, counts the pods its selector matches
 * (an empty selector matches every pod of the namespace, a missing one none), the healthy ones (Ready, not
 * being deleted, not just evicted), the pods expected (the matching pods for an integer minAvailable, else
 * the scale of their controllers: a Deployment through its ReplicaSet, a ReplicaSet, ReplicationController
 * or StatefulSet, or any other owner's {@code spec.replicas}), and writes status with the
 * {@code DisruptionAllowed} condition. Pods in {@code disruptedPods} (written by the eviction subresource)
 * stay counted as disrupted until their deletion is seen, or for two minutes at most.
 */
public final class DisruptionController implements Reconciler<ObjectKey> {

    public static final String COMPONENT = "controllermanager";
    static final String CONDITION = "DisruptionAllowed";
    /** How long an eviction may take before its pod counts as healthy again, as Kubernetes' DeletionTimeout. */
    static final Duration DELETION_TIMEOUT = Duration.ofMinutes(2);

    private static final Logger log = LoggerFactory.getLogger(DisruptionController.class);
    private static final JsonMapper JSON = JsonMapper.builder()
            .changeDefaultPropertyInclusion(incl -> incl.withValueInclusion(JsonInclude.Include.NON_EMPTY)).build();

    private final KubernetesClient client;
    private final SharedIndexInformer<PodDisruptionBudget> budgets;
    private final SharedIndexInformer<Pod> pods;
    private final EventRecorder events;
    private final InstantSource clock;

    public DisruptionController(KubernetesClient client, SharedIndexInformer<PodDisruptionBudget> budgets,
            SharedIndexInformer<Pod> pods, InstantSource clock) {
        this.client = client;
        this.budgets = budgets;
        this.pods = pods;
        this.clock = clock;
        this.events = new EventRecorder(client, COMPONENT, clock);
    }

    /** Registers the handlers that enqueue budget keys; call before the informers start. */
    public void watch(Consumer<ObjectKey> enqueue) {
        budgets.addEventHandler(new ResourceEventHandler<PodDisruptionBudget>() {
            @Override
            public void onAdd(PodDisruptionBudget budget) {
                enqueue.accept(ObjectKey.of(budget));
            }

            @Override
            public void onUpdate(PodDisruptionBudget before, PodDisruptionBudget after) {
                enqueue.accept(ObjectKey.of(after));
            }

            @Override
            public void onDelete(PodDisruptionBudget budget, boolean finalStateUnknown) {
            }
        });
        pods.addEventHandler(new ResourceEventHandler<Pod>() {
            @Override
            public void onAdd(Pod pod) {
                covering(pod).forEach(enqueue);
            }

            @Override
            public void onUpdate(Pod before, Pod after) {
                if (!before.getMetadata().getResourceVersion().equals(after.getMetadata().getResourceVersion())) {
                    covering(after).forEach(enqueue);
                    if (!Objects.equals(before.getMetadata().getLabels(), after.getMetadata().getLabels())) {
                        covering(before).forEach(enqueue);
                    }
                }
            }

            @Override
            public void onDelete(Pod pod, boolean finalStateUnknown) {
                covering(pod).forEach(enqueue);
            }
        });
    }

    private List<ObjectKey> covering(Pod pod) {
        List<ObjectKey> keys = new ArrayList<>();
        for (PodDisruptionBudget budget : budgets.getIndexer().byIndex(Cache.NAMESPACE_INDEX,
                pod.getMetadata().getNamespace())) {
            if (selector(budget).test(pod.getMetadata().getLabels())) {
                keys.add(ObjectKey.of(budget));
            }
        }
        return keys;
    }

    /** policy/v1: a missing selector matches no pod, an empty one every pod of the namespace. */
    static Predicate<Map<String, String>> selector(PodDisruptionBudget budget) {
        var selector = budget.getSpec().getSelector();
        if (selector == null) {
            return labels -> false;
        }
        boolean empty = (selector.getMatchLabels() == null || selector.getMatchLabels().isEmpty())
                && (selector.getMatchExpressions() == null || selector.getMatchExpressions().isEmpty());
        return empty ? labels -> true : Selectors.of(selector);
    }

    @Override
    public Result reconcile(ObjectKey key) {
        PodDisruptionBudget budget = budgets.getStore().getByKey(key.cacheKey());
        if (budget == null || Owners.deleting(budget)) {
            return Result.done();
        }
        Predicate<Map<String, String>> selector = selector(budget);
        List<Pod> matching = pods.getIndexer().byIndex(Cache.NAMESPACE_INDEX, key.namespace()).stream()
                .filter(pod -> selector.test(pod.getMetadata().getLabels())).toList();
        if (matching.isEmpty()) {
            events.normal(budget, "NoPods", "No matching pods found");
        }
        Instant now = clock.instant();
        PodDisruptionBudgetStatus current = budget.getStatus() == null ? new PodDisruptionBudgetStatus()
                : budget.getStatus();
        Map<String, String> disrupted = stillDisrupted(current.getDisruptedPods(), matching, now);
        BudgetArithmetic.Need need;
        try {
            int scale = BudgetArithmetic.needsScale(budget.getSpec()) ? expectedScale(budget, matching) : 0;
            need = BudgetArithmetic.need(budget.getSpec(), matching.size(), scale);
        } catch (IllegalStateException | IllegalArgumentException e) {
            log.info("budget not computed budget={} error={}", key, e.toString());
            events.warning(budget, "CalculateExpectedPodCountFailed",
                    "Failed to calculate the number of expected pods: " + e.getMessage());
            writeStatus(budget, failSafe(budget, current, e.getMessage(), now));
            return Result.requeueAfter(Duration.ofSeconds(30));
        }
        int healthy = (int) matching.stream().filter(pod -> !Owners.deleting(pod))
                .filter(pod -> !disrupted.containsKey(pod.getMetadata().getName())).filter(Pods::ready).count();
        int allowed = BudgetArithmetic.disruptionsAllowed(need, healthy);
        PodDisruptionBudgetStatus wanted = new PodDisruptionBudgetStatusBuilder()
                .withObservedGeneration(budget.getMetadata().getGeneration())
                .withExpectedPods(need.expectedPods()).withDesiredHealthy(need.desiredHealthy())
                .withCurrentHealthy(healthy).withDisruptionsAllowed(allowed)
                .withDisruptedPods(disrupted.isEmpty() ? null : disrupted)
                .withConditions(condition(current, allowed > 0 ? "True" : "False",
                        allowed > 0 ? "SufficientPods" : "InsufficientPods", "", budget, now))
                .build();
        writeStatus(budget, wanted);
        // An eviction whose pod is not deleted in time stops counting against the budget then.
        return disrupted.values().stream().map(Instant::parse).min(Instant::compareTo)
                .map(oldest -> Result.requeueAfter(Duration.between(now, oldest.plus(DELETION_TIMEOUT))
                        .plusSeconds(1)))
                .orElse(Result.done());
    }

    /** The evictions still under way: pods evicted less than two minutes ago whose deletion is not yet seen. */
    static Map<String, String> stillDisrupted(Map<String, String> recorded, List<Pod> matching, Instant now) {
        Map<String, String> still = new LinkedHashMap<>();
        if (recorded == null) {
            return still;
        }
        Map<String, Pod> byName = new LinkedHashMap<>();
        matching.forEach(pod -> byName.put(pod.getMetadata().getName(), pod));
        recorded.forEach((name, at) -> {
            Pod pod = byName.get(name);
            if (pod != null && !Owners.deleting(pod) && Instant.parse(at).plus(DELETION_TIMEOUT).isAfter(now)) {
                still.put(name, at);
            }
        });
        return still;
    }

    /** The summed scale of the matching pods' controllers, each counted once. */
    private int expectedScale(PodDisruptionBudget budget, List<Pod> matching) {
        int expected = 0;
        Set<String> counted = new HashSet<>();
        int unmanaged = 0;
        for (Pod pod : matching) {
            Optional<OwnerReference> ref = Owners.controllerOf(pod);
            if (ref.isEmpty()) {
                unmanaged++;
                continue;
            }
            Optional<Scale> scale = scaleOf(pod.getMetadata().getNamespace(), ref.get());
            if (scale.isEmpty()) {
                throw new IllegalStateException("found no controllers for pod \"" + pod.getMetadata().getName()
                        + "\"");
            }
            if (counted.add(scale.get().uid())) {
                expected += scale.get().replicas();
            }
        }
        if (unmanaged > 0) {
            events.warning(budget, "UnmanagedPods", "Pods selected by this PodDisruptionBudget (selector: "
                    + selectorText(budget) + ") were found to be unmanaged. As a result, the status of "
                    + "the PDB cannot be calculated correctly, which may result in undefined behavior. To account "
                    + "for these pods please set \".spec.minAvailable\" field of the PDB to an integer value.");
        }
        return expected;
    }

    /** The budget's selector as kubectl writes one ({@code app=web,tier in (front)}). */
    private static String selectorText(PodDisruptionBudget budget) {
        var selector = budget.getSpec().getSelector();
        List<String> parts = new ArrayList<>();
        if (selector.getMatchLabels() != null) {
            selector.getMatchLabels().forEach((k, v) -> parts.add(k + "=" + v));
        }
        if (selector.getMatchExpressions() != null) {
            selector.getMatchExpressions().forEach(e -> parts.add(e.getKey() + " " + e.getOperator().toLowerCase()
                    + (e.getValues() == null || e.getValues().isEmpty() ? "" : " (" + String.join(",", e.getValues())
                            + ")")));
        }
        return String.join(",", parts);
    }

    private record Scale(String uid, int replicas) {
    }

    /**
     * The scale of a pod's controller: a ReplicaSet's Deployment when it has one, else the controller's own
     * {@code spec.replicas} (ReplicaSet, ReplicationController, StatefulSet or any scalable kind).
     */
    private Optional<Scale> scaleOf(String namespace, OwnerReference ref) {
        if (ref.getKind().equals("ReplicaSet") && ref.getApiVersion().startsWith("apps/")) {
            ReplicaSet replicaSet = client.apps().replicaSets().inNamespace(namespace).withName(ref.getName()).get();
            if (replicaSet == null || !replicaSet.getMetadata().getUid().equals(ref.getUid())) {
                return Optional.empty();
            }
            Optional<OwnerReference> deployment = Owners.controllerOf(replicaSet)
                    .filter(owner -> owner.getKind().equals("Deployment"));
            if (deployment.isPresent()) {
                return replicasOf(namespace, deployment.get());
            }
        }
        return replicasOf(namespace, ref);
    }

    private Optional<Scale> replicasOf(String namespace, OwnerReference ref) {
        HasMetadata owner = switch (ref.getApiVersion() + "/" + ref.getKind()) {
            case "apps/v1/Deployment" -> client.apps().deployments().inNamespace(namespace).withName(ref.getName())
                    .get();
            case "apps/v1/ReplicaSet" -> client.apps().replicaSets().inNamespace(namespace).withName(ref.getName())
                    .get();
            case "apps/v1/StatefulSet" -> client.apps().statefulSets().inNamespace(namespace)
                    .withName(ref.getName()).get();
            case "v1/ReplicationController" -> client.replicationControllers().inNamespace(namespace)
                    .withName(ref.getName()).get();
            default -> client.genericKubernetesResources(ref.getApiVersion(), ref.getKind()).inNamespace(namespace)
                    .withName(ref.getName()).get();
        };
        if (owner == null || !owner.getMetadata().getUid().equals(ref.getUid())) {
            return Optional.empty();
        }
        return replicas(owner).map(replicas -> new Scale(ref.getUid(), replicas));
    }

    /** {@code spec.replicas} of a workload (1 when the kind defaults it and it is unset). */
    private static Optional<Integer> replicas(HasMetadata owner) {
        Integer replicas = switch (owner) {
            case Deployment d -> d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
            case ReplicaSet r -> r.getSpec().getReplicas() == null ? 1 : r.getSpec().getReplicas();
            case StatefulSet s -> s.getSpec().getReplicas() == null ? 1 : s.getSpec().getReplicas();
            case ReplicationController r -> r.getSpec().getReplicas() == null ? 1 : r.getSpec().getReplicas();
            case GenericKubernetesResource g -> g.getAdditionalProperties().get("spec") instanceof Map<?, ?> spec
                    && spec.get("replicas") instanceof Number n ? n.intValue() : null;
            default -> null;
        };
        return Optional.ofNullable(replicas);
    }

    /** What Kubernetes writes when it cannot compute a budget: nothing allowed, and why. */
    private static PodDisruptionBudgetStatus failSafe(PodDisruptionBudget budget, PodDisruptionBudgetStatus current,
            String message, Instant now) {
        return new PodDisruptionBudgetStatusBuilder(current).withDisruptionsAllowed(0)
                .withObservedGeneration(budget.getMetadata().getGeneration())
                .withConditions(condition(current, "False", "SyncFailed", message, budget, now)).build();
    }

    private static List<Condition> condition(PodDisruptionBudgetStatus current, String status, String reason,
            String message, PodDisruptionBudget budget, Instant now) {
        List<Condition> conditions = new ArrayList<>();
        Condition existing = null;
        if (current.getConditions() != null) {
            for (Condition c : current.getConditions()) {
                if (CONDITION.equals(c.getType())) {
                    existing = c;
                } else {
                    conditions.add(c);
                }
            }
        }
        String since = existing != null && status.equals(existing.getStatus()) ? existing.getLastTransitionTime()
                : DateTimeFormatter.ISO_INSTANT.format(now.truncatedTo(ChronoUnit.SECONDS));
        conditions.add(new ConditionBuilder().withType(CONDITION).withStatus(status).withReason(reason)
                .withMessage(message).withObservedGeneration(budget.getMetadata().getGeneration())
                .withLastTransitionTime(since).build());
        return conditions;
    }

    private void writeStatus(PodDisruptionBudget budget, PodDisruptionBudgetStatus wanted) {
        if (sameStatus(budget.getStatus(), wanted)) {
            return;
        }
        PodDisruptionBudget updated = new io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder(budget)
                .withStatus(wanted).build();
        client.policy().v1().podDisruptionBudget().inNamespace(budget.getMetadata().getNamespace())
                .resource(updated).updateStatus();
    }

    /** Compared as JSON, where an empty map or string and a missing one are the same. */
    private static boolean sameStatus(PodDisruptionBudgetStatus current, PodDisruptionBudgetStatus wanted) {
        return current != null && JSON.valueToTree(current).equals(JSON.valueToTree(wanted));
    }
}
