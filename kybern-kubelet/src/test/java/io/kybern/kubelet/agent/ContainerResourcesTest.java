package io.kybern.kubelet.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import org.junit.jupiter.api.Test;

class ContainerResourcesTest {

    private static final long GI = 1024L * 1024 * 1024;

    private static Container container(String cpuRequest, String cpuLimit, String memoryRequest, String memoryLimit) {
        var resources = new io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder();
        if (cpuRequest != null) {
            resources.addToRequests("cpu", new Quantity(cpuRequest));
        }
        if (cpuLimit != null) {
            resources.addToLimits("cpu", new Quantity(cpuLimit));
        }
        if (memoryRequest != null) {
            resources.addToRequests("memory", new Quantity(memoryRequest));
        }
        if (memoryLimit != null) {
            resources.addToLimits("memory", new Quantity(memoryLimit));
        }
        return new ContainerBuilder().withName("c").withResources(resources.build()).build();
    }

    @Test
    void limitsBecomeQuotaAndMemoryLimitAndRequestsBecomeShares() {
        var resources = ContainerResources.of(container("250m", "500m", "64Mi", "128Mi"), "Burstable", 16 * GI);
        assertThat(resources.getCpuShares()).isEqualTo(256);
        assertThat(resources.getCpuPeriod()).isEqualTo(100_000);
        assertThat(resources.getCpuQuota()).isEqualTo(50_000);
        assertThat(resources.getMemoryLimitInBytes()).isEqualTo(128L * 1024 * 1024);
        assertThat(resources.getOomScoreAdj()).isEqualTo(1000 - (1000 * 64L * 1024 * 1024) / (16 * GI));
    }

    @Test
    void nothingAskedGivesTheMinimumSharesNoLimitsAndTheBestEffortScore() {
        var resources = ContainerResources.of(container(null, null, null, null), "BestEffort", 16 * GI);
        assertThat(resources.getCpuShares()).isEqualTo(2);
        assertThat(resources.getCpuQuota()).isZero();
        assertThat(resources.getMemoryLimitInBytes()).isZero();
        assertThat(resources.getOomScoreAdj()).isEqualTo(1000);
        assertThat(ContainerResources.of(container("1", "1", "1Gi", "1Gi"), "Guaranteed", 16 * GI).getOomScoreAdj())
                .isEqualTo(-997);
    }
}
