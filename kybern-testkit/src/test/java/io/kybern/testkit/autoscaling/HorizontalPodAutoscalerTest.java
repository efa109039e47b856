package io.kybern.testkit.autoscaling;

import static io.kybern.testkit.autoscaling.Autoscalers.condition;
import static io.kybern.testkit.autoscaling.Autoscalers.events;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaPropsBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.kybern.testkit.KybernCluster;
import io.kybern.testkit.TestCluster;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The HorizontalPodAutoscaler against simulated nodes that serve metrics.k8s.io: load scripted by the
 * {@code sim.kybern.io/cpu-usage} annotation scales a Deployment up by Kubernetes' formula, up to
 * maxReplicas, and down to minReplicas only after the 5-minute stabilization window (moved by the test clock);
 * a custom resource is scaled through its scale subresource alike.
 */
@KybernCluster(nodes = 2)
class HorizontalPodAutoscalerTest {

    private static final Duration PATIENCE = Duration.ofSeconds(90);

    static KubernetesClient client;
    static TestCluster cluster;

    private static List<Pod> runningPods(String ns, String app) {
        return client.pods().inNamespace(ns).withLabel("app", app).list().getItems().stream()
                .filter(p -> p.getStatus() != null && "Running".equals(p.getStatus().getPhase())
                        && p.getMetadata().getDeletionTimestamp() == null)
                .toList();
    }

    private static void useCpu(String ns, String app, String usage) {
        for (Pod pod : runningPods(ns, app)) {
            client.pods().inNamespace(ns).withName(pod.getMetadata().getName()).patch(
                    PatchContext.of(PatchType.JSON_MERGE),
                    "{\"metadata\":{\"annotations\":{\"sim.kybern.io/cpu-usage\":\"" + usage + "\"}}}");
        }
    }

    private static int replicas(String ns, String name) {
        return client.apps().deployments().inNamespace(ns).withName(name).get().getSpec().getReplicas();
    }

    @Test
    void scalesUpOnLoadToMaxReplicasAndDownAfterTheStabilizationWindow() {
        String ns = Autoscalers.namespace(client, "hpa-up-down");
        Autoscalers.deployment(client, ns, "web", 2);
        await().atMost(PATIENCE).until(() -> runningPods(ns, "web").size() == 2);
        // 180m of a 200m request: 90% against a 50% target.
        useCpu(ns, "web", "180m");
        Autoscalers.onCpu(client, ns, "apps/v1", "Deployment", "web", 1, 6, 50);
        // Pods' CPU counts once they have been Ready for a metrics window.
        cluster.advance(Duration.ofSeconds(20));

        await().atMost(PATIENCE).until(() -> replicas(ns, "web") >= 4);
        List<Event> rescaled = events(client, ns, "SuccessfulRescale");
        assertThat(rescaled).first().satisfies(event -> {
            assertThat(event.getMessage())
                    .isEqualTo("New size: 4; reason: cpu resource utilization (percentage of request) above target");
            assertThat(event.getType()).isEqualTo("Normal");
            assertThat(event.getSource().getComponent()).isEqualTo("horizontal-pod-autoscaler");
            assertThat(event.getInvolvedObject().getKind()).isEqualTo("HorizontalPodAutoscaler");
        });

        // The new pods use the default half of their request; the mean stays above target until maxReplicas.
        await().atMost(PATIENCE).untilAsserted(() -> {
            cluster.advance(Duration.ofSeconds(5));
            HorizontalPodAutoscaler hpa = Autoscalers.get(client, ns, "web");
            assertThat(replicas(ns, "web")).isEqualTo(6);
            assertThat(hpa.getStatus().getDesiredReplicas()).isEqualTo(6);
            assertThat(condition(hpa, "ScalingLimited")).hasValueSatisfying(c -> {
                assertThat(c.getStatus()).isEqualTo("True");
                assertThat(c.getReason()).isEqualTo("TooManyReplicas");
            });
            assertThat(condition(hpa, "ScalingActive")).hasValueSatisfying(c -> {
                assertThat(c.getStatus()).isEqualTo("True");
                assertThat(c.getReason()).isEqualTo("ValidMetricFound");
                assertThat(c.getMessage()).isEqualTo("the HPA was able to successfully calculate a replica count "
                        + "from cpu resource utilization (percentage of request)");
            });
            assertThat(hpa.getStatus().getLastScaleTime()).isNotNull();
            var current = hpa.getStatus().getCurrentMetrics().getFirst().getResource();
            assertThat(current.getName()).isEqualTo("cpu");
            assertThat(current.getCurrent().getAverageUtilization()).isGreaterThan(50);
        });

        // Idle: the formula says 1 at once, but the higher recommendations of the last 5 minutes hold it.
        useCpu(ns, "web", "10m");
        await().atMost(PATIENCE).untilAsserted(() -> {
            cluster.advance(Duration.ofSeconds(5));
            assertThat(condition(Autoscalers.get(client, ns, "web"), "AbleToScale"))
                    .hasValueSatisfying(c -> assertThat(c.getReason()).isEqualTo("ScaleDownStabilized"));
        });
        assertThat(replicas(ns, "web")).isEqualTo(6);

        cluster.advance(Duration.ofMinutes(5));
        await().atMost(PATIENCE).until(() -> replicas(ns, "web") == 1);
        assertThat(events(client, ns, "SuccessfulRescale")).extracting(Event::getMessage)
                .contains("New size: 1; reason: All metrics below target");
        HorizontalPodAutoscaler idle = Autoscalers.get(client, ns, "web");
        await().atMost(PATIENCE).until(() -> Autoscalers.get(client, ns, "web").getStatus().getCurrentReplicas() == 1);
        assertThat(idle.getSpec().getMinReplicas()).isEqualTo(1);
    }

    @Test
    void scalesACustomResourceThroughItsScaleSubresource() {
        // A Shard kind with a scale subresource; its pods come from a ReplicaSet of the same labels, as an
        // operator would make them. The autoscaler needs only the scale (replicas, selector) and the pods.
        client.apiextensions().v1().customResourceDefinitions().resource(new CustomResourceDefinitionBuilder()
                .withNewMetadata().withName("shards.example.kybern.io").endMetadata().withNewSpec()
                .withGroup("example.kybern.io").withScope("Namespaced").withNewNames().withKind("Shard")
                .withPlural("shards").withSingular("shard").endNames().addNewVersion().withName("v1")
                .withServed(true).withStorage(true).withNewSubresources().withNewStatus().endStatus().withNewScale()
                .withSpecReplicasPath(".spec.replicas").withStatusReplicasPath(".status.replicas")
                .withLabelSelectorPath(".status.selector").endScale().endSubresources().withNewSchema()
                .withOpenAPIV3Schema(new JSONSchemaPropsBuilder().withType("object")
                        .withXKubernetesPreserveUnknownFields(true).build())
                .endSchema().endVersion().endSpec().build()).create();
        String ns = Autoscalers.namespace(client, "hpa-custom");
        var shards = new ResourceDefinitionContext.Builder().withGroup("example.kybern.io").withVersion("v1")
                .withKind("Shard").withPlural("shards").withNamespaced(true).build();
        await().atMost(PATIENCE).ignoreExceptions().until(() -> client.genericKubernetesResources(shards)
                .inNamespace(ns).list() != null);
        client.genericKubernetesResources(shards).inNamespace(ns).resource(new GenericKubernetesResourceBuilder()
                .withApiVersion("example.kybern.io/v1").withKind("Shard").withNewMetadata().withName("shard")
                .endMetadata().addToAdditionalProperties("spec", Map.of("replicas", 1)).build()).create();
        client.genericKubernetesResources(shards).inNamespace(ns).withName("shard").subresource("status").patch(
                PatchContext.of(PatchType.JSON_MERGE), "{\"status\":{\"replicas\":1,\"selector\":\"app=shard\"}}");
        client.apps().replicaSets().inNamespace(ns).resource(new ReplicaSetBuilder().withNewMetadata()
                .withName("shard").endMetadata().withNewSpec().withReplicas(1).withNewSelector()
                .addToMatchLabels("app", "shard").endSelector().withNewTemplate().withNewMetadata()
                .addToLabels("app", "shard").endMetadata().withNewSpec().addNewContainer().withName("shard")
                .withImage("redis").withNewResources().addToRequests("cpu", new Quantity("100m")).endResources()
                .endContainer().endSpec().endTemplate().endSpec().build()).create();
        await().atMost(PATIENCE).until(() -> runningPods(ns, "shard").size() == 1);
        // 100m of 100m: 100% against 40% -> ceil(1 * 2.5) = 3.
        useCpu(ns, "shard", "100m");
        Autoscalers.onCpu(client, ns, "example.kybern.io/v1", "Shard", "shard", 1, 3, 40);
        cluster.advance(Duration.ofSeconds(20));

        await().atMost(PATIENCE).until(() -> {
            Map<String, Object> spec = client.genericKubernetesResources(shards).inNamespace(ns).withName("shard")
                    .get().get("spec");
            return Integer.valueOf(3).equals(spec.get("replicas"));
        });
        assertThat(events(client, ns, "SuccessfulRescale")).extracting(Event::getMessage)
                .contains("New size: 3; reason: cpu resource utilization (percentage of request) above target");
    }
}
