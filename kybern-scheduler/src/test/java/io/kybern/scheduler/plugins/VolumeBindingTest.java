package io.kybern.scheduler.plugins;

import static io.kybern.scheduler.framework.TestObjects.info;
import static io.kybern.scheduler.framework.TestObjects.node;
import static io.kybern.scheduler.framework.TestObjects.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import io.kybern.scheduler.framework.CycleState;
import io.kybern.scheduler.framework.NodeInfo;
import io.kybern.scheduler.framework.Status;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VolumeBindingTest {

    private final Map<String, PersistentVolumeClaim> claims = new HashMap<>();
    private final Map<String, PersistentVolume> volumes = new HashMap<>();
    private final VolumeBinding plugin = new VolumeBinding((ns, name) -> claims.get(ns + "/" + name), volumes::get);

    private static Pod using(String claim) {
        return pod("p", null, null).editSpec().addNewVolume().withName("data").withNewPersistentVolumeClaim()
                .withClaimName(claim).endPersistentVolumeClaim().endVolume().endSpec().build();
    }

    private void claim(String name, String volume) {
        claims.put("default/" + name, new PersistentVolumeClaimBuilder().withNewMetadata().withName(name)
                .withNamespace("default").endMetadata().withNewSpec().withVolumeName(volume).endSpec().build());
    }

    @Test
    void podsWithoutClaimsAreSkipped() {
        assertThat(plugin.preFilter(new CycleState(), pod("p", null, null).build(), List.of()).isSkip()).isTrue();
    }

    @Test
    void aMissingClaimOrAnUnboundOneKeepsThePodWaiting() {
        Status missing = plugin.preFilter(new CycleState(), using("data"), List.of());
        assertThat(missing.code()).isEqualTo(Status.Code.UNRESOLVABLE);
        assertThat(missing.message()).isEqualTo("persistentvolumeclaim \"data\" not found");
        claim("data", null);
        assertThat(plugin.preFilter(new CycleState(), using("data"), List.of()).message())
                .isEqualTo("pod has unbound immediate PersistentVolumeClaims");
    }

    @Test
    void aBoundVolumesNodeAffinityLimitsTheNodes() {
        claim("data", "pv-1");
        volumes.put("pv-1", new PersistentVolumeBuilder().withNewMetadata().withName("pv-1").endMetadata()
                .withNewSpec().withNewNodeAffinity().withNewRequired().addNewNodeSelectorTerm()
                .withMatchExpressions(new NodeSelectorRequirement("kubernetes.io/hostname", "In", List.of("n1")))
                .endNodeSelectorTerm().endRequired().endNodeAffinity().endSpec().build());
        CycleState state = new CycleState();
        NodeInfo n1 = info(node("n1", "1", "1Gi").build());
        NodeInfo n2 = info(node("n2", "1", "1Gi").build());
        Pod pod = using("data");
        assertThat(plugin.preFilter(state, pod, List.of(n1, n2)).isSuccess()).isTrue();
        assertThat(plugin.filter(state, pod, n1).isSuccess()).isTrue();
        assertThat(plugin.filter(state, pod, n2).message()).isEqualTo("node(s) had volume node affinity conflict");
    }

    // --- WaitForFirstConsumer ---

    private final Map<String, StorageClass> classes = new HashMap<>();
    private final Map<String, String> selected = new HashMap<>();
    private final VolumeBinding delaying = new VolumeBinding((ns, name) -> claims.get(ns + "/" + name), volumes::get,
            new VolumeBinding.Delayed(classes::get, () -> List.copyOf(volumes.values()),
                    (claim, node) -> selected.put(claim.getMetadata().getName(), node), Duration.ofSeconds(1)));

    private void delayedClaim(String name, String className) {
        claims.put("default/" + name, new PersistentVolumeClaimBuilder().withNewMetadata().withName(name)
                .withNamespace("default").endMetadata().withNewSpec().withStorageClassName(className)
                .withAccessModes("ReadWriteOnce").withNewResources().addToRequests("storage", new Quantity("1Gi"))
                .endResources().endSpec().build());
    }

    private void storageClass(String name, String provisioner) {
        classes.put(name, new StorageClassBuilder().withNewMetadata().withName(name).endMetadata()
                .withProvisioner(provisioner).withVolumeBindingMode("WaitForFirstConsumer").build());
    }

    @Test
    void aWaitForFirstConsumerClaimWithAProvisionerFitsEveryNodeAndGetsTheChosenOne() {
        storageClass("local-path", "kybern.io/local-path");
        delayedClaim("data", "local-path");
        CycleState state = new CycleState();
        NodeInfo n1 = info(node("n1", "1", "1Gi").build());
        Pod pod = using("data");
        assertThat(delaying.preFilter(state, pod, List.of(n1)).isSuccess()).isTrue();
        assertThat(delaying.filter(state, pod, n1).isSuccess()).isTrue();
        // Binding selects the node, then waits for the controller; here nothing binds, so it times out.
        Status bound = delaying.bind(state, pod, "n1");
        assertThat(selected).containsEntry("data", "n1");
        assertThat(bound.code()).isEqualTo(Status.Code.ERROR);
        assertThat(bound.message()).contains("timed out");
    }

    @Test
    void aWaitForFirstConsumerClaimWithoutProvisionerNeedsAReachableFreeVolume() {
        storageClass("local", "kubernetes.io/no-provisioner");
        delayedClaim("data", "local");
        volumes.put("pv-n1", new PersistentVolumeBuilder().withNewMetadata().withName("pv-n1").endMetadata()
                .withNewSpec().withStorageClassName("local").withAccessModes("ReadWriteOnce")
                .addToCapacity("storage", new Quantity("1Gi")).withNewNodeAffinity().withNewRequired()
                .addNewNodeSelectorTerm().withMatchFields(new NodeSelectorRequirement("metadata.name", "In",
                        List.of("n1"))).endNodeSelectorTerm().endRequired().endNodeAffinity().endSpec().build());
        CycleState state = new CycleState();
        NodeInfo n1 = info(node("n1", "1", "1Gi").build());
        NodeInfo n2 = info(node("n2", "1", "1Gi").build());
        Pod pod = using("data");
        assertThat(delaying.preFilter(state, pod, List.of(n1, n2)).isSuccess()).isTrue();
        assertThat(delaying.filter(state, pod, n1).isSuccess()).isTrue();
        assertThat(delaying.filter(state, pod, n2).message())
                .isEqualTo("node(s) didn't find available persistent volumes to bind");
    }
}
