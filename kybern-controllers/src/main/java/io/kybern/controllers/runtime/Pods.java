package io.kybern.controllers.runtime;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** What controllers read off a pod's status: activity, readiness and availability. */
public final class Pods {

    private Pods() {
    }

    /** Not finished and not being deleted: a pod that counts towards a controller's replicas. */
    public static boolean active(Pod pod) {
        String phase = phase(pod);
        return !phase.equals("Succeeded") && !phase.equals("Failed") && !Owners.deleting(pod);
    }

    public static String phase(Pod pod) {
        return pod.getStatus() == null || pod.getStatus().getPhase() == null ? "" : pod.getStatus().getPhase();
    }

    public static boolean ready(Pod pod) {
        return readyCondition(pod).map(c -> "True".equals(c.getStatus())).orElse(false);
    }

    /** Since when the pod has been Ready, if it is. */
    public static Optional<Instant> readySince(Pod pod) {
        return readyCondition(pod).filter(c -> "True".equals(c.getStatus()))
                .map(c -> c.getLastTransitionTime() == null ? Instant.EPOCH : Instant.parse(c.getLastTransitionTime()));
    }

    /** Ready for at least {@code minReady}: what Kubernetes calls available. */
    public static boolean available(Pod pod, Duration minReady, Instant now) {
        Optional<Instant> since = readySince(pod);
        return since.isPresent() && (minReady.isZero() || !since.get().plus(minReady).isAfter(now));
    }

    private static Optional<PodCondition> readyCondition(Pod pod) {
        if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
            return Optional.empty();
        }
        return pod.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType())).findFirst();
    }
}
