package io.kybern.controllers.replicaset;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import java.time.Instant;
import java.util.Map;
import java.util.function.Predicate;

/**
 * How one kind that keeps N pods running (ReplicaSet, ReplicationController) spells what the controller
 * reads and writes; the controller itself is the same for both, as in Kubernetes.
 */
interface ReplicatedKind<T extends HasMetadata> {

    Class<T> type();

    /** The controller's name in events' {@code source.component}. */
    String component();

    /** {@code spec.replicas}, 1 when unset. */
    int replicas(T owner);

    Predicate<Map<String, String>> selector(T owner);

    PodTemplateSpec template(T owner);

    int minReadySeconds(T owner);

    ReplicaCounts status(T owner);

    /** A copy of {@code owner} with that status; a ReplicaFailure condition that stays keeps its time. */
    T withStatus(T owner, ReplicaCounts status, Instant now);
}
