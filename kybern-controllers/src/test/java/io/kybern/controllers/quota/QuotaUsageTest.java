package io.kybern.controllers.quota;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuotaSpec;
import io.fabric8.kubernetes.api.model.ResourceQuotaSpecBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QuotaUsageTest {

    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    private static Pod pod(String name, String cpu, String memory, String limitCpu) {
        PodBuilder pod = new PodBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec()
                .addNewContainer().withName("c").withNewResources().endResources().endContainer().endSpec()
                .withNewStatus().withPhase("Running").endStatus();
        Map<String, Quantity> requests = new LinkedHashMap<>();
        if (cpu != null) {
            requests.put("cpu", new Quantity(cpu));
        }
        if (memory != null) {
            requests.put("memory", new Quantity(memory));
        }
        Map<String, Quantity> limits = limitCpu == null ? Map.of() : Map.of("cpu", new Quantity(limitCpu));
        return pod.editSpec().editFirstContainer().editResources().withRequests(requests).withLimits(limits)
                .endResources().endContainer().endSpec().build();
    }

    private static ResourceQuotaSpec hard(String... resources) {
        Map<String, Quantity> hard = new LinkedHashMap<>();
        for (String r : resources) {
            hard.put(r, new Quantity("100"));
        }
        return new ResourceQuotaSpecBuilder().withHard(hard).build();
    }

    private static QuotaUsage.Contents contents(List<Pod> pods) {
        return new QuotaUsage.Contents(pods, List.of(), List.of(), Map.of());
    }

    @Test
    void podCountsAndComputeRequestsAndLimits() {
        List<Pod> pods = List.of(pod("a", "500m", "128Mi", "1"), pod("b", "1", "256Mi", null),
                pod("c", null, null, null));
        Map<String, String> used = QuotaUsage.used(hard("pods", "requests.cpu", "cpu", "requests.memory",
                "memory", "limits.cpu"), contents(pods), NOW);
        assertThat(used).isEqualTo(Map.of("pods", "3", "requests.cpu", "1500m", "cpu", "1500m",
                "requests.memory", "384Mi", "memory", "384Mi", "limits.cpu", "1"));
    }

    @Test
    void onlyResourcesInHardAreReported() {
        assertThat(QuotaUsage.used(hard("pods"), contents(List.of(pod("a", "1", null, null))), NOW))
                .containsOnlyKeys("pods");
    }

    @Test
    void finishedPodsAndPodsPastTheirDeletionDoNotCount() {
        Pod done = new PodBuilder(pod("d", "1", null, null)).editStatus().withPhase("Succeeded").endStatus().build();
        Pod deleted = new PodBuilder(pod("e", "1", null, null)).editMetadata()
                .withDeletionTimestamp("2025-12-31T23:59:00Z").endMetadata().build();
        Pod deleting = new PodBuilder(pod("f", "1", null, null)).editMetadata()
                .withDeletionTimestamp("2026-01-01T00:00:30Z").endMetadata().build();
        assertThat(QuotaUsage.used(hard("pods"), contents(List.of(done, deleted, deleting)), NOW))
                .containsEntry("pods", "1");
    }

    @Test
    void initContainersCountWhenLargerThanTheContainersTogether() {
        Pod pod = new PodBuilder(pod("a", "500m", null, null)).editSpec().addNewInitContainer().withName("init")
                .withNewResources().addToRequests("cpu", new Quantity("2")).endResources().endInitContainer()
                .endSpec().build();
        assertThat(QuotaUsage.used(hard("requests.cpu"), contents(List.of(pod)), NOW))
                .containsEntry("requests.cpu", "2");
    }

    @Test
    void scopesNarrowThePodsAndKeepOnlyPodResources() {
        Pod bestEffort = pod("be", null, null, null);
        Pod burstable = pod("bu", "100m", null, null);
        Pod terminating = new PodBuilder(pod("t", "100m", null, null)).editSpec().withActiveDeadlineSeconds(60L)
                .endSpec().build();
        Pod critical = new PodBuilder(pod("p", "100m", null, null)).editSpec().withPriorityClassName("high")
                .endSpec().build();
        List<Pod> pods = List.of(bestEffort, burstable, terminating, critical);
        ResourceQuotaSpec be = new ResourceQuotaSpecBuilder(hard("pods", "configmaps")).withScopes("BestEffort")
                .build();
        assertThat(QuotaUsage.used(be, contents(pods), NOW)).isEqualTo(Map.of("pods", "1"));
        ResourceQuotaSpec notBe = new ResourceQuotaSpecBuilder(hard("pods")).withScopes("NotBestEffort",
                "NotTerminating").build();
        assertThat(QuotaUsage.used(notBe, contents(pods), NOW)).containsEntry("pods", "2");
        ResourceQuotaSpec high = new ResourceQuotaSpecBuilder(hard("pods", "requests.cpu")).withNewScopeSelector()
                .addNewMatchExpression().withScopeName("PriorityClass").withOperator("In").withValues("high")
                .endMatchExpression().endScopeSelector().build();
        assertThat(QuotaUsage.used(high, contents(pods), NOW)).containsEntry("pods", "1")
                .containsEntry("requests.cpu", "100m");
    }

    @Test
    void servicesNodePortsLoadBalancersClaimsAndCounts() {
        Service clusterIp = new ServiceBuilder().withNewSpec().withType("ClusterIP").addNewPort().withPort(80)
                .endPort().endSpec().build();
        Service nodePort = new ServiceBuilder().withNewSpec().withType("NodePort").addNewPort().withPort(80)
                .endPort().addNewPort().withPort(443).endPort().endSpec().build();
        Service lb = new ServiceBuilder().withNewSpec().withType("LoadBalancer").addNewPort().withPort(80)
                .withNodePort(30080).endPort().endSpec().build();
        PersistentVolumeClaim claim = new PersistentVolumeClaimBuilder().withNewSpec().withNewResources()
                .addToRequests("storage", new Quantity("1Gi")).endResources().endSpec().build();
        PersistentVolumeClaim other = new PersistentVolumeClaimBuilder(claim).editSpec().editResources()
                .addToRequests("storage", new Quantity("512Mi")).endResources().endSpec().build();
        QuotaUsage.Contents contents = new QuotaUsage.Contents(List.of(), List.of(clusterIp, nodePort, lb),
                List.of(claim, other), Map.of("configmaps", 4L, "count/deployments.apps", 2L));
        assertThat(QuotaUsage.used(hard("services", "services.nodeports", "services.loadbalancers",
                "persistentvolumeclaims", "requests.storage", "configmaps", "count/deployments.apps",
                "example.com/unknown"), contents, NOW))
                .isEqualTo(Map.of("services", "3", "services.nodeports", "3",
                        "services.loadbalancers", "1", "persistentvolumeclaims", "2", "requests.storage", "1536Mi",
                        "configmaps", "4", "count/deployments.apps", "2"));
    }
}
