package io.kybern.controllers.statefulset;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import org.junit.jupiter.api.Test;

class StatefulPodsTest {

    private static StatefulSet set(String whenDeleted) {
        return new StatefulSetBuilder().withApiVersion("apps/v1").withKind("StatefulSet")
                .withNewMetadata().withName("db").withNamespace("ns").withUid("u1").endMetadata()
                .withNewSpec().withServiceName("db-svc").withNewSelector().addToMatchLabels("app", "db").endSelector()
                .withNewPersistentVolumeClaimRetentionPolicy().withWhenDeleted(whenDeleted).withWhenScaled("Retain")
                .endPersistentVolumeClaimRetentionPolicy()
                .withNewTemplate().withNewMetadata().addToLabels("app", "db").endMetadata()
                .withNewSpec().addNewContainer().withName("db").withImage("postgres").endContainer()
                .addNewVolume().withName("data").withNewEmptyDir().endEmptyDir().endVolume()
                .addNewVolume().withName("config").withNewEmptyDir().endEmptyDir().endVolume()
                .endSpec().endTemplate()
                .addToVolumeClaimTemplates(new PersistentVolumeClaimBuilder().withNewMetadata().withName("data")
                        .addToLabels("tier", "storage").endMetadata().withNewSpec().withAccessModes("ReadWriteOnce")
                        .withNewResources().addToRequests("storage", new Quantity("1Gi")).endResources().endSpec()
                        .build())
                .endSpec().build();
    }

    @Test
    void aPodHasAStableIdentityAndItsClaimsVolumes() {
        StatefulSet set = set("Retain");
        Pod pod = StatefulPods.newPod(set, set.getSpec().getTemplate(), "db-abc", 2);

        assertThat(pod.getMetadata().getName()).isEqualTo("db-2");
        assertThat(pod.getSpec().getHostname()).isEqualTo("db-2");
        assertThat(pod.getSpec().getSubdomain()).isEqualTo("db-svc");
        assertThat(pod.getMetadata().getLabels()).containsEntry("app", "db")
                .containsEntry("statefulset.kubernetes.io/pod-name", "db-2")
                .containsEntry("apps.kubernetes.io/pod-index", "2")
                .containsEntry("controller-revision-hash", "db-abc");
        assertThat(pod.getSpec().getVolumes()).extracting(v -> v.getName()).containsExactly("data", "config");
        assertThat(pod.getSpec().getVolumes().getFirst().getPersistentVolumeClaim().getClaimName())
                .as("the claim replaces the template's volume of the same name").isEqualTo("data-db-2");
        assertThat(set.getSpec().getTemplate().getSpec().getHostname()).as("the template is not changed").isNull();
    }

    @Test
    void claimsCarryTheSelectorsLabelsAndAreOwnedOnlyWhenDeletedWithTheSet() {
        var retained = StatefulPods.claims(set("Retain"), 0);
        assertThat(retained).hasSize(1);
        assertThat(retained.getFirst().getMetadata().getName()).isEqualTo("data-db-0");
        assertThat(retained.getFirst().getMetadata().getLabels()).containsEntry("app", "db").containsEntry("tier", "storage");
        assertThat(retained.getFirst().getMetadata().getOwnerReferences()).isEmpty();

        var deleted = StatefulPods.claims(set("Delete"), 0);
        var owner = deleted.getFirst().getMetadata().getOwnerReferences();
        assertThat(owner).hasSize(1);
        assertThat(owner.getFirst().getKind()).isEqualTo("StatefulSet");
        assertThat(owner.getFirst().getUid()).isEqualTo("u1");
        assertThat(owner.getFirst().getController()).as("the set does not control its claims").isNull();
    }

    @Test
    void ordinalsAreReadOnlyFromTheSetsOwnNames() {
        StatefulSet set = set("Retain");
        assertThat(StatefulPods.ordinal(set, named("db-0"))).hasValue(0);
        assertThat(StatefulPods.ordinal(set, named("db-12"))).hasValue(12);
        assertThat(StatefulPods.ordinal(set, named("db-012"))).isEmpty();
        assertThat(StatefulPods.ordinal(set, named("db-x"))).isEmpty();
        assertThat(StatefulPods.ordinal(set, named("dbx-1"))).isEmpty();
        assertThat(StatefulPods.ordinal(set, named("db-"))).isEmpty();
    }

    private static Pod named(String name) {
        return new PodBuilder().withNewMetadata().withName(name).endMetadata().build();
    }
}
