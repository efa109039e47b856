package io.kybern.apiserver.crd;

import io.kybern.api.structural.StructuralCheck;
import io.kybern.api.validation.FieldError;
import io.kybern.api.validation.Names;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Defaulting and validation of apiextensions.k8s.io/v1 CustomResourceDefinitions, with Kubernetes'
 * field paths and messages: the name must be {@code <plural>.<group>}, names must be DNS-1035 labels,
 * exactly one version is the storage version, at least one is served, and every version has a
 * structural schema.
 */
final class DefinitionValidation {

    /** The annotation a definition in a Kubernetes project group must carry. */
    static final String APPROVAL = "api-approved.kubernetes.io";
    private static final List<String> SCOPES = List.of("Cluster", "Namespaced");
    private static final List<String> COLUMN_TYPES = List.of("boolean", "date", "integer", "number", "string");

    private DefinitionValidation() {
    }

    /** Kubernetes' v1 defaults: singular and listKind from the kind, conversion strategy None. */
    static void applyDefaults(ObjectNode definition) {
        ObjectNode spec = definition.withObject("spec");
        ObjectNode names = spec.withObject("names");
        String kind = names.path("kind").asString("");
        if (!kind.isEmpty() && names.path("singular").asString("").isEmpty()) {
            names.put("singular", kind.toLowerCase(Locale.ROOT));
        }
        if (!kind.isEmpty() && names.path("listKind").asString("").isEmpty()) {
            names.put("listKind", kind + "List");
        }
        if (!spec.has("conversion")) {
            spec.putObject("conversion").put("strategy", "None");
        }
    }

    static List<FieldError> validate(JsonNode definition) {
        List<FieldError> errors = new ArrayList<>();
        JsonNode spec = definition.path("spec");
        String group = spec.path("group").asString("");
        String plural = spec.path("names").path("plural").asString("");
        String name = definition.path("metadata").path("name").asString("");
        if (!name.equals(plural + "." + group)) {
            errors.add(FieldError.invalid("metadata.name", name, "must be spec.names.plural+\".\"+spec.group"));
        }
        if (group.isEmpty()) {
            errors.add(FieldError.required("spec.group"));
        } else {
            Names.checkSubdomain(group).ifPresent(problem -> errors.add(FieldError.invalid("spec.group", group,
                    problem)));
            if (!group.contains(".")) {
                errors.add(FieldError.invalid("spec.group", group, "should be a domain with at least one dot"));
            }
        }
        String scope = spec.path("scope").asString("");
        if (scope.isEmpty()) {
            errors.add(FieldError.required("spec.scope"));
        } else if (!SCOPES.contains(scope)) {
            errors.add(FieldError.notSupported("spec.scope", scope, SCOPES));
        }
        if (group.endsWith(".k8s.io") || group.equals("k8s.io") || group.endsWith(".kubernetes.io")
                || group.equals("kubernetes.io")) {
            checkApproval(definition.path("metadata").path("annotations").path(APPROVAL), errors);
        }
        if (spec.path("preserveUnknownFields").asBoolean(false)) {
            errors.add(new FieldError("FieldValueInvalid", "Invalid value: true: cannot set to true, set "
                    + "x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead",
                    "spec.preserveUnknownFields"));
        }
        validateNames(spec.path("names"), "spec.names", errors);
        validateVersions(spec.path("versions"), errors);
        String strategy = spec.path("conversion").path("strategy").asString("None");
        if (!strategy.equals("None")) {
            // Conversion webhooks are not served here; accepting one would convert wrongly.
            errors.add(FieldError.notSupported("spec.conversion.strategy", strategy, List.of("None")));
        }
        return errors;
    }

    /**
     * Groups of the Kubernetes project need the URL of their API review, or a value starting with
     * "unapproved" that says there was none.
     */
    private static void checkApproval(JsonNode approval, List<FieldError> errors) {
        String field = "metadata.annotations[" + APPROVAL + "]";
        if (approval.isMissingNode()) {
            errors.add(FieldError.required(field, "protected groups must have approval annotation \"" + APPROVAL
                    + "\", see https://github.com/kubernetes/enhancements/pull/1111"));
            return;
        }
        String value = approval.asString("");
        if (!value.startsWith("unapproved") && !value.startsWith("https://") && !value.startsWith("http://")) {
            errors.add(FieldError.invalid(field, value, "protected groups must have approval annotation \""
                    + APPROVAL + "\" with either a URL or a reason starting with \"unapproved\", see "
                    + "https://github.com/kubernetes/enhancements/pull/1111"));
        }
    }

    static List<FieldError> validateUpdate(JsonNode existing, JsonNode updated) {
        List<FieldError> errors = new ArrayList<>(validate(updated));
        String oldScope = existing.path("spec").path("scope").asString("");
        String newScope = updated.path("spec").path("scope").asString("");
        if (!oldScope.equals(newScope)) {
            errors.add(FieldError.immutable("spec.scope", "\"" + newScope + "\""));
        }
        Set<String> versions = new HashSet<>();
        updated.path("spec").path("versions").forEach(v -> versions.add(v.path("name").asString("")));
        JsonNode stored = updated.path("status").path("storedVersions");
        for (int i = 0; i < stored.size(); i++) {
            String version = stored.get(i).asString("");
            if (!versions.contains(version)) {
                errors.add(FieldError.invalid("status.storedVersions[" + i + "]", version,
                        "must appear in spec.versions"));
            }
        }
        return errors;
    }

    private static void validateNames(JsonNode names, String path, List<FieldError> errors) {
        String plural = names.path("plural").asString("");
        if (plural.isEmpty()) {
            errors.add(FieldError.required(path + ".plural"));
        } else {
            dns1035(plural).ifPresent(p -> errors.add(FieldError.invalid(path + ".plural", plural, p)));
        }
        String singular = names.path("singular").asString("");
        if (!singular.isEmpty()) {
            dns1035(singular).ifPresent(p -> errors.add(FieldError.invalid(path + ".singular", singular, p)));
        }
        String kind = names.path("kind").asString("");
        if (kind.isEmpty()) {
            errors.add(FieldError.required(path + ".kind"));
        } else {
            dns1035(kind.toLowerCase(Locale.ROOT)).ifPresent(p -> errors.add(FieldError.invalid(path + ".kind", kind,
                    "may have mixed case, but should otherwise match: " + p)));
        }
        String listKind = names.path("listKind").asString("");
        if (listKind.isEmpty()) {
            errors.add(FieldError.required(path + ".listKind"));
        } else {
            dns1035(listKind.toLowerCase(Locale.ROOT)).ifPresent(p -> errors.add(FieldError.invalid(
                    path + ".listKind", listKind, "may have mixed case, but should otherwise match: " + p)));
            if (listKind.equals(kind)) {
                errors.add(FieldError.invalid(path + ".listKind", listKind, "kind and listKind may not be the same"));
            }
        }
        JsonNode shortNames = names.path("shortNames");
        for (int i = 0; i < shortNames.size(); i++) {
            String shortName = shortNames.get(i).asString("");
            int index = i;
            dns1035(shortName).ifPresent(p -> errors.add(FieldError.invalid(path + ".shortNames[" + index + "]",
                    shortName, p)));
        }
        JsonNode categories = names.path("categories");
        for (int i = 0; i < categories.size(); i++) {
            String category = categories.get(i).asString("");
            int index = i;
            dns1035(category).ifPresent(p -> errors.add(FieldError.invalid(path + ".categories[" + index + "]",
                    category, p)));
        }
    }

    private static void validateVersions(JsonNode versions, List<FieldError> errors) {
        if (!versions.isArray() || versions.isEmpty()) {
            errors.add(invalidVersions("[]", "must have exactly one version marked as storage version"));
            return;
        }
        int storage = 0;
        boolean served = false;
        Set<String> seen = new HashSet<>();
        boolean unique = true;
        for (int i = 0; i < versions.size(); i++) {
            JsonNode version = versions.get(i);
            String path = "spec.versions[" + i + "]";
            String name = version.path("name").asString("");
            if (name.isEmpty()) {
                errors.add(FieldError.required(path + ".name"));
            } else {
                dns1035(name).ifPresent(p -> errors.add(FieldError.invalid(path + ".name", name, p)));
            }
            unique &= seen.add(name);
            storage += version.path("storage").asBoolean(false) ? 1 : 0;
            served |= version.path("served").asBoolean(false);
            JsonNode schema = version.path("schema").path("openAPIV3Schema");
            if (schema.isMissingNode() || schema.isNull()) {
                errors.add(FieldError.required(path + ".schema.openAPIV3Schema", "schemas are required"));
            } else {
                errors.addAll(StructuralCheck.errors(schema, path + ".schema.openAPIV3Schema"));
            }
            validateColumns(version.path("additionalPrinterColumns"), path + ".additionalPrinterColumns", errors);
            validateScale(version.path("subresources").path("scale"), path + ".subresources.scale", errors);
        }
        String shown = versions.toString();
        if (!unique) {
            errors.add(invalidVersions(shown, "must contain unique version names"));
        }
        if (storage != 1) {
            errors.add(invalidVersions(shown, "must have exactly one version marked as storage version"));
        }
        if (!served) {
            errors.add(invalidVersions(shown, "must have at least one version marked as served"));
        }
    }

    /** The versions are shown as JSON, unquoted: Kubernetes prints the whole list it judged. */
    private static FieldError invalidVersions(String versions, String detail) {
        return new FieldError("FieldValueInvalid", "Invalid value: " + versions + ": " + detail, "spec.versions");
    }

    private static void validateColumns(JsonNode columns, String path, List<FieldError> errors) {
        for (int i = 0; i < columns.size(); i++) {
            JsonNode column = columns.get(i);
            String at = path + "[" + i + "]";
            if (column.path("name").asString("").isEmpty()) {
                errors.add(FieldError.required(at + ".name"));
            }
            String type = column.path("type").asString("");
            if (type.isEmpty()) {
                errors.add(FieldError.required(at + ".type"));
            } else if (!COLUMN_TYPES.contains(type)) {
                errors.add(FieldError.notSupported(at + ".type", type, COLUMN_TYPES));
            }
            String jsonPath = column.path("jsonPath").asString("");
            if (jsonPath.isEmpty()) {
                errors.add(FieldError.required(at + ".jsonPath"));
            } else if (!SimpleJsonPath.valid(jsonPath)) {
                errors.add(FieldError.invalid(at + ".jsonPath", jsonPath, "must be a simple json path"));
            }
            if (column.path("priority").asInt(0) < 0) {
                errors.add(FieldError.invalidNumber(at + ".priority", column.path("priority").asInt(),
                        "must be greater than or equal to 0"));
            }
        }
    }

    private static void validateScale(JsonNode scale, String path, List<FieldError> errors) {
        if (!scale.isObject()) {
            return;
        }
        String specPath = scale.path("specReplicasPath").asString("");
        if (specPath.isEmpty()) {
            errors.add(FieldError.required(path + ".specReplicasPath"));
        } else if (!specPath.startsWith(".spec.") || !SimpleJsonPath.valid(specPath)) {
            errors.add(FieldError.invalid(path + ".specReplicasPath", specPath, "should be a json path under .spec"));
        }
        String statusPath = scale.path("statusReplicasPath").asString("");
        if (statusPath.isEmpty()) {
            errors.add(FieldError.required(path + ".statusReplicasPath"));
        } else if (!statusPath.startsWith(".status.") || !SimpleJsonPath.valid(statusPath)) {
            errors.add(FieldError.invalid(path + ".statusReplicasPath", statusPath,
                    "should be a json path under .status"));
        }
        String selectorPath = scale.path("labelSelectorPath").asString("");
        if (!selectorPath.isEmpty() && (!(selectorPath.startsWith(".spec.") || selectorPath.startsWith(".status."))
                || !SimpleJsonPath.valid(selectorPath))) {
            errors.add(FieldError.invalid(path + ".labelSelectorPath", selectorPath,
                    "should be a json path under either .spec or .status"));
        }
    }

    private static Optional<String> dns1035(String name) {
        return Names.checkDns1035Label(name);
    }
}
