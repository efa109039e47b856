package io.kybern.controllers.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.ControllerRevisionBuilder;
import io.kybern.controllers.deployment.PodTemplateHash;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RevisionDataTest {

    private static PodTemplateSpec template(String image) {
        return new PodTemplateSpecBuilder().withNewMetadata().addToLabels("zeta", "1").addToLabels("app", "web")
                .endMetadata().withNewSpec().addNewContainer().withName("web").withImage(image).endContainer()
                .endSpec().build();
    }

    @Test
    void theDataIsAPatchReplacingTheTemplateWithSortedKeys() {
        String data = new String(RevisionData.of(template("nginx:1.25")), StandardCharsets.UTF_8);
        assertThat(data).isEqualTo("{\"spec\":{\"template\":{\"$patch\":\"replace\",\"metadata\":{\"labels\":"
                + "{\"app\":\"web\",\"zeta\":\"1\"}},\"spec\":{\"containers\":[{\"image\":\"nginx:1.25\","
                + "\"name\":\"web\"}]}}}}");
    }

    @Test
    void aRevisionIsComparedByItsDataWhateverOrderTheServerKeptItsKeysIn() {
        byte[] data = RevisionData.of(template("nginx:1.25"));
        ControllerRevision stored = new ControllerRevisionBuilder().withNewMetadata().withName("web-1").endMetadata()
                .withData(Map.of("spec", Map.of("template", Map.of("spec", Map.of("containers",
                        java.util.List.of(Map.of("name", "web", "image", "nginx:1.25"))), "$patch", "replace",
                        "metadata", Map.of("labels", Map.of("zeta", "1", "app", "web")))))).build();

        assertThat(RevisionData.holds(stored, data)).isTrue();
        assertThat(RevisionData.holds(stored, RevisionData.of(template("nginx:1.26")))).isFalse();
        assertThat(RevisionData.template(stored)).isEqualTo(template("nginx:1.25"));
    }

    @Test
    void aRevisionWithoutATemplateIsRefused() {
        ControllerRevision empty = new ControllerRevisionBuilder().withNewMetadata().withName("x").endMetadata()
                .withData(Map.of("spec", Map.of())).build();
        assertThatThrownBy(() -> RevisionData.template(empty)).hasMessageContaining("holds no spec.template");
    }

    @Test
    void revisionHashesChangeWithTheDataAndTheCollisionCount() {
        byte[] data = RevisionData.of(template("nginx:1.25"));
        String first = PodTemplateHash.ofBytes(data, 0);
        assertThat(first).matches("[bcdfghjklmnpqrstvwxz2456789]+").isEqualTo(PodTemplateHash.ofBytes(data, 0));
        assertThat(PodTemplateHash.ofBytes(data, 1)).isNotEqualTo(first);
        assertThat(PodTemplateHash.ofBytes(RevisionData.of(template("nginx:1.26")), 0)).isNotEqualTo(first);
    }

    @Test
    void revisionNamesStayValidForLongOwnerNames() {
        assertThat(ControllerHistory.revisionName("web", "abc")).isEqualTo("web-abc");
        assertThat(ControllerHistory.revisionName("x".repeat(300), "abc")).hasSize(253).endsWith("x-abc");
    }
}
