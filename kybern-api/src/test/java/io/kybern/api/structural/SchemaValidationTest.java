package io.kybern.api.structural;

import static org.assertj.core.api.Assertions.assertThat;

import io.kybern.api.validation.FieldError;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Objects checked against a structural schema, with Kubernetes' causes for each kind of violation. */
class SchemaValidationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final StructuralSchema SCHEMA = StructuralSchema.of(JSON.readTree("""
            {"type": "object", "properties": {
              "spec": {"type": "object", "required": ["color"], "properties": {
                "replicas": {"type": "integer", "minimum": 0, "maximum": 10},
                "ratio": {"type": "number", "exclusiveMinimum": true, "minimum": 0},
                "color": {"type": "string", "enum": ["red", "blue"]},
                "name": {"type": "string", "pattern": "^[a-z]+$", "minLength": 2, "maxLength": 5},
                "day": {"type": "string", "format": "date"},
                "tags": {"type": "array", "minItems": 1, "maxItems": 2, "items": {"type": "string"}},
                "port": {"x-kubernetes-int-or-string": true},
                "note": {"type": "string", "nullable": true},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
                "template": {"type": "object", "x-kubernetes-embedded-resource": true,
                             "x-kubernetes-preserve-unknown-fields": true}
              }}
            }}
            """));

    static Stream<Arguments> violations() {
        return Stream.of(
                Arguments.of("{\"color\":\"red\",\"replicas\":\"two\"}", "spec.replicas", "FieldValueTypeInvalid",
                        "Invalid value: \"string\": spec.replicas in body must be of type integer: \"string\""),
                Arguments.of("{\"color\":\"red\",\"replicas\":1.5}", "spec.replicas", "FieldValueTypeInvalid",
                        "Invalid value: \"number\": spec.replicas in body must be of type integer: \"number\""),
                Arguments.of("{}", "spec.color", "FieldValueRequired", "Required value"),
                Arguments.of("{\"color\":\"green\"}", "spec.color", "FieldValueNotSupported",
                        "Unsupported value: \"green\": supported values: \"red\", \"blue\""),
                Arguments.of("{\"color\":\"red\",\"replicas\":-1}", "spec.replicas", "FieldValueInvalid",
                        "Invalid value: -1: spec.replicas in body should be greater than or equal to 0"),
                Arguments.of("{\"color\":\"red\",\"replicas\":11}", "spec.replicas", "FieldValueInvalid",
                        "Invalid value: 11: spec.replicas in body should be less than or equal to 10"),
                Arguments.of("{\"color\":\"red\",\"ratio\":0}", "spec.ratio", "FieldValueInvalid",
                        "Invalid value: 0: spec.ratio in body should be greater than 0"),
                Arguments.of("{\"color\":\"red\",\"name\":\"AB\"}", "spec.name", "FieldValueInvalid",
                        "Invalid value: \"AB\": spec.name in body should match '^[a-z]+$'"),
                Arguments.of("{\"color\":\"red\",\"name\":\"a\"}", "spec.name", "FieldValueInvalid",
                        "Invalid value: \"a\": spec.name in body should be at least 2 chars long"),
                Arguments.of("{\"color\":\"red\",\"name\":\"abcdef\"}", "spec.name", "FieldValueTooLong",
                        "Too long: may not be more than 5 bytes"),
                Arguments.of("{\"color\":\"red\",\"day\":\"tuesday\"}", "spec.day", "FieldValueInvalid",
                        "Invalid value: \"tuesday\": spec.day in body must be of type date: \"tuesday\""),
                Arguments.of("{\"color\":\"red\",\"tags\":[]}", "spec.tags", "FieldValueInvalid",
                        "Invalid value: \"array\": spec.tags in body should have at least 1 items"),
                Arguments.of("{\"color\":\"red\",\"tags\":[\"a\",\"b\",\"c\"]}", "spec.tags", "FieldValueTooMany",
                        "Too many: 3: must have at most 2 items"),
                Arguments.of("{\"color\":\"red\",\"tags\":[\"a\",7]}", "spec.tags[1]", "FieldValueTypeInvalid",
                        "Invalid value: \"integer\": spec.tags[1] in body must be of type string: \"integer\""),
                Arguments.of("{\"color\":\"red\",\"port\":true}", "spec.port", "FieldValueTypeInvalid",
                        "Invalid value: \"boolean\": spec.port in body must be of type integer or string: "
                                + "\"boolean\""),
                Arguments.of("{\"color\":null}", "spec.color", "FieldValueTypeInvalid",
                        "Invalid value: \"null\": spec.color in body must be of type string: \"null\""),
                Arguments.of("{\"color\":\"red\",\"labels\":{\"a\":1}}", "spec.labels[a]", "FieldValueTypeInvalid",
                        "Invalid value: \"integer\": spec.labels[a] in body must be of type string: \"integer\""),
                Arguments.of("{\"color\":\"red\",\"template\":{\"kind\":\"Pod\"}}", "spec.template.apiVersion",
                        "FieldValueRequired", "Required value: must not be empty"));
    }

    @ParameterizedTest(name = "{1}: {3}")
    @MethodSource("violations")
    void aViolationIsReportedWithKubernetesCause(String spec, String field, String reason, String message) {
        List<FieldError> errors = SchemaValidation.validate(SCHEMA, object(spec));

        assertThat(errors).containsExactly(new FieldError(reason, message, field));
    }

    @Test
    void aValidObjectHasNoErrors() {
        JsonNode valid = object("""
                {"color": "blue", "replicas": 3, "ratio": 0.5, "name": "abc", "day": "2026-12-06", "tags": ["x"],
                 "port": "http", "note": null, "labels": {"a": "b"}, "free": {"anything": [1, {"goes": true}]},
                 "template": {"apiVersion": "v1", "kind": "Pod", "spec": {}}}
                """);

        assertThat(SchemaValidation.validate(SCHEMA, valid)).isEmpty();
    }

    @Test
    void everyCauseIsReportedNotOnlyTheFirst() {
        assertThat(SchemaValidation.validate(SCHEMA, object("{\"replicas\":-5,\"name\":\"X\"}")))
                .extracting(FieldError::field).containsExactlyInAnyOrder("spec.color", "spec.replicas", "spec.name",
                        "spec.name");
    }

    @Test
    void theServersOwnFieldsAtTheRootAreNotTheSchemas() {
        JsonNode object = JSON.readTree("{\"apiVersion\":\"x/v1\",\"kind\":\"W\",\"metadata\":{\"name\":\"w\"},"
                + "\"spec\":{\"color\":\"red\"}}");
        StructuralSchema strict = StructuralSchema.of(JSON.readTree(
                "{\"type\":\"object\",\"required\":[\"metadata\"],\"properties\":{\"spec\":{\"type\":\"object\"}}}"));

        assertThat(SchemaValidation.validate(strict, object)).isEmpty();
    }

    private static JsonNode object(String spec) {
        return JSON.readTree("{\"apiVersion\":\"example.com/v1\",\"kind\":\"Widget\",\"metadata\":{\"name\":\"w\"},"
                + "\"spec\":" + spec + "}");
    }
}
