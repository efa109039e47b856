package io.kybern.apiserver.crd;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Custom resource kinds in the OpenAPI documents, as {@code kubectl explain} and kubectl's validation
 * read them, and documents whose hashes move when definitions change.
 */
class CustomResourceOpenApiTest {

    private static final String CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
    private static final String WIDGETS = "/apis/example.com/v1/namespaces/default/widgets";

    private final ServedDefinitions server = new ServedDefinitions();

    @AfterEach
    void tearDown() {
        server.close();
    }

    @Test
    void theVersionsDocumentDescribesTheKindItsListAndItsPaths() throws Exception {
        assertThat(server.get("/openapi/v3").body().at("/paths").has("apis/example.com/v1")).isFalse();
        server.define(DefinitionsTest.widgets().toString(), WIDGETS);

        JsonNode index = server.get("/openapi/v3").body();
        String url = index.at("/paths/apis~1example.com~1v1/serverRelativeURL").asString();
        assertThat(url).startsWith("/openapi/v3/apis/example.com/v1?hash=");
        JsonNode document = server.get("/openapi/v3/apis/example.com/v1").body();

        JsonNode widget = document.at("/components/schemas/com.example.v1.Widget");
        assertThat(widget.get("x-kubernetes-group-version-kind").toString())
                .isEqualTo("[{\"group\":\"example.com\",\"kind\":\"Widget\",\"version\":\"v1\"}]");
        assertThat(widget.at("/properties/spec/properties/size/type").asString()).isEqualTo("integer");
        assertThat(widget.at("/properties/metadata/$ref").asString())
                .isEqualTo("#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
        assertThat(document.at("/components/schemas").has("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"))
                .isTrue();
        assertThat(document.at("/components/schemas/com.example.v1.WidgetList/properties/items/items/$ref")
                .asString()).isEqualTo("#/components/schemas/com.example.v1.Widget");
        JsonNode patch = document.at("/paths/~1apis~1example.com~1v1~1namespaces~1{namespace}~1widgets~1{name}/patch");
        assertThat(patch.get("x-kubernetes-action").asString()).isEqualTo("patch");
        assertThat(patch.get("parameters").findValuesAsString("name")).contains("fieldValidation");
        // kubectl apply sends a strategic merge patch only where the document says the server takes one.
        assertThat(patch.at("/requestBody/content").propertyNames()).containsExactlyInAnyOrder(
                "application/apply-patch+yaml", "application/json-patch+json", "application/merge-patch+json");
        assertThat(patch.at("/responses/200/content").propertyNames()).containsExactlyInAnyOrder(
                "application/json", "application/yaml");
    }

    @Test
    void swaggerTwoCarriesTheKindWithItsReferencesRewrittenAndEncodesAsProtobuf() throws Exception {
        server.define(DefinitionsTest.widgets().toString(), WIDGETS);

        JsonNode v2 = server.call("GET", "/openapi/v2", null, null, Map.of(), Map.of("accept", "application/json"))
                .body();
        assertThat(v2.at("/definitions/com.example.v1.Widget/properties/metadata/$ref").asString())
                .isEqualTo("#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
        ServedDefinitions.Answer protobuf = server.call("GET", "/openapi/v2", null, null, Map.of(), Map.of("accept",
                "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"));
        assertThat(protobuf.status()).isEqualTo(200);
        assertThat(new String(protobuf.bytes(), java.nio.charset.StandardCharsets.ISO_8859_1))
                .contains("com.example.v1.Widget");
    }

    @Test
    void hashesAndEtagsMoveWhenADefinitionChangesAndTheKindGoesWithIt() throws Exception {
        server.define(DefinitionsTest.widgets().toString(), WIDGETS);
        String before = server.get("/openapi/v3/apis/example.com/v1").header("ETag");
        String v2Before = server.get("/openapi/v2").header("ETag");

        ObjectNode changed = (ObjectNode) server.get(CRDS + "/widgets.example.com").body();
        ((ObjectNode) changed.at("/spec/versions/0/schema/openAPIV3Schema")).put("description", "Changed.");
        changed.withObject("metadata").remove("resourceVersion");
        assertThat(server.put(CRDS + "/widgets.example.com", changed.toString()).status()).isEqualTo(200);

        ServedDefinitions.Answer after = server.await("/openapi/v3/apis/example.com/v1",
                a -> a.status() == 200 && !before.equals(a.header("ETag")), Duration.ofSeconds(10));
        assertThat(after.header("ETag")).isNotEqualTo(before);
        assertThat(after.body().at("/components/schemas/com.example.v1.Widget/description").asString())
                .isEqualTo("Changed.");
        assertThat(server.get("/openapi/v2").header("ETag")).isNotEqualTo(v2Before);

        server.delete(CRDS + "/widgets.example.com");
        ServedDefinitions.Answer gone = server.await("/openapi/v3/apis/example.com/v1", a -> a.status() == 404,
                Duration.ofSeconds(10));
        assertThat(gone.status()).isEqualTo(404);
        assertThat(server.get("/openapi/v2").body().at("/definitions").has("com.example.v1.Widget")).isFalse();
    }
}
