package io.kybern.api.structural;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** Unknown fields dropped and defaults filled in, as Kubernetes treats custom resources. */
class PruningAndDefaultingTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final StructuralSchema SCHEMA = StructuralSchema.of(JSON.readTree("""
            {"type": "object", "properties": {
              "spec": {"type": "object", "properties": {
                "replicas": {"type": "integer", "default": 1},
                "mode": {"type": "object", "default": {}, "properties": {
                  "name": {"type": "string", "default": "fast"}}},
                "items": {"type": "array", "items": {"type": "object", "properties": {
                  "weight": {"type": "integer", "default": 5}}}},
                "labels": {"type": "object", "additionalProperties": {"type": "object", "properties": {
                  "keep": {"type": "string"}}}},
                "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
                "port": {"x-kubernetes-int-or-string": true},
                "template": {"type": "object", "x-kubernetes-embedded-resource": true, "properties": {
                  "spec": {"type": "object"}}}
              }}
            }}
            """));

    @Test
    void unknownFieldsAreRemovedAndNamedByTheirPaths() {
        ObjectNode object = (ObjectNode) JSON.readTree("""
                {"apiVersion": "example.com/v1", "kind": "Widget",
                 "metadata": {"name": "w", "labels": {"a": "b"}},
                 "extra": 1,
                 "spec": {"replicas": 2, "unknown": true,
                          "items": [{"weight": 1, "colour": "red"}],
                          "labels": {"x": {"keep": "k", "drop": "d"}},
                          "free": {"anything": {"goes": 1}},
                          "port": 80,
                          "template": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                                       "spec": {}, "status": {}}}}
                """);

        assertThat(Pruning.prune(SCHEMA, object)).containsExactlyInAnyOrder("extra", "spec.unknown",
                "spec.items[0].colour", "spec.labels[x].drop", "spec.template.status");
        assertThat(object.toString()).isEqualTo(JSON.readTree("""
                {"apiVersion": "example.com/v1", "kind": "Widget",
                 "metadata": {"name": "w", "labels": {"a": "b"}},
                 "spec": {"replicas": 2,
                          "items": [{"weight": 1}],
                          "labels": {"x": {"keep": "k"}},
                          "free": {"anything": {"goes": 1}},
                          "port": 80,
                          "template": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {}}}}
                """).toString());
    }

    @Test
    void aKnownObjectLosesNothing() {
        ObjectNode object = (ObjectNode) JSON.readTree("{\"spec\":{\"replicas\":2,\"free\":{\"a\":1}}}");

        assertThat(Pruning.prune(SCHEMA, object)).isEmpty();
        assertThat(object.toString()).isEqualTo("{\"spec\":{\"replicas\":2,\"free\":{\"a\":1}}}");
    }

    @Test
    void defaultsFillAbsentFieldsTopDownAndInsideArrays() {
        ObjectNode object = (ObjectNode) JSON.readTree("{\"spec\":{\"items\":[{},{\"weight\":2}]}}");

        Defaulting.apply(SCHEMA, object);

        assertThat(object.toString()).isEqualTo("{\"spec\":{\"items\":[{\"weight\":5},{\"weight\":2}],"
                + "\"replicas\":1,\"mode\":{\"name\":\"fast\"}}}");
    }

    @Test
    void defaultsNeverReplaceWhatIsSet() {
        ObjectNode object = (ObjectNode) JSON.readTree("{\"spec\":{\"replicas\":0,\"mode\":{\"name\":\"slow\"}}}");

        Defaulting.apply(SCHEMA, object);

        assertThat(object.toString()).isEqualTo("{\"spec\":{\"replicas\":0,\"mode\":{\"name\":\"slow\"}}}");
    }
}
