package io.kybern.api.validation;

import io.kybern.api.resource.ResourceType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Per-kind validation of built-in objects after defaulting, as Kubernetes' strategies do it: what a new
 * object must satisfy, and what an update may not change. Never mutates the object; returns every error
 * with its field path. Kinds without rules here are checked only by {@link ObjectMetaValidation}.
 *
 * <p>Stateless; safe from any thread.
 */
public final class KindValidation {

    /** One kind's rules. */
    interface Rules {
        void onCreate(JsonNode object, List<FieldError> errors);

        /** Checked with {@link #onCreate} on the new object as well. */
        default void onUpdate(JsonNode existing, JsonNode updated, List<FieldError> errors) {
        }
    }

    private static final Map<String, Rules> BY_RESOURCE = Map.ofEntries(
            Map.entry("/pods", WorkloadValidation.POD),
            Map.entry("/podtemplates", WorkloadValidation.POD_TEMPLATE),
            Map.entry("/replicationcontrollers", WorkloadValidation.REPLICATION_CONTROLLER),
            Map.entry("apps/deployments", WorkloadValidation.REPLICATED),
            Map.entry("apps/replicasets", WorkloadValidation.REPLICATED),
            Map.entry("apps/daemonsets", WorkloadValidation.REPLICATED),
            Map.entry("apps/statefulsets", WorkloadValidation.STATEFUL_SET),
            Map.entry("batch/jobs", WorkloadValidation.JOB),
            Map.entry("batch/cronjobs", WorkloadValidation.CRON_JOB),
            Map.entry("/services", ServiceValidation.SERVICE),
            Map.entry("/configmaps", ConfigDataValidation.CONFIG_MAP),
            Map.entry("/secrets", ConfigDataValidation.SECRET),
            Map.entry("/persistentvolumeclaims", ConfigDataValidation.CLAIM));

    private KindValidation() {
    }

    public static List<FieldError> validateCreate(ResourceType type, ObjectNode object) {
        List<FieldError> errors = new ArrayList<>();
        Rules rules = BY_RESOURCE.get(key(type));
        if (rules != null) {
            rules.onCreate(object, errors);
        }
        return errors;
    }

    public static List<FieldError> validateUpdate(ResourceType type, ObjectNode existing, ObjectNode updated) {
        List<FieldError> errors = new ArrayList<>();
        Rules rules = BY_RESOURCE.get(key(type));
        if (rules != null) {
            rules.onCreate(updated, errors);
            rules.onUpdate(existing, updated, errors);
        }
        return errors;
    }

    /** The name rule of a kind: Services need DNS-1035 labels, namespaces RFC 1123 labels, the rest subdomains. */
    public static java.util.Optional<String> checkName(ResourceType type, String name) {
        if (type.gvr().group().isEmpty() && type.gvr().resource().equals("services")) {
            return Names.checkDns1035Label(name);
        }
        if (type.gvr().group().isEmpty() && type.gvr().resource().equals("namespaces")) {
            return Names.checkLabel(name);
        }
        return Names.checkSubdomain(name);
    }

    private static String key(ResourceType type) {
        return type.gvr().group() + "/" + type.gvr().resource();
    }

    /** Adds a "field is immutable" error when the field differs between the two objects. */
    static void immutable(JsonNode existing, JsonNode updated, String pointer, String field, List<FieldError> errors) {
        JsonNode before = existing.at(pointer);
        JsonNode after = updated.at(pointer);
        if (!Objects.equals(before.isMissingNode() ? null : before, after.isMissingNode() ? null : after)) {
            errors.add(FieldError.immutable(field, after.isMissingNode() ? "null" : after.toString()));
        }
    }
}
