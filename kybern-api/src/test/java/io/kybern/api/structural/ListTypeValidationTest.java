package io.kybern.api.structural;

import static org.assertj.core.api.Assertions.assertThat;

import io.kybern.api.validation.FieldError;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** Lists whose list type promises unique values or keys, with the causes Kubernetes gives for repeats. */
class ListTypeValidationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final StructuralSchema SCHEMA = StructuralSchema.of(JSON.readTree("""
            {"type": "object", "properties": {"spec": {"type": "object", "properties": {
              "tags": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string"}},
              "sizes": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "number"}},
              "pairs": {"type": "array", "x-kubernetes-list-type": "set",
                        "items": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}},
              "loose": {"type": "array", "items": {"type": "string"}},
              "ports": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
                        "items": {"type": "object", "properties": {"name": {"type": "string"},
                                  "port": {"type": "integer"}}}},
              "routes": {"type": "array", "x-kubernetes-list-type": "map",
                         "x-kubernetes-list-map-keys": ["port", "protocol"],
                         "items": {"type": "object", "properties": {"port": {"type": "integer"},
                                   "protocol": {"type": "string"}}}},
              "groups": {"type": "object", "additionalProperties": {"type": "array",
                         "x-kubernetes-list-type": "set", "items": {"type": "string"}}}
            }}}}
            """));

    private static List<String> causes(String spec) {
        return SchemaValidation.validate(SCHEMA, JSON.readTree("{\"spec\":" + spec + "}")).stream()
                .map(FieldError::describe).toList();
    }

    @Test
    void aSetReportsEachRepeatedValueOnceWhereItFirstRepeats() {
        assertThat(causes("{\"tags\":[\"a\",\"b\",\"a\",\"a\",\"b\"]}")).containsExactly(
                "spec.tags[2]: Duplicate value: \"a\"",
                "spec.tags[4]: Duplicate value: \"b\"");
        assertThat(causes("{\"sizes\":[1.5,1.5,1000000,1000000]}")).containsExactly(
                "spec.sizes[1]: Duplicate value: 1.5",
                "spec.sizes[3]: Duplicate value: 1000000");
        assertThat(causes("{\"pairs\":[{\"b\":2,\"a\":\"x\"},{\"a\":\"x\",\"b\":2},{\"a\":\"y\"}]}")).containsExactly(
                "spec.pairs[1]: Duplicate value: map[string]interface {}{\"a\":\"x\", \"b\":2}");
        assertThat(causes("{\"groups\":{\"dev\":[\"ann\",\"ann\"]}}"))
                .containsExactly("spec.groups[dev][1]: Duplicate value: \"ann\"");
    }

    @Test
    void listsWithoutAUniqueListTypeMayRepeat() {
        assertThat(causes("{\"loose\":[\"a\",\"a\"],\"tags\":[\"a\",\"b\"],"
                + "\"ports\":[{\"name\":\"http\"},{\"name\":\"https\"}]}")).isEmpty();
    }

    @Test
    void aMapListReportsItemsWithTheSameKey() {
        assertThat(causes("{\"ports\":[{\"name\":\"http\",\"port\":80},{\"name\":\"http\",\"port\":8080},"
                + "{\"port\":1},{\"port\":2},{\"name\":\"https\"}]}")).containsExactly(
                "spec.ports[1]: Duplicate value: map[string]interface {}{\"name\":\"http\"}",
                "spec.ports[3]: Duplicate value: map[string]interface {}{}");
        assertThat(causes("{\"routes\":[{\"port\":80,\"protocol\":\"TCP\"},{\"port\":80,\"protocol\":\"UDP\"},"
                + "{\"protocol\":\"TCP\",\"port\":80}]}")).containsExactly(
                "spec.routes[2]: Duplicate value: map[string]interface {}{\"port\":80, \"protocol\":\"TCP\"}");
    }

    @Test
    void aMapListItemMustBeAnObject() {
        assertThat(causes("{\"ports\":[{\"name\":\"a\"},\"b\",{\"name\":\"a\"}]}")).containsExactly(
                "spec.ports[1]: Invalid value: \"string\": spec.ports[1] in body must be of type object: \"string\"",
                "spec.ports[1]: Invalid value: \"b\": must be an object for an array of list-type map");
    }
}
