package io.kybern.controllers.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;

class SharedEmptyExtrasTest {

    private static final KubernetesSerialization JSON = new KubernetesSerialization();

    private static Pod pod() {
        return JSON.unmarshal("""
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"shop","labels":{"app":"web"}},
                 "spec":{"containers":[{"name":"app","image":"nginx","futureField":"kept",
                   "resources":{"requests":{"cpu":"100m"}},
                   "readinessProbe":{"httpGet":{"path":"/","port":8080}}}],
                   "tolerations":[{"key":"a","operator":"Exists"}]}}
                """, Pod.class);
    }

    @Test
    void emptyExtrasOfEveryNestedObjectBecomeOneSharedMap() {
        Pod pod = pod();

        SharedEmptyExtras.share(pod);

        var shared = pod.getAdditionalProperties();
        assertThat(shared).isEmpty();
        assertThat(pod.getMetadata().getAdditionalProperties()).isSameAs(shared);
        assertThat(pod.getSpec().getAdditionalProperties()).isSameAs(shared);
        assertThat(pod.getSpec().getTolerations().getFirst().getAdditionalProperties()).isSameAs(shared);
        var container = pod.getSpec().getContainers().getFirst();
        assertThat(container.getReadinessProbe().getHttpGet().getAdditionalProperties()).isSameAs(shared);
        Quantity cpu = container.getResources().getRequests().get("cpu");
        assertThat(cpu.getAdditionalProperties()).isSameAs(shared);
        assertThatThrownBy(() -> pod.setAdditionalProperty("x", 1)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void unknownFieldsThatArePresentAreKeptAndTheObjectEncodesAsBefore() {
        Pod pod = pod();
        String before = JSON.asJson(pod);

        SharedEmptyExtras.share(pod);

        assertThat(pod.getSpec().getContainers().getFirst().getAdditionalProperties())
                .containsEntry("futureField", "kept");
        assertThat(JSON.asJson(pod)).isEqualTo(before);
        assertThat(pod).isEqualTo(pod());
    }

    @Test
    void anObjectBuiltFromASharedOneTakesUnknownFieldsAgain() {
        Pod pod = pod();
        SharedEmptyExtras.share(pod);

        Pod copy = new PodBuilder(pod).editSpec().addToNodeSelector("disk", "ssd").endSpec().build();
        copy.setAdditionalProperty("x", 1);
        copy.getSpec().setAdditionalProperty("y", 2);

        assertThat(copy.getAdditionalProperties()).containsEntry("x", 1);
        assertThat(copy.getSpec().getAdditionalProperties()).containsEntry("y", 2);
        assertThat(pod.getAdditionalProperties()).isEmpty();
    }
}
