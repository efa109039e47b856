package io.kybern.api.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class ObjectMetaValidationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static JsonNode metadata(String json) {
        return JSON.readTree(json);
    }

    @Test
    void acceptsWhatKubernetesAccepts() {
        assertThat(ObjectMetaValidation.validate(metadata("""
                {"labels": {"app": "web", "app.kubernetes.io/name": "x", "empty": "", "A_b.c-9": "Z_9.a-b"},
                 "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}", "Free_Text": "any thing!"},
                 "finalizers": ["kubernetes", "orphan", "foregroundDeletion", "example.com/cleanup"]}
                """))).isEmpty();
    }

    @Test
    void labelKeysAndValuesAreQualifiedNamesWithKubernetesWording() {
        var errors = ObjectMetaValidation.validate(metadata("""
                {"labels": {"-bad": "ok", "Example.com/x": "ok", "a/b/c": "ok", "ok": "-bad-",
                            "long": "%s"}}
                """.formatted("v".repeat(64))));

        assertThat(errors).extracting(FieldError::field).containsOnly("metadata.labels");
        assertThat(errors).extracting(FieldError::message).containsExactly(
                "Invalid value: \"-bad\": name part must consist of alphanumeric characters, '-', '_' or '.', and "
                        + "must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or "
                        + "'123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
                "Invalid value: \"Example.com/x\": prefix part a lowercase RFC 1123 subdomain must consist of lower "
                        + "case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric "
                        + "character (e.g. 'example.com', regex used for validation is "
                        + "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
                "Invalid value: \"a/b/c\": a qualified name must consist of alphanumeric characters, '-', '_' or '.', "
                        + "and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or "
                        + "'123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an "
                        + "optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
                "Invalid value: \"-bad-\": a valid label must be an empty string or consist of alphanumeric "
                        + "characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. "
                        + "'MyValue',  or 'my_value',  or '12345', regex used for validation is "
                        + "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
                "Invalid value: \"" + "v".repeat(64) + "\": must be no more than 63 characters");
    }

    @Test
    void annotationsAreLimitedTo256KiBInAllKeysIncluded() {
        String half = "x".repeat(128 * 1024);
        assertThat(ObjectMetaValidation.validate(metadata("{\"annotations\":{\"a\":\"" + half + "\",\"b\":\"" + half
                + "\"}}"))).containsExactly(FieldError.tooLong("metadata.annotations", 262144));
        assertThat(ObjectMetaValidation.validate(metadata("{\"annotations\":{\"a\":\"" + half.substring(2)
                + "\",\"b\":\"" + half + "\"}}"))).isEmpty();
    }

    @Test
    void finalizersWithoutADomainMustBeKubernetesOwn() {
        assertThat(ObjectMetaValidation.validate(metadata("{\"finalizers\":[\"cleanup\"]}")))
                .containsExactly(FieldError.invalid("metadata.finalizers", "cleanup",
                        "name is neither a standard finalizer name nor is it fully qualified"));
    }

    @Test
    void wrongJsonTypesAreDecodingErrors() {
        assertThatThrownBy(() -> ObjectMetaValidation.validate(metadata("{\"labels\":[\"a\"]}")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("json: cannot unmarshal array into Go struct field ObjectMeta.metadata.labels of type "
                        + "map[string]string");
        assertThatThrownBy(() -> ObjectMetaValidation.validate(metadata("{\"finalizers\":[true]}")))
                .hasMessage("json: cannot unmarshal bool into Go struct field ObjectMeta.metadata.finalizers of type "
                        + "string");
    }

    @Test
    void anObjectBeingDeletedMayLoseFinalizersButNotGainThem() {
        JsonNode deleting = metadata("{\"deletionTimestamp\":\"2026-01-01T00:00:00Z\",\"finalizers\":[\"a.io/x\"]}");

        assertThat(ObjectMetaValidation.validateUpdate(metadata("{\"finalizers\":[]}"), deleting)).isEmpty();
        assertThat(ObjectMetaValidation.validateUpdate(metadata("{\"finalizers\":[\"a.io/x\",\"b.io/y\"]}"), deleting))
                .extracting(FieldError::reason).containsExactly("FieldValueForbidden");
        assertThat(ObjectMetaValidation.validateUpdate(metadata("{\"finalizers\":[\"b.io/y\"]}"),
                metadata("{\"finalizers\":[]}"))).isEmpty();
    }
}
