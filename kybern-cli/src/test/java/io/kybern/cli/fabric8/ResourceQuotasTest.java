package io.kybern.cli.fabric8;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.kybern.cli.TestServers;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The resource quota controller through fabric8 on simulated nodes: status.hard mirrors spec.hard, and
 * status.used follows pods (with their requests), Services, ConfigMaps and Deployments as they come and go,
 * past the hard limits too (enforcement is admission's, not this controller's).
 */
@TestServers.WithSimulatedNodes(1)
class ResourceQuotasTest extends ServerAndClient {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    private static Map<String, String> used(String ns, String name) {
        ResourceQuota quota = client.resourceQuotas().inNamespace(ns).withName(name).get();
        Map<String, String> used = new LinkedHashMap<>();
        if (quota.getStatus() != null && quota.getStatus().getUsed() != null) {
            quota.getStatus().getUsed().forEach((k, v) -> used.put(k, v.toString()));
        }
        return used;
    }

    private static void pod(String ns, String name, String cpu, String memory) {
        client.resource(new PodBuilder().withNewMetadata().withName(name).withNamespace(ns).endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("nginx:1.25").withNewResources()
                .addToRequests("cpu", new Quantity(cpu)).addToRequests("memory", new Quantity(memory)).endResources()
                .endContainer().endSpec().build()).create();
    }

    @Test
    void usageFollowsTheNamespaceAndMayExceedTheHardLimits() {
        String ns = Fabric8.namespace(client, "quota-usage");
        client.resource(new ResourceQuotaBuilder().withNewMetadata().withName("compute").withNamespace(ns)
                .endMetadata().withNewSpec().addToHard("pods", new Quantity("2"))
                .addToHard("requests.cpu", new Quantity("1")).addToHard("requests.memory", new Quantity("1Gi"))
                .addToHard("limits.memory", new Quantity("2Gi")).addToHard("configmaps", new Quantity("10"))
                .addToHard("services", new Quantity("5")).addToHard("services.nodeports", new Quantity("1"))
                .addToHard("count/deployments.apps", new Quantity("3")).endSpec().build()).create();
        await().atMost(PATIENCE).untilAsserted(() -> {
            ResourceQuota quota = client.resourceQuotas().inNamespace(ns).withName("compute").get();
            assertThat(quota.getStatus()).isNotNull();
            assertThat(quota.getStatus().getHard()).containsOnlyKeys("pods", "requests.cpu", "requests.memory",
                    "limits.memory", "configmaps", "services", "services.nodeports", "count/deployments.apps");
            assertThat(quota.getStatus().getHard().get("requests.memory").toString()).isEqualTo("1Gi");
            assertThat(used(ns, "compute")).containsEntry("pods", "0").containsEntry("requests.cpu", "0")
                    .containsEntry("services", "0").containsEntry("count/deployments.apps", "0");
        });

        pod(ns, "a", "500m", "256Mi");
        pod(ns, "b", "500m", "256Mi");
        pod(ns, "c", "250m", "512Mi");
        client.resource(new ConfigMapBuilder().withNewMetadata().withName("settings").withNamespace(ns).endMetadata()
                .addToData("k", "v").build()).create();
        client.resource(new ServiceBuilder().withNewMetadata().withName("web").withNamespace(ns).endMetadata()
                .withNewSpec().withType("NodePort").addNewPort().withName("http").withPort(80).endPort().addNewPort().withName("tls")
                .withPort(443).endPort().endSpec().build()).create();
        client.resource(new DeploymentBuilder().withNewMetadata().withName("web").withNamespace(ns).endMetadata()
                .withNewSpec().withReplicas(0).withNewSelector().addToMatchLabels("app", "web").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "web").endMetadata().withNewSpec()
                .addNewContainer().withName("web").withImage("nginx:1.25").endContainer().endSpec().endTemplate()
                .endSpec().build()).create();
        int configMaps = client.configMaps().inNamespace(ns).list().getItems().size();
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(used(ns, "compute"))
                .containsEntry("pods", "3").containsEntry("requests.cpu", "1250m")
                .containsEntry("requests.memory", "1Gi").containsEntry("limits.memory", "0")
                .containsEntry("configmaps", Integer.toString(configMaps)).containsEntry("services", "1")
                .containsEntry("services.nodeports", "2").containsEntry("count/deployments.apps", "1"));

        client.pods().inNamespace(ns).withName("c").withGracePeriod(0).delete();
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(used(ns, "compute"))
                .containsEntry("pods", "2").containsEntry("requests.cpu", "1").containsEntry("requests.memory",
                        "512Mi"));
    }

    @Test
    void aScopedQuotaCountsOnlyItsPods() {
        String ns = Fabric8.namespace(client, "quota-scoped");
        client.resource(new ResourceQuotaBuilder().withNewMetadata().withName("best-effort").withNamespace(ns)
                .endMetadata().withNewSpec().addToHard("pods", new Quantity("5"))
                .addToHard("configmaps", new Quantity("5")).withScopes("BestEffort").endSpec().build()).create();
        pod(ns, "guaranteed", "100m", "64Mi");
        client.resource(new PodBuilder().withNewMetadata().withName("best").withNamespace(ns).endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("nginx:1.25").endContainer().endSpec()
                .build()).create();
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(used(ns, "best-effort")).isEqualTo(Map.of("pods",
                "1")));
    }
}
