package io.kybern.api.table;

import java.util.List;
import tools.jackson.databind.JsonNode;

/** Pods: readiness, status and restarts summarised; addresses and scheduling with {@code -o wide}. */
final class PodPrinter {

    private PodPrinter() {
    }

    static ObjectPrinter create() {
        return ObjectPrinter.builder()
                .column(TableColumn.string("Ready", "The aggregate readiness state of this pod for accepting traffic."),
                        o -> {
                            PodStatusSummary summary = PodStatusSummary.of(o);
                            return summary.ready() + "/" + summary.total();
                        })
                .column(TableColumn.string("Status", "The aggregate status of the containers in this pod."),
                        o -> PodStatusSummary.of(o).status())
                .column(TableColumn.string("Restarts", "The number of times the containers in this pod have been "
                        + "restarted and when the last container in this pod has restarted."),
                        o -> PodStatusSummary.of(o).restartsCell(o.now()))
                .age()
                .column(TableColumn.string("IP", "IP address allocated to the pod.").wide(),
                        o -> PrintedObject.orNone(o.path("status", "podIPs").path(0).path("ip").asString("")))
                .column(TableColumn.string("Node", "The node the pod is scheduled onto.").wide(),
                        o -> o.textOrNone("spec", "nodeName"))
                .column(TableColumn.string("Nominated Node", "The node the scheduler nominated for preemption.")
                        .wide(), o -> o.textOrNone("status", "nominatedNodeName"))
                .column(TableColumn.string("Readiness Gates", "Conditions the pod waits for to be ready.").wide(),
                        PodPrinter::readinessGates)
                .conditions(PodPrinter::completion)
                .build();
    }

    /** Rows of pods that have finished are marked Completed, with why. */
    private static List<RowCondition> completion(PrintedObject pod) {
        return switch (pod.text("status", "phase")) {
            case "Succeeded" -> List.of(new RowCondition("Completed", "True", "Succeeded",
                    "The pod has completed successfully."));
            case "Failed" -> List.of(new RowCondition("Completed", "True", "Failed", "The pod failed."));
            default -> List.of();
        };
    }

    /** True gates over all gates, or {@code <none>} for a pod without readiness gates. */
    private static String readinessGates(PrintedObject pod) {
        JsonNode gates = pod.path("spec", "readinessGates");
        if (gates.isEmpty()) {
            return "<none>";
        }
        int passed = 0;
        for (JsonNode gate : gates) {
            String type = gate.path("conditionType").asString("");
            for (JsonNode condition : pod.path("status", "conditions")) {
                if (type.equals(condition.path("type").asString(""))) {
                    if ("True".equals(condition.path("status").asString(""))) {
                        passed++;
                    }
                    break;
                }
            }
        }
        return passed + "/" + gates.size();
    }
}
