package io.kybern.controllers.replicaset;

import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.ReplicationController;
import io.fabric8.kubernetes.api.model.ReplicationControllerBuilder;
import io.fabric8.kubernetes.api.model.ReplicationControllerCondition;
import io.fabric8.kubernetes.api.model.ReplicationControllerConditionBuilder;
import io.fabric8.kubernetes.api.model.ReplicationControllerStatus;
import io.kybern.controllers.runtime.Selectors;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/** core/v1 ReplicationControllers, for the {@link ReplicaController}: a plain map selector. */
final class ReplicationControllers implements ReplicatedKind<ReplicationController> {

    @Override
    public Class<ReplicationController> type() {
        return ReplicationController.class;
    }

    @Override
    public String component() {
        return "replication-controller";
    }

    @Override
    public int replicas(ReplicationController owner) {
        Integer replicas = owner.getSpec().getReplicas();
        return replicas == null ? 1 : replicas;
    }

    @Override
    public Predicate<Map<String, String>> selector(ReplicationController owner) {
        return Selectors.ofMap(owner.getSpec().getSelector());
    }

    @Override
    public PodTemplateSpec template(ReplicationController owner) {
        return owner.getSpec().getTemplate();
    }

    @Override
    public int minReadySeconds(ReplicationController owner) {
        Integer seconds = owner.getSpec().getMinReadySeconds();
        return seconds == null ? 0 : seconds;
    }

    @Override
    public ReplicaCounts status(ReplicationController owner) {
        ReplicationControllerStatus status = owner.getStatus() == null ? new ReplicationControllerStatus()
                : owner.getStatus();
        Optional<ReplicaCounts.Failure> failure = conditions(status).stream()
                .filter(c -> "ReplicaFailure".equals(c.getType()) && "True".equals(c.getStatus()))
                .map(c -> new ReplicaCounts.Failure(c.getReason(), c.getMessage())).findFirst();
        return new ReplicaCounts(ReplicaSets.zero(status.getReplicas()),
                ReplicaSets.zero(status.getFullyLabeledReplicas()), ReplicaSets.zero(status.getReadyReplicas()),
                ReplicaSets.zero(status.getAvailableReplicas()),
                status.getObservedGeneration() == null ? 0 : status.getObservedGeneration(), failure);
    }

    @Override
    public ReplicationController withStatus(ReplicationController owner, ReplicaCounts counts, Instant now) {
        ReplicationControllerStatus old = owner.getStatus() == null ? new ReplicationControllerStatus()
                : owner.getStatus();
        List<ReplicationControllerCondition> conditions = new ArrayList<>(conditions(old).stream()
                .filter(c -> !"ReplicaFailure".equals(c.getType())).toList());
        counts.failure().ifPresent(failure -> {
            String since = conditions(old).stream().filter(c -> "ReplicaFailure".equals(c.getType())
                    && failure.reason().equals(c.getReason()))
                    .map(ReplicationControllerCondition::getLastTransitionTime).findFirst().orElse(now.toString());
            conditions.add(new ReplicationControllerConditionBuilder().withType("ReplicaFailure").withStatus("True")
                    .withReason(failure.reason()).withMessage(failure.message()).withLastTransitionTime(since)
                    .build());
        });
        return new ReplicationControllerBuilder(owner).withNewStatus()
                .withReplicas(counts.replicas())
                .withFullyLabeledReplicas(ReplicaSets.nullIfZero(counts.fullyLabeledReplicas()))
                .withReadyReplicas(ReplicaSets.nullIfZero(counts.readyReplicas()))
                .withAvailableReplicas(ReplicaSets.nullIfZero(counts.availableReplicas()))
                .withObservedGeneration(counts.observedGeneration())
                .withConditions(conditions.isEmpty() ? null : conditions)
                .endStatus().build();
    }

    private static List<ReplicationControllerCondition> conditions(ReplicationControllerStatus status) {
        return status.getConditions() == null ? List.of() : status.getConditions();
    }
}
