package io.kybern.api.structural;

import static org.assertj.core.api.Assertions.assertThat;

import io.kybern.api.validation.FieldError;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** Which schemas are structural, and how the ones that are not are reported. */
class StructuralCheckTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String AT = "spec.versions[0].schema.openAPIV3Schema";

    @Test
    void aTypedTreeIsStructural() {
        assertThat(StructuralCheck.errors(JSON.readTree("""
                {"type": "object", "properties": {"spec": {"type": "object", "properties": {
                  "port": {"x-kubernetes-int-or-string": true},
                  "free": {"x-kubernetes-preserve-unknown-fields": true},
                  "tags": {"type": "array", "items": {"type": "string"}},
                  "labels": {"type": "object", "additionalProperties": {"type": "string"}}}},
                  "metadata": {"type": "object", "properties": {"name": {"type": "string", "maxLength": 20}}}}}
                """), AT)).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "{\"properties\":{}}|.type|FieldValueRequired|Required value: must not be empty at the root",
        "{\"type\":\"string\"}|.type|FieldValueInvalid|Invalid value: \"string\": must be object at the root",
        "{\"type\":\"object\",\"properties\":{\"spec\":{\"properties\":{}}}}|.properties[spec].type|FieldValueRequired"
                + "|Required value: must not be empty for specified object fields",
        "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"array\",\"items\":{}}}}|.properties[a].items.type"
                + "|FieldValueRequired|Required value: must not be empty for specified array items",
        "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"array\"}}}|.properties[a].items|FieldValueRequired"
                + "|Required value: must be specified",
        "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"text\"}}}|.properties[a].type|FieldValueNotSupported"
                + "|Unsupported value: \"text\": supported values: \"array\", \"boolean\", \"integer\", \"number\", "
                + "\"object\", \"string\"",
        "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}},\"additionalProperties\":true}"
                + "|.additionalProperties|FieldValueForbidden"
                + "|Forbidden: additionalProperties and properties are mutual exclusive",
        "{\"type\":\"object\",\"properties\":{\"spec\":{\"type\":\"object\",\"properties\":{\"replicas\":"
                + "{\"type\":\"integer\",\"default\":\"one\"}}}}}|.properties[spec].properties[replicas].default"
                + "|FieldValueTypeInvalid|Invalid value: \"string\": spec.replicas in body must be of type integer: "
                + "\"string\"",
        "{\"type\":\"object\",\"properties\":{\"metadata\":{\"type\":\"object\",\"properties\":{\"labels\":"
                + "{\"type\":\"object\"}}}}}|.properties[metadata]|FieldValueForbidden|Forbidden: must not specify "
                + "anything other than name and generateName, but metadata is implicitly specified",
        "{\"type\":\"object\",\"properties\":{\"mode\":{\"type\":\"string\",\"enum\":[\"a\"],"
                + "\"default\":\"b\"}}}|.properties[mode].default|FieldValueNotSupported"
                + "|Unsupported value: \"b\": supported values: \"a\""})
    void aSchemaThatIsNotStructuralIsRefused(String schema, String field, String reason, String message) {
        assertThat(StructuralCheck.errors(JSON.readTree(schema), AT))
                .containsExactly(new FieldError(reason, message, AT + field));
    }
}
