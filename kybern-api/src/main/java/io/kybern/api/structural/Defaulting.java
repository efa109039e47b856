package io.kybern.api.structural;

import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Fills in the {@code default} of every property a custom resource leaves out, top down, as
 * Kubernetes does on create, on update and when reading from storage: a defaulted object is itself
 * defaulted below, and array elements and map values are defaulted by their schema.
 */
public final class Defaulting {

    private Defaulting() {
    }

    public static void apply(StructuralSchema schema, JsonNode value) {
        if (schema == StructuralSchema.UNCONSTRAINED || value == null) {
            return;
        }
        if (value instanceof ObjectNode object) {
            for (Map.Entry<String, JsonNode> property : schema.properties().properties()) {
                StructuralSchema child = new StructuralSchema(property.getValue());
                if (!object.has(property.getKey()) && child.defaultValue().isPresent()) {
                    object.set(property.getKey(), child.defaultValue().get().deepCopy());
                }
                JsonNode current = object.get(property.getKey());
                if (current != null) {
                    apply(child, current);
                }
            }
            schema.additionalProperties().ifPresent(values -> object.properties()
                    .forEach(entry -> apply(values, entry.getValue())));
        } else if (value.isArray()) {
            StructuralSchema items = schema.items();
            value.forEach(element -> apply(items, element));
        }
    }
}
