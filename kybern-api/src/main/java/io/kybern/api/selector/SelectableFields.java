package io.kybern.api.selector;

import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * The fields a field selector may name, per resource, as Kubernetes allows them: {@code metadata.name}
 * and {@code metadata.namespace} everywhere, plus the kind-specific ones (a pod's {@code spec.nodeName}
 * and {@code status.phase}, an event's {@code involvedObject.*}, a secret's {@code type}...).
 */
public final class SelectableFields {

    private static final String[] EVENT_FIELDS = {"involvedObject.kind", "involvedObject.namespace",
            "involvedObject.name", "involvedObject.uid", "involvedObject.apiVersion",
            "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason", "reportingComponent", "type"};

    /** Kind-specific fields by {@code group/resource}; the value is the JSON path, dot-separated. */
    private static final Map<String, Map<String, String>> BY_RESOURCE = Map.ofEntries(
            Map.entry("/pods", Map.of("spec.nodeName", "spec.nodeName", "spec.restartPolicy", "spec.restartPolicy",
                    "spec.schedulerName", "spec.schedulerName", "spec.serviceAccountName", "spec.serviceAccountName",
                    "spec.hostNetwork", "spec.hostNetwork", "status.phase", "status.phase", "status.podIP",
                    "status.podIP", "status.nominatedNodeName", "status.nominatedNodeName")),
            Map.entry("/events", events()),
            Map.entry("/secrets", Map.of("type", "type")),
            Map.entry("/namespaces", Map.of("status.phase", "status.phase")),
            Map.entry("/nodes", Map.of("spec.unschedulable", "spec.unschedulable")),
            Map.entry("/replicationcontrollers", Map.of("status.replicas", "status.replicas")),
            Map.entry("/services", Map.of("spec.clusterIP", "spec.clusterIP", "spec.type", "spec.type")),
            Map.entry("apps/replicasets", Map.of("status.replicas", "status.replicas")),
            Map.entry("batch/jobs", Map.of("status.successful", "status.successful")),
            Map.entry("certificates.k8s.io/certificatesigningrequests", Map.of("spec.signerName",
                    "spec.signerName")));

    private SelectableFields() {
    }

    private static Map<String, String> events() {
        java.util.HashMap<String, String> fields = new java.util.HashMap<>();
        for (String field : EVENT_FIELDS) {
            fields.put(field, field);
        }
        // An event's source is selected by its component.
        fields.put("source", "source.component");
        return Map.copyOf(fields);
    }

    /** Whether a resource's objects can be selected by {@code field}. */
    public static boolean supports(String group, String resource, String field) {
        return field.equals("metadata.name") || field.equals("metadata.namespace")
                || BY_RESOURCE.getOrDefault(group + "/" + resource, Map.of()).containsKey(field);
    }

    /**
     * The value of a selectable field of an object, as Kubernetes compares it: text, with booleans and
     * numbers written out; empty when the field is absent.
     */
    public static Optional<String> value(String group, String resource, JsonNode object, String field) {
        String path = field.startsWith("metadata.") ? field
                : BY_RESOURCE.getOrDefault(group + "/" + resource, Map.of()).get(field);
        if (path == null) {
            return Optional.empty();
        }
        JsonNode node = object;
        for (String part : path.split("\\.")) {
            node = node.path(part);
        }
        if (node.isMissingNode() || node.isNull()) {
            // Absent booleans and counts read as Go's zero values.
            return Optional.of(field.equals("spec.hostNetwork") || field.equals("spec.unschedulable") ? "false"
                    : field.equals("status.replicas") || field.equals("status.successful") ? "0" : "");
        }
        return Optional.of(node.isValueNode() ? node.asString() : node.toString());
    }
}
