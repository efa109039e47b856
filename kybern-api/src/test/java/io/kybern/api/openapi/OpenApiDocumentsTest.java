package io.kybern.api.openapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.UnknownFieldSet;
import io.kybern.api.resource.BuiltInGroupVersions;
import io.kybern.api.resource.BuiltInResources;
import io.kybern.api.resource.GroupVersion;
import io.kybern.api.schema.Schemas;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

class OpenApiDocumentsTest {

    private static final OpenApiDocuments DOCUMENTS = new OpenApiDocuments(new BuiltInResources(), Schemas.builtIn());
    private static final String DEPLOYMENT_PATH = "/apis/apps/v1/namespaces/{namespace}/deployments/{name}";

    @Test
    void everyServedGroupVersionHasADocument() {
        assertThat(DOCUMENTS.groupVersions()).containsExactlyElementsOf(BuiltInGroupVersions.DISCOVERY_ORDER);
    }

    @Test
    void kindsCarryTheirGroupVersionKind() {
        ObjectNode apps = DOCUMENTS.v3(BuiltInGroupVersions.APPS_V1).orElseThrow();
        JsonNode deployment = apps.at("/components/schemas/io.k8s.api.apps.v1.Deployment");

        assertThat(apps.path("openapi").asString()).isEqualTo("3.0.0");
        assertThat(deployment.path("x-kubernetes-group-version-kind").get(0).toString())
                .isEqualTo("{\"group\":\"apps\",\"kind\":\"Deployment\",\"version\":\"v1\"}");
        assertThat(deployment.at("/properties/spec/allOf/0/$ref").asString())
                .isEqualTo("#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec");
        assertThat(apps.at("/components/schemas/io.k8s.api.core.v1.PodSpec/required").toString())
                .isEqualTo("[\"containers\"]");
    }

    @Test
    void patchOperationsOfferFieldValidationAsKubectlLooksForIt() {
        JsonNode patch = DOCUMENTS.v3(BuiltInGroupVersions.APPS_V1).orElseThrow()
                .path("paths").path(DEPLOYMENT_PATH).path("patch");

        assertThat(patch.path("x-kubernetes-group-version-kind").path("kind").asString()).isEqualTo("Deployment");
        assertThat(patch.path("x-kubernetes-action").asString()).isEqualTo("patch");
        List<String> query = new ArrayList<>();
        patch.path("parameters").forEach(p -> {
            if (p.path("in").asString().equals("query")) {
                query.add(p.path("name").asString());
            }
        });
        assertThat(query).contains("fieldValidation", "dryRun", "fieldManager", "force");
        assertThat(patch.at("/requestBody/content").propertyNames())
                .contains("application/strategic-merge-patch+json", "application/apply-patch+yaml");
    }

    @Test
    void listAndPatchExtensionsAreWrittenOnFields() {
        JsonNode core = DOCUMENTS.v3(BuiltInGroupVersions.CORE_V1).orElseThrow().path("components").path("schemas");

        JsonNode containers = core.at("/io.k8s.api.core.v1.PodSpec/properties/containers");
        assertThat(containers.path("type").asString()).isEqualTo("array");
        assertThat(containers.path("x-kubernetes-patch-merge-key").asString()).isEqualTo("name");
        assertThat(containers.path("x-kubernetes-patch-strategy").asString()).isEqualTo("merge");
        assertThat(containers.path("x-kubernetes-list-type").asString()).isEqualTo("map");
        assertThat(core.at("/io.k8s.api.core.v1.ServiceSpec/properties/ports/x-kubernetes-list-map-keys").toString())
                .isEqualTo("[\"port\",\"protocol\"]");
        assertThat(core.at("/io.k8s.apimachinery.pkg.apis.meta.v1.Time/format").asString()).isEqualTo("date-time");
        assertThat(core.at("/io.k8s.api.core.v1.Secret/properties/data/additionalProperties/format").asString())
                .isEqualTo("byte");
        assertThat(core.at("/io.k8s.apimachinery.pkg.util.intstr.IntOrString/format").asString())
                .isEqualTo("int-or-string");
    }

    @Test
    void everyReferenceResolvesInItsOwnDocument() {
        for (GroupVersion gv : DOCUMENTS.groupVersions()) {
            ObjectNode doc = DOCUMENTS.v3(gv).orElseThrow();
            assertThat(unresolved(doc, doc.path("components").path("schemas"), "#/components/schemas/"))
                    .as(gv.toString()).isEmpty();
        }
        ObjectNode v2 = DOCUMENTS.v2();
        assertThat(unresolved(v2, v2.path("definitions"), "#/definitions/")).isEmpty();
    }

    @Test
    void theSwaggerDocumentEncodesAsGnosticProtobuf() throws Exception {
        ObjectNode v2 = DOCUMENTS.v2();

        UnknownFieldSet document = UnknownFieldSet.parseFrom(GnosticProtobuf.encode(v2));

        assertThat(document.getField(1).getLengthDelimitedList().getFirst().toStringUtf8()).isEqualTo("2.0");
        UnknownFieldSet paths = UnknownFieldSet.parseFrom(document.getField(8).getLengthDelimitedList().getFirst());
        List<String> names = paths.getField(2).getLengthDelimitedList().stream()
                .map(p -> parse(p.toByteArray()).getField(1).getLengthDelimitedList().getFirst().toStringUtf8())
                .toList();
        assertThat(names).contains(DEPLOYMENT_PATH, "/api/v1/namespaces/{namespace}/pods");
        UnknownFieldSet definitions = parse(document.getField(9).getLengthDelimitedList().getFirst().toByteArray());
        assertThat(definitions.getField(1).getLengthDelimitedList()).hasSize(v2.path("definitions").size());
    }

    private static UnknownFieldSet parse(byte[] bytes) {
        try {
            return UnknownFieldSet.parseFrom(bytes);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    private static List<String> unresolved(JsonNode node, JsonNode definitions, String prefix) {
        List<String> missing = new ArrayList<>();
        collect(node, definitions, prefix, missing);
        return missing;
    }

    private static void collect(JsonNode node, JsonNode definitions, String prefix, List<String> missing) {
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> member : node.properties()) {
                if (member.getKey().equals("$ref") && member.getValue().isString()) {
                    String ref = member.getValue().asString();
                    if (!ref.startsWith(prefix) || !definitions.has(ref.substring(prefix.length()))) {
                        missing.add(ref);
                    }
                } else {
                    collect(member.getValue(), definitions, prefix, missing);
                }
            }
        } else if (node.isArray()) {
            node.forEach(item -> collect(item, definitions, prefix, missing));
        }
    }
}
