package io.kybern.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kybern.api.openapi.OpenApiDocuments;
import io.kybern.api.resource.BuiltInResources;
import io.kybern.api.schema.Schemas;
import io.kybern.apiserver.http.ApiRequest;
import io.kybern.apiserver.http.ApiResponder;
import io.kybern.apiserver.http.ResponseStream;
import io.kybern.apiserver.http.UserInfo;
import io.kybern.apiserver.status.ApiException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code /openapi/v3} and {@code /openapi/v2}: documents, hashes, cache headers and media types. */
class OpenApiEndpointsTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final UserInfo ADMIN = new UserInfo("admin", List.of("system:masters"));
    private static final OpenApiEndpoints ENDPOINTS = new OpenApiEndpoints(
            new OpenApiDocuments(new BuiltInResources(), Schemas.builtIn()));

    private record Answer(boolean handled, int status, String contentType, Map<String, List<String>> headers,
            byte[] body) {
        JsonNode json() {
            return JSON.readTree(body);
        }

        String header(String name) {
            return headers.getOrDefault(name, List.of()).stream().findFirst().orElse(null);
        }
    }

    private static Answer get(String path, Map<String, String> params, Map<String, String> headers) {
        Map<String, List<String>> query = new HashMap<>();
        params.forEach((k, v) -> query.put(k, List.of(v)));
        Map<String, List<String>> requestHeaders = new HashMap<>();
        headers.forEach((k, v) -> requestHeaders.put(k, List.of(v)));
        Map<String, List<String>> responseHeaders = new HashMap<>();
        Answer[] answer = new Answer[1];
        boolean handled = ENDPOINTS.handle(new ApiRequest("GET", path, query, requestHeaders, new byte[0], ADMIN),
                new ApiResponder() {
                    @Override
                    public void header(String name, String value) {
                        responseHeaders.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
                    }

                    @Override
                    public void respond(int status, String contentType, byte[] body) {
                        answer[0] = new Answer(true, status, contentType, responseHeaders, body);
                    }

                    @Override
                    public ResponseStream stream(int status, String contentType) {
                        throw new AssertionError("documents are not streamed");
                    }
                });
        return handled ? answer[0] : new Answer(false, 0, null, Map.of(), null);
    }

    @Test
    void theIndexLinksEachGroupVersionByItsHash() {
        JsonNode index = get("/openapi/v3", Map.of(), Map.of()).json();

        String url = index.at("/paths/apis~1apps~1v1/serverRelativeURL").asString();
        assertThat(url).matches("/openapi/v3/apis/apps/v1\\?hash=[0-9A-F]{128}");
        assertThat(index.at("/paths/api~1v1/serverRelativeURL").asString()).startsWith("/openapi/v3/api/v1?hash=");
        Answer doc = get("/openapi/v3/apis/apps/v1", Map.of(), Map.of());
        assertThat(doc.header("ETag")).isEqualTo("\"" + url.substring(url.indexOf('=') + 1) + "\"");
    }

    @Test
    void theCurrentHashMayBeCachedForAYearAndAStaleOneIsRedirected() {
        String url = get("/openapi/v3", Map.of(), Map.of()).json().at("/paths/apis~1apps~1v1/serverRelativeURL")
                .asString();
        String hash = url.substring(url.indexOf('=') + 1);

        Answer current = get("/openapi/v3/apis/apps/v1", Map.of("hash", hash), Map.of());
        assertThat(current.status()).isEqualTo(200);
        assertThat(current.contentType()).isEqualTo("application/json");
        assertThat(current.header("Cache-Control")).isEqualTo("public, immutable");
        assertThat(current.header("Expires")).isNotNull();
        assertThat(current.json().at("/components/schemas/io.k8s.api.apps.v1.Deployment").isObject()).isTrue();

        Answer stale = get("/openapi/v3/apis/apps/v1", Map.of("hash", "0123"), Map.of());
        assertThat(stale.status()).isEqualTo(301);
        assertThat(stale.header("Location")).isEqualTo(url);

        Answer unchanged = get("/openapi/v3/apis/apps/v1", Map.of(), Map.of("if-none-match", "\"" + hash + "\""));
        assertThat(unchanged.status()).isEqualTo(304);
        assertThat(get("/openapi/v3/apis/apps/v1", Map.of(), Map.of()).header("Cache-Control"))
                .isEqualTo("no-cache, private");
    }

    @Test
    void unknownGroupVersionsAreNotFoundProtobufOnlyIsNotAcceptableAndOtherPathsAreNotOurs() {
        assertThatThrownBy(() -> get("/openapi/v3/apis/example.com/v1", Map.of(), Map.of()))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(404));
        assertThat(get("/openapi/v4", Map.of(), Map.of()).handled()).isFalse();
        assertThatThrownBy(() -> get("/openapi/v3/apis/apps/v1", Map.of(),
                Map.of("accept", "application/com.github.proto-openapi.spec.v3@v1.0+protobuf")))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(406));
        assertThat(get("/openapi/v3/apis/apps/v1", Map.of(),
                Map.of("accept", "application/com.github.proto-openapi.spec.v3@v1.0+protobuf, application/json"))
                .status()).isEqualTo(200);
        assertThat(get("/version", Map.of(), Map.of()).handled()).isFalse();
    }

    @Test
    void swaggerIsServedAsJsonOrAsGnosticProtobufWithAParsableMediaType() {
        Answer json = get("/openapi/v2", Map.of(), Map.of("accept", "application/json"));
        assertThat(json.contentType()).isEqualTo("application/json");
        assertThat(json.json().path("swagger").asString()).isEqualTo("2.0");

        Answer protobuf = get("/openapi/v2", Map.of(), Map.of("accept", OpenApiEndpoints.V2_PROTOBUF));
        assertThat(protobuf.status()).isEqualTo(200);
        assertThat(protobuf.contentType()).isEqualTo("application/com.github.proto-openapi.spec.v2.v1.0+protobuf")
                .doesNotContain("@");
        assertThat(protobuf.body()[0]).isEqualTo((byte) 0x0a); // field 1 (swagger), length-delimited

        assertThatThrownBy(() -> get("/openapi/v2", Map.of(), Map.of("accept", "application/xml")))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(406));
    }
}
