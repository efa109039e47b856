package io.kybern.controllers.volume;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class VolumeMatchingTest {

    private static PersistentVolume volume(String name, String size, String className, String... modes) {
        return new PersistentVolumeBuilder().withNewMetadata().withName(name).addToLabels("disk", name).endMetadata()
                .withNewSpec().addToCapacity("storage", new Quantity(size)).withStorageClassName(className)
                .withAccessModes(modes).withNewHostPath().withPath("/srv/" + name).endHostPath().endSpec().build();
    }

    private static PersistentVolumeClaim claim(String size, String className, String... modes) {
        return new PersistentVolumeClaimBuilder().withNewMetadata().withName("data").withNamespace("ns")
                .withUid("claim-uid").endMetadata().withNewSpec().withStorageClassName(className).withAccessModes(modes)
                .withNewResources().addToRequests("storage", new Quantity(size)).endResources().endSpec().build();
    }

    private static Optional<String> match(PersistentVolumeClaim claim, PersistentVolume... volumes) {
        return VolumeMatching.bestMatch(claim, List.of(volumes), Optional.empty()).map(v -> v.getMetadata().getName());
    }

    @Test
    void theSmallestVolumeThatFitsWins() {
        assertThat(match(claim("1Gi", "fast", "ReadWriteOnce"), volume("big", "10Gi", "fast", "ReadWriteOnce"),
                volume("small", "500Mi", "fast", "ReadWriteOnce"), volume("right", "2Gi", "fast", "ReadWriteOnce")))
                .contains("right");
    }

    @Test
    void classAccessModesAndVolumeModeMustAgree() {
        assertThat(match(claim("1Gi", "fast", "ReadWriteOnce"), volume("slow", "1Gi", "slow", "ReadWriteOnce")))
                .isEmpty();
        assertThat(match(claim("1Gi", "", "ReadWriteMany"), volume("rwo", "1Gi", "", "ReadWriteOnce")))
                .isEmpty();
        assertThat(match(claim("1Gi", "", "ReadWriteOnce"), volume("both", "1Gi", "", "ReadWriteOnce",
                "ReadOnlyMany"))).contains("both");
        PersistentVolume block = new PersistentVolumeBuilder(volume("block", "1Gi", "", "ReadWriteOnce")).editSpec()
                .withVolumeMode("Block").endSpec().build();
        assertThat(match(claim("1Gi", "", "ReadWriteOnce"), block)).isEmpty();
    }

    @Test
    void aSelectorNarrowsTheVolumesAndClaimedOnesAreTakenOnlyByTheirClaim() {
        PersistentVolumeClaim selective = new PersistentVolumeClaimBuilder(claim("1Gi", "", "ReadWriteOnce"))
                .editSpec().withNewSelector().addToMatchLabels("disk", "b").endSelector().endSpec().build();
        assertThat(match(selective, volume("a", "1Gi", "", "ReadWriteOnce"), volume("b", "5Gi", "", "ReadWriteOnce")))
                .contains("b");
        PersistentVolume taken = new PersistentVolumeBuilder(volume("taken", "1Gi", "", "ReadWriteOnce")).editSpec()
                .withNewClaimRef().withNamespace("ns").withName("other").withUid("other-uid").endClaimRef().endSpec()
                .build();
        assertThat(match(claim("1Gi", "", "ReadWriteOnce"), taken)).isEmpty();
        PersistentVolume reserved = new PersistentVolumeBuilder(volume("mine", "9Gi", "", "ReadWriteOnce")).editSpec()
                .withNewClaimRef().withNamespace("ns").withName("data").endClaimRef().endSpec().build();
        assertThat(match(claim("1Gi", "", "ReadWriteOnce"), volume("fits", "1Gi", "", "ReadWriteOnce"), reserved))
                .contains("mine");
    }

    @Test
    void aSelectedNodeMustReachTheVolume() {
        PersistentVolume local = new PersistentVolumeBuilder(volume("local", "1Gi", "", "ReadWriteOnce")).editSpec()
                .withNewNodeAffinity().withNewRequired().addNewNodeSelectorTerm().addNewMatchExpression()
                .withKey("kubernetes.io/hostname").withOperator("In").withValues("node-a").endMatchExpression()
                .endNodeSelectorTerm().endRequired().endNodeAffinity().endSpec().build();
        Node a = new NodeBuilder().withNewMetadata().withName("node-a").addToLabels("kubernetes.io/hostname", "node-a")
                .endMetadata().build();
        Node b = new NodeBuilder().withNewMetadata().withName("node-b").addToLabels("kubernetes.io/hostname", "node-b")
                .endMetadata().build();
        PersistentVolumeClaim claim = claim("1Gi", "", "ReadWriteOnce");
        assertThat(VolumeMatching.bestMatch(claim, List.of(local), Optional.of(a))).isPresent();
        assertThat(VolumeMatching.bestMatch(claim, List.of(local), Optional.of(b))).isEmpty();
    }
}
