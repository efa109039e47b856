package io.kybern.cli.fabric8;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input as raw HTTP through fabric8's own (TLS, client certificate) HTTP client: each request gets
 * the Status Kubernetes answers with (code, reason, message, and the causes where Kubernetes lists
 * them), and a read-back shows that nothing was stored or changed.
 */
class BadInputMatrixTest extends ServerAndClient {

    private static final String NS = "bad-input";
    private static final String CONFIGMAPS = "/api/v1/namespaces/" + NS + "/configmaps";
    private static final String JSON = "application/json";

    @BeforeAll
    static void setUpClass() {
        Fabric8.namespace(client, NS);
    }

    private record Answer(int code, Status status) {
    }

    private static Answer send(String method, String path, String contentType, byte[] body) throws Exception {
        HttpRequest request = client.getHttpClient().newHttpRequestBuilder()
                .uri(client.getMasterUrl().toString().replaceAll("/$", "") + path).header("Accept", JSON)
                .method(method, contentType, new ByteArrayInputStream(body), (long) body.length).build();
        HttpResponse<byte[]> response = client.getHttpClient().sendAsync(request, byte[].class)
                .get(30, TimeUnit.SECONDS);
        Status status = response.code() >= 400
                ? client.getKubernetesSerialization().unmarshal(new String(response.body(), StandardCharsets.UTF_8),
                        Status.class)
                : null;
        return new Answer(response.code(), status);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** A refused create: what was sent, and the Status Kubernetes answers with. */
    private record Refusal(String contentType, byte[] body, String query, int code, String reason, String message,
            List<String> causes) {
        @Override
        public String toString() {
            return code + " " + reason;
        }
    }

    /** Each sends an object named "refused" (when the body gets that far) that must never be stored. */
    static Stream<Arguments> refusedCreates() {
        String huge = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"refused\"},"
                + "\"data\":{\"blob\":\"" + "x".repeat(3 * 1024 * 1024) + "\"}}";
        byte[] protobufGarbage = {'k', '8', 's', 0, 0x0a, 0x7f, 0x01, 0x02};
        return Stream.of(
                Arguments.of("malformed JSON", new Refusal(JSON,
                        utf8("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"refused\""), "",
                        400, "BadRequest", "the object provided is unrecognized (must be of type ConfigMap): couldn't "
                                + "get version/kind; json parse error: unexpected end of JSON input "
                                + "({\"apiVersion\":\"v1\",\"kind\":\"Con ...)", List.of())),
                Arguments.of("YAML sent as JSON", new Refusal(JSON, utf8("apiVersion: v1\nkind: ConfigMap\n"), "",
                        400, "BadRequest", "the object provided is unrecognized (must be of type ConfigMap): couldn't "
                                + "get version/kind; json parse error: invalid character 'a' looking for beginning "
                                + "of value (61706956657273696f6e3a2076310a6b696e643a20436f6e6669674d6170 ...)",
                        List.of())),
                Arguments.of("JSON that is not an object", new Refusal(JSON, utf8("[\"refused\"]"), "", 400,
                        "BadRequest", "the object provided is unrecognized (must be of type ConfigMap): couldn't "
                                + "get version/kind; json parse error: json: cannot unmarshal array into Go value of "
                                + "type struct { APIVersion string \"json:\\\"apiVersion,omitempty\\\"\"; Kind string "
                                + "\"json:\\\"kind,omitempty\\\"\" } (5b2272656675736564225d)", List.of())),
                Arguments.of("malformed YAML", new Refusal("application/yaml",
                        utf8("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [refused\n"), "",
                        400, "BadRequest", null, List.of())),
                Arguments.of("malformed protobuf", new Refusal("application/vnd.kubernetes.protobuf",
                        protobufGarbage, "", 400, "BadRequest", null, List.of())),
                Arguments.of("apiVersion not the URL's", new Refusal(JSON,
                        utf8("{\"apiVersion\":\"apps/v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"refused\"}}"),
                        "", 400, "BadRequest",
                        "the API version in the data (apps/v1) does not match the expected API version (v1)",
                        List.of())),
                Arguments.of("kind not the URL's", new Refusal(JSON,
                        utf8("{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"refused\"}}"),
                        "", 400, "BadRequest", "Secret in version \"v1\" cannot be handled as a ConfigMap: converting "
                                + "(v1.Secret) to (core.ConfigMap): unknown conversion", List.of())),
                Arguments.of("invalid name", new Refusal(JSON,
                        utf8("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"Refused_\"}}"),
                        "", 422, "Invalid", "ConfigMap \"Refused_\" is invalid: metadata.name: Invalid value: "
                                + "\"Refused_\": a lowercase RFC 1123 subdomain must consist of lower case "
                                + "alphanumeric characters, '-' or '.', and must start and end with an alphanumeric "
                                + "character (e.g. 'example.com', regex used for validation is "
                                + "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
                        List.of("FieldValueInvalid metadata.name"))),
                Arguments.of("body over 3 MiB", new Refusal(JSON, utf8(huge), "", 413, "RequestEntityTooLarge",
                        "Request entity too large: limit is 3145728", List.of())),
                Arguments.of("unknown field under Strict", new Refusal(JSON,
                        utf8("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"refused\"},"
                                + "\"dta\":{}}"), "?fieldValidation=Strict", 400, "BadRequest",
                        "ConfigMap in version \"v1\" cannot be handled as a ConfigMap: strict decoding error: "
                                + "unknown field \"dta\"", List.of())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedCreates")
    void aRefusedCreateGetsKubernetesStatusAndStoresNothing(String what, Refusal refusal) throws Exception {
        Answer answer = send("POST", CONFIGMAPS + refusal.query(), refusal.contentType(), refusal.body());

        assertThat(answer.code()).as(what).isEqualTo(refusal.code());
        assertStatus(answer.status(), refusal.code(), refusal.reason(), refusal.message(), refusal.causes());
        assertThat(client.configMaps().inNamespace(NS).list().getItems()).as(what + ": nothing stored")
                .extracting(cm -> cm.getMetadata().getName()).doesNotContain("refused", "Refused_");
    }

    @Test
    void aCreateInAMissingNamespaceIsNotFound() throws Exception {
        Answer answer = send("POST", "/api/v1/namespaces/no-such-namespace/configmaps", JSON,
                utf8("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"refused\"}}"));

        assertThat(answer.code()).isEqualTo(404);
        assertStatus(answer.status(), 404, "NotFound", "namespaces \"no-such-namespace\" not found", List.of());
        assertThat(answer.status().getDetails().getName()).isEqualTo("no-such-namespace");
        assertThat(answer.status().getDetails().getKind()).isEqualTo("namespaces");
        assertThat(client.namespaces().withName("no-such-namespace").get()).isNull();
        assertThat(client.configMaps().inAnyNamespace().withField("metadata.name", "refused").list().getItems())
                .isEmpty();
    }

    @Test
    void anUpdateFromAStaleResourceVersionIsAConflictAndChangesNothing() throws Exception {
        ConfigMap first = client.configMaps().inNamespace(NS).resource(configMap("stale", false, "blue")).create();
        ConfigMap current = client.configMaps().inNamespace(NS).withName("stale")
                .edit(cm -> new ConfigMapBuilder(cm).addToData("color", "green").build());

        String stale = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"stale\","
                + "\"resourceVersion\":\"" + first.getMetadata().getResourceVersion() + "\"},"
                + "\"data\":{\"color\":\"red\"}}";
        Answer answer = send("PUT", CONFIGMAPS + "/stale", JSON, utf8(stale));

        assertThat(answer.code()).isEqualTo(409);
        assertStatus(answer.status(), 409, "Conflict", "Operation cannot be fulfilled on configmaps \"stale\": the "
                + "object has been modified; please apply your changes to the latest version and try again", List.of());
        assertThat(answer.status().getDetails().getName()).isEqualTo("stale");
        assertThat(answer.status().getDetails().getKind()).isEqualTo("configmaps");
        assertThat(client.configMaps().inNamespace(NS).withName("stale").get()).isEqualTo(current);
    }

    @Test
    void changingAnImmutableConfigMapIsInvalidAndChangesNothing() throws Exception {
        ConfigMap created = client.configMaps().inNamespace(NS).resource(configMap("frozen", true, "blue")).create();

        Answer answer = send("PATCH", CONFIGMAPS + "/frozen", "application/merge-patch+json",
                utf8("{\"data\":{\"color\":\"red\"}}"));

        assertThat(answer.code()).isEqualTo(422);
        assertStatus(answer.status(), 422, "Invalid",
                "ConfigMap \"frozen\" is invalid: data: Forbidden: field is immutable when `immutable` is set",
                List.of("FieldValueForbidden data"));
        assertThat(answer.status().getDetails().getName()).isEqualTo("frozen");
        assertThat(answer.status().getDetails().getKind()).isEqualTo("ConfigMap");
        assertThat(answer.status().getDetails().getCauses().getFirst().getMessage())
                .isEqualTo("Forbidden: field is immutable when `immutable` is set");
        assertThat(client.configMaps().inNamespace(NS).withName("frozen").get()).isEqualTo(created);
    }

    private static ConfigMap configMap(String name, boolean immutable, String color) {
        return new ConfigMapBuilder().withNewMetadata().withName(name).endMetadata()
                .withImmutable(immutable ? true : null).addToData("color", color).build();
    }

    /** The Status's code, reason, message (when the case pins it) and causes as "reason field". */
    private static void assertStatus(Status status, int code, String reason, String message, List<String> causes) {
        assertThat(status).isNotNull();
        assertThat(status.getKind()).isEqualTo("Status");
        assertThat(status.getStatus()).isEqualTo("Failure");
        assertThat(status.getCode()).isEqualTo(code);
        assertThat(status.getReason()).as(status.getMessage()).isEqualTo(reason);
        if (message != null) {
            assertThat(status.getMessage()).isEqualTo(message);
        } else {
            assertThat(status.getMessage()).isNotBlank();
        }
        List<StatusCause> given = status.getDetails() == null ? List.of() : status.getDetails().getCauses();
        assertThat(given.stream().map(c -> c.getReason() + " " + c.getField()).toList())
                .as(status.getMessage()).containsExactlyElementsOf(causes);
    }
}
