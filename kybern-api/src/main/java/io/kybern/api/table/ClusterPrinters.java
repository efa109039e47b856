package io.kybern.api.table;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;

/**
 * Nodes, endpoints, runtime classes, component statuses, leases, priority classes, storage classes and
 * role bindings.
 */
final class ClusterPrinters {

    private static final String ROLE_LABEL_PREFIX = "node-role.kubernetes.io/";

    private ClusterPrinters() {
    }

    static ObjectPrinter nodes() {
        return ObjectPrinter.builder()
                .column(TableColumn.string("Status", "The status of the node"), ClusterPrinters::nodeStatus)
                .column(TableColumn.string("Roles", "The roles of the node"), ClusterPrinters::nodeRoles)
                .age()
                .column(TableColumn.string("Version", "Kubelet Version reported by the node."),
                        o -> o.text("status", "nodeInfo", "kubeletVersion"))
                .column(TableColumn.string("Internal-IP", "List of addresses reachable to the node.").wide(),
                        o -> nodeAddress(o, "InternalIP"))
                .column(TableColumn.string("External-IP", "List of addresses reachable to the node.").wide(),
                        o -> nodeAddress(o, "ExternalIP"))
                .column(TableColumn.string("OS-Image", "OS Image reported by the node.").wide(),
                        o -> orUnknown(o.text("status", "nodeInfo", "osImage")))
                .column(TableColumn.string("Kernel-Version", "Kernel Version reported by the node.").wide(),
                        o -> orUnknown(o.text("status", "nodeInfo", "kernelVersion")))
                .column(TableColumn.string("Container-Runtime", "ContainerRuntime Version reported by the node.")
                        .wide(), o -> orUnknown(o.text("status", "nodeInfo", "containerRuntimeVersion")))
                .build();
    }

    private static String nodeStatus(PrintedObject node) {
        List<String> status = new ArrayList<>();
        for (JsonNode condition : node.path("status", "conditions")) {
            if ("Ready".equals(condition.path("type").asString(""))) {
                status.add("True".equals(condition.path("status").asString("")) ? "Ready" : "NotReady");
            }
        }
        if (status.isEmpty()) {
            status.add("Unknown");
        }
        if (node.path("spec", "unschedulable").asBoolean(false)) {
            status.add("SchedulingDisabled");
        }
        return String.join(",", status);
    }

    /** Roles from {@code node-role.kubernetes.io/<role>} labels and the older {@code kubernetes.io/role}. */
    private static String nodeRoles(PrintedObject node) {
        TreeSet<String> roles = new TreeSet<>();
        node.path("metadata", "labels").properties().forEach(label -> {
            if (label.getKey().startsWith(ROLE_LABEL_PREFIX)) {
                String role = label.getKey().substring(ROLE_LABEL_PREFIX.length());
                if (!role.isEmpty()) {
                    roles.add(role);
                }
            } else if (label.getKey().equals("kubernetes.io/role") && !label.getValue().asString("").isEmpty()) {
                roles.add(label.getValue().asString(""));
            }
        });
        return roles.isEmpty() ? "<none>" : String.join(",", roles);
    }

    private static String nodeAddress(PrintedObject node, String type) {
        for (JsonNode address : node.path("status", "addresses")) {
            if (type.equals(address.path("type").asString(""))) {
                return address.path("address").asString("");
            }
        }
        return "<none>";
    }

    private static String orUnknown(String text) {
        return text.isEmpty() ? "<unknown>" : text;
    }

    static ObjectPrinter endpoints() {
        return ObjectPrinter.builder()
                .column(TableColumn.string("Endpoints", "The set of all endpoints is the union of all subsets."),
                        ClusterPrinters::endpointList)
                .age().build();
    }

    /** The first three {@code ip:port} pairs and how many more there are; {@code <none>} without subsets. */
    private static String endpointList(PrintedObject endpoints) {
        JsonNode subsets = endpoints.path("subsets");
        if (subsets.isEmpty()) {
            return "<none>";
        }
        final int shown = 3;
        List<String> listed = new ArrayList<>();
        int count = 0;
        for (JsonNode subset : subsets) {
            JsonNode addresses = subset.path("addresses");
            JsonNode ports = subset.path("ports");
            if (ports.isEmpty()) {
                // Headless services may have addresses without ports.
                count += addresses.size();
                for (JsonNode address : addresses) {
                    if (listed.size() < shown) {
                        listed.add(address.path("ip").asString(""));
                    }
                }
                continue;
            }
            for (JsonNode port : ports) {
                count += addresses.size();
                for (JsonNode address : addresses) {
                    if (listed.size() < shown) {
                        String ip = address.path("ip").asString("");
                        String host = ip.contains(":") ? "[" + ip + "]" : ip;
                        listed.add(host + ":" + port.path("port").asLong(0));
                    }
                }
            }
        }
        String joined = String.join(",", listed);
        return count > shown ? joined + " + " + (count - shown) + " more..." : joined;
    }

    static ObjectPrinter runtimeClasses() {
        return ObjectPrinter.builder()
                .column(TableColumn.string("Handler", "Handler specifies the underlying runtime and configuration "
                        + "that the CRI implementation will use to handle pods of this class."),
                        o -> o.text("handler"))
                .age().build();
    }

    /** Component statuses print their Healthy condition; Unknown when they report none. */
    static ObjectPrinter componentStatuses() {
        return ObjectPrinter.builder()
                .column(TableColumn.string("Status", "Status of the component conditions"),
                        o -> healthy(o).map(c -> "True".equals(c.path("status").asString(""))
                                ? "Healthy" : "Unhealthy").orElse("Unknown"))
                .column(TableColumn.string("Message", "Message of the component conditions"),
                        o -> healthy(o).map(c -> c.path("message").asString("")).orElse(""))
                .column(TableColumn.string("Error", "Error of the component conditions"),
                        o -> healthy(o).map(c -> c.path("error").asString("")).orElse(""))
                .build();
    }

    private static Optional<JsonNode> healthy(PrintedObject component) {
        for (JsonNode condition : component.path("conditions")) {
            if ("Healthy".equals(condition.path("type").asString(""))) {
                return Optional.of(condition);
            }
        }
        return Optional.empty();
    }

    static ObjectPrinter leases() {
        return ObjectPrinter.builder()
                .column(TableColumn.string("Holder", "The holder of the lease."),
                        o -> o.text("spec", "holderIdentity"))
                .age().build();
    }

    /** Priority classes print their age before the preemption policy, unlike most kinds. */
    static ObjectPrinter priorityClasses() {
        return ObjectPrinter.builder()
                .column(TableColumn.integer("Value", "The integer value of this priority class."),
                        o -> o.number("value"))
                .column(new TableColumn("Global-Default", "boolean", "", "Whether this priority class is the "
                        + "default one.", 0), o -> o.path("globalDefault").asBoolean(false))
                .age()
                .column(TableColumn.string("PreemptionPolicy", "The policy for preempting pods with lower "
                        + "priority."), o -> o.text("preemptionPolicy"))
                .build();
    }

    static ObjectPrinter storageClasses() {
        return ObjectPrinter.builder(ClusterPrinters::storageClassName)
                .column(TableColumn.string("Provisioner", "Indicates the type of the provisioner."),
                        o -> o.text("provisioner"))
                .column(TableColumn.string("ReclaimPolicy", "Indicates the type of the reclaim policy."),
                        o -> o.text("reclaimPolicy").isEmpty() ? "Delete" : o.text("reclaimPolicy"))
                .column(TableColumn.string("VolumeBindingMode", "Indicates how PersistentVolumeClaims should be "
                        + "provisioned and bound."), o -> o.text("volumeBindingMode").isEmpty() ? "Immediate"
                                : o.text("volumeBindingMode"))
                // Declared a string column by Kubernetes, though its cell is a boolean.
                .column(TableColumn.string("AllowVolumeExpansion", "Indicates whether the storage class allow "
                        + "volume expand."), o -> o.path("allowVolumeExpansion").asBoolean(false))
                .age().build();
    }

    /** The default class is marked in its name, as Kubernetes prints it. */
    private static Object storageClassName(PrintedObject storageClass) {
        JsonNode annotations = storageClass.path("metadata", "annotations");
        boolean isDefault = "true".equals(annotations.path("storageclass.kubernetes.io/is-default-class")
                .asString("")) || "true".equals(annotations.path("storageclass.beta.kubernetes.io/is-default-class")
                .asString(""));
        return isDefault ? storageClass.name() + " (default)" : storageClass.name();
    }

    /**
     * Role bindings and cluster role bindings: the role, and its subjects with {@code -o wide}.
     *
     * @param kind {@code roleBinding} or {@code clusterRoleBinding}, as the column descriptions name it
     */
    static ObjectPrinter roleBindings(String kind) {
        return ObjectPrinter.builder()
                .column(TableColumn.string("Role", "RoleRef references a Role or a ClusterRole."),
                        o -> o.text("roleRef", "kind") + "/" + o.text("roleRef", "name"))
                .age()
                .column(TableColumn.string("Users", "Users in the " + kind).wide(), o -> subjects(o, "User"))
                .column(TableColumn.string("Groups", "Groups in the " + kind).wide(), o -> subjects(o, "Group"))
                .column(TableColumn.string("ServiceAccounts", "ServiceAccounts in the " + kind).wide(),
                        o -> subjects(o, "ServiceAccount"))
                .build();
    }

    private static String subjects(PrintedObject binding, String kind) {
        List<String> names = new ArrayList<>();
        for (JsonNode subject : binding.path("subjects")) {
            if (kind.equals(subject.path("kind").asString(""))) {
                String name = subject.path("name").asString("");
                names.add(kind.equals("ServiceAccount") ? subject.path("namespace").asString("") + "/" + name : name);
            }
        }
        return String.join(", ", names);
    }
}
