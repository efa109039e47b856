package io.kybern.scheduler.framework;

import io.fabric8.kubernetes.api.model.Pod;

/** Small facts about pods the scheduler reads everywhere. */
public final class Pods {

    private Pods() {
    }

    public static String key(Pod pod) {
        return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
    }

    /** spec.priority, which the API server's Priority admission fills from priorityClassName; 0 without. */
    public static int priority(Pod pod) {
        Integer priority = pod.getSpec().getPriority();
        return priority == null ? 0 : priority;
    }

    public static boolean terminal(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return "Succeeded".equals(phase) || "Failed".equals(phase);
    }

    public static boolean assigned(Pod pod) {
        String node = pod.getSpec().getNodeName();
        return node != null && !node.isEmpty();
    }
}
