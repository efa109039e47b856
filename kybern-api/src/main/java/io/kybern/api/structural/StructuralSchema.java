package io.kybern.api.structural;

import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.MissingNode;

/**
 * One node of a structural schema (a {@code JSONSchemaProps} tree as JSON), read the way Kubernetes
 * reads it. Immutable as long as nobody changes the tree it wraps; the catalog never does.
 */
public record StructuralSchema(JsonNode node) {

    /** A schema that says nothing: every value is allowed and nothing is pruned below it. */
    public static final StructuralSchema UNCONSTRAINED = new StructuralSchema(MissingNode.getInstance());

    public static StructuralSchema of(JsonNode node) {
        return node == null || node.isNull() ? UNCONSTRAINED : new StructuralSchema(node);
    }

    public String type() {
        return node.path("type").asString("");
    }

    public boolean nullable() {
        return node.path("nullable").asBoolean(false);
    }

    public boolean intOrString() {
        return node.path("x-kubernetes-int-or-string").asBoolean(false);
    }

    public boolean preservesUnknownFields() {
        return node.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
    }

    public boolean embeddedResource() {
        return node.path("x-kubernetes-embedded-resource").asBoolean(false);
    }

    public JsonNode properties() {
        return node.path("properties");
    }

    public Optional<StructuralSchema> property(String name) {
        JsonNode property = node.path("properties").get(name);
        return property == null ? Optional.empty() : Optional.of(new StructuralSchema(property));
    }

    /** The schema of an array's elements; unconstrained when none is given. */
    public StructuralSchema items() {
        return of(node.get("items"));
    }

    /** The schema of a map's values, when {@code additionalProperties} is a schema. */
    public Optional<StructuralSchema> additionalProperties() {
        JsonNode additional = node.get("additionalProperties");
        return additional != null && additional.isObject() ? Optional.of(new StructuralSchema(additional))
                : Optional.empty();
    }

    /** {@code additionalProperties: true}, or a schema: the object is a map of any keys. */
    public boolean isMap() {
        JsonNode additional = node.get("additionalProperties");
        return additional != null && (additional.isObject() || additional.asBoolean(false));
    }

    public Optional<JsonNode> defaultValue() {
        return Optional.ofNullable(node.get("default"));
    }
}
