package io.kybern.api.table;

import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * Horizontal pod autoscalers of both versions: what they scale, each metric as {@code current/target},
 * their bounds and how many replicas they run now. Kubernetes prints both from its internal (v2-like)
 * form; a v1 object's CPU target is printed as the one resource metric it stands for.
 */
final class AutoscalerPrinter {

    /** The metrics shown before the rest are summed up as {@code + N more...}. */
    private static final int METRICS_SHOWN = 2;
    /** The CPU target of an autoscaler without metrics, as Kubernetes defaults it. */
    private static final long DEFAULT_CPU_UTILIZATION = 80;
    private static final String UNKNOWN = "<unknown>";

    private AutoscalerPrinter() {
    }

    static ObjectPrinter create() {
        return ObjectPrinter.builder()
                .column(TableColumn.string("Reference", "The target this autoscaler scales."),
                        o -> o.text("spec", "scaleTargetRef", "kind") + "/" + o.text("spec", "scaleTargetRef", "name"))
                .column(TableColumn.string("Targets", "The current and target metrics."),
                        AutoscalerPrinter::targets)
                .column(TableColumn.string("MinPods", "The lower limit of the number of pods to scale down to."),
                        o -> o.path("spec", "minReplicas").isNumber() ? o.number("spec", "minReplicas") : "<unset>")
                // Kubernetes declares the two counts as strings too, though their cells are integers.
                .column(TableColumn.string("MaxPods", "The upper limit of the number of pods to scale up to."),
                        o -> o.number("spec", "maxReplicas"))
                .column(TableColumn.string("Replicas", "The current number of replicas."),
                        o -> o.number("status", "currentReplicas"))
                .age().build();
    }

    private static String targets(PrintedObject autoscaler) {
        JsonNode specs = autoscaler.path("spec", "metrics");
        if (specs.isEmpty()) {
            // A v1 object: its one target is a CPU utilization. Kubernetes reads one stored without a
            // target with the default of 80%, and so prints that.
            return "cpu: " + v1Current(autoscaler) + "/"
                    + autoscaler.path("spec", "targetCPUUtilizationPercentage").asLong(DEFAULT_CPU_UTILIZATION) + "%";
        }
        JsonNode statuses = autoscaler.path("status", "currentMetrics");
        List<String> shown = new ArrayList<>();
        for (int i = 0; i < specs.size() && shown.size() < METRICS_SHOWN; i++) {
            // Kubernetes pairs each metric with the status at the same position.
            shown.add(metric(specs.get(i), statuses.path(i)));
        }
        String joined = String.join(", ", shown);
        return specs.size() > METRICS_SHOWN ? joined + " + " + (specs.size() - METRICS_SHOWN) + " more..." : joined;
    }

    private static String v1Current(PrintedObject autoscaler) {
        JsonNode current = autoscaler.path("status", "currentCPUUtilizationPercentage");
        return current.isNumber() ? current.asLong() + "%" : UNKNOWN;
    }

    private static String metric(JsonNode spec, JsonNode status) {
        return switch (spec.path("type").asString("")) {
            case "Resource" -> resource(spec.path("resource"), status.path("resource"));
            case "ContainerResource" -> resource(spec.path("containerResource"), status.path("containerResource"));
            case "Pods" -> orUnknown(status.path("pods").path("current").path("averageValue")) + "/"
                    + spec.path("pods").path("target").path("averageValue").asString("");
            case "Object" -> valueOrAverage(spec.path("object"), status.path("object"));
            case "External" -> valueOrAverage(spec.path("external"), status.path("external"));
            default -> "<unknown type>";
        };
    }

    /** {@code cpu: 50%/80%} for a utilization target, {@code memory: 100Mi/200Mi} for an average value. */
    private static String resource(JsonNode spec, JsonNode status) {
        String name = spec.path("name").asString("");
        JsonNode target = spec.path("target");
        if (target.has("averageValue")) {
            return name + ": " + orUnknown(status.path("current").path("averageValue")) + "/"
                    + target.path("averageValue").asString("");
        }
        JsonNode utilization = status.path("current").path("averageUtilization");
        String current = utilization.isNumber() ? utilization.asLong() + "%" : UNKNOWN;
        String wanted = target.path("averageUtilization").isNumber()
                ? target.path("averageUtilization").asLong() + "%" : "<auto>";
        return name + ": " + current + "/" + wanted;
    }

    /** Object and external metrics: an average value marked {@code (avg)}, else a plain value. */
    private static String valueOrAverage(JsonNode spec, JsonNode status) {
        JsonNode target = spec.path("target");
        if (target.has("averageValue")) {
            return orUnknown(status.path("current").path("averageValue")) + "/"
                    + target.path("averageValue").asString("") + " (avg)";
        }
        return orUnknown(status.path("current").path("value")) + "/" + target.path("value").asString("");
    }

    private static String orUnknown(JsonNode quantity) {
        String text = quantity.asString("");
        return text.isEmpty() ? UNKNOWN : text;
    }
}
