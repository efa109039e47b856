package io.kybern.api.schema;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The facts about fields that protobuf descriptors do not carry, read from {@code field-facts.yaml}:
 * patch strategies and merge keys, list and map types, required fields, enums and the JSON names that
 * differ from the proto names. Keyed by definition name, then by proto field name.
 */
final class FieldFacts {

    /**
     * What is known of one field beyond its structure.
     *
     * @param jsonName its JSON name when that differs from the proto name; empty otherwise
     * @param inline   whether Go embeds it inline, so that its fields are the parent's in JSON
     */
    record Fact(String jsonName, boolean inline, boolean required, String patchStrategy, String patchMergeKey,
            Optional<ListType> listType, List<String> listMapKeys, Optional<MapType> mapType, List<String> enumValues) {

        static final Fact NONE = new Fact("", false, false, "", "", Optional.empty(), List.of(), Optional.empty(), List.of());
    }

    private static final String RESOURCE = "field-facts.yaml";

    /** The key under a type that describes the type itself rather than one of its fields. */
    private static final String TYPE_KEY = "_type";

    private final Map<String, Map<String, Fact>> byType;
    private final Map<String, MapType> typeMapTypes;

    private FieldFacts(Map<String, Map<String, Fact>> byType, Map<String, MapType> typeMapTypes) {
        this.byType = byType;
        this.typeMapTypes = typeMapTypes;
    }

    static FieldFacts load() {
        try (InputStream in = FieldFacts.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the class path");
            }
            return parse(YAMLMapper.builder().build().readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static FieldFacts parse(JsonNode root) {
        Map<String, Map<String, Fact>> byType = new HashMap<>();
        Map<String, MapType> typeMapTypes = new HashMap<>();
        root.properties().forEach(type -> {
            Map<String, Fact> fields = new HashMap<>();
            type.getValue().properties().forEach(field -> {
                Fact fact = fact(type.getKey() + "." + field.getKey(), field.getValue());
                if (field.getKey().equals(TYPE_KEY)) {
                    fact.mapType().ifPresent(m -> typeMapTypes.put(type.getKey(), m));
                } else {
                    fields.put(field.getKey(), fact);
                }
            });
            byType.put(type.getKey(), Map.copyOf(fields));
        });
        return new FieldFacts(Map.copyOf(byType), Map.copyOf(typeMapTypes));
    }

    private static Fact fact(String where, JsonNode node) {
        for (String key : node.propertyNames()) {
            if (!List.of("json", "inline", "required", "patch", "mergeKey", "list", "keys", "map", "enum").contains(key)) {
                throw new IllegalStateException(RESOURCE + ": unknown key " + key + " at " + where);
            }
        }
        String patch = node.path("patch").asString("");
        String mergeKey = node.path("mergeKey").asString("");
        if (!mergeKey.isEmpty() && !patch.contains("merge")) {
            throw new IllegalStateException(RESOURCE + ": a merge key without the merge strategy at " + where);
        }
        Optional<ListType> list = node.has("list") ? Optional.of(ListType.parse(node.get("list").asString()))
                : Optional.empty();
        List<String> keys = strings(node.path("keys"));
        if (list.equals(Optional.of(ListType.MAP)) == keys.isEmpty()) {
            throw new IllegalStateException(RESOURCE + ": map lists, and only they, name their keys at " + where);
        }
        return new Fact(node.path("json").asString(""), node.path("inline").asBoolean(false), node.path("required").asBoolean(false), patch, mergeKey,
                list, keys, node.has("map") ? Optional.of(MapType.parse(node.get("map").asString())) : Optional.empty(),
                strings(node.path("enum")));
    }

    private static List<String> strings(JsonNode array) {
        return array.valueStream().map(v -> v.asString()).toList();
    }

    Fact of(String definition, String protoField) {
        return byType.getOrDefault(definition, Map.of()).getOrDefault(protoField, Fact.NONE);
    }

    /** {@code x-kubernetes-map-type} of a type itself: struct types Kubernetes treats as one value. */
    Optional<MapType> typeMapType(String definition) {
        return Optional.ofNullable(typeMapTypes.get(definition));
    }

    /** Every definition named, with its proto field names: checked against the descriptors by tests. */
    Map<String, Map<String, Fact>> all() {
        return byType;
    }
}
