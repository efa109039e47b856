package io.kybern.cli.fabric8;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.ControllerRevisionBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.kybern.cli.TestServers;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * ControllerRevisions of DaemonSets and StatefulSets through fabric8: adoption of a matching orphan,
 * release on orphan deletion and adoption by the next owner, pruning to revisionHistoryLimit, and a
 * StatefulSet's pods named by ordinal and replaced under the same name, and its claims' retention policy.
 */
@TestServers.WithSimulatedNodes(2)
class DaemonSetsAndStatefulSetsTest extends ServerAndClient {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    private static void namespace(String ns) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
                .create();
    }

    private static DaemonSetBuilder daemonSet(String ns, String image) {
        return new DaemonSetBuilder().withNewMetadata().withName("agent").withNamespace(ns).endMetadata()
                .withNewSpec().withRevisionHistoryLimit(1).withNewSelector().addToMatchLabels("app", "agent")
                .endSelector().withNewTemplate().withNewMetadata().addToLabels("app", "agent").endMetadata()
                .withNewSpec().addNewContainer().withName("agent").withImage(image).endContainer().endSpec()
                .endTemplate().endSpec();
    }

    private static List<ControllerRevision> revisions(String ns) {
        return client.resources(ControllerRevision.class).inNamespace(ns).list().getItems();
    }

    @Test
    void daemonSetRevisionsAreAdoptedReleasedAndPruned() {
        String ns = "ds-history";
        namespace(ns);
        // An orphan revision the selector matches, holding other data: adopted, then pruned (limit 1).
        client.resource(new ControllerRevisionBuilder().withNewMetadata().withName("stray").withNamespace(ns)
                .addToLabels("app", "agent").endMetadata().withRevision(7L)
                .withData(Map.of("spec", Map.of("template", Map.of("$patch", "replace")))).build()).create();
        client.resource(new ControllerRevisionBuilder().withNewMetadata().withName("unrelated").withNamespace(ns)
                .addToLabels("app", "other").endMetadata().withRevision(1L).build()).create();
        client.resource(daemonSet(ns, "nginx:1.25").build()).create();

        await().atMost(PATIENCE).ignoreExceptions().untilAsserted(() -> {
            var ds = client.apps().daemonSets().inNamespace(ns).withName("agent").get();
            assertThat(ds.getStatus().getNumberReady()).isEqualTo(2);
        });
        ControllerRevision first = revisions(ns).stream().filter(r -> r.getMetadata().getName().startsWith("agent-"))
                .findFirst().orElseThrow();
        assertThat(first.getRevision()).as("after the adopted orphan's 7").isEqualTo(8L);

        client.apps().daemonSets().inNamespace(ns).withName("agent").edit(ds -> daemonSet(ns, "nginx:1.26").build());
        await().atMost(PATIENCE).ignoreExceptions().untilAsserted(() -> {
            List<String> names = revisions(ns).stream().map(r -> r.getMetadata().getName()).toList();
            // revisionHistoryLimit 1: the stray goes; the first revision stays while its pods live, then goes too.
            assertThat(names).doesNotContain("stray").contains("unrelated").hasSize(3);
            var ds = client.apps().daemonSets().inNamespace(ns).withName("agent").get();
            assertThat(ds.getStatus().getUpdatedNumberScheduled()).isEqualTo(2);
            assertThat(ds.getStatus().getNumberAvailable()).isEqualTo(2);
        });
        assertThat(client.resources(ControllerRevision.class).inNamespace(ns).withName("unrelated").get()
                .getMetadata().getOwnerReferences()).as("not matched, not adopted").isEmpty();

        // Deleted with orphan propagation: revisions are released, then adopted by the next DaemonSet, which
        // again has one pod per node.
        client.apps().daemonSets().inNamespace(ns).withName("agent")
                .withPropagationPolicy(io.fabric8.kubernetes.api.model.DeletionPropagation.ORPHAN).delete();
        await().atMost(PATIENCE).ignoreExceptions().until(() -> revisions(ns).stream().filter(r -> r.getMetadata().getName()
                .startsWith("agent-")).allMatch(r -> r.getMetadata().getOwnerReferences().isEmpty()));
        await().atMost(PATIENCE).until(() -> client.apps().daemonSets().inNamespace(ns).withName("agent").get() == null);
        var second = client.resource(daemonSet(ns, "nginx:1.26").build()).create();
        await().atMost(PATIENCE).ignoreExceptions().untilAsserted(() -> {
            assertThat(revisions(ns).stream().filter(r -> r.getMetadata().getName().startsWith("agent-")))
                    .isNotEmpty().allMatch(r -> r.getMetadata().getOwnerReferences().getFirst().getUid()
                            .equals(second.getMetadata().getUid()));
            List<Pod> pods = client.pods().inNamespace(ns).list().getItems().stream()
                    .filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
            assertThat(pods).extracting(p -> p.getSpec().getNodeName()).doesNotHaveDuplicates().hasSize(2);
            assertThat(pods).allMatch(p -> p.getMetadata().getOwnerReferences().getFirst().getUid()
                    .equals(second.getMetadata().getUid()));
        });
        client.namespaces().withName(ns).delete();
    }

    @Test
    void aStatefulSetKeepsItsPodsNamesAndReplacesAFailedOne() {
        String ns = "sts-fabric8";
        namespace(ns);
        client.resource(new StatefulSetBuilder().withNewMetadata().withName("db").withNamespace(ns).endMetadata()
                .withNewSpec().withReplicas(2).withServiceName("db").withNewSelector().addToMatchLabels("app", "db")
                .endSelector().withNewTemplate().withNewMetadata().addToLabels("app", "db").endMetadata()
                .withNewSpec().addNewContainer().withName("db").withImage("postgres").endContainer().endSpec()
                .endTemplate().endSpec().build()).create();
        await().atMost(PATIENCE).ignoreExceptions().untilAsserted(() -> assertThat(client.apps().statefulSets().inNamespace(ns)
                .withName("db").get().getStatus().getReadyReplicas()).isEqualTo(2));

        // A pod that failed is deleted and made again under its name.
        Pod before = client.pods().inNamespace(ns).withName("db-1").get();
        client.pods().inNamespace(ns).withName("db-1").subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"status\":{\"phase\":\"Failed\"}}");
        await().atMost(PATIENCE).ignoreExceptions().untilAsserted(() -> {
            Pod now = client.pods().inNamespace(ns).withName("db-1").get();
            assertThat(now).isNotNull();
            assertThat(now.getMetadata().getUid()).isNotEqualTo(before.getMetadata().getUid());
            assertThat(now.getStatus().getPhase()).isEqualTo("Running");
        });
        assertThat(client.v1().events().inNamespace(ns).list().getItems()).extracting(e -> e.getReason())
                .contains("RecreatingFailedPod");
        client.namespaces().withName(ns).delete();
    }

    @Test
    void claimRetentionPolicyDeletesClaimsWithTheirPodOrSet() {
        String ns = "sts-retention";
        namespace(ns);
        client.resource(new StatefulSetBuilder().withNewMetadata().withName("db").withNamespace(ns).endMetadata()
                .withNewSpec().withReplicas(2).withPodManagementPolicy("Parallel").withServiceName("db")
                .withNewPersistentVolumeClaimRetentionPolicy().withWhenDeleted("Delete").withWhenScaled("Delete")
                .endPersistentVolumeClaimRetentionPolicy()
                .withNewSelector().addToMatchLabels("app", "db").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "db").endMetadata()
                .withNewSpec().addNewContainer().withName("db").withImage("postgres").endContainer().endSpec()
                .endTemplate()
                .addNewVolumeClaimTemplate().withNewMetadata().withName("data").endMetadata().withNewSpec()
                .withAccessModes("ReadWriteOnce").withNewResources()
                .addToRequests("storage", new io.fabric8.kubernetes.api.model.Quantity("1Gi")).endResources()
                .endSpec().endVolumeClaimTemplate()
                .endSpec().build()).create();
        // Parallel: both pods are made though their claims are never bound (no volume controller yet).
        await().atMost(PATIENCE).ignoreExceptions().untilAsserted(() -> {
            assertThat(client.pods().inNamespace(ns).list().getItems()).extracting(p -> p.getMetadata().getName())
                    .containsExactlyInAnyOrder("db-0", "db-1");
            assertThat(client.persistentVolumeClaims().inNamespace(ns).list().getItems())
                    .extracting(c -> c.getMetadata().getName()).containsExactlyInAnyOrder("data-db-0", "data-db-1");
        });
        assertThat(client.persistentVolumeClaims().inNamespace(ns).withName("data-db-0").get().getMetadata()
                .getOwnerReferences()).extracting(r -> r.getKind()).containsExactly("StatefulSet");

        // whenScaled: Delete: the claim of the pod scaled away goes with it.
        client.apps().statefulSets().inNamespace(ns).withName("db").scale(1);
        await().atMost(PATIENCE).ignoreExceptions().untilAsserted(() -> {
            assertThat(client.pods().inNamespace(ns).list().getItems()).extracting(p -> p.getMetadata().getName())
                    .containsExactly("db-0");
            assertThat(client.persistentVolumeClaims().inNamespace(ns).list().getItems())
                    .extracting(c -> c.getMetadata().getName()).containsExactly("data-db-0");
        });

        // whenDeleted: Delete: the rest go with the set.
        client.apps().statefulSets().inNamespace(ns).withName("db").delete();
        await().atMost(PATIENCE).ignoreExceptions().untilAsserted(() ->
                assertThat(client.persistentVolumeClaims().inNamespace(ns).list().getItems()).isEmpty());
        client.namespaces().withName(ns).delete();
    }
}
