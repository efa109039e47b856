package io.kybern.kubelet.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ClaimVolumesTest {

    private static PersistentVolumeClaim claim(String phase, String volumeName) {
        return new PersistentVolumeClaimBuilder().withNewMetadata().withNamespace("shop").withName("data")
                .withUid("claim-uid").endMetadata().withNewSpec().withVolumeName(volumeName).endSpec()
                .withNewStatus().withPhase(phase).endStatus().build();
    }

    private static PersistentVolumeBuilder volume(String claimUid) {
        return new PersistentVolumeBuilder().withNewMetadata().withName("pv-1").endMetadata().withNewSpec()
                .withNewClaimRef().withNamespace("shop").withName("data").withUid(claimUid).endClaimRef().endSpec();
    }

    @Test
    void aClaimBoundToAHostPathVolumeIsItsPath() throws Exception {
        PersistentVolume pv = volume("claim-uid").editSpec().withNewHostPath().withPath("/srv/pv-1")
                .withType("DirectoryOrCreate").endHostPath().endSpec().build();
        assertThat(ClaimVolumes.of("shop", "vol", "data", claim("Bound", "pv-1"), pv))
                .isEqualTo(new ClaimVolumes.Source(Path.of("/srv/pv-1"), "DirectoryOrCreate"));
    }

    @Test
    void aLocalVolumeMustBeAnExistingDirectory() throws Exception {
        PersistentVolume pv = volume("claim-uid").editSpec().withNewLocal().withPath("/mnt/disk").endLocal().endSpec()
                .build();
        assertThat(ClaimVolumes.of("shop", "vol", "data", claim("Bound", "pv-1"), pv))
                .isEqualTo(new ClaimVolumes.Source(Path.of("/mnt/disk"), "Directory"));
    }

    @Test
    void aMissingPendingOrForeignClaimKeepsThePodWaitingWithKubeletsMessage() {
        String prefix = "Unable to attach or mount volumes: unmounted volumes=[vol], unattached volumes=[vol],"
                + " failed to process volumes=[vol]: error processing PVC shop/data: ";
        assertThatThrownBy(() -> ClaimVolumes.of("shop", "vol", "data", null, null))
                .isInstanceOf(VolumeFiles.MountFailed.class)
                .hasMessage(prefix + "failed to fetch PVC from API server: persistentvolumeclaims \"data\" not found");
        assertThatThrownBy(() -> ClaimVolumes.of("shop", "vol", "data", claim("Pending", null), null))
                .isInstanceOf(VolumeFiles.MountFailed.class).hasMessage(prefix + "PVC is not bound");
        assertThatThrownBy(() -> ClaimVolumes.of("shop", "vol", "data", claim("Bound", "pv-1"), null))
                .isInstanceOf(VolumeFiles.MountFailed.class).hasMessage(prefix
                        + "failed to fetch PV pv-1 from API server: persistentvolumes \"pv-1\" not found");
        PersistentVolume other = volume("someone-else").editSpec().withNewHostPath().withPath("/srv").endHostPath()
                .endSpec().build();
        assertThatThrownBy(() -> ClaimVolumes.of("shop", "vol", "data", claim("Bound", "pv-1"), other))
                .isInstanceOf(VolumeFiles.MountFailed.class).hasMessage(prefix + "PV pv-1 is not bound to this PVC");
        PersistentVolumeClaim deleting = new PersistentVolumeClaimBuilder(claim("Bound", "pv-1")).editMetadata()
                .withDeletionTimestamp("2026-01-01T00:00:00Z").endMetadata().build();
        assertThatThrownBy(() -> ClaimVolumes.of("shop", "vol", "data", deleting, other))
                .isInstanceOf(VolumeFiles.MountFailed.class).hasMessage(prefix + "PVC is being deleted");
    }

    @Test
    void aVolumeOfAnotherTypeIsNotServed() {
        PersistentVolume nfs = volume("claim-uid").editSpec().withNewNfs().withServer("nas").withPath("/x").endNfs()
                .endSpec().build();
        assertThatThrownBy(() -> ClaimVolumes.of("shop", "vol", "data", claim("Bound", "pv-1"), nfs))
                .isInstanceOf(PodVolumes.Unsupported.class).hasMessageContaining("hostPath and local");
    }
}
