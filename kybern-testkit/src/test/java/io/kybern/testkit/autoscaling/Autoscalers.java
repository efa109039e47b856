package io.kybern.testkit.autoscaling;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What the autoscaling tests create and read. */
final class Autoscalers {

    private Autoscalers() {
    }

    static String namespace(KubernetesClient client, String name) {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
                .create();
        return name;
    }

    /** A Deployment whose pods request 200m of CPU each. */
    static void deployment(KubernetesClient client, String namespace, String name, int replicas) {
        client.apps().deployments().inNamespace(namespace).resource(new DeploymentBuilder().withNewMetadata()
                .withName(name).endMetadata().withNewSpec().withReplicas(replicas).withNewSelector()
                .addToMatchLabels("app", name).endSelector().withNewTemplate().withNewMetadata()
                .addToLabels("app", name).endMetadata().withNewSpec().addNewContainer().withName("web")
                .withImage("nginx").withNewResources().addToRequests(Map.of("cpu", new Quantity("200m"),
                        "memory", new Quantity("64Mi"))).endResources().endContainer().endSpec().endTemplate()
                .endSpec().build()).create();
    }

    /** An autoscaler of {@code kind/name} on CPU utilization. */
    static HorizontalPodAutoscaler onCpu(KubernetesClient client, String namespace, String apiVersion, String kind,
            String name, int min, int max, int utilization) {
        return client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(namespace).resource(
                new HorizontalPodAutoscalerBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec()
                        .withNewScaleTargetRef().withApiVersion(apiVersion).withKind(kind).withName(name)
                        .endScaleTargetRef().withMinReplicas(min).withMaxReplicas(max).addNewMetric()
                        .withType("Resource").withNewResource().withName("cpu").withNewTarget()
                        .withType("Utilization").withAverageUtilization(utilization).endTarget().endResource()
                        .endMetric().endSpec().build())
                .create();
    }

    static HorizontalPodAutoscaler get(KubernetesClient client, String namespace, String name) {
        return client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(namespace).withName(name).get();
    }

    static Optional<HorizontalPodAutoscalerCondition> condition(HorizontalPodAutoscaler hpa, String type) {
        if (hpa == null || hpa.getStatus() == null || hpa.getStatus().getConditions() == null) {
            return Optional.empty();
        }
        return hpa.getStatus().getConditions().stream().filter(c -> c.getType().equals(type)).findFirst();
    }

    static List<Event> events(KubernetesClient client, String namespace, String reason) {
        return client.v1().events().inNamespace(namespace).list().getItems().stream()
                .filter(e -> reason.equals(e.getReason())).toList();
    }
}
