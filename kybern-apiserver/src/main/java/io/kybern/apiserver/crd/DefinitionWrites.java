package io.kybern.apiserver.crd;

import io.kybern.api.validation.FieldError;
import io.kybern.apiserver.registry.WriteHooks;
import io.kybern.apiserver.status.ApiException;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The CustomResourceDefinition strategy, run around every write of one: v1 defaults, validation (422
 * with field paths), the cleanup finalizer on create, and the storage version recorded in
 * {@code status.storedVersions}. Status itself is the {@link DefinitionController}'s to write.
 */
public final class DefinitionWrites implements WriteHooks {

    /** Held by every definition until its custom resources are deleted. */
    public static final String CLEANUP_FINALIZER = "customresourcecleanup.apiextensions.k8s.io";

    @Override
    public void beforeCreate(ObjectNode definition, boolean dryRun) {
        DefinitionValidation.applyDefaults(definition);
        check(definition, DefinitionValidation.validate(definition));
        ArrayNode finalizers = definition.withObject("metadata").withArray("finalizers");
        if (!contains(finalizers, CLEANUP_FINALIZER)) {
            finalizers.add(CLEANUP_FINALIZER);
        }
        // Status starts empty: names are accepted and the definition established by the controller.
        ObjectNode status = definition.putObject("status");
        status.putObject("acceptedNames").put("plural", "").put("kind", "");
        status.putArray("conditions");
        storageVersion(definition).ifPresent(v -> status.putArray("storedVersions").add(v));
    }

    @Override
    public void beforeUpdate(ObjectNode existing, ObjectNode updated, boolean dryRun) {
        DefinitionValidation.applyDefaults(updated);
        ObjectNode status = updated.withObject("status");
        storageVersion(updated).ifPresent(v -> {
            ArrayNode stored = status.withArray("storedVersions");
            if (!contains(stored, v)) {
                stored.add(v);
            }
        });
        check(updated, DefinitionValidation.validateUpdate(existing, updated));
    }

    private static void check(JsonNode definition, List<FieldError> errors) {
        if (!errors.isEmpty()) {
            throw ApiException.invalid("CustomResourceDefinition", "apiextensions.k8s.io",
                    definition.path("metadata").path("name").asString(""), errors.stream()
                            .map(e -> new ApiException.Cause(e.reason(), e.message(), e.field())).toList());
        }
    }

    static java.util.Optional<String> storageVersion(JsonNode definition) {
        for (JsonNode version : definition.path("spec").path("versions")) {
            if (version.path("storage").asBoolean(false)) {
                return java.util.Optional.of(version.path("name").asString(""));
            }
        }
        return java.util.Optional.empty();
    }

    private static boolean contains(ArrayNode array, String value) {
        for (JsonNode element : array) {
            if (element.asString("").equals(value)) {
                return true;
            }
        }
        return false;
    }
}
