package io.kybern.controllers.replicaset;

import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetCondition;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetStatus;
import io.kybern.controllers.runtime.Selectors;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/** apps/v1 ReplicaSets, for the {@link ReplicaController}. */
final class ReplicaSets implements ReplicatedKind<ReplicaSet> {

    @Override
    public Class<ReplicaSet> type() {
        return ReplicaSet.class;
    }

    @Override
    public String component() {
        return "replicaset-controller";
    }

    @Override
    public int replicas(ReplicaSet owner) {
        Integer replicas = owner.getSpec().getReplicas();
        return replicas == null ? 1 : replicas;
    }

    @Override
    public Predicate<Map<String, String>> selector(ReplicaSet owner) {
        return Selectors.of(owner.getSpec().getSelector());
    }

    @Override
    public PodTemplateSpec template(ReplicaSet owner) {
        return owner.getSpec().getTemplate();
    }

    @Override
    public int minReadySeconds(ReplicaSet owner) {
        Integer seconds = owner.getSpec().getMinReadySeconds();
        return seconds == null ? 0 : seconds;
    }

    @Override
    public ReplicaCounts status(ReplicaSet owner) {
        ReplicaSetStatus status = owner.getStatus() == null ? new ReplicaSetStatus() : owner.getStatus();
        Optional<ReplicaCounts.Failure> failure = conditions(status).stream()
                .filter(c -> "ReplicaFailure".equals(c.getType()) && "True".equals(c.getStatus()))
                .map(c -> new ReplicaCounts.Failure(c.getReason(), c.getMessage())).findFirst();
        return new ReplicaCounts(zero(status.getReplicas()), zero(status.getFullyLabeledReplicas()),
                zero(status.getReadyReplicas()), zero(status.getAvailableReplicas()),
                status.getObservedGeneration() == null ? 0 : status.getObservedGeneration(), failure);
    }

    @Override
    public ReplicaSet withStatus(ReplicaSet owner, ReplicaCounts counts, Instant now) {
        ReplicaSetStatus old = owner.getStatus() == null ? new ReplicaSetStatus() : owner.getStatus();
        List<ReplicaSetCondition> conditions = new ArrayList<>(conditions(old).stream()
                .filter(c -> !"ReplicaFailure".equals(c.getType())).toList());
        counts.failure().ifPresent(failure -> {
            String since = conditions(old).stream().filter(c -> "ReplicaFailure".equals(c.getType())
                    && failure.reason().equals(c.getReason())).map(ReplicaSetCondition::getLastTransitionTime)
                    .findFirst().orElse(now.toString());
            conditions.add(new ReplicaSetConditionBuilder().withType("ReplicaFailure").withStatus("True")
                    .withReason(failure.reason()).withMessage(failure.message()).withLastTransitionTime(since)
                    .build());
        });
        return new ReplicaSetBuilder(owner).withNewStatus()
                .withReplicas(counts.replicas())
                .withFullyLabeledReplicas(nullIfZero(counts.fullyLabeledReplicas()))
                .withReadyReplicas(nullIfZero(counts.readyReplicas()))
                .withAvailableReplicas(nullIfZero(counts.availableReplicas()))
                .withObservedGeneration(counts.observedGeneration())
                .withConditions(conditions.isEmpty() ? null : conditions)
                .endStatus().build();
    }

    private static List<ReplicaSetCondition> conditions(ReplicaSetStatus status) {
        return status.getConditions() == null ? List.of() : status.getConditions();
    }

    static int zero(Integer value) {
        return value == null ? 0 : value;
    }

    /** Kubernetes omits zero counts (omitempty) except {@code replicas}. */
    static Integer nullIfZero(int value) {
        return value == 0 ? null : value;
    }
}
