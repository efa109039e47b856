package io.kybern.controllers.daemonset;

import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The tolerations Kubernetes adds to every daemon pod, so a node's own conditions never keep or drive its
 * daemons off it: not-ready and unreachable (NoExecute, without a time limit), disk, memory and PID
 * pressure and unschedulable (NoSchedule), and network-unavailable (NoSchedule) for host-network pods.
 * A toleration the template already has for the same key and effect is kept as it is.
 */
public final class DaemonPodTolerations {

    private DaemonPodTolerations() {
    }

    /** The template's tolerations followed by the automatic ones it lacks. */
    public static List<Toleration> completed(PodSpec spec) {
        List<Toleration> tolerations = new ArrayList<>(Objects.requireNonNullElse(spec.getTolerations(), List.of()));
        addIfAbsent(tolerations, "node.kubernetes.io/not-ready", "NoExecute");
        addIfAbsent(tolerations, "node.kubernetes.io/unreachable", "NoExecute");
        addIfAbsent(tolerations, "node.kubernetes.io/disk-pressure", "NoSchedule");
        addIfAbsent(tolerations, "node.kubernetes.io/memory-pressure", "NoSchedule");
        addIfAbsent(tolerations, "node.kubernetes.io/pid-pressure", "NoSchedule");
        addIfAbsent(tolerations, "node.kubernetes.io/unschedulable", "NoSchedule");
        if (Boolean.TRUE.equals(spec.getHostNetwork())) {
            addIfAbsent(tolerations, "node.kubernetes.io/network-unavailable", "NoSchedule");
        }
        return tolerations;
    }

    private static void addIfAbsent(List<Toleration> tolerations, String key, String effect) {
        for (Toleration existing : tolerations) {
            if (key.equals(existing.getKey()) && effect.equals(existing.getEffect())) {
                return;
            }
        }
        tolerations.add(new TolerationBuilder().withKey(key).withOperator("Exists").withEffect(effect).build());
    }
}
