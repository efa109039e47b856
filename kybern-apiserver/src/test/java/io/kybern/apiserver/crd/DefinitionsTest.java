package io.kybern.apiserver.crd;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * CustomResourceDefinitions as the API server keeps them: validated with Kubernetes' field paths,
 * established (or not, when their names are taken), and deleted together with their objects.
 */
class DefinitionsTest {

    private static final String CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
    private static final String WIDGETS = "/apis/example.com/v1/namespaces/default/widgets";

    private final ServedDefinitions server = new ServedDefinitions();

    @AfterEach
    void tearDown() {
        server.close();
    }

    static ObjectNode widgets() {
        return (ObjectNode) ServedDefinitions.json("""
                {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
                 "metadata": {"name": "widgets.example.com"},
                 "spec": {"group": "example.com", "scope": "Namespaced",
                   "names": {"plural": "widgets", "kind": "Widget", "shortNames": ["wd"]},
                   "versions": [{"name": "v1", "served": true, "storage": true,
                     "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                       "spec": {"type": "object", "properties": {"size": {"type": "integer"}}}}}}}]}}
                """);
    }

    @Test
    void aCreatedDefinitionIsEstablishedAndServedWithinASecond() throws Exception {
        ServedDefinitions.Answer created = server.define(widgets().toString(), WIDGETS);

        assertThat(created.body().at("/metadata/finalizers").toString())
                .isEqualTo("[\"customresourcecleanup.apiextensions.k8s.io\"]");
        assertThat(created.body().at("/spec/names/singular").asString()).isEqualTo("widget");
        assertThat(created.body().at("/spec/names/listKind").asString()).isEqualTo("WidgetList");
        assertThat(created.body().at("/spec/conversion/strategy").asString()).isEqualTo("None");
        JsonNode status = server.await(CRDS + "/widgets.example.com",
                a -> a.body().at("/status/conditions").size() == 2, Duration.ofSeconds(1)).body().get("status");
        assertThat(condition(status, "NamesAccepted")).isEqualTo("True NoConflicts no conflicts found");
        assertThat(condition(status, "Established"))
                .isEqualTo("True InitialNamesAccepted the initial names have been accepted");
        assertThat(status.at("/acceptedNames/plural").asString()).isEqualTo("widgets");
        assertThat(status.at("/acceptedNames/shortNames").toString()).isEqualTo("[\"wd\"]");
        assertThat(status.get("storedVersions").toString()).isEqualTo("[\"v1\"]");
        assertThat(server.catalog.byResource(new io.kybern.api.resource.GroupVersionResource("example.com", "v1",
                "widgets")).orElseThrow().shortNames()).containsExactly("wd");
    }

    static Stream<Arguments> invalidDefinitions() {
        return Stream.of(
                Arguments.of("metadata.name", (Edit) d -> d.withObject("metadata").put("name", "gadgets.example.com"),
                        List.of("metadata.name: Invalid value: \"gadgets.example.com\": must be "
                                + "spec.names.plural+\".\"+spec.group")),
                Arguments.of("group without a dot", (Edit) d -> {
                    d.withObject("spec").put("group", "example");
                    d.withObject("metadata").put("name", "widgets.example");
                }, List.of("spec.group: Invalid value: \"example\": should be a domain with at least one dot")),
                Arguments.of("scope", (Edit) d -> d.withObject("spec").put("scope", "Galaxy"), List.of(
                        "spec.scope: Unsupported value: \"Galaxy\": supported values: \"Cluster\", \"Namespaced\"")),
                Arguments.of("plural", (Edit) d -> {
                    d.withObject("spec").withObject("names").put("plural", "9widgets");
                    d.withObject("metadata").put("name", "9widgets.example.com");
                }, List.of("spec.names.plural: Invalid value: \"9widgets\": a DNS-1035 label must consist of lower "
                        + "case alphanumeric characters or '-', start with an alphabetic character, and end with an "
                        + "alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is "
                        + "'[a-z]([-a-z0-9]*[a-z0-9])?')")),
                Arguments.of("kind", (Edit) d -> d.withObject("spec").withObject("names").remove("kind"),
                        List.of("spec.names.kind: Required value", "spec.names.listKind: Required value")),
                Arguments.of("no storage version", (Edit) d -> version(d).put("storage", false),
                        List.of("spec.versions: Invalid value: " + versionsAfter(v -> v.put("storage", false))
                                + ": must have exactly one version marked as storage version")),
                Arguments.of("none served", (Edit) d -> version(d).put("served", false),
                        List.of("spec.versions: Invalid value: " + versionsAfter(v -> v.put("served", false))
                                + ": must have at least one version marked as served")),
                Arguments.of("no schema", (Edit) d -> version(d).remove("schema"),
                        List.of("spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required")),
                Arguments.of("not structural", (Edit) d -> ((ObjectNode) version(d).at(
                        "/schema/openAPIV3Schema/properties/spec")).remove("type"), List.of(
                        "spec.versions[0].schema.openAPIV3Schema.properties[spec].type: Required value: must not be "
                                + "empty for specified object fields")),
                Arguments.of("printer column type", (Edit) d -> version(d).putArray("additionalPrinterColumns")
                        .addObject().put("name", "Size").put("type", "text").put("jsonPath", ".spec.size"), List.of(
                        "spec.versions[0].additionalPrinterColumns[0].type: Unsupported value: \"text\": supported "
                                + "values: \"boolean\", \"date\", \"integer\", \"number\", \"string\"")),
                Arguments.of("preserveUnknownFields", (Edit) d -> d.withObject("spec").put("preserveUnknownFields",
                        true), List.of("spec.preserveUnknownFields: Invalid value: true: cannot set to true, set "
                        + "x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead")),
                Arguments.of("scale path", (Edit) d -> version(d).putObject("subresources").putObject("scale")
                        .put("specReplicasPath", ".status.size").put("statusReplicasPath", ".status.size"), List.of(
                        "spec.versions[0].subresources.scale.specReplicasPath: Invalid value: \".status.size\": "
                                + "should be a json path under .spec")));
    }

    interface Edit extends java.util.function.Consumer<ObjectNode> {
    }

    private static ObjectNode version(ObjectNode definition) {
        return (ObjectNode) definition.at("/spec/versions/0");
    }

    private static String versionsAfter(java.util.function.Consumer<ObjectNode> edit) {
        ObjectNode definition = widgets();
        edit.accept(version(definition));
        return definition.at("/spec/versions").toString();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidDefinitions")
    void anInvalidDefinitionIsRefusedWithItsFieldPaths(String what, Edit edit, List<String> causes) {
        ObjectNode definition = widgets();
        edit.accept(definition);

        ServedDefinitions.Answer refused = server.post(CRDS, definition.toString());

        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.body().get("reason").asString()).isEqualTo("Invalid");
        assertThat(refused.message()).startsWith("CustomResourceDefinition.apiextensions.k8s.io \""
                + definition.at("/metadata/name").asString() + "\" is invalid: ");
        assertThat(refused.causes()).containsExactlyElementsOf(causes);
        assertThat(server.get(CRDS).body().get("items")).isEmpty();
    }

    @Test
    void theScopeCannotChange() throws Exception {
        ObjectNode created = (ObjectNode) server.define(widgets().toString(), WIDGETS).body();
        created.withObject("spec").put("scope", "Cluster");
        created.withObject("metadata").remove("resourceVersion");

        ServedDefinitions.Answer refused = server.put(CRDS + "/widgets.example.com", created.toString());

        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.causes()).containsExactly("spec.scope: Invalid value: \"Cluster\": field is immutable");
    }

    @Test
    void namesHeldByAnotherDefinitionAreNotAccepted() throws Exception {
        server.define(widgets().toString(), WIDGETS);
        ObjectNode rival = widgets();
        rival.withObject("metadata").put("name", "gizmos.example.com");
        rival.withObject("spec").withObject("names").put("plural", "gizmos").put("singular", "gizmo")
                .remove("shortNames");

        assertThat(server.post(CRDS, rival.toString()).status()).isEqualTo(201);

        JsonNode status = server.await(CRDS + "/gizmos.example.com",
                a -> a.body().at("/status/conditions").size() == 2, Duration.ofSeconds(1)).body().get("status");
        assertThat(condition(status, "NamesAccepted")).isEqualTo("False KindConflict \"Widget\" is already in use");
        assertThat(condition(status, "Established")).isEqualTo("False NotAccepted not all names are accepted");
        assertThat(server.get("/apis/example.com/v1/namespaces/default/gizmos").status()).isEqualTo(404);
    }

    @Test
    void aGroupOfTheKubernetesProjectNeedsItsApprovalAndBuiltInNamesStayTaken() throws Exception {
        ObjectNode ingresses = widgets();
        ingresses.withObject("metadata").put("name", "ingresses.networking.k8s.io");
        ingresses.withObject("spec").put("group", "networking.k8s.io");
        ingresses.withObject("spec").withObject("names").put("plural", "ingresses").put("kind", "MyIngress")
                .remove("shortNames");

        ServedDefinitions.Answer unapproved = server.post(CRDS, ingresses.toString());
        assertThat(unapproved.status()).isEqualTo(422);
        assertThat(unapproved.causes()).containsExactly("metadata.annotations[api-approved.kubernetes.io]: "
                + "Required value: protected groups must have approval annotation \"api-approved.kubernetes.io\", "
                + "see https://github.com/kubernetes/enhancements/pull/1111");

        ingresses.withObject("metadata").putObject("annotations").put("api-approved.kubernetes.io",
                "unapproved, testing only");
        assertThat(server.post(CRDS, ingresses.toString()).status()).isEqualTo(201);
        JsonNode status = server.await(CRDS + "/ingresses.networking.k8s.io",
                a -> a.body().at("/status/conditions").size() == 2, Duration.ofSeconds(1)).body().get("status");
        assertThat(condition(status, "NamesAccepted"))
                .isEqualTo("False PluralConflict \"ingresses\" is already in use");
        assertThat(server.catalog.byResource(new io.kybern.api.resource.GroupVersionResource("networking.k8s.io",
                "v1", "ingresses")).orElseThrow().kind()).isEqualTo("Ingress");
    }

    @Test
    void unknownMetadataOfACustomResourceIsPrunedLikeItsOtherFields() throws Exception {
        server.define(widgets().toString(), WIDGETS);

        ServedDefinitions.Answer created = server.post(WIDGETS, "{\"metadata\":{\"name\":\"m\",\"colour\":1},"
                + "\"spec\":{\"size\":1,\"shape\":\"round\"}}");

        assertThat(created.status()).isEqualTo(201);
        assertThat(created.headers().get("Warning")).containsExactly("299 - \"unknown field \\\"metadata.colour\\\"\"",
                "299 - \"unknown field \\\"spec.shape\\\"\"");
        assertThat(created.body().get("metadata").has("colour")).isFalse();
    }

    @Test
    void deletingADefinitionDeletesItsObjectsAndRefusesNewOnesMeanwhile() throws Exception {
        server.define(widgets().toString(), WIDGETS);
        assertThat(server.post(WIDGETS, "{\"metadata\":{\"name\":\"plain\"}}").status()).isEqualTo(201);
        assertThat(server.post(WIDGETS, "{\"metadata\":{\"name\":\"held\",\"finalizers\":[\"example.com/hold\"]}}")
                .status()).isEqualTo(201);

        assertThat(server.delete(CRDS + "/widgets.example.com").status()).isEqualTo(200);

        // The object with a finalizer of its own keeps the definition terminating.
        JsonNode terminating = server.await(CRDS + "/widgets.example.com",
                a -> a.body().at("/status/conditions").size() == 3, Duration.ofSeconds(2)).body();
        assertThat(condition(terminating.get("status"), "Terminating"))
                .isEqualTo("True InstanceDeletionInProgress CustomResource deletion is in progress");
        assertThat(server.await(WIDGETS + "/plain", a -> a.status() == 404, Duration.ofSeconds(2)).status())
                .isEqualTo(404);
        assertThat(server.get(WIDGETS + "/held").body().at("/metadata/deletionTimestamp").isMissingNode()).isFalse();
        ServedDefinitions.Answer refused = server.post(WIDGETS, "{\"metadata\":{\"name\":\"late\"}}");
        assertThat(refused.status()).isEqualTo(405);
        assertThat(refused.message()).isEqualTo("create not allowed while custom resource definition is terminating");
        assertThat(refused.body().get("reason").asString()).isEqualTo("MethodNotAllowed");
        ServedDefinitions.Answer applied = server.call("PATCH", WIDGETS + "/applied", "application/apply-patch+yaml",
                "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: applied}\n", Map.of("fieldManager", "t"));
        assertThat(applied.status()).isEqualTo(405);
        assertThat(applied.message()).isEqualTo("create not allowed while custom resource definition is terminating");

        assertThat(server.patch(WIDGETS + "/held", "application/merge-patch+json",
                "{\"metadata\":{\"finalizers\":null}}").status()).isEqualTo(200);
        assertThat(server.await(CRDS + "/widgets.example.com", a -> a.status() == 404, Duration.ofSeconds(3))
                .status()).isEqualTo(404);
        assertThat(server.get(WIDGETS).status()).isEqualTo(404);
        assertThat(server.store.range(io.kybern.store.RangeRequest.prefix("/registry/example.com/")).kvs()).isEmpty();
    }

    @Test
    void watchesOfAResourceEndWhenItsDefinitionIsGone() throws Exception {
        server.define(widgets().toString(), WIDGETS);
        assertThat(server.post(WIDGETS, "{\"metadata\":{\"name\":\"watched\"}}").status()).isEqualTo(201);
        ServedDefinitions.Watching watching = server.watch(WIDGETS);
        server.await(WIDGETS, a -> !watching.lines().isEmpty(), Duration.ofSeconds(2));

        assertThat(server.delete(CRDS + "/widgets.example.com").status()).isEqualTo(200);

        watching.ended().get(5, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(watching.lines()).hasSize(2);
        assertThat(watching.lines().get(0)).startsWith("{\"type\":\"ADDED\"");
        assertThat(watching.lines().get(1)).startsWith("{\"type\":\"DELETED\"").contains("\"watched\"");
    }

    private static String condition(JsonNode status, String type) {
        for (JsonNode condition : status.path("conditions")) {
            if (condition.path("type").asString("").equals(type)) {
                return condition.path("status").asString() + " " + condition.path("reason").asString() + " "
                        + condition.path("message").asString();
            }
        }
        return "absent";
    }
}
