package io.kybern.cli.fabric8;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.kybern.cli.TestServers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * JSON patch, JSON merge patch, dry runs and the status subresource, through fabric8. No controllers: the
 * Deployment controller would write the status these tests write and read back, and a status written from a
 * version it has just replaced is a 409.
 */
@TestServers.WithoutControllers
class PatchesDryRunAndStatusTest extends ServerAndClient {

    private static String ns;

    @BeforeAll
    static void setUpClass() {
        ns = Fabric8.namespace(client, "patches");
    }

    private static ConfigMap configMap(String name) {
        return new ConfigMapBuilder().withNewMetadata().withName(name).addToLabels("app", "web").endMetadata()
                .addToData("color", "blue").addToData("size", "large").build();
    }

    private static Deployment deployment(String name) {
        return new DeploymentBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec().withReplicas(2)
                .withSelector(BuiltInObjects.selector()).withNewTemplate().withNewMetadata().addToLabels("app", "web")
                .endMetadata().withSpec(BuiltInObjects.podSpec()).endTemplate().endSpec().build();
    }

    @Test
    void jsonPatchAppliesItsOperationsAndATestThatFailsChangesNothing() {
        var configMaps = client.configMaps().inNamespace(ns);
        configMaps.resource(configMap("json-patch")).create();

        ConfigMap patched = configMaps.withName("json-patch").patch(PatchContext.of(PatchType.JSON), """
                [{"op": "replace", "path": "/data/color", "value": "green"},
                 {"op": "remove", "path": "/data/size"},
                 {"op": "add", "path": "/metadata/labels/tier", "value": "front"}]""");

        assertThat(patched.getData()).containsExactly(java.util.Map.entry("color", "green"));
        assertThat(patched.getMetadata().getLabels()).containsEntry("tier", "front").containsEntry("app", "web");
        assertThat(configMaps.withName("json-patch").get()).isEqualTo(patched);

        KubernetesClientException failed = catchThrowableOfType(KubernetesClientException.class,
                () -> configMaps.withName("json-patch").patch(PatchContext.of(PatchType.JSON), """
                        [{"op": "test", "path": "/data/color", "value": "red"},
                         {"op": "replace", "path": "/data/color", "value": "black"}]"""));
        assertThat(failed).isNotNull();
        assertThat(failed.getCode()).isEqualTo(422);
        assertThat(configMaps.withName("json-patch").get().getData()).containsEntry("color", "green");
    }

    @Test
    void mergePatchSetsAndRemovesFields() {
        var configMaps = client.configMaps().inNamespace(ns);
        configMaps.resource(configMap("merge-patch")).create();

        ConfigMap patched = configMaps.withName("merge-patch").patch(PatchContext.of(PatchType.JSON_MERGE), """
                {"metadata": {"annotations": {"owner": "team-a"}}, "data": {"color": "red", "size": null}}""");

        assertThat(patched.getData()).containsExactly(java.util.Map.entry("color", "red"));
        assertThat(patched.getMetadata().getAnnotations()).containsEntry("owner", "team-a");
    }

    @Test
    void editSendsTheDifferenceAsAJsonPatch() {
        var configMaps = client.configMaps().inNamespace(ns);
        ConfigMap created = configMaps.resource(configMap("edited")).create();

        ConfigMap edited = configMaps.withName("edited").edit(c -> new ConfigMapBuilder(c).addToData("shape", "round")
                .build());

        assertThat(edited.getData()).containsEntry("shape", "round").containsEntry("color", "blue");
        assertThat(edited.getMetadata().getResourceVersion()).isNotEqualTo(created.getMetadata().getResourceVersion());
    }

    @Test
    void aPatchCarryingAStaleResourceVersionIsAConflict() {
        var configMaps = client.configMaps().inNamespace(ns);
        ConfigMap created = configMaps.resource(configMap("locked-patch")).create();
        configMaps.withName("locked-patch").patch(PatchContext.of(PatchType.JSON_MERGE), "{\"data\":{\"a\":\"1\"}}");

        KubernetesClientException conflict = catchThrowableOfType(KubernetesClientException.class,
                () -> configMaps.withName("locked-patch").patch(PatchContext.of(PatchType.JSON_MERGE),
                        "{\"metadata\":{\"resourceVersion\":\"" + created.getMetadata().getResourceVersion()
                                + "\"},\"data\":{\"a\":\"2\"}}"));

        assertThat(conflict).isNotNull();
        assertThat(conflict.getCode()).isEqualTo(409);
        assertThat(configMaps.withName("locked-patch").get().getData()).containsEntry("a", "1");
    }

    @Test
    void dryRunsCheckEverythingAndStoreNothing() {
        var configMaps = client.configMaps().inNamespace(ns);

        ConfigMap wouldBe = configMaps.resource(configMap("dry")).dryRun().create();
        assertThat(wouldBe.getMetadata().getUid()).isNotBlank();
        assertThat(configMaps.withName("dry").get()).isNull();

        ConfigMap real = configMaps.resource(configMap("dry")).create();
        ConfigMap changed = new ConfigMapBuilder(real).addToData("color", "purple").build();
        ConfigMap wouldUpdate = configMaps.resource(changed).dryRun().update();
        assertThat(wouldUpdate.getData()).containsEntry("color", "purple");
        ConfigMap wouldPatch = configMaps.withName("dry").dryRun().patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"data\":{\"color\":\"orange\"}}");
        assertThat(wouldPatch.getData()).containsEntry("color", "orange");
        assertThat(configMaps.withName("dry").dryRun().delete()).hasSize(1);

        assertThat(configMaps.withName("dry").get()).isEqualTo(real);

        KubernetesClientException exists = catchThrowableOfType(KubernetesClientException.class,
                () -> configMaps.resource(configMap("dry")).dryRun().create());
        assertThat(exists).as("a dry run still runs every check").isNotNull();
        assertThat(exists.getCode()).isEqualTo(409);
    }

    @Test
    void updateStatusChangesTheStatusAndNothingElse() {
        var deployments = client.apps().deployments().inNamespace(ns);
        Deployment created = deployments.resource(deployment("status-update")).create();

        Deployment withStatus = new DeploymentBuilder(created)
                .editSpec().withReplicas(9).endSpec()
                .withStatus(new DeploymentStatusBuilder().withReplicas(2).withReadyReplicas(1)
                        .withObservedGeneration(1L).build())
                .build();
        Deployment updated = deployments.resource(withStatus).updateStatus();

        assertThat(updated.getStatus().getReadyReplicas()).isEqualTo(1);
        assertThat(updated.getSpec().getReplicas()).as("spec is not the status subresource's").isEqualTo(2);
        Deployment stored = deployments.withName("status-update").get();
        assertThat(stored.getStatus().getReplicas()).isEqualTo(2);
        assertThat(stored.getSpec().getReplicas()).isEqualTo(2);

        KubernetesClientException stale = catchThrowableOfType(KubernetesClientException.class,
                () -> deployments.resource(withStatus).updateStatus());
        assertThat(stale).as("updateStatus with the resourceVersion it was built from, now stale").isNotNull();
        assertThat(stale.getCode()).isEqualTo(409);

        // And an ordinary update leaves the status as it is.
        Deployment respec = deployments.resource(new DeploymentBuilder(stored).editSpec().withReplicas(4).endSpec()
                .withStatus(null).build()).update();
        assertThat(respec.getSpec().getReplicas()).isEqualTo(4);
        assertThat(respec.getStatus().getReadyReplicas()).isEqualTo(1);
    }

    @Test
    void patchStatusChangesTheStatusAndNothingElse() {
        var deployments = client.apps().deployments().inNamespace(ns);
        Deployment created = deployments.resource(deployment("status-patch")).create();

        Deployment patched = deployments.withName("status-patch").patchStatus(new DeploymentBuilder(created)
                .editSpec().withReplicas(7).endSpec()
                .withNewStatus().withAvailableReplicas(2).withReplicas(2).endStatus().build());

        assertThat(patched.getStatus().getAvailableReplicas()).isEqualTo(2);
        assertThat(patched.getSpec().getReplicas()).isEqualTo(2);
        assertThat(deployments.withName("status-patch").get().getStatus().getAvailableReplicas()).isEqualTo(2);

        Deployment merged = deployments.withName("status-patch").subresource("status")
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"status\":{\"readyReplicas\":2}}");
        assertThat(merged.getStatus().getReadyReplicas()).isEqualTo(2);
        assertThat(merged.getStatus().getAvailableReplicas()).isEqualTo(2);
    }
}
