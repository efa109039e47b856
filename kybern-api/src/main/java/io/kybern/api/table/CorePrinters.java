package io.kybern.api.table;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;

/** Namespaces and the small configuration kinds of the core group. */
final class CorePrinters {

    private CorePrinters() {
    }

    static ObjectPrinter namespaces() {
        return ObjectPrinter.builder()
                .column(TableColumn.string("Status", "The status of the namespace"), o -> o.text("status", "phase"))
                .age().build();
    }

    // Kubernetes declares the count columns of configmaps, secrets and service accounts as strings
    // while their cells are integers; kubectl prints both the same, and clients that read the type see
    // what they would see from Kubernetes.

    static ObjectPrinter configMaps() {
        return ObjectPrinter.builder()
                .column(TableColumn.string("Data", "Data contains the configuration data."),
                        o -> o.count("data") + o.count("binaryData"))
                .age().build();
    }

    static ObjectPrinter secrets() {
        return ObjectPrinter.builder()
                .column(TableColumn.string("Type", "Used to facilitate programmatic handling of secret data."), o -> o.text("type"))
                .column(TableColumn.string("Data", "Data contains the secret data."), o -> o.count("data"))
                .age().build();
    }

    static ObjectPrinter serviceAccounts() {
        return ObjectPrinter.builder()
                .column(TableColumn.string("Secrets", "Secrets is a list of the secrets in the same namespace "
                        + "that pods running using this ServiceAccount are allowed to use."), o -> o.count("secrets"))
                .age().build();
    }

    /**
     * Resource quotas print each hard limit as {@code <resource>: <used>/<hard>}, sorted by resource;
     * those named {@code limits.*} in the Limit column, the rest under Request. Age comes last, as in
     * Kubernetes 1.33 (before, it came second).
     */
    static ObjectPrinter resourceQuotas() {
        return ObjectPrinter.builder()
                .column(TableColumn.string("Request", "Request represents a minimum amount of cpu/memory that a "
                        + "container may consume."), o -> quotaUsage(o, false))
                .column(TableColumn.string("Limit", "Limits control the maximum amount of cpu/memory that a "
                        + "container may use independent of contention on the node."), o -> quotaUsage(o, true))
                .age().build();
    }

    /**
     * Kubernetes prints the limits the quota controller enforces ({@code status.hard}); until one has
     * recorded them, the limits asked for ({@code spec.hard}) are the ones that will be. Usage not
     * counted yet prints as 0.
     */
    private static String quotaUsage(PrintedObject quota, boolean limits) {
        JsonNode hard = quota.path("status", "hard").isEmpty() ? quota.path("spec", "hard")
                : quota.path("status", "hard");
        List<String> usage = new ArrayList<>();
        Set<String> resources = new TreeSet<>();
        hard.propertyNames().forEach(resources::add);
        for (String resource : resources) {
            if (resource.startsWith("limits.") == limits) {
                String used = quota.path("status", "used", resource).asString("0");
                usage.add(resource + ": " + used + "/" + hard.path(resource).asString(""));
            }
        }
        return String.join(", ", usage);
    }
}
