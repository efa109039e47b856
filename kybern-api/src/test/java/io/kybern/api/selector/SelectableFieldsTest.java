package io.kybern.api.selector;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class SelectableFieldsTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void everyKindHasNameAndNamespaceAndSomeKindsMore() {
        assertThat(SelectableFields.supports("", "configmaps", "metadata.name")).isTrue();
        assertThat(SelectableFields.supports("", "configmaps", "data.k")).isFalse();
        assertThat(SelectableFields.supports("", "pods", "spec.nodeName")).isTrue();
        assertThat(SelectableFields.supports("", "events", "involvedObject.uid")).isTrue();
        assertThat(SelectableFields.supports("", "secrets", "type")).isTrue();
        assertThat(SelectableFields.supports("apps", "deployments", "status.replicas")).isFalse();
    }

    @Test
    void valuesReadAsKubernetesComparesThem() {
        JsonNode pod = JSON.readTree("{\"metadata\":{\"name\":\"p\"},\"spec\":{\"nodeName\":\"n1\"},"
                + "\"status\":{\"phase\":\"Running\"}}");
        JsonNode event = JSON.readTree("{\"involvedObject\":{\"kind\":\"Pod\"},\"source\":{\"component\":\"kubelet\"}}");

        assertThat(SelectableFields.value("", "pods", pod, "spec.nodeName")).contains("n1");
        assertThat(SelectableFields.value("", "pods", pod, "status.phase")).contains("Running");
        assertThat(SelectableFields.value("", "pods", pod, "spec.hostNetwork")).contains("false");
        assertThat(SelectableFields.value("", "pods", pod, "metadata.name")).contains("p");
        assertThat(SelectableFields.value("", "events", event, "source")).contains("kubelet");
        assertThat(SelectableFields.value("", "events", event, "involvedObject.kind")).contains("Pod");
    }

    @Test
    void aSelectorOverKindFieldsMatchesAndExcludes() {
        JsonNode pod = JSON.readTree("{\"spec\":{\"nodeName\":\"n1\"},\"status\":{\"phase\":\"Running\"}}");
        FieldSelector onNode = FieldSelector.parse("spec.nodeName=n1,status.phase!=Failed");
        FieldSelector elsewhere = FieldSelector.parse("spec.nodeName=n2");

        assertThat(onNode.matches(field -> SelectableFields.value("", "pods", pod, field).orElse(null))).isTrue();
        assertThat(elsewhere.matches(field -> SelectableFields.value("", "pods", pod, field).orElse(null))).isFalse();
    }
}
