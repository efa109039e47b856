package io.kybern.controllers.nodelifecycle;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The node lifecycle controller's rules, without the API: which conditions a silent node's become, and
 * which taints a node's Ready condition calls for.
 */
public final class NodeHealth {

    public static final String NOT_READY = "node.kubernetes.io/not-ready";
    public static final String UNREACHABLE = "node.kubernetes.io/unreachable";
    static final String UNKNOWN_REASON = "NodeStatusUnknown";
    static final String UNKNOWN_MESSAGE = "Kubelet stopped posting node status.";
    static final String NEVER_REASON = "NodeStatusNeverUpdated";
    static final String NEVER_MESSAGE = "Kubelet never posted node status.";
    /** The conditions kubelet reports, each set to Unknown when it stops reporting. */
    static final List<String> KUBELET_CONDITIONS = List.of("Ready", "MemoryPressure", "DiskPressure", "PIDPressure");

    private NodeHealth() {
    }

    /** The Ready condition's status: True, False or Unknown (also when it has none yet). */
    public static String ready(Node node) {
        return readyCondition(node).map(NodeCondition::getStatus).orElse("Unknown");
    }

    static Optional<NodeCondition> readyCondition(Node node) {
        if (node.getStatus() == null || node.getStatus().getConditions() == null) {
            return Optional.empty();
        }
        return node.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType())).findFirst();
    }

    /**
     * The conditions of a node whose kubelet has gone silent: each kubelet condition Unknown with
     * Kubernetes' reason and message, its heartbeat kept and, where it changes, its transition now. A
     * condition never reported is added as never updated.
     */
    static List<NodeCondition> silentConditions(List<NodeCondition> current, Instant now) {
        String time = seconds(now);
        List<NodeCondition> result = new ArrayList<>();
        for (String type : KUBELET_CONDITIONS) {
            NodeCondition existing = current.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
            if (existing == null) {
                result.add(new NodeConditionBuilder().withType(type).withStatus("Unknown").withReason(NEVER_REASON)
                        .withMessage(NEVER_MESSAGE).withLastHeartbeatTime(time).withLastTransitionTime(time)
                        .build());
            } else if ("Unknown".equals(existing.getStatus())) {
                result.add(existing);
            } else {
                result.add(new NodeConditionBuilder(existing).withStatus("Unknown").withReason(UNKNOWN_REASON)
                        .withMessage(UNKNOWN_MESSAGE).withLastTransitionTime(time).build());
            }
        }
        current.stream().filter(c -> !KUBELET_CONDITIONS.contains(c.getType())).forEach(result::add);
        return result;
    }

    /**
     * The node's taints once the not-ready and unreachable ones match its Ready status: unreachable
     * (NoSchedule and NoExecute) for Unknown, not-ready for False, neither for True. Taints already right
     * keep their timeAdded; others' taints are left alone. A node without a Ready condition yet (null) keeps
     * its taints as they are, as in Kubernetes, until it reports or its startup grace runs out.
     */
    static List<Taint> taintsFor(List<Taint> current, String readyStatus, Instant now) {
        if (readyStatus == null) {
            return current;
        }
        String wanted = switch (readyStatus) {
            case "True" -> null;
            case "False" -> NOT_READY;
            default -> UNREACHABLE;
        };
        List<Taint> result = new ArrayList<>();
        for (Taint taint : current) {
            boolean ours = NOT_READY.equals(taint.getKey()) || UNREACHABLE.equals(taint.getKey());
            boolean ourEffect = "NoSchedule".equals(taint.getEffect()) || "NoExecute".equals(taint.getEffect());
            if (!ours || !ourEffect || taint.getKey().equals(wanted)) {
                result.add(taint);
            }
        }
        if (wanted != null) {
            for (String effect : List.of("NoSchedule", "NoExecute")) {
                boolean present = result.stream().anyMatch(t -> wanted.equals(t.getKey()) && effect.equals(t.getEffect()));
                if (!present) {
                    result.add(new TaintBuilder().withKey(wanted).withEffect(effect).withTimeAdded(seconds(now)).build());
                }
            }
        }
        return result;
    }

    static String seconds(Instant instant) {
        return DateTimeFormatter.ISO_INSTANT.withZone(ZoneOffset.UTC).format(instant.truncatedTo(ChronoUnit.SECONDS));
    }
}
