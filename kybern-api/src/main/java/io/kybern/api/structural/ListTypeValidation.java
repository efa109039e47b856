package io.kybern.api.structural;

import io.kybern.api.validation.FieldError;
import io.kybern.api.validation.GoFormat;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The uniqueness a custom resource's lists promise through {@code x-kubernetes-list-type}: a {@code set}
 * holds no value twice, and the items of a {@code map} differ in their {@code x-kubernetes-list-map-keys}
 * (an item without a key field counts as having no value for it). Server-side apply merges such lists by
 * those keys, so an object that broke them could not be merged.
 *
 * <p>Run after the schema validation, as Kubernetes runs its list-type pass after the schema's: each
 * repeated value is reported once, at its second appearance, with the value (or the item's keys) as Go
 * prints them: {@code spec.ports[2]: Duplicate value: map[string]interface {}{"name":"http"}}.
 */
public final class ListTypeValidation {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** The key of a map-list item that does not set its one key field: equal only to another such item. */
    private static final JsonNode UNSPECIFIED = NODES.objectNode().put("\0unspecified", true);

    private ListTypeValidation() {
    }

    /** The causes of every list in {@code object} that repeats what its list type says must be unique. */
    public static List<FieldError> validate(StructuralSchema schema, JsonNode object) {
        List<FieldError> errors = new ArrayList<>();
        walk(schema, object, "", errors);
        return errors;
    }

    private static void walk(StructuralSchema schema, JsonNode value, String path, List<FieldError> errors) {
        if (schema == StructuralSchema.UNCONSTRAINED) {
            return;
        }
        if (value.isArray()) {
            walkArray(schema, value, path, errors);
        } else if (value.isObject()) {
            schema.additionalProperties().ifPresent(values -> value.properties()
                    .forEach(field -> walk(values, field.getValue(), path + "[" + field.getKey() + "]", errors)));
            for (Map.Entry<String, JsonNode> field : value.properties()) {
                schema.property(field.getKey()).ifPresent(property -> walk(property, field.getValue(),
                        path.isEmpty() ? field.getKey() : path + "." + field.getKey(), errors));
            }
        }
    }

    private static void walkArray(StructuralSchema schema, JsonNode list, String path, List<FieldError> errors) {
        switch (schema.node().path("x-kubernetes-list-type").asString("")) {
            case "set" -> {
                for (int i : secondAppearances(list)) {
                    errors.add(duplicate(path + "[" + i + "]", GoFormat.shown(list.get(i))));
                }
            }
            case "map" -> checkMap(schema, list, path, errors);
            default -> {
            }
        }
        StructuralSchema items = schema.items();
        for (int i = 0; i < list.size(); i++) {
            walk(items, list.get(i), path + "[" + i + "]", errors);
        }
    }

    private static void checkMap(StructuralSchema schema, JsonNode list, String path, List<FieldError> errors) {
        for (int i = 0; i < list.size(); i++) {
            JsonNode item = list.get(i);
            if (!item.isNull() && !item.isObject()) {
                errors.add(new FieldError("FieldValueInvalid", "Invalid value: " + GoFormat.shown(item)
                        + ": must be an object for an array of list-type map", path + "[" + i + "]"));
                return;
            }
        }
        List<String> keyFields = new ArrayList<>();
        schema.node().path("x-kubernetes-list-map-keys").forEach(key -> keyFields.add(key.asString("")));
        List<JsonNode> keys = new ArrayList<>();
        for (JsonNode item : list) {
            keys.add(keyFields.size() == 1 ? singleKey(item, keyFields.getFirst()) : keyFields(item, keyFields));
        }
        for (int i : secondAppearances(keys)) {
            JsonNode key = keys.get(i);
            ObjectNode shown = key == UNSPECIFIED ? NODES.objectNode()
                    : keyFields.size() == 1 ? NODES.objectNode().set(keyFields.getFirst(), key) : (ObjectNode) key;
            errors.add(duplicate(path + "[" + i + "]", GoFormat.syntax(shown)));
        }
    }

    private static JsonNode singleKey(JsonNode item, String field) {
        return item.isObject() && item.has(field) ? item.get(field) : UNSPECIFIED;
    }

    private static ObjectNode keyFields(JsonNode item, List<String> fields) {
        ObjectNode key = NODES.objectNode();
        for (String field : fields) {
            if (item.isObject() && item.has(field)) {
                key.set(field, item.get(field));
            }
        }
        return key;
    }

    /** The index of each value's second appearance, in order: where Kubernetes reports a repeat. */
    private static List<Integer> secondAppearances(Iterable<JsonNode> values) {
        Map<JsonNode, Integer> seen = new HashMap<>();
        List<Integer> repeats = new ArrayList<>();
        int i = 0;
        for (JsonNode value : values) {
            if (seen.merge(value, 1, Integer::sum) == 2) {
                repeats.add(i);
            }
            i++;
        }
        return repeats;
    }

    private static FieldError duplicate(String path, String shown) {
        return new FieldError("FieldValueDuplicate", "Duplicate value: " + shown, path);
    }
}
