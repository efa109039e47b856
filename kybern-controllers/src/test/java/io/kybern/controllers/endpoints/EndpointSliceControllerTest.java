package io.kybern.controllers.endpoints;

import static io.kybern.controllers.endpoints.ServicePodsTest.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The endpoints and groups the EndpointSlice controller computes, without a server. */
class EndpointSliceControllerTest {

    private static Service service(boolean publishNotReady) {
        return new ServiceBuilder().withNewMetadata().withName("web").withNamespace("ns").endMetadata()
                .withNewSpec().addToSelector("app", "web").withPublishNotReadyAddresses(publishNotReady)
                .addToPorts(ServicePodsTest.port("http", 80, new IntOrString("http"), "TCP")).endSpec().build();
    }

    private static Pod terminating(Pod pod) {
        return new PodBuilder(pod).editMetadata().withDeletionTimestamp("2026-01-01T00:01:00Z").endMetadata().build();
    }

    private static EndpointConditions conditionsOf(Map<EndpointSliceController.Group, List<Endpoint>> desired,
            String pod) {
        return desired.values().stream().flatMap(List::stream).filter(e -> e.getTargetRef().getName().equals(pod))
                .findFirst().orElseThrow().getConditions();
    }

    @Test
    void terminatingPodsStayListedServingButNotReady() {
        var desired = EndpointSliceController.desired(service(false), List.of(pod("up", "10.0.0.1", true),
                pod("starting", "10.0.0.2", false), terminating(pod("leaving", "10.0.0.3", true))));
        assertThat(conditionsOf(desired, "up")).satisfies(c -> {
            assertThat(c.getReady()).isTrue();
            assertThat(c.getServing()).isTrue();
            assertThat(c.getTerminating()).isFalse();
        });
        assertThat(conditionsOf(desired, "starting")).satisfies(c -> {
            assertThat(c.getReady()).isFalse();
            assertThat(c.getServing()).isFalse();
        });
        assertThat(conditionsOf(desired, "leaving")).satisfies(c -> {
            assertThat(c.getReady()).isFalse();
            assertThat(c.getServing()).isTrue();
            assertThat(c.getTerminating()).isTrue();
        });
    }

    @Test
    void publishNotReadyAddressesMakesEveryEndpointReadyButNotServing() {
        var desired = EndpointSliceController.desired(service(true), List.of(pod("starting", "10.0.0.2", false),
                terminating(pod("leaving", "10.0.0.3", false))));
        assertThat(conditionsOf(desired, "starting").getReady()).isTrue();
        assertThat(conditionsOf(desired, "starting").getServing()).isFalse();
        assertThat(conditionsOf(desired, "leaving").getReady()).isTrue();
    }

    @Test
    void onePortSetOneGroupOfIPv4() {
        var desired = EndpointSliceController.desired(service(false), List.of(pod("a", "10.0.0.1", true),
                pod("b", "10.0.0.2", true)));
        assertThat(desired.entrySet()).singleElement().satisfies(group -> {
            assertThat(group.getKey().addressType()).isEqualTo("IPv4");
            assertThat(group.getKey().ports()).singleElement().satisfies(p -> assertThat(p.getPort()).isEqualTo(8080));
            assertThat(group.getValue()).hasSize(2);
        });
    }
}
