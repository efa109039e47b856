package io.kybern.api.structural;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Drops the fields a structural schema does not name, as Kubernetes prunes custom resources: below
 * {@code x-kubernetes-preserve-unknown-fields} and in maps ({@code additionalProperties}) everything is
 * kept; an embedded resource keeps its {@code apiVersion}, {@code kind} and {@code metadata}, as the
 * root does.
 */
public final class Pruning {

    private static final Set<String> RESOURCE_FIELDS = Set.of("apiVersion", "kind", "metadata");

    private Pruning() {
    }

    /** Removes the unknown fields of a whole custom resource and returns their paths ({@code spec.foo}). */
    public static List<String> prune(StructuralSchema schema, ObjectNode object) {
        List<String> pruned = new ArrayList<>();
        pruneObject(schema, object, "", true, pruned);
        return pruned;
    }

    private static void prune(StructuralSchema schema, JsonNode value, String path, List<String> pruned) {
        if (schema == StructuralSchema.UNCONSTRAINED || schema.intOrString()) {
            return;
        }
        if (value instanceof ObjectNode object) {
            pruneObject(schema, object, path, schema.embeddedResource(), pruned);
        } else if (value.isArray()) {
            StructuralSchema items = schema.items();
            for (int i = 0; i < value.size(); i++) {
                prune(items, value.get(i), path + "[" + i + "]", pruned);
            }
        }
    }

    private static void pruneObject(StructuralSchema schema, ObjectNode object, String path, boolean resource,
            List<String> pruned) {
        if (schema.additionalProperties().isPresent()) {
            StructuralSchema values = schema.additionalProperties().get();
            for (Map.Entry<String, JsonNode> entry : object.properties()) {
                prune(values, entry.getValue(), path + "[" + entry.getKey() + "]", pruned);
            }
            return;
        }
        boolean preserve = schema.preservesUnknownFields() || schema.isMap();
        Iterator<Map.Entry<String, JsonNode>> fields = object.properties().iterator();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String name = field.getKey();
            String childPath = path.isEmpty() ? name : path + "." + name;
            var property = schema.property(name);
            if (resource && RESOURCE_FIELDS.contains(name)) {
                // The server's own fields; metadata is checked as metadata, not against the schema.
                continue;
            }
            if (property.isPresent()) {
                prune(property.get(), field.getValue(), childPath, pruned);
            } else if (!preserve) {
                fields.remove();
                pruned.add(childPath);
            }
        }
    }
}
