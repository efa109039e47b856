package io.kybern.controllers.replicaset;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.kybern.controllers.runtime.Pods;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;

/**
 * Which pods a scale-down deletes first, as Kubernetes' ReplicaSet controller ranks them: the ones that
 * cost least to lose. Unscheduled before scheduled, Pending before Unknown before Running, not ready
 * before ready, ready for a shorter time first, more container restarts first, newer first.
 */
final class DeletionOrder {

    private static final Map<String, Integer> PHASE_RANK = Map.of("Pending", 0, "Unknown", 1, "Running", 2);

    private DeletionOrder() {
    }

    static final Comparator<Pod> FIRST_TO_DELETE = Comparator
            .comparing((Pod pod) -> scheduled(pod))
            .thenComparing(pod -> PHASE_RANK.getOrDefault(Pods.phase(pod), 0))
            .thenComparing(Pods::ready)
            .thenComparing(pod -> Pods.readySince(pod).orElse(Instant.MAX), Comparator.reverseOrder())
            .thenComparing(DeletionOrder::restarts, Comparator.reverseOrder())
            .thenComparing(DeletionOrder::created, Comparator.reverseOrder());

    private static boolean scheduled(Pod pod) {
        return pod.getSpec() != null && pod.getSpec().getNodeName() != null && !pod.getSpec().getNodeName().isEmpty();
    }

    private static int restarts(Pod pod) {
        if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
            return 0;
        }
        return pod.getStatus().getContainerStatuses().stream().mapToInt(ContainerStatus::getRestartCount).max()
                .orElse(0);
    }

    private static Instant created(Pod pod) {
        String created = pod.getMetadata().getCreationTimestamp();
        return created == null ? Instant.EPOCH : Instant.parse(created);
    }
}
