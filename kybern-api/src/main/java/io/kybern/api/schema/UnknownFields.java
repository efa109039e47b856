package io.kybern.api.schema;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Finds the fields of an object that its schema does not know, for strict field validation
 * ({@code fieldValidation=Strict} or {@code Warn}).
 *
 * <p>Paths are written as Kubernetes' strict decoding names them: fields joined by dots, array items by
 * their index ({@code spec.template.spec.containers[0].foo}). Values whose shape differs from the
 * schema (a string where an object belongs) are not this check's business and are passed over; below a
 * {@link SchemaType#PRESERVE_UNKNOWN} value anything goes. Stateless and safe from any thread.
 */
public final class UnknownFields {

    private UnknownFields() {
    }

    /** The paths of every unknown field in {@code object}, in document order. */
    public static List<String> find(ObjectSchema schema, JsonNode object) {
        List<String> unknown = new ArrayList<>();
        walkObject(schema, object, "", unknown, false);
        return unknown;
    }

    /**
     * Removes every unknown field from {@code object}, as decoding into Kubernetes' typed objects drops
     * them, and returns their paths in document order.
     */
    public static List<String> remove(ObjectSchema schema, ObjectNode object) {
        List<String> unknown = new ArrayList<>();
        walkObject(schema, object, "", unknown, true);
        return unknown;
    }

    private static void walkObject(ObjectSchema schema, JsonNode object, String path, List<String> unknown,
            boolean remove) {
        if (!object.isObject()) {
            return;
        }
        Iterator<Map.Entry<String, JsonNode>> properties = object.properties().iterator();
        while (properties.hasNext()) {
            Map.Entry<String, JsonNode> property = properties.next();
            String fieldPath = path.isEmpty() ? property.getKey() : path + "." + property.getKey();
            var field = schema.field(property.getKey());
            if (field.isEmpty()) {
                unknown.add(fieldPath);
                if (remove) {
                    properties.remove();
                }
            } else {
                walkValue(field.get().value(), property.getValue(), fieldPath, unknown, remove);
            }
        }
    }

    private static void walkValue(ValueSchema value, JsonNode node, String path, List<String> unknown,
            boolean remove) {
        switch (value.type()) {
            case OBJECT -> walkObject(value.object(), node, path, unknown, remove);
            case ARRAY -> {
                if (node.isArray()) {
                    for (int i = 0; i < node.size(); i++) {
                        walkValue(value.element(), node.get(i), path + "[" + i + "]", unknown, remove);
                    }
                }
            }
            case MAP -> {
                if (node.isObject()) {
                    for (Map.Entry<String, JsonNode> entry : node.properties()) {
                        walkValue(value.element(), entry.getValue(), path + "." + entry.getKey(), unknown, remove);
                    }
                }
            }
            default -> {
                // Scalars and free JSON hold no fields to check.
            }
        }
    }
}
