package io.kybern.cli.fabric8;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import io.kybern.cli.TestServers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The persistent volume controller and the local-path provisioner through fabric8 on simulated nodes:
 * static volumes bound by class, size, access modes and selector; released volumes kept or failed by their
 * reclaim policy; claims that find nothing staying Pending with Kubernetes' events; and the default
 * WaitForFirstConsumer class provisioning a host-path volume on the node the scheduler picked.
 */
@TestServers.WithSimulatedNodes(2)
class PersistentVolumesTest extends ServerAndClient {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    private static PersistentVolume volume(String name, String size, String className, String reclaim) {
        return new PersistentVolumeBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec()
                .addToCapacity("storage", new Quantity(size)).withAccessModes("ReadWriteOnce")
                .withStorageClassName(className).withPersistentVolumeReclaimPolicy(reclaim)
                .withNewHostPath().withPath("/srv/" + name).endHostPath().endSpec().build();
    }

    private static PersistentVolumeClaimBuilder claim(String ns, String name, String size, String className) {
        return new PersistentVolumeClaimBuilder().withNewMetadata().withName(name).withNamespace(ns).endMetadata()
                .withNewSpec().withStorageClassName(className).withAccessModes("ReadWriteOnce").withNewResources()
                .addToRequests("storage", new Quantity(size)).endResources().endSpec();
    }

    private static PersistentVolumeClaim claimOf(String ns, String name) {
        return client.persistentVolumeClaims().inNamespace(ns).withName(name).get();
    }

    private static String phase(PersistentVolume volume) {
        return volume == null || volume.getStatus() == null ? null : volume.getStatus().getPhase();
    }

    private static String phase(PersistentVolumeClaim claim) {
        return claim.getStatus() == null ? null : claim.getStatus().getPhase();
    }

    private static List<Event> events(String ns, String name) {
        return client.v1().events().inNamespace(ns).list().getItems().stream()
                .filter(e -> e.getInvolvedObject().getName().equals(name)).toList();
    }

    @Test
    void theDefaultClassIsLocalPathWaitingForTheFirstConsumer() {
        await().atMost(PATIENCE).untilAsserted(() -> {
            StorageClass local = client.storage().v1().storageClasses().withName("local-path").get();
            assertThat(local).isNotNull();
            assertThat(local.getMetadata().getAnnotations())
                    .containsEntry("storageclass.kubernetes.io/is-default-class", "true");
            assertThat(local.getProvisioner()).isEqualTo("kybern.io/local-path");
            assertThat(local.getVolumeBindingMode()).isEqualTo("WaitForFirstConsumer");
            assertThat(local.getReclaimPolicy()).isEqualTo("Delete");
        });
    }

    @Test
    void aClaimTakesTheSmallestStaticVolumeThatFitsAndReleasesItWhenDeleted() {
        String ns = Fabric8.namespace(client, "pv-static");
        client.resource(new StorageClassBuilder().withNewMetadata().withName("manual").endMetadata()
                .withProvisioner("kubernetes.io/no-provisioner").withVolumeBindingMode("Immediate").build()).create();
        client.resource(volume("static-1g", "1Gi", "manual", "Retain")).create();
        client.resource(volume("static-5g", "5Gi", "manual", "Retain")).create();
        client.resource(volume("static-10g", "10Gi", "manual", "Retain")).create();
        client.resource(volume("other-class", "2Gi", "other", "Retain")).create();
        await().atMost(PATIENCE).until(() -> "Available".equals(phase(client.persistentVolumes()
                .withName("static-5g").get())));

        PersistentVolumeClaim created = client.resource(claim(ns, "data", "2Gi", "manual").build()).create();
        await().atMost(PATIENCE).until(() -> "Bound".equals(phase(claimOf(ns, "data"))));
        PersistentVolumeClaim claim = claimOf(ns, "data");
        assertThat(claim.getSpec().getVolumeName()).isEqualTo("static-5g");
        assertThat(claim.getStatus().getCapacity().get("storage").toString()).isEqualTo("5Gi");
        assertThat(claim.getStatus().getAccessModes()).containsExactly("ReadWriteOnce");
        assertThat(claim.getMetadata().getAnnotations()).containsEntry("pv.kubernetes.io/bind-completed", "yes")
                .containsEntry("pv.kubernetes.io/bound-by-controller", "yes");
        await().atMost(PATIENCE).until(() -> "Bound".equals(phase(client.persistentVolumes().withName("static-5g")
                .get())));
        PersistentVolume volume = client.persistentVolumes().withName("static-5g").get();
        assertThat(volume.getSpec().getClaimRef().getName()).isEqualTo("data");
        assertThat(volume.getSpec().getClaimRef().getUid()).isEqualTo(created.getMetadata().getUid());
        assertThat(volume.getMetadata().getAnnotations()).containsEntry("pv.kubernetes.io/bound-by-controller", "yes");
        assertThat(phase(client.persistentVolumes().withName("static-1g").get())).isEqualTo("Available");

        // Deleted, the claim leaves its Retain volume Released, still naming it.
        client.persistentVolumeClaims().inNamespace(ns).withName("data").delete();
        await().atMost(PATIENCE).until(() -> "Released".equals(phase(client.persistentVolumes()
                .withName("static-5g").get())));
        assertThat(client.persistentVolumes().withName("static-5g").get().getSpec().getClaimRef().getName())
                .isEqualTo("data");
    }

    @Test
    void aReleasedVolumeWithDeleteThatNoProvisionerOwnsFails() {
        String ns = Fabric8.namespace(client, "pv-failed");
        client.resource(volume("orphan-delete", "1Gi", "", "Delete")).create();
        client.resource(claim(ns, "data", "1Gi", "").build()).create();
        await().atMost(PATIENCE).until(() -> "Bound".equals(phase(claimOf(ns, "data"))));
        client.persistentVolumeClaims().inNamespace(ns).withName("data").delete();
        await().atMost(PATIENCE).until(() -> "Failed".equals(phase(client.persistentVolumes()
                .withName("orphan-delete").get())));
        assertThat(client.v1().events().inAnyNamespace().list().getItems()).anySatisfy(e -> {
            assertThat(e.getInvolvedObject().getName()).isEqualTo("orphan-delete");
            assertThat(e.getReason()).isEqualTo("VolumeFailedDelete");
        });
    }

    @Test
    void claimsThatFindNothingStayPendingAndSayWhy() {
        String ns = Fabric8.namespace(client, "pv-pending");
        client.resource(claim(ns, "no-class", "100Gi", "").build()).create();
        client.resource(claim(ns, "missing-class", "1Gi", "gold").build()).create();
        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(events(ns, "no-class")).anySatisfy(e -> {
                assertThat(e.getReason()).isEqualTo("FailedBinding");
                assertThat(e.getMessage()).isEqualTo("no persistent volumes available for this claim and no storage "
                        + "class is set");
                assertThat(e.getSource().getComponent()).isEqualTo("persistentvolume-controller");
            });
            assertThat(events(ns, "missing-class")).anySatisfy(e -> {
                assertThat(e.getReason()).isEqualTo("ProvisioningFailed");
                assertThat(e.getType()).isEqualTo("Warning");
                assertThat(e.getMessage()).isEqualTo("storageclass.storage.k8s.io \"gold\" not found");
            });
        });
        assertThat(phase(claimOf(ns, "no-class"))).isEqualTo("Pending");
        assertThat(phase(claimOf(ns, "missing-class"))).isEqualTo("Pending");
        assertThat(claimOf(ns, "no-class").getSpec().getVolumeName()).isNull();
    }

    @Test
    void theDefaultClassProvisionsOnTheScheduledNodeAndDeletesWithTheClaim() throws Exception {
        String ns = Fabric8.namespace(client, "pv-local");
        PersistentVolumeClaim claim = client.resource(new PersistentVolumeClaimBuilder().withNewMetadata()
                .withName("cache").withNamespace(ns).endMetadata().withNewSpec().withAccessModes("ReadWriteOnce")
                .withNewResources().addToRequests("storage", new Quantity("1Gi")).endResources().endSpec().build())
                .create();
        // The DefaultStorageClass admission names the class as the claim is created.
        assertThat(claim.getSpec().getStorageClassName()).isEqualTo("local-path");
        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(events(ns, "cache")).anySatisfy(e -> {
                assertThat(e.getReason()).isEqualTo("WaitForFirstConsumer");
                assertThat(e.getMessage()).isEqualTo("waiting for first consumer to be created before binding");
            });
        });
        assertThat(phase(claimOf(ns, "cache"))).isEqualTo("Pending");

        client.resource(new PodBuilder().withNewMetadata().withName("user").withNamespace(ns).endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("busybox").addNewVolumeMount()
                .withName("cache").withMountPath("/cache").endVolumeMount().endContainer().addNewVolume()
                .withName("cache").withNewPersistentVolumeClaim().withClaimName("cache").endPersistentVolumeClaim()
                .endVolume().endSpec().build()).create();
        await().atMost(PATIENCE).until(() -> {
            Pod pod = client.pods().inNamespace(ns).withName("user").get();
            return pod.getStatus() != null && "Running".equals(pod.getStatus().getPhase());
        });
        Pod pod = client.pods().inNamespace(ns).withName("user").get();
        PersistentVolumeClaim bound = claimOf(ns, "cache");
        assertThat(phase(bound)).isEqualTo("Bound");
        assertThat(bound.getMetadata().getAnnotations())
                .containsEntry("volume.kubernetes.io/selected-node", pod.getSpec().getNodeName())
                .containsEntry("volume.kubernetes.io/storage-provisioner", "kybern.io/local-path");
        String volumeName = "pvc-" + claim.getMetadata().getUid();
        assertThat(bound.getSpec().getVolumeName()).isEqualTo(volumeName);
        PersistentVolume volume = client.persistentVolumes().withName(volumeName).get();
        assertThat(volume.getSpec().getNodeAffinity().getRequired().getNodeSelectorTerms().getFirst()
                .getMatchExpressions().getFirst().getValues()).containsExactly(pod.getSpec().getNodeName());
        assertThat(volume.getMetadata().getAnnotations()).containsEntry("pv.kubernetes.io/provisioned-by",
                "kybern.io/local-path");
        Path directory = Path.of(volume.getSpec().getHostPath().getPath());
        assertThat(directory).isDirectory();
        assertThat(directory.startsWith(dataDir.toRealPath()) || directory.startsWith(dataDir.toAbsolutePath()))
                .isTrue();
        assertThat(events(ns, "cache")).anySatisfy(e -> {
            assertThat(e.getReason()).isEqualTo("ProvisioningSucceeded");
            assertThat(e.getMessage()).isEqualTo("Successfully provisioned volume " + volumeName);
        });

        client.pods().inNamespace(ns).withName("user").delete();
        client.persistentVolumeClaims().inNamespace(ns).withName("cache").delete();
        await().atMost(PATIENCE).until(() -> client.persistentVolumes().withName(volumeName).get() == null);
        assertThat(Files.exists(directory)).isFalse();
    }
}
