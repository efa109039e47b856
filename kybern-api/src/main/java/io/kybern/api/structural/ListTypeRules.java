package io.kybern.api.structural;

import io.kybern.api.validation.FieldError;
import io.kybern.api.validation.GoFormat;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * What a CustomResourceDefinition's schema may say about its lists and maps, checked where the schema is
 * defined so that objects can be held to it ({@link ListTypeValidation}) and merged by server-side apply:
 * {@code x-kubernetes-list-type} only on arrays and one of atomic, set or map; a map list with key fields
 * that are scalar properties of object items, required or defaulted, never nullable; a set of scalars or of
 * atomic items; {@code x-kubernetes-map-type} only on objects; no {@code uniqueItems}, whose check is
 * quadratic. Kubernetes' rules and wording, each at the schema's own field path.
 */
final class ListTypeRules {

    private ListTypeRules() {
    }

    static void check(JsonNode schema, String path, List<FieldError> errors) {
        String type = schema.path("type").asString("");
        JsonNode listType = schema.get("x-kubernetes-list-type");
        List<String> keys = new ArrayList<>();
        schema.path("x-kubernetes-list-map-keys").forEach(key -> keys.add(key.asString("")));
        JsonNode items = schema.path("items");

        if (schema.path("uniqueItems").asBoolean(false)) {
            errors.add(FieldError.forbidden(path + ".uniqueItems",
                    "uniqueItems cannot be set to true since the runtime complexity becomes quadratic"));
        }
        JsonNode mapType = schema.get("x-kubernetes-map-type");
        if (mapType != null && !type.equals("object")) {
            errors.add(mustBe(path + ".type", type, "must be object if x-kubernetes-map-type is specified"));
        }
        if (mapType != null && !List.of("atomic", "granular").contains(mapType.asString(""))) {
            errors.add(FieldError.notSupported(path + ".x-kubernetes-map-type", mapType.asString(""),
                    List.of("atomic", "granular")));
        }
        if (listType != null && !type.equals("array")) {
            errors.add(mustBe(path + ".type", type, "must be array if x-kubernetes-list-type is specified"));
        } else if (listType != null && listType.asString("").equals("set") && items.isObject()) {
            checkSetItems(items, path, errors);
        }
        if (listType != null && !List.of("atomic", "set", "map").contains(listType.asString(""))) {
            errors.add(FieldError.notSupported(path + ".x-kubernetes-list-type", listType.asString(""),
                    List.of("atomic", "set", "map")));
        }
        if (!keys.isEmpty()) {
            if (listType == null) {
                errors.add(FieldError.required(path + ".x-kubernetes-list-type",
                        "must be map if x-kubernetes-list-map-keys is non-empty"));
            } else if (!listType.asString("").equals("map")) {
                errors.add(FieldError.invalid(path + ".x-kubernetes-list-type", listType.asString(""),
                        "must be map if x-kubernetes-list-map-keys is non-empty"));
            }
        }
        if (listType != null && listType.asString("").equals("map")) {
            checkMapList(items, keys, path, errors);
        }
        if (listType != null && List.of("set", "map").contains(listType.asString("")) && items.isObject()) {
            checkUniqueListItems(items, listType.asString(""), keys, path, errors);
        }
    }

    /** A set's items are scalars, or arrays and objects that change only whole. */
    private static void checkSetItems(JsonNode items, String path, List<FieldError> errors) {
        String detail = "must be atomic as item of a list with x-kubernetes-list-type=set";
        JsonNode itemListType = items.get("x-kubernetes-list-type");
        switch (items.path("type").asString("")) {
            case "array" -> {
                if (itemListType != null && !itemListType.asString("").equals("atomic")) {
                    errors.add(FieldError.invalid(path + ".items.x-kubernetes-list-type", itemListType.asString(""),
                            detail));
                }
            }
            case "object" -> {
                if (!items.path("x-kubernetes-map-type").asString("").equals("atomic")) {
                    // Kubernetes shows the item's list type here, which an object item seldom has.
                    errors.add(new FieldError("FieldValueInvalid", "Invalid value: " + (itemListType == null
                            ? "null" : GoFormat.quote(itemListType.asString(""))) + ": " + detail,
                            path + ".items.x-kubernetes-map-type"));
                }
            }
            default -> {
            }
        }
    }

    /** A map list has key fields, and object items whose scalar properties they name, once each. */
    private static void checkMapList(JsonNode items, List<String> keys, String path, List<FieldError> errors) {
        if (keys.isEmpty()) {
            errors.add(FieldError.required(path + ".x-kubernetes-list-map-keys",
                    "must not be empty if x-kubernetes-list-type is map"));
        }
        if (!items.isObject()) {
            errors.add(FieldError.required(path + ".items", "must have a schema if x-kubernetes-list-type is map"));
            return;
        }
        String itemType = items.path("type").asString("");
        if (!itemType.equals("object")) {
            errors.add(FieldError.invalid(path + ".items.type", itemType,
                    "must be object if parent array's x-kubernetes-list-type is map"));
            return;
        }
        Set<String> seen = new HashSet<>();
        for (String key : keys) {
            JsonNode property = items.path("properties").get(key);
            if (property == null) {
                errors.add(invalidKeys(path, keys, "entries must all be names of item properties"));
            } else if (List.of("array", "object").contains(property.path("type").asString(""))) {
                // Kubernetes shows the item's type, not the property's.
                errors.add(FieldError.invalid(path + ".items.properties[" + key + "].type", itemType,
                        "must be a scalar type if parent array's x-kubernetes-list-type is map"));
            }
            if (!seen.add(key)) {
                errors.add(invalidKeys(path, keys, "must not contain duplicate entries"));
            }
        }
    }

    /** Items of sets and map lists are never null, and a map list's keys are always there and never null. */
    private static void checkUniqueListItems(JsonNode items, String listType, List<String> keys, String path,
            List<FieldError> errors) {
        if (items.path("nullable").asBoolean(false)) {
            errors.add(FieldError.forbidden(path + ".items.nullable",
                    "cannot be nullable when x-kubernetes-list-type is " + listType));
        }
        if (!listType.equals("map")) {
            return;
        }
        Set<String> required = new HashSet<>();
        items.path("required").forEach(name -> required.add(name.asString("")));
        for (String key : keys) {
            JsonNode property = items.path("properties").get(key);
            if (property == null) {
                continue;
            }
            String at = path + ".items.properties[" + key + "]";
            if (!required.contains(key) && !property.has("default")) {
                errors.add(FieldError.required(at + ".default",
                        "this property is in x-kubernetes-list-map-keys, so it must have a default or be a required "
                                + "property"));
            }
            if (property.path("nullable").asBoolean(false)) {
                errors.add(FieldError.forbidden(at + ".nullable",
                        "this property is in x-kubernetes-list-map-keys, so it cannot be nullable"));
            }
        }
    }

    /** "Required" when the type is missing, else "Invalid" with the type given. */
    private static FieldError mustBe(String field, String type, String detail) {
        return type.isEmpty() ? FieldError.required(field, detail) : FieldError.invalid(field, type, detail);
    }

    private static FieldError invalidKeys(String path, List<String> keys, String detail) {
        List<String> quoted = keys.stream().map(GoFormat::quote).toList();
        return new FieldError("FieldValueInvalid", "Invalid value: []string{" + String.join(", ", quoted) + "}: "
                + detail, path + ".x-kubernetes-list-map-keys");
    }
}
