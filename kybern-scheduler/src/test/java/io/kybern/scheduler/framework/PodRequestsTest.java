package io.kybern.scheduler.framework;

import static io.kybern.scheduler.framework.TestObjects.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PodRequestsTest {

    private static ContainerBuilder container(String name, String cpu, String memory) {
        return new ContainerBuilder().withName(name).withImage("busybox").withNewResources()
                .withRequests(Map.of("cpu", new Quantity(cpu), "memory", new Quantity(memory))).endResources();
    }

    @Test
    void appContainersAddUpAndAnInitContainerCountsWhenItIsTheLargest() {
        Pod pod = pod("p", "500m", "1Gi").editSpec().addToContainers(container("d", "250m", "512Mi").build())
                .addToInitContainers(container("init", "2", "256Mi").build()).endSpec().build();
        Resources requests = PodRequests.of(pod);
        assertThat(requests.milliCpu).isEqualTo(2000);
        assertThat(requests.memory).isEqualTo(1536L * 1024 * 1024);
    }

    @Test
    void sidecarsRunBesideTheAppContainersAndBesideLaterInitContainers() {
        Pod pod = pod("p", "1", "1Gi").editSpec()
                .addToInitContainers(container("sidecar", "500m", "100Mi").withRestartPolicy("Always").build())
                .addToInitContainers(container("init", "1200m", "100Mi").build()).endSpec().build();
        Resources requests = PodRequests.of(pod);
        // App phase: 1 + 0.5 sidecar = 1.5 cores; init phase: 1.2 + 0.5 = 1.7 cores.
        assertThat(requests.milliCpu).isEqualTo(1700);
        assertThat(requests.memory).isEqualTo(1124L * 1024 * 1024);
    }

    @Test
    void overheadIsAddedAndLimitsStandInForMissingRequests() {
        Pod pod = pod("p", "1", null).editSpec().withOverhead(Map.of("cpu", new Quantity("250m")))
                .editFirstContainer().editResources().withLimits(Map.of("memory", new Quantity("2Gi"),
                        "example.com/gpu", new Quantity("2"))).endResources().endContainer().endSpec().build();
        Resources requests = PodRequests.of(pod);
        assertThat(requests.milliCpu).isEqualTo(1250);
        assertThat(requests.memory).isEqualTo(2L * 1024 * 1024 * 1024);
        assertThat(requests.scalar("example.com/gpu")).isEqualTo(2);
    }

    @Test
    void scoringCountsDefaultsForContainersThatRequestNothing() {
        Pod pod = pod("p", null, null).build();
        assertThat(PodRequests.of(pod).milliCpu).isZero();
        Resources nonZero = PodRequests.nonZero(pod);
        assertThat(nonZero.milliCpu).isEqualTo(100);
        assertThat(nonZero.memory).isEqualTo(200L * 1024 * 1024);
    }
}
