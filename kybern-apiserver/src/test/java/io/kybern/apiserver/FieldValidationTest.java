package io.kybern.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kybern.api.resource.BuiltInResources;
import io.kybern.api.resource.GroupVersionResource;
import io.kybern.api.resource.ResourceType;
import io.kybern.api.schema.Schemas;
import io.kybern.apiserver.http.ApiRequest;
import io.kybern.apiserver.http.UserInfo;
import io.kybern.apiserver.status.ApiException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

class FieldValidationTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final ResourceType CONFIG_MAPS = new BuiltInResources()
            .byResource(new GroupVersionResource("", "v1", "configmaps")).orElseThrow();

    private static FieldValidation directive(String value) {
        Map<String, List<String>> query = value == null ? Map.of() : Map.of("fieldValidation", List.of(value));
        return FieldValidation.of(new ApiRequest("POST", "/api/v1/namespaces/default/configmaps", query, Map.of(),
                new byte[0], new UserInfo("admin", List.of())));
    }

    private static ObjectNode configMap() {
        return (ObjectNode) JSON.readTree("{\"metadata\":{\"name\":\"a\",\"colour\":\"red\"},\"data\":{\"k\":\"v\"},"
                + "\"extra\":1}");
    }

    @Test
    void strictRefusesWithKubernetesStrictDecodingError() {
        assertThatThrownBy(() -> directive("Strict").check(Schemas.builtIn(), CONFIG_MAPS, configMap(), true))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(400);
                    assertThat(e.getMessage()).isEqualTo("ConfigMap in version \"v1\" cannot be handled as a ConfigMap: "
                            + "strict decoding error: unknown field \"metadata.colour\", unknown field \"extra\"");
                });
        assertThatThrownBy(() -> directive("Strict").check(Schemas.builtIn(), CONFIG_MAPS, configMap(), false))
                .hasMessage("strict decoding error: unknown field \"metadata.colour\", unknown field \"extra\"");
    }

    @Test
    void warnIsTheDefaultAndDropsTheFields() {
        ObjectNode object = configMap();

        List<String> warnings = directive(null).check(Schemas.builtIn(), CONFIG_MAPS, object, true);

        assertThat(warnings).containsExactly("unknown field \"metadata.colour\"", "unknown field \"extra\"");
        assertThat(object.toString()).isEqualTo("{\"metadata\":{\"name\":\"a\"},\"data\":{\"k\":\"v\"}}");
        assertThat(FieldValidation.warningHeader(warnings.getFirst()))
                .isEqualTo("299 - \"unknown field \\\"metadata.colour\\\"\"");
    }

    @Test
    void ignoreDropsSilentlyAndOtherValuesAreRefused() {
        ObjectNode object = configMap();
        assertThat(directive("Ignore").check(Schemas.builtIn(), CONFIG_MAPS, object, true)).isEmpty();
        assertThat(object.has("extra")).isFalse();

        assertThatThrownBy(() -> directive("Loose"))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(400));
    }

    @Test
    void repeatedMembersOfTheBodyAreRefusedUnderStrictAndWarnedOfUnderWarn() {
        byte[] body = "{\"metadata\":{\"name\":\"a\",\"name\":\"b\"},\"dta\":{}}".getBytes(
                java.nio.charset.StandardCharsets.UTF_8);
        ObjectNode object = (ObjectNode) JSON.readTree(body);

        assertThatThrownBy(() -> directive("Strict").check(Schemas.builtIn(), CONFIG_MAPS, object.deepCopy(), body))
                .hasMessage("ConfigMap in version \"v1\" cannot be handled as a ConfigMap: strict decoding error: "
                        + "duplicate field \"metadata.name\", unknown field \"dta\"");
        assertThat(directive("Warn").check(Schemas.builtIn(), CONFIG_MAPS, object.deepCopy(), body))
                .containsExactly("duplicate field \"metadata.name\"", "unknown field \"dta\"");
        assertThat(directive("Ignore").check(Schemas.builtIn(), CONFIG_MAPS, object.deepCopy(), body)).isEmpty();
    }
}
