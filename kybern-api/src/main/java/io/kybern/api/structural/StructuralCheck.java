package io.kybern.api.structural;

import io.kybern.api.validation.FieldError;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Whether a schema is structural, as apiextensions.k8s.io/v1 requires of every version's schema: an
 * object at the root, a type on every property and array item (unless it is an int-or-string or
 * preserves unknown fields), {@code properties} and {@code additionalProperties} never together,
 * types from OpenAPI's list, defaults that satisfy the schema they sit in, and list and map types that
 * make sense ({@link ListTypeRules}). Reported with the field paths of the definition.
 */
public final class StructuralCheck {

    private static final Set<String> TYPES = Set.of("object", "array", "string", "integer", "number", "boolean");

    private StructuralCheck() {
    }

    /**
     * @param schema the {@code openAPIV3Schema}
     * @param path   where it sits in the definition ({@code spec.versions[0].schema.openAPIV3Schema})
     */
    public static List<FieldError> errors(JsonNode schema, String path) {
        List<FieldError> errors = new ArrayList<>();
        if (!schema.isObject()) {
            errors.add(FieldError.required(path, "schemas are required"));
            return errors;
        }
        String type = schema.path("type").asString("");
        if (type.isEmpty()) {
            errors.add(FieldError.required(path + ".type", "must not be empty at the root"));
        } else if (!type.equals("object")) {
            errors.add(FieldError.invalid(path + ".type", type, "must be object at the root"));
        }
        JsonNode metadata = schema.path("properties").get("metadata");
        if (metadata != null && !onlyNames(metadata)) {
            // The server owns metadata; a schema may only narrow the names.
            errors.add(FieldError.forbidden(path + ".properties[metadata]", "must not specify anything other than "
                    + "name and generateName, but metadata is implicitly specified"));
        }
        check(schema, path, "", errors);
        return errors;
    }

    private static boolean onlyNames(JsonNode metadata) {
        for (String key : metadata.propertyNames()) {
            if (!key.equals("type") && !key.equals("properties")) {
                return false;
            }
        }
        for (String field : metadata.path("properties").propertyNames()) {
            if (!field.equals("name") && !field.equals("generateName")) {
                return false;
            }
        }
        return metadata.path("type").asString("object").equals("object");
    }

    /**
     * @param bodyPath where values of this schema sit in an object ({@code spec.replicas}), as a default's
     *                 errors name it
     */
    private static void check(JsonNode schema, String path, String bodyPath, List<FieldError> errors) {
        String type = schema.path("type").asString("");
        JsonNode defaultValue = schema.get("default");
        if (defaultValue != null && !bodyPath.isEmpty()) {
            for (FieldError error : SchemaValidation.validateValue(StructuralSchema.of(schema), defaultValue,
                    bodyPath)) {
                errors.add(new FieldError(error.reason(), error.message(), path + ".default"));
            }
        }
        if (!type.isEmpty() && !TYPES.contains(type)) {
            errors.add(FieldError.notSupported(path + ".type", type,
                    List.of("array", "boolean", "integer", "number", "object", "string")));
        }
        JsonNode additional = schema.get("additionalProperties");
        if (schema.has("properties") && additional != null && (additional.isObject() || additional.asBoolean(false))) {
            errors.add(FieldError.forbidden(path + ".additionalProperties",
                    "additionalProperties and properties are mutual exclusive"));
        }
        for (Map.Entry<String, JsonNode> property : schema.path("properties").properties()) {
            String childPath = path + ".properties[" + property.getKey() + "]";
            requireType(property.getValue(), childPath, "must not be empty for specified object fields", errors);
            check(property.getValue(), childPath, bodyPath.isEmpty() ? property.getKey()
                    : bodyPath + "." + property.getKey(), errors);
        }
        JsonNode items = schema.get("items");
        if (items != null && items.isObject()) {
            requireType(items, path + ".items", "must not be empty for specified array items", errors);
            check(items, path + ".items", bodyPath + "[0]", errors);
        } else if (type.equals("array") && items == null) {
            errors.add(FieldError.required(path + ".items", "must be specified"));
        }
        if (additional != null && additional.isObject()) {
            requireType(additional, path + ".additionalProperties",
                    "must not be empty for specified additionalProperties", errors);
            check(additional, path + ".additionalProperties", bodyPath + "[key]", errors);
        }
        ListTypeRules.check(schema, path, errors);
    }

    private static void requireType(JsonNode schema, String path, String detail, List<FieldError> errors) {
        StructuralSchema node = StructuralSchema.of(schema);
        if (node.type().isEmpty() && !node.intOrString() && !node.preservesUnknownFields()) {
            errors.add(FieldError.required(path + ".type", detail));
        }
    }
}
