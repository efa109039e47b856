package io.kybern.apiserver.crd;

import static org.assertj.core.api.Assertions.assertThat;

import io.kybern.store.RangeRequest;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;

/**
 * Custom resources served as Kubernetes serves them: checked, pruned and defaulted by their schema,
 * stored in the storage version whatever version is written, with status and scale subresources,
 * the patch types Kubernetes allows them, and tables of their printer columns.
 */
class CustomResourceServingTest {

    private static final String V1 = "/apis/example.com/v1/namespaces/default/gadgets";
    private static final String V2 = "/apis/example.com/v2/namespaces/default/gadgets";
    private static final String SCHEMA = """
            {"openAPIV3Schema": {"type": "object", "properties": {
              "spec": {"type": "object", "required": ["color"], "properties": {
                "color": {"type": "string", "enum": ["red", "blue"]},
                "replicas": {"type": "integer", "minimum": 0, "default": 1},
                "selector": {"type": "string"},
                "ports": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
                          "items": {"type": "object", "required": ["name"], "properties": {
                            "name": {"type": "string"}, "port": {"type": "integer"}}}}}},
              "status": {"type": "object", "properties": {
                "replicas": {"type": "integer"}, "phase": {"type": "string"}}}}}}
            """;
    private static final String DEFINITION = """
            {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
             "metadata": {"name": "gadgets.example.com"},
             "spec": {"group": "example.com", "scope": "Namespaced",
               "names": {"plural": "gadgets", "kind": "Gadget"},
               "versions": [
                 {"name": "v1", "served": true, "storage": true, "schema": %s,
                  "subresources": {"status": {}, "scale": {"specReplicasPath": ".spec.replicas",
                    "statusReplicasPath": ".status.replicas", "labelSelectorPath": ".spec.selector"}},
                  "additionalPrinterColumns": [
                    {"name": "Color", "type": "string", "jsonPath": ".spec.color"},
                    {"name": "Replicas", "type": "integer", "jsonPath": ".spec.replicas"},
                    {"name": "Phase", "type": "string", "jsonPath": ".status.phase", "priority": 1}]},
                 {"name": "v2", "served": true, "storage": false, "schema": %s,
                  "subresources": {"status": {}}}]}}
            """.formatted(SCHEMA, SCHEMA);

    private final ServedDefinitions server = new ServedDefinitions();

    @BeforeEach
    void define() throws Exception {
        server.define(DEFINITION, V1);
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    @Test
    void anObjectIsDefaultedAndServedInEveryVersionButStoredInTheStorageVersion() {
        ServedDefinitions.Answer created = server.post(V2, "{\"apiVersion\":\"example.com/v2\",\"kind\":\"Gadget\","
                + "\"metadata\":{\"name\":\"g\"},\"spec\":{\"color\":\"red\"}}");

        assertThat(created.status()).isEqualTo(201);
        assertThat(created.body().get("apiVersion").asString()).isEqualTo("example.com/v2");
        assertThat(created.body().at("/spec/replicas").asInt()).isEqualTo(1);
        assertThat(created.body().at("/metadata/generation").asInt()).isEqualTo(1);
        assertThat(server.get(V1 + "/g").body().get("apiVersion").asString()).isEqualTo("example.com/v1");
        assertThat(server.get(V2 + "/g").body().get("apiVersion").asString()).isEqualTo("example.com/v2");
        JsonNode stored = ServedDefinitions.json(new String(server.store.range(RangeRequest.prefix(
                "/registry/example.com/gadgets/default/g")).kvs().getFirst().value(), StandardCharsets.UTF_8));
        assertThat(stored.get("apiVersion").asString()).isEqualTo("example.com/v1");
        JsonNode list = server.get(V2).body();
        assertThat(list.get("kind").asString()).isEqualTo("GadgetList");
        assertThat(list.get("apiVersion").asString()).isEqualTo("example.com/v2");
        assertThat(list.get("items")).hasSize(1);
    }

    @Test
    void anObjectBreakingTheSchemaIsRefusedWithEveryCauseAndNothingStored() {
        ServedDefinitions.Answer refused = server.post(V1, "{\"metadata\":{\"name\":\"bad\"},"
                + "\"spec\":{\"color\":\"green\",\"replicas\":-2}}");

        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.body().get("reason").asString()).isEqualTo("Invalid");
        assertThat(refused.body().at("/details/kind").asString()).isEqualTo("Gadget");
        assertThat(refused.body().at("/details/group").asString()).isEqualTo("example.com");
        assertThat(refused.causes()).containsExactlyInAnyOrder(
                "spec.color: Unsupported value: \"green\": supported values: \"red\", \"blue\"",
                "spec.replicas: Invalid value: -2: spec.replicas in body should be greater than or equal to 0");
        assertThat(refused.message()).startsWith("Gadget.example.com \"bad\" is invalid: ");
        assertThat(server.get(V1 + "/bad").status()).isEqualTo(404);
        assertThat(server.post(V1, "{\"metadata\":{\"name\":\"bad\"},\"spec\":{}}").causes())
                .containsExactly("spec.color: Required value");
        ServedDefinitions.Answer repeated = server.post(V1, "{\"metadata\":{\"name\":\"bad\"},\"spec\":{"
                + "\"color\":\"red\",\"ports\":[{\"name\":\"web\",\"port\":80},{\"name\":\"web\",\"port\":81}]}}");
        assertThat(repeated.status()).isEqualTo(422);
        assertThat(repeated.causes()).containsExactly(
                "spec.ports[1]: Duplicate value: map[string]interface {}{\"name\":\"web\"}");
        assertThat(server.get(V1 + "/bad").status()).isEqualTo(404);
    }

    @ParameterizedTest(name = "fieldValidation={0}")
    @CsvSource({"Ignore,0", "Warn,2", "'',2"})
    void unknownFieldsArePrunedWithOrWithoutWarnings(String directive, int warnings) {
        ServedDefinitions.Answer created = server.call("POST", V1, "application/json", "{\"metadata\":{\"name\":"
                + "\"loose\"},\"spec\":{\"color\":\"blue\",\"size\":3},\"extra\":true}",
                directive.isEmpty() ? Map.of() : Map.of("fieldValidation", directive));

        assertThat(created.status()).isEqualTo(201);
        assertThat(created.body().has("extra")).isFalse();
        assertThat(created.body().at("/spec").toString()).isEqualTo("{\"color\":\"blue\",\"replicas\":1}");
        assertThat(created.headers().getOrDefault("Warning", java.util.List.of())).hasSize(warnings);
        if (warnings > 0) {
            assertThat(created.headers().get("Warning")).containsExactlyInAnyOrder(
                    "299 - \"unknown field \\\"spec.size\\\"\"", "299 - \"unknown field \\\"extra\\\"\"");
        }
    }

    @Test
    void strictFieldValidationRefusesUnknownFields() {
        ServedDefinitions.Answer refused = server.call("POST", V1, "application/json", "{\"metadata\":{\"name\":"
                + "\"strict\"},\"spec\":{\"color\":\"blue\",\"x\":1}}", Map.of("fieldValidation", "Strict"));

        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.message()).isEqualTo("Gadget in version \"v1\" cannot be handled as a Gadget: strict "
                + "decoding error: unknown field \"spec.x\"");
        assertThat(server.get(V1 + "/strict").status()).isEqualTo(404);
    }

    @Test
    void theStatusSubresourceSeparatesStatusFromTheRestAndOnlySpecChangesMoveTheGeneration() {
        server.post(V1, "{\"metadata\":{\"name\":\"s\"},\"spec\":{\"color\":\"red\"},\"status\":{\"phase\":\"x\"}}");
        assertThat(server.get(V1 + "/s").body().has("status")).isFalse();

        ServedDefinitions.Answer status = server.put(V1 + "/s/status", "{\"metadata\":{\"name\":\"s\"},"
                + "\"spec\":{\"color\":\"blue\"},\"status\":{\"phase\":\"Running\",\"replicas\":1}}");
        assertThat(status.status()).isEqualTo(200);
        assertThat(status.body().at("/spec/color").asString()).isEqualTo("red");
        assertThat(status.body().at("/status/phase").asString()).isEqualTo("Running");
        assertThat(status.body().at("/metadata/generation").asInt()).isEqualTo(1);

        ServedDefinitions.Answer main = server.patch(V1 + "/s", "application/merge-patch+json",
                "{\"spec\":{\"color\":\"blue\"},\"status\":{\"phase\":\"Ignored\"}}");
        assertThat(main.body().at("/spec/color").asString()).isEqualTo("blue");
        assertThat(main.body().at("/status/phase").asString()).isEqualTo("Running");
        assertThat(main.body().at("/metadata/generation").asInt()).isEqualTo(2);

        ServedDefinitions.Answer badStatus = server.patch(V1 + "/s/status", "application/merge-patch+json",
                "{\"status\":{\"replicas\":\"many\"}}");
        assertThat(badStatus.status()).isEqualTo(422);
        assertThat(badStatus.causes()).containsExactly("status.replicas: Invalid value: \"string\": "
                + "status.replicas in body must be of type integer: \"string\"");
    }

    @Test
    void theScaleSubresourceReadsAndWritesTheDefinitionsPaths() {
        server.post(V1, "{\"metadata\":{\"name\":\"sc\"},\"spec\":{\"color\":\"red\",\"selector\":\"app=sc\"}}");
        server.patch(V1 + "/sc/status", "application/merge-patch+json", "{\"status\":{\"replicas\":1}}");

        JsonNode scale = server.get(V1 + "/sc/scale").body();
        assertThat(scale.get("apiVersion").asString()).isEqualTo("autoscaling/v1");
        assertThat(scale.get("kind").asString()).isEqualTo("Scale");
        assertThat(scale.at("/spec/replicas").asInt()).isEqualTo(1);
        assertThat(scale.at("/status").toString()).isEqualTo("{\"replicas\":1,\"selector\":\"app=sc\"}");

        ServedDefinitions.Answer scaled = server.patch(V1 + "/sc/scale", "application/merge-patch+json",
                "{\"spec\":{\"replicas\":4}}");
        assertThat(scaled.status()).isEqualTo(200);
        assertThat(scaled.body().at("/spec/replicas").asInt()).isEqualTo(4);
        assertThat(server.get(V1 + "/sc").body().at("/spec/replicas").asInt()).isEqualTo(4);
        assertThat(server.get(V2 + "/sc/scale").status()).isEqualTo(404);
    }

    @Test
    void strategicMergePatchIsRefusedButJsonAndMergePatchesApply() {
        server.post(V1, "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"color\":\"red\"}}");

        ServedDefinitions.Answer strategic = server.patch(V1 + "/p", "application/strategic-merge-patch+json",
                "{\"spec\":{\"color\":\"blue\"}}");
        assertThat(strategic.status()).isEqualTo(415);
        assertThat(strategic.body().get("reason").asString()).isEqualTo("UnsupportedMediaType");

        assertThat(server.patch(V1 + "/p", "application/json-patch+json",
                "[{\"op\":\"replace\",\"path\":\"/spec/color\",\"value\":\"blue\"}]").body().at("/spec/color")
                .asString()).isEqualTo("blue");
        ServedDefinitions.Answer invalid = server.patch(V1 + "/p", "application/merge-patch+json",
                "{\"spec\":{\"color\":\"pink\"}}");
        assertThat(invalid.status()).isEqualTo(422);
        assertThat(server.get(V1 + "/p").body().at("/spec/color").asString()).isEqualTo("blue");
    }

    @Test
    void serverSideApplyCreatesAndUpdatesWithManagedFields() {
        ServedDefinitions.Answer applied = server.call("PATCH", V1 + "/ap", "application/apply-patch+yaml",
                "apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: ap}\nspec: {color: red, replicas: 2}\n",
                Map.of("fieldManager", "tester"));

        assertThat(applied.status()).isEqualTo(201);
        assertThat(applied.body().at("/metadata/managedFields/0/manager").asString()).isEqualTo("tester");
        assertThat(applied.body().at("/metadata/managedFields/0/operation").asString()).isEqualTo("Apply");
        ServedDefinitions.Answer again = server.call("PATCH", V1 + "/ap", "application/apply-patch+yaml",
                "apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: ap}\nspec: {color: blue}\n",
                Map.of("fieldManager", "tester"));
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.body().at("/spec/color").asString()).isEqualTo("blue");
    }

    @Test
    void tablesPrintTheDefinitionsColumnsAndProtobufIsNotOffered() {
        server.post(V1, "{\"metadata\":{\"name\":\"t\"},\"spec\":{\"color\":\"red\",\"replicas\":3}}");

        ServedDefinitions.Answer table = server.call("GET", V1, null, null, Map.of(), Map.of("accept",
                "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"));
        assertThat(table.body().get("kind").asString()).isEqualTo("Table");
        assertThat(table.body().get("columnDefinitions").findValuesAsString("name"))
                .containsExactly("Name", "Color", "Replicas", "Phase");
        assertThat(table.body().at("/columnDefinitions/3/priority").asInt()).isEqualTo(1);
        assertThat(table.body().at("/rows/0/cells").toString()).isEqualTo("[\"t\",\"red\",3,null]");

        ServedDefinitions.Answer v2Table = server.call("GET", V2, null, null, Map.of(), Map.of("accept",
                "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"));
        assertThat(v2Table.body().get("columnDefinitions").findValuesAsString("name")).containsExactly("Name", "Age");
        assertThat(v2Table.body().at("/columnDefinitions/1/type").asString()).isEqualTo("date");

        ServedDefinitions.Answer protobuf = server.call("GET", V1 + "/t", null, null, Map.of(), Map.of("accept",
                "application/vnd.kubernetes.protobuf,application/json"));
        assertThat(protobuf.status()).isEqualTo(200);
        assertThat(protobuf.body().get("kind").asString()).isEqualTo("Gadget");
    }

    @Test
    void selectorsAndPagesWorkOnCustomResources() {
        for (String name : new String[] {"a", "b", "c"}) {
            server.post(V1, "{\"metadata\":{\"name\":\"" + name + "\",\"labels\":{\"tier\":\""
                    + (name.equals("b") ? "back" : "front") + "\"}},\"spec\":{\"color\":\"red\"}}");
        }

        assertThat(server.call("GET", V1, null, null, Map.of("labelSelector", "tier=front")).body().get("items")
                .findValuesAsString("name")).containsExactly("a", "c");
        assertThat(server.call("GET", V1, null, null, Map.of("fieldSelector", "metadata.name=b")).body().get("items")
                .findValuesAsString("name")).containsExactly("b");
        assertThat(server.call("GET", V1, null, null, Map.of("fieldSelector", "spec.color=red")).status())
                .isEqualTo(400);
        JsonNode page = server.call("GET", V1, null, null, Map.of("limit", "2")).body();
        assertThat(page.get("items")).hasSize(2);
        JsonNode rest = server.call("GET", V1, null, null, Map.of("limit", "2", "continue",
                page.at("/metadata/continue").asString())).body();
        assertThat(rest.get("items").findValuesAsString("name")).containsExactly("c");

        assertThat(server.call("DELETE", V1, null, null, Map.of("labelSelector", "tier=front")).status())
                .isEqualTo(200);
        assertThat(server.get(V1).body().get("items").findValuesAsString("name")).containsExactly("b");
    }

    @Test
    void defaultsAddedToTheSchemaLaterApplyWhenStoredObjectsAreRead() throws Exception {
        server.post(V1, "{\"metadata\":{\"name\":\"old\"},\"spec\":{\"color\":\"red\"}}");
        tools.jackson.databind.node.ObjectNode definition = (tools.jackson.databind.node.ObjectNode) server.get(
                "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gadgets.example.com").body();
        ((tools.jackson.databind.node.ObjectNode) definition.at("/spec/versions/0/schema/openAPIV3Schema/properties/"
                + "spec/properties")).putObject("shape").put("type", "string").put("default", "round");
        definition.withObject("metadata").remove("resourceVersion");
        assertThat(server.put("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gadgets.example.com",
                definition.toString()).status()).isEqualTo(200);

        ServedDefinitions.Answer read = server.await(V1 + "/old", a -> a.body().at("/spec/shape").isString(),
                java.time.Duration.ofSeconds(1));

        assertThat(read.body().at("/spec/shape").asString()).isEqualTo("round");
        assertThat(server.get(V1).body().at("/items/0/spec/shape").asString()).isEqualTo("round");
        // Only read so: the stored object is as it was written.
        JsonNode stored = ServedDefinitions.json(new String(server.store.range(RangeRequest.prefix(
                "/registry/example.com/gadgets/default/old")).kvs().getFirst().value(), StandardCharsets.UTF_8));
        assertThat(stored.at("/spec").has("shape")).isFalse();
        // v2's schema did not change, so reading through v2 adds nothing.
        assertThat(server.get(V2 + "/old").body().at("/spec").has("shape")).isFalse();
    }

    @Test
    void aDeprecatedVersionWarnsOnEveryRequest() throws Exception {
        tools.jackson.databind.node.ObjectNode definition = (tools.jackson.databind.node.ObjectNode) server.get(
                "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gadgets.example.com").body();
        ((tools.jackson.databind.node.ObjectNode) definition.at("/spec/versions/0")).put("deprecated", true);
        definition.withObject("metadata").remove("resourceVersion");
        server.put("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gadgets.example.com",
                definition.toString());

        ServedDefinitions.Answer listed = server.await(V1, a -> a.headers().containsKey("Warning"),
                java.time.Duration.ofSeconds(1));

        // v2 is preferred over v1 and not deprecated, so the warning points there.
        assertThat(listed.headers().get("Warning"))
                .containsExactly("299 - \"example.com/v1 Gadget is deprecated; use example.com/v2 Gadget\"");
        assertThat(server.get(V2).headers()).doesNotContainKey("Warning");

        ((tools.jackson.databind.node.ObjectNode) definition.at("/spec/versions/0")).put("deprecationWarning",
                "v1 goes away in June");
        server.put("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gadgets.example.com",
                definition.toString());
        assertThat(server.await(V1, a -> a.headers().getOrDefault("Warning", java.util.List.of()).toString()
                .contains("June"), java.time.Duration.ofSeconds(1)).headers().get("Warning"))
                .containsExactly("299 - \"v1 goes away in June\"");
    }
}
