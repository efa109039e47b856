package io.kybern.api.defaults;

import java.util.function.Consumer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** Small steps over a JSON object tree, for defaulting: Go's nil is an absent field or a JSON null. */
final class Fields {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private Fields() {
    }

    static boolean missing(ObjectNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull();
    }

    static void defaultTo(ObjectNode node, String field, String value) {
        if (missing(node, field)) {
            node.put(field, value);
        }
    }

    static void defaultTo(ObjectNode node, String field, int value) {
        if (missing(node, field)) {
            node.put(field, value);
        }
    }

    static void defaultTo(ObjectNode node, String field, boolean value) {
        if (missing(node, field)) {
            node.put(field, value);
        }
    }

    /** The object at {@code field}, made empty when absent (as Go defaulting allocates a struct). */
    static ObjectNode object(ObjectNode node, String field) {
        JsonNode value = node.get(field);
        if (value instanceof ObjectNode object) {
            return object;
        }
        return node.putObject(field);
    }

    /** Runs {@code step} on the object at {@code field} when there is one; creates nothing. */
    static void ifObject(JsonNode node, String field, Consumer<ObjectNode> step) {
        if (node != null && node.get(field) instanceof ObjectNode object) {
            step.accept(object);
        }
    }

    /** Runs {@code step} on every object in the array at {@code field}. */
    static void eachObject(JsonNode node, String field, Consumer<ObjectNode> step) {
        if (node == null || !(node.get(field) instanceof tools.jackson.databind.node.ArrayNode array)) {
            return;
        }
        for (JsonNode element : array) {
            if (element instanceof ObjectNode object) {
                step.accept(object);
            }
        }
    }

    static JsonNodeFactory nodes() {
        return NODES;
    }
}
