package io.kybern.cli.fabric8;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.FieldValidateable.Validation;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Server-side apply (field managers, conflicts, forcing), strategic merge patches and the three
 * field-validation directives, through fabric8's own DSL.
 */
class ApplyStrategicPatchAndStrictValidationTest extends ServerAndClient {

    private static String ns;

    @BeforeAll
    static void setUpClass() {
        ns = Fabric8.namespace(client, "apply");
    }

    private static ConfigMap configMap(String name, Map<String, String> data) {
        return new ConfigMapBuilder().withNewMetadata().withName(name).endMetadata().withData(data).build();
    }

    @Test
    void serverSideApplyTracksManagersConflictsAndIsForced() {
        var configMaps = client.configMaps().inNamespace(ns);

        ConfigMap applied = configMaps.resource(configMap("shared", Map.of("color", "blue")))
                .fieldManager("team-a").serverSideApply();
        assertThat(applied.getData()).containsExactly(Map.entry("color", "blue"));
        assertThat(applied.getMetadata().getManagedFields()).extracting(ManagedFieldsEntry::getManager,
                ManagedFieldsEntry::getOperation).containsExactly(tuple("team-a", "Apply"));

        // Another manager may add a field of its own...
        configMaps.resource(configMap("shared", Map.of("size", "large"))).fieldManager("team-b").serverSideApply();
        // ...but not take one team-a owns without forcing.
        KubernetesClientException conflict = catchThrowableOfType(KubernetesClientException.class,
                () -> configMaps.resource(configMap("shared", Map.of("color", "red", "size", "large")))
                        .fieldManager("team-b").serverSideApply());
        assertThat(conflict).isNotNull();
        assertThat(conflict.getCode()).isEqualTo(409);
        assertThat(conflict.getStatus().getReason()).isEqualTo("Conflict");
        assertThat(conflict.getStatus().getMessage())
                .isEqualTo("Apply failed with 1 conflict: conflict with \"team-a\": .data.color");
        assertThat(conflict.getStatus().getDetails().getCauses()).singleElement().satisfies(cause -> {
            assertThat(cause.getReason()).isEqualTo("FieldManagerConflict");
            assertThat(cause.getField()).isEqualTo(".data.color");
            assertThat(cause.getMessage()).isEqualTo("conflict with \"team-a\"");
        });
        assertThat(configMaps.withName("shared").get().getData())
                .containsExactlyInAnyOrderEntriesOf(Map.of("color", "blue", "size", "large"));

        ConfigMap forced = configMaps.resource(configMap("shared", Map.of("color", "red", "size", "large")))
                .fieldManager("team-b").forceConflicts().serverSideApply();
        assertThat(forced.getData()).containsExactlyInAnyOrderEntriesOf(Map.of("color", "red", "size", "large"));

        // team-a lost color, so applying without it now removes nothing team-b owns.
        ConfigMap shrunk = configMaps.resource(configMap("shared", Map.of())).fieldManager("team-a")
                .serverSideApply();
        assertThat(shrunk.getData()).containsExactlyInAnyOrderEntriesOf(Map.of("color", "red", "size", "large"));
        // And team-b dropping size from its configuration removes it: nobody else owns it.
        ConfigMap dropped = configMaps.resource(configMap("shared", Map.of("color", "red"))).fieldManager("team-b")
                .serverSideApply();
        assertThat(dropped.getData()).containsExactly(Map.entry("color", "red"));
    }

    @Test
    void aStrategicMergePatchMergesContainersByName() {
        var deployments = client.apps().deployments().inNamespace(ns);
        Deployment deployment = new DeploymentBuilder().withNewMetadata().withName("web").endMetadata()
                .withNewSpec().withReplicas(1).withSelector(BuiltInObjects.selector()).withNewTemplate()
                .withNewMetadata().addToLabels("app", "web").endMetadata().withNewSpec()
                .addNewContainer().withName("app").withImage("nginx:1.27").endContainer()
                .addNewContainer().withName("sidecar").withImage("busybox:1.36").endContainer()
                .endSpec().endTemplate().endSpec().build();
        deployments.resource(deployment).create();

        // A new item named alone in the patch goes ahead of the server's items, as apimachinery orders them.
        Deployment added = deployments.withName("web").patch(PatchContext.of(PatchType.STRATEGIC_MERGE), """
                {"spec": {"template": {"spec": {"containers": [{"name": "logger", "image": "fluent-bit:3"}]}}}}""");
        assertThat(added.getSpec().getTemplate().getSpec().getContainers())
                .extracting(Container::getName, Container::getImage)
                .containsExactly(tuple("logger", "fluent-bit:3"), tuple("app", "nginx:1.27"),
                        tuple("sidecar", "busybox:1.36"));

        // An item is merged with the one of its name, which keeps its place.
        Deployment changed = deployments.withName("web").patch(PatchContext.of(PatchType.STRATEGIC_MERGE), """
                {"spec": {"template": {"spec": {"containers": [{"name": "sidecar", "image": "busybox:1.37"}]}}}}""");
        assertThat(changed.getSpec().getTemplate().getSpec().getContainers())
                .extracting(Container::getName, Container::getImage)
                .containsExactly(tuple("logger", "fluent-bit:3"), tuple("app", "nginx:1.27"),
                        tuple("sidecar", "busybox:1.37"));

        // The $patch directive deletes one element by its key.
        Deployment removed = deployments.withName("web").patch(PatchContext.of(PatchType.STRATEGIC_MERGE), """
                {"spec": {"template": {"spec": {"containers": [{"name": "logger", "$patch": "delete"}]}}}}""");
        assertThat(removed.getSpec().getTemplate().getSpec().getContainers()).extracting(Container::getName)
                .containsExactly("app", "sidecar");
        // The spec as stored; the status is the Deployment controller's, which may have moved on since.
        assertThat(deployments.withName("web").get().getSpec()).isEqualTo(removed.getSpec());
    }

    @Test
    void unknownFieldsAreRefusedUnderStrictAndDroppedOtherwise() {
        var configMaps = client.configMaps().inNamespace(ns);
        ConfigMap strict = configMap("strict", Map.of("color", "blue"));
        strict.setAdditionalProperty("colour", "blue");

        KubernetesClientException refused = catchThrowableOfType(KubernetesClientException.class,
                () -> configMaps.resource(strict).fieldValidation(Validation.STRICT).create());
        assertThat(refused).isNotNull();
        assertThat(refused.getCode()).isEqualTo(400);
        assertThat(refused.getStatus().getReason()).isEqualTo("BadRequest");
        assertThat(refused.getStatus().getMessage()).isEqualTo(
                "ConfigMap in version \"v1\" cannot be handled as a ConfigMap: strict decoding error: "
                        + "unknown field \"colour\"");
        assertThat(configMaps.withName("strict").get()).as("nothing stored").isNull();

        for (Validation lenient : new Validation[] {Validation.WARN, Validation.IGNORE}) {
            String name = "lenient-" + lenient.parameterValue().toLowerCase(java.util.Locale.ROOT);
            ConfigMap object = configMap(name, Map.of("color", "blue"));
            object.setAdditionalProperty("colour", "blue");

            ConfigMap created = configMaps.resource(object).fieldValidation(lenient).create();

            assertThat(created.getData()).containsExactly(Map.entry("color", "blue"));
            assertThat(created.getAdditionalProperties()).as(lenient + " drops the field").doesNotContainKey("colour");
            assertThat(configMaps.withName(name).get()).isEqualTo(created);
        }

        // An update and a patch are checked the same way.
        ConfigMap current = configMaps.withName("lenient-warn").get();
        current.setAdditionalProperty("colour", "red");
        KubernetesClientException update = catchThrowableOfType(KubernetesClientException.class,
                () -> configMaps.resource(current).fieldValidation(Validation.STRICT).update());
        assertThat(update).isNotNull();
        assertThat(update.getCode()).isEqualTo(400);
        assertThat(update.getStatus().getMessage()).endsWith("strict decoding error: unknown field \"colour\"");
    }
}
