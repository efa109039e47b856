package io.kybern.cli.fabric8;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Custom resources through fabric8, as operators use them: a definition created and awaited, a typed
 * resource class with its status and scale subresources and a watch, and the generic client.
 */
class CustomResourcesTest extends ServerAndClient {

    static final String DEFINITION = """
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata: {name: gizmos.fabric8.example.com}
            spec:
              group: fabric8.example.com
              scope: Namespaced
              names: {plural: gizmos, singular: gizmo, kind: Gizmo, shortNames: [gz]}
              versions:
              - name: v1
                served: true
                storage: true
                subresources:
                  status: {}
                  scale: {specReplicasPath: .spec.replicas, statusReplicasPath: .status.replicas}
                schema:
                  openAPIV3Schema:
                    type: object
                    properties:
                      spec:
                        type: object
                        required: [color]
                        properties:
                          color: {type: string, enum: [red, blue]}
                          replicas: {type: integer, minimum: 0, default: 1}
                      status:
                        type: object
                        properties:
                          replicas: {type: integer}
                          phase: {type: string}
            """;

    private static MixedOperation<Gizmo, KubernetesResourceList<Gizmo>, Resource<Gizmo>> gizmos;

    @BeforeAll
    static void define() {
        CustomResourceDefinition crd = client.getKubernetesSerialization().unmarshal(DEFINITION,
                CustomResourceDefinition.class);
        client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
        CustomResourceDefinition established = client.apiextensions().v1().customResourceDefinitions()
                .withName("gizmos.fabric8.example.com").waitUntilCondition(CustomResourcesTest::established, 5,
                        TimeUnit.SECONDS);
        assertThat(established.getMetadata().getFinalizers())
                .containsExactly("customresourcecleanup.apiextensions.k8s.io");
        gizmos = client.resources(Gizmo.class);
    }

    static boolean established(CustomResourceDefinition definition) {
        return definition != null && definition.getStatus() != null && definition.getStatus().getConditions()
                .stream().anyMatch(c -> c.getType().equals("Established") && c.getStatus().equals("True"));
    }

    @Test
    void aTypedResourceIsCreatedDefaultedAndListed() {
        String ns = Fabric8.namespace(client, "gizmos-typed");

        Gizmo created = gizmos.inNamespace(ns).resource(Gizmo.of("g1", "red")).create();

        assertThat(created.getSpec().getReplicas()).isEqualTo(1);
        assertThat(created.getMetadata().getGeneration()).isEqualTo(1L);
        assertThat(created.getMetadata().getUid()).isNotEmpty();
        gizmos.inNamespace(ns).resource(Gizmo.of("g2", "blue")).create();
        assertThat(gizmos.inNamespace(ns).list().getItems()).extracting(g -> g.getMetadata().getName())
                .containsExactly("g1", "g2");
        assertThat(gizmos.inNamespace(ns).withName("g2").get().getSpec().getColor()).isEqualTo("blue");
    }

    @Test
    void statusIsWrittenThroughItsSubresourceOnly() {
        String ns = Fabric8.namespace(client, "gizmos-status");
        gizmos.inNamespace(ns).resource(Gizmo.of("s", "red")).create();

        Gizmo withStatus = gizmos.inNamespace(ns).withName("s").get();
        Gizmo.Status status = new Gizmo.Status();
        status.setPhase("Ready");
        status.setReplicas(1);
        withStatus.setStatus(status);
        withStatus.getSpec().setColor("blue");
        Gizmo updated = gizmos.inNamespace(ns).resource(withStatus).updateStatus();

        assertThat(updated.getStatus().getPhase()).isEqualTo("Ready");
        assertThat(updated.getSpec().getColor()).isEqualTo("red");
        assertThat(updated.getMetadata().getGeneration()).isEqualTo(1L);

        Gizmo edited = gizmos.inNamespace(ns).withName("s").edit(g -> {
            g.getSpec().setColor("blue");
            g.getStatus().setPhase("Ignored");
            return g;
        });
        assertThat(edited.getSpec().getColor()).isEqualTo("blue");
        assertThat(edited.getStatus().getPhase()).isEqualTo("Ready");
        assertThat(edited.getMetadata().getGeneration()).isEqualTo(2L);
    }

    @Test
    void theScaleSubresourceScalesATypedResource() {
        String ns = Fabric8.namespace(client, "gizmos-scale");
        gizmos.inNamespace(ns).resource(Gizmo.of("sc", "red")).create();

        gizmos.inNamespace(ns).withName("sc").scale(4);

        assertThat(gizmos.inNamespace(ns).withName("sc").get().getSpec().getReplicas()).isEqualTo(4);
        assertThat(gizmos.inNamespace(ns).withName("sc").scale().getSpec().getReplicas()).isEqualTo(4);
    }

    @Test
    void aWatchSeesATypedResourceComeChangeAndGo() {
        String ns = Fabric8.namespace(client, "gizmos-watch");
        List<String> events = new CopyOnWriteArrayList<>();
        try (Watch watch = gizmos.inNamespace(ns).watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, Gizmo gizmo) {
                events.add(action + " " + gizmo.getMetadata().getName() + " " + gizmo.getSpec().getColor());
            }

            @Override
            public void onClose(WatcherException cause) {
                events.add("closed " + cause);
            }
        })) {
            gizmos.inNamespace(ns).resource(Gizmo.of("w", "red")).create();
            gizmos.inNamespace(ns).withName("w").edit(g -> {
                g.getSpec().setColor("blue");
                return g;
            });
            gizmos.inNamespace(ns).withName("w").delete();

            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(events)
                    .containsExactly("ADDED w red", "MODIFIED w blue", "DELETED w blue"));
        }
    }

    @Test
    void theGenericClientCreatesAndIsRefusedWithKubernetesCauses() {
        String ns = Fabric8.namespace(client, "gizmos-generic");
        var generic = client.genericKubernetesResources("fabric8.example.com/v1", "Gizmo").inNamespace(ns);
        GenericKubernetesResource gizmo = new GenericKubernetesResource();
        gizmo.setApiVersion("fabric8.example.com/v1");
        gizmo.setKind("Gizmo");
        gizmo.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName("gen").build());
        gizmo.setAdditionalProperty("spec", Map.of("color", "blue", "replicas", 2));

        GenericKubernetesResource created = generic.resource(gizmo).create();
        assertThat(created.<Integer>get("spec", "replicas")).isEqualTo(2);
        assertThat(generic.withName("gen").get().<String>get("spec", "color")).isEqualTo("blue");

        gizmo.getMetadata().setName("wrong");
        gizmo.setAdditionalProperty("spec", Map.of("color", "pink", "replicas", "two"));
        assertThatThrownBy(() -> generic.resource(gizmo).create())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(422);
                    assertThat(e.getStatus().getReason()).isEqualTo("Invalid");
                    assertThat(e.getStatus().getDetails().getCauses()).extracting(StatusCause::getField)
                            .containsExactlyInAnyOrder("spec.color", "spec.replicas");
                    assertThat(e.getStatus().getMessage()).contains("spec.replicas: Invalid value: \"string\": "
                            + "spec.replicas in body must be of type integer: \"string\"");
                });
        assertThat(generic.withName("wrong").get()).isNull();
    }

    @Test
    void deletingANamespaceDeletesItsCustomResources() {
        String ns = Fabric8.namespace(client, "gizmos-doomed");
        gizmos.inNamespace(ns).resource(Gizmo.of("doomed", "red")).create();

        client.namespaces().withName(ns).delete();

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(client.namespaces().withName(ns).get()).isNull();
            assertThat(gizmos.inNamespace(ns).withName("doomed").get()).isNull();
        });
    }

    @Test
    void dependentsOfACustomResourceAreCollectedWithIt() {
        String ns = Fabric8.namespace(client, "gizmos-owner");
        Gizmo owner = gizmos.inNamespace(ns).resource(Gizmo.of("owner", "red")).create();
        client.configMaps().inNamespace(ns).resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                .withNewMetadata().withName("owned").addNewOwnerReference().withApiVersion("fabric8.example.com/v1")
                .withKind("Gizmo").withName("owner").withUid(owner.getMetadata().getUid()).endOwnerReference()
                .endMetadata().addToData("a", "b").build()).create();

        gizmos.inNamespace(ns).withName("owner").delete();

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(client.configMaps().inNamespace(ns).withName("owned").get()).isNull());
    }
}
