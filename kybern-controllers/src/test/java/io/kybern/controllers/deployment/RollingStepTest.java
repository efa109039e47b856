package io.kybern.controllers.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The parts of a rollout step that read ReplicaSets but write nothing. */
class RollingStepTest {

    private static ReplicaSet rs(String name, String created, int replicas, int maxReplicas, String revision) {
        return new ReplicaSetBuilder().withNewMetadata().withName(name).withUid(name).withCreationTimestamp(created)
                .addToAnnotations(DeploymentController.MAX_REPLICAS, Integer.toString(maxReplicas))
                .addToAnnotations(DeploymentController.REVISION, revision).endMetadata()
                .withNewSpec().withReplicas(replicas).endSpec().build();
    }

    @Test
    void scalingUpMidRolloutSharesTheNewPodsInProportion() {
        // 10 replicas with surge 3 (13 allowed) split 8 old / 5 new; now 20 replicas, surge 5: 25 allowed.
        ReplicaSet old = rs("web-old", "2026-01-01T00:00:00Z", 8, 13, "1");
        ReplicaSet fresh = rs("web-new", "2026-01-02T00:00:00Z", 5, 13, "2");

        Map<String, Integer> sizes = DeploymentController.proportionalSizes(List.of(old, fresh), 25);

        assertThat(sizes).containsEntry("web-old", 15).containsEntry("web-new", 10);
        assertThat(sizes.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(25);
    }

    @Test
    void scalingDownMidRolloutTakesFromBothAndEndsOnTheAllowedTotal() {
        ReplicaSet old = rs("web-old", "2026-01-01T00:00:00Z", 7, 13, "1");
        ReplicaSet fresh = rs("web-new", "2026-01-02T00:00:00Z", 6, 13, "2");

        Map<String, Integer> sizes = DeploymentController.proportionalSizes(List.of(old, fresh), 6);

        assertThat(sizes.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(6);
        assertThat(sizes.get("web-old")).isLessThan(7).isPositive();
        assertThat(sizes.get("web-new")).isLessThan(6).isPositive();
    }

    @Test
    void revisionsAreReadFromTheAnnotation() {
        assertThat(DeploymentController.revision(rs("a", "2026-01-01T00:00:00Z", 1, 1, "7"))).isEqualTo(7);
        assertThat(DeploymentController.revision(rs("a", "2026-01-01T00:00:00Z", 1, 1, "x"))).isZero();
    }
}
