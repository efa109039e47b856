package io.kybern.testkit.autoscaling;

import static io.kybern.testkit.autoscaling.Autoscalers.condition;
import static io.kybern.testkit.autoscaling.Autoscalers.events;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kybern.testkit.KybernCluster;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Without simulated nodes nothing serves metrics.k8s.io: the autoscaler says so as Kubernetes does when
 * metrics-server is missing, and a target that does not exist is reported as such; neither is scaled.
 */
@KybernCluster(nodes = 0)
class AutoscalingWithoutMetricsTest {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    static KubernetesClient client;

    @Test
    void theMetricsApiIsNotServed() {
        assertThat(client.getApiGroups().getGroups()).noneMatch(g -> g.getName().equals("metrics.k8s.io"));
    }

    @Test
    void withoutTheMetricsApiScalingIsNotActive() {
        String ns = Autoscalers.namespace(client, "no-metrics");
        Autoscalers.deployment(client, ns, "web", 2);
        Autoscalers.onCpu(client, ns, "apps/v1", "Deployment", "web", 1, 5, 50);

        await().atMost(PATIENCE).until(() -> condition(Autoscalers.get(client, ns, "web"), "ScalingActive")
                .isPresent());
        var active = condition(Autoscalers.get(client, ns, "web"), "ScalingActive").orElseThrow();
        assertThat(active.getStatus()).isEqualTo("False");
        assertThat(active.getReason()).isEqualTo("FailedGetResourceMetric");
        assertThat(active.getMessage()).startsWith("the HPA was unable to compute the replica count: failed to get cpu "
                + "utilization: unable to get metrics for resource cpu: unable to fetch metrics from resource metrics "
                + "API:");
        assertThat(condition(Autoscalers.get(client, ns, "web"), "AbleToScale")).hasValueSatisfying(c -> {
            assertThat(c.getStatus()).isEqualTo("True");
            assertThat(c.getReason()).isEqualTo("SucceededGetScale");
        });
        await().atMost(PATIENCE).until(() -> !events(client, ns, "FailedGetResourceMetric").isEmpty()
                && !events(client, ns, "FailedComputeMetricsReplicas").isEmpty());
        assertThat(events(client, ns, "FailedGetResourceMetric")).extracting(Event::getType).containsOnly("Warning");
        assertThat(client.apps().deployments().inNamespace(ns).withName("web").get().getSpec().getReplicas())
                .isEqualTo(2);
        assertThat(events(client, ns, "SuccessfulRescale")).isEmpty();
    }

    @Test
    void aMissingTargetIsReportedAsUnableToScale() {
        String ns = Autoscalers.namespace(client, "no-target");
        Autoscalers.onCpu(client, ns, "apps/v1", "Deployment", "ghost", 1, 5, 50);

        await().atMost(PATIENCE).until(() -> condition(Autoscalers.get(client, ns, "ghost"), "AbleToScale")
                .isPresent());
        var able = condition(Autoscalers.get(client, ns, "ghost"), "AbleToScale").orElseThrow();
        assertThat(able.getStatus()).isEqualTo("False");
        assertThat(able.getReason()).isEqualTo("FailedGetScale");
        assertThat(able.getMessage()).startsWith("the HPA controller was unable to get the target's current scale: ");
        await().atMost(PATIENCE).until(() -> !events(client, ns, "FailedGetScale").isEmpty());
    }
}
