package io.kybern.kubelet.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import org.junit.jupiter.api.Test;

class PodStatusesTest {

    @Test
    void imageNamesAreCompletedAsTheRuntimeReportsThem() {
        assertThat(PodStatuses.fullImageName("busybox")).isEqualTo("docker.io/library/busybox:latest");
        assertThat(PodStatuses.fullImageName("busybox:1.36")).isEqualTo("docker.io/library/busybox:1.36");
        assertThat(PodStatuses.fullImageName("kybern/app")).isEqualTo("docker.io/kybern/app:latest");
        assertThat(PodStatuses.fullImageName("localhost:5000/app:v1")).isEqualTo("localhost:5000/app:v1");
        assertThat(PodStatuses.fullImageName("registry.example/app")).isEqualTo("registry.example/app:latest");
    }

    private static Pod pod(String requestCpu, String limitCpu, String requestMemory, String limitMemory) {
        var resources = new io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder();
        if (requestCpu != null) {
            resources.addToRequests("cpu", new Quantity(requestCpu));
        }
        if (limitCpu != null) {
            resources.addToLimits("cpu", new Quantity(limitCpu));
        }
        if (requestMemory != null) {
            resources.addToRequests("memory", new Quantity(requestMemory));
        }
        if (limitMemory != null) {
            resources.addToLimits("memory", new Quantity(limitMemory));
        }
        return new PodBuilder().withNewSpec().addNewContainer().withName("c").withResources(resources.build())
                .endContainer().endSpec().build();
    }

    @Test
    void qosClassFollowsRequestsAndLimits() {
        assertThat(PodStatuses.qosClass(pod(null, null, null, null))).isEqualTo("BestEffort");
        assertThat(PodStatuses.qosClass(pod("100m", "100m", "64Mi", "64Mi"))).isEqualTo("Guaranteed");
        assertThat(PodStatuses.qosClass(pod(null, "0.1", null, "64Mi"))).isEqualTo("Guaranteed");
        assertThat(PodStatuses.qosClass(pod("100m", null, null, null))).isEqualTo("Burstable");
        assertThat(PodStatuses.qosClass(pod("100m", "200m", "64Mi", "64Mi"))).isEqualTo("Burstable");
    }
}
