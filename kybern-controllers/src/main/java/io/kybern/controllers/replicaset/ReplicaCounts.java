package io.kybern.controllers.replicaset;

import java.util.Optional;

/**
 * The status a ReplicaSet or ReplicationController reports, the same fields for both kinds.
 *
 * @param failure the ReplicaFailure condition's reason and message while creating or deleting fails
 */
record ReplicaCounts(int replicas, int fullyLabeledReplicas, int readyReplicas, int availableReplicas,
        long observedGeneration, Optional<Failure> failure) {

    /** Why the last sync could not create or delete pods: {@code FailedCreate} or {@code FailedDelete}. */
    record Failure(String reason, String message) {
    }
}
