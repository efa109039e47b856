package io.kybern.api.openapi;

import io.kybern.api.resource.GroupVersionKind;
import io.kybern.api.schema.Field;
import io.kybern.api.schema.ObjectSchema;
import io.kybern.api.schema.SchemaType;
import io.kybern.api.schema.ValueSchema;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes schemas as OpenAPI definitions the way kube-apiserver does: object types and the special
 * scalars (times, quantities, int-or-strings) as named definitions referred to by {@code $ref}
 * (wrapped in {@code allOf} in OpenAPI 3, where a bare reference may carry nothing beside it), and the
 * field facts as {@code x-kubernetes-*} extensions.
 */
final class SchemaWriter {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final Dialect dialect;

    SchemaWriter(Dialect dialect) {
        this.dialect = dialect;
    }

    /** Every definition reachable from {@code roots}, by name, in name order. */
    Map<String, ObjectNode> definitions(Collection<ObjectSchema> roots) {
        Map<String, ObjectNode> written = new TreeMap<>();
        Deque<ObjectSchema> pending = new ArrayDeque<>(roots);
        Map<String, ObjectSchema> seen = new LinkedHashMap<>();
        roots.forEach(r -> seen.put(r.name(), r));
        while (!pending.isEmpty()) {
            ObjectSchema schema = pending.pop();
            written.put(schema.name(), object(schema));
            for (Field field : schema.fields()) {
                collectNamedScalars(field.value(), written);
                field.value().objectWithin().ifPresent(o -> {
                    if (seen.putIfAbsent(o.name(), o) == null) {
                        pending.push(o);
                    }
                });
            }
        }
        return written;
    }

    private void collectNamedScalars(ValueSchema value, Map<String, ObjectNode> written) {
        if (value.element() != null) {
            collectNamedScalars(value.element(), written);
        } else if (value.type() != SchemaType.OBJECT && !value.definition().isEmpty()) {
            written.computeIfAbsent(value.definition(), d -> namedScalar(value));
        }
    }

    private ObjectNode object(ObjectSchema schema) {
        ObjectNode node = NODES.objectNode();
        node.put("type", "object");
        ObjectNode properties = node.putObject("properties");
        for (Field field : schema.fields()) {
            properties.set(field.name(), field(field));
        }
        if (!schema.required().isEmpty()) {
            ArrayNode required = node.putArray("required");
            schema.required().forEach(required::add);
        }
        schema.mapType().ifPresent(t -> node.put("x-kubernetes-map-type", t.value()));
        if (!schema.kinds().isEmpty()) {
            ArrayNode kinds = node.putArray("x-kubernetes-group-version-kind");
            for (GroupVersionKind gvk : schema.kinds()) {
                kinds.add(gvk(gvk));
            }
        }
        return node;
    }

    static ObjectNode gvk(GroupVersionKind gvk) {
        ObjectNode node = NODES.objectNode();
        node.put("group", gvk.group());
        node.put("kind", gvk.kind());
        node.put("version", gvk.version());
        return node;
    }

    private ObjectNode field(Field field) {
        ObjectNode node = value(field.value());
        if (!field.enumValues().isEmpty()) {
            ArrayNode values = node.putArray("enum");
            field.enumValues().forEach(values::add);
        }
        field.listType().ifPresent(t -> node.put("x-kubernetes-list-type", t.value()));
        if (!field.listMapKeys().isEmpty()) {
            ArrayNode keys = node.putArray("x-kubernetes-list-map-keys");
            field.listMapKeys().forEach(keys::add);
        }
        field.mapType().ifPresent(t -> node.put("x-kubernetes-map-type", t.value()));
        if (!field.patchMergeKey().isEmpty()) {
            node.put("x-kubernetes-patch-merge-key", field.patchMergeKey());
        }
        if (!field.patchStrategy().isEmpty()) {
            node.put("x-kubernetes-patch-strategy", field.patchStrategy());
        }
        return node;
    }

    /** A value's schema; named types by reference. */
    ObjectNode value(ValueSchema value) {
        ObjectNode node = NODES.objectNode();
        if (!value.definition().isEmpty()) {
            ObjectNode ref = NODES.objectNode().put("$ref", dialect.ref(value.definition()));
            if (dialect == Dialect.V3) {
                node.putArray("allOf").add(ref);
            } else {
                node.setAll(ref);
            }
            return node;
        }
        switch (value.type()) {
            case ARRAY -> {
                node.put("type", "array");
                node.set("items", value(value.element()));
            }
            case MAP -> {
                node.put("type", "object");
                node.set("additionalProperties", value(value.element()));
            }
            case STRING -> node.put("type", "string");
            case BYTE -> node.put("type", "string").put("format", "byte");
            case INTEGER -> node.put("type", "integer").put("format", value.format());
            case NUMBER -> node.put("type", "number").put("format", value.format());
            case BOOLEAN -> node.put("type", "boolean");
            case DATE_TIME -> node.put("type", "string").put("format", "date-time");
            case INT_OR_STRING -> node.put("x-kubernetes-int-or-string", true);
            case PRESERVE_UNKNOWN -> node.put("x-kubernetes-preserve-unknown-fields", true);
            case OBJECT -> throw new IllegalStateException("objects are always named");
        }
        return node;
    }

    /** The definitions of times, quantities and the other types with a JSON form of their own. */
    private ObjectNode namedScalar(ValueSchema value) {
        ObjectNode node = NODES.objectNode();
        switch (value.type()) {
            case DATE_TIME -> node.put("type", "string").put("format", "date-time");
            case STRING -> node.put("type", "string");
            case INT_OR_STRING -> {
                boolean quantity = value.definition().endsWith(".Quantity");
                if (dialect == Dialect.V2) {
                    node.put("type", "string");
                    if (!quantity) {
                        node.put("format", "int-or-string");
                    }
                } else {
                    if (!quantity) {
                        node.put("format", "int-or-string");
                    }
                    ArrayNode oneOf = node.putArray("oneOf");
                    oneOf.addObject().put("type", quantity ? "string" : "integer");
                    oneOf.addObject().put("type", quantity ? "number" : "string");
                    node.put("x-kubernetes-int-or-string", true);
                }
            }
            case PRESERVE_UNKNOWN -> {
                // Raw extensions and managed fields are objects; JSON schema parts may be any JSON value.
                if (!value.definition().contains("apiextensions")) {
                    node.put("type", "object");
                }
                node.put("x-kubernetes-preserve-unknown-fields", true);
            }
            default -> throw new IllegalStateException("no named form for " + value);
        }
        return node;
    }
}
