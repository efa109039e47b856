package io.kybern.api.schema;

import static org.assertj.core.api.Assertions.assertThat;

import io.kybern.api.resource.GroupVersionKind;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class UnknownFieldsTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final ObjectSchema DEPLOYMENT = Schemas.builtIn()
            .forKind(new GroupVersionKind("apps", "v1", "Deployment")).orElseThrow();

    private static JsonNode json(String text) {
        return JSON.readTree(text.replace('\'', '"'));
    }

    @Test
    void aValidDeploymentHasNoUnknownFields() {
        JsonNode deployment = json("""
                {'apiVersion': 'apps/v1', 'kind': 'Deployment',
                 'metadata': {'name': 'web', 'labels': {'app': 'web'}, 'annotations': {'a/b': 'c'}},
                 'spec': {'replicas': 2, 'selector': {'matchLabels': {'app': 'web'}},
                   'strategy': {'type': 'RollingUpdate', 'rollingUpdate': {'maxSurge': '25%', 'maxUnavailable': 1}},
                   'template': {'metadata': {'labels': {'app': 'web'}},
                     'spec': {'containers': [{'name': 'web', 'image': 'nginx', 'ports': [{'containerPort': 80}],
                        'resources': {'limits': {'cpu': '500m', 'memory': 128}},
                        'livenessProbe': {'httpGet': {'path': '/', 'port': 'http'}},
                        'volumeMounts': [{'name': 'data', 'mountPath': '/data'}]}],
                       'volumes': [{'name': 'data', 'emptyDir': {}}]}}}}
                """);

        assertThat(UnknownFields.find(DEPLOYMENT, deployment)).isEmpty();
    }

    @Test
    void namesEachUnknownFieldByItsPathWithArrayIndexes() {
        JsonNode deployment = json("""
                {'apiVersion': 'apps/v1', 'kind': 'Deployment', 'metadata': {'name': 'web', 'colour': 'red'},
                 'spec': {'foo': 1, 'template': {'spec': {'containers': [{'name': 'a'}, {'name': 'b', 'imag': 'x'}]}}}}
                """);

        assertThat(UnknownFields.find(DEPLOYMENT, deployment))
                .containsExactly("metadata.colour", "spec.foo", "spec.template.spec.containers[1].imag");
    }

    @Test
    void anythingGoesBelowFreeJson() {
        ObjectSchema revision = Schemas.builtIn()
                .forKind(new GroupVersionKind("apps", "v1", "ControllerRevision")).orElseThrow();

        assertThat(UnknownFields.find(revision, json("{'revision': 1, 'data': {'any': {'thing': [1]}}}"))).isEmpty();
    }

    @Test
    void removingDropsUnknownFieldsAndKeepsTheRest() {
        var deployment = (tools.jackson.databind.node.ObjectNode) json("""
                {'kind': 'Deployment', 'spec': {'foo': 1, 'replicas': 3,
                  'template': {'spec': {'containers': [{'name': 'a', 'bar': true}]}}}}
                """);

        assertThat(UnknownFields.remove(DEPLOYMENT, deployment))
                .containsExactly("spec.foo", "spec.template.spec.containers[0].bar");
        assertThat(deployment).isEqualTo(json("""
                {'kind': 'Deployment', 'spec': {'replicas': 3, 'template': {'spec': {'containers': [{'name': 'a'}]}}}}
                """));
    }

    @Test
    void everydayManifestsOfEveryCommonKindHaveNoUnknownFields() throws Exception {
        var yaml = tools.jackson.dataformat.yaml.YAMLMapper.builder().build();
        int checked = 0;
        try (var in = getClass().getResourceAsStream("everyday-manifests.yaml");
                var parser = yaml.createParser(in)) {
            var documents = yaml.readValues(parser, JsonNode.class);
            while (documents.hasNext()) {
                JsonNode manifest = documents.next();
                GroupVersionKind gvk = GroupVersionKind.of(manifest.path("apiVersion").asString(),
                        manifest.path("kind").asString());
                ObjectSchema schema = Schemas.builtIn().forKind(gvk).orElseThrow(() -> new AssertionError(gvk));
                assertThat(UnknownFields.find(schema, manifest)).as(gvk.toString()).isEmpty();
                checked++;
            }
        }
        assertThat(checked).isEqualTo(17);
    }
}
