package io.kybern.scheduler.queue;

import io.fabric8.kubernetes.api.model.Pod;
import io.kybern.scheduler.framework.Pods;
import java.time.Instant;
import java.util.Set;

/**
 * A pending pod as the queue holds it: the latest copy of the pod, when it entered the queue (which orders
 * pods of equal priority), how many times it has been tried, when it last failed (its backoff counts from
 * there), the plugins that rejected it (which say what cluster change could help), and the scheduling
 * cycle in which it was last popped.
 */
public record QueuedPod(Pod pod, Instant queuedAt, int attempts, Instant failedAt, Set<String> rejectedBy,
        long cycle) {

    public QueuedPod {
        rejectedBy = Set.copyOf(rejectedBy);
    }

    static QueuedPod fresh(Pod pod, Instant now) {
        return new QueuedPod(pod, now, 0, null, Set.of(), 0);
    }

    public String key() {
        return Pods.key(pod);
    }

    public int priority() {
        return Pods.priority(pod);
    }

    QueuedPod withPod(Pod updated) {
        return new QueuedPod(updated, queuedAt, attempts, failedAt, rejectedBy, cycle);
    }

    QueuedPod popped(long popCycle) {
        return new QueuedPod(pod, queuedAt, attempts + 1, failedAt, rejectedBy, popCycle);
    }

    /** This attempt failed now; {@code plugins} rejected it (empty for an error). */
    public QueuedPod failed(Instant now, Set<String> plugins) {
        return new QueuedPod(pod, queuedAt, attempts, now, plugins, cycle);
    }
}
