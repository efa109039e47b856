package io.kybern.controllers.endpoints;

import static io.kybern.controllers.endpoints.ServicePodsTest.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The subsets the Endpoints controller computes, without a server. */
class EndpointsControllerTest {

    private static Service service(String clusterIp, boolean publishNotReady) {
        return new ServiceBuilder().withNewMetadata().withName("web").withNamespace("ns")
                .withCreationTimestamp("2026-01-01T00:00:00Z").addToLabels("tier", "front").endMetadata()
                .withNewSpec().withClusterIP(clusterIp).addToSelector("app", "web")
                .withPublishNotReadyAddresses(publishNotReady)
                .addToPorts(ServicePodsTest.port("http", 80, new IntOrString("http"), "TCP")).endSpec().build();
    }

    private static List<String> ips(List<EndpointAddress> addresses) {
        return addresses == null ? List.of() : addresses.stream().map(EndpointAddress::getIp).toList();
    }

    @Test
    void readyAndNotReadyPodsAreListedApartWithResolvedPortsNodeAndPod() {
        List<EndpointSubset> subsets = EndpointsController.subsets(service("10.96.0.10", false),
                List.of(pod("b", "10.0.0.2", true), pod("a", "10.0.0.1", true), pod("c", "10.0.0.3", false)));
        assertThat(subsets).hasSize(1);
        EndpointSubset subset = subsets.getFirst();
        assertThat(ips(subset.getAddresses())).containsExactly("10.0.0.1", "10.0.0.2");
        assertThat(ips(subset.getNotReadyAddresses())).containsExactly("10.0.0.3");
        assertThat(subset.getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getPort()).isEqualTo(8080);
            assertThat(p.getName()).isEqualTo("http");
        });
        EndpointAddress first = subset.getAddresses().getFirst();
        assertThat(first.getNodeName()).isEqualTo("node-1");
        assertThat(first.getTargetRef().getKind()).isEqualTo("Pod");
        assertThat(first.getTargetRef().getName()).isEqualTo("a");
        assertThat(first.getTargetRef().getUid()).isEqualTo("uid-a");
    }

    @Test
    void publishNotReadyAddressesListsEveryPodAsReady() {
        List<EndpointSubset> subsets = EndpointsController.subsets(service("10.96.0.10", true),
                List.of(pod("a", "10.0.0.1", true), pod("c", "10.0.0.3", false)));
        assertThat(ips(subsets.getFirst().getAddresses())).containsExactly("10.0.0.1", "10.0.0.3");
        assertThat(subsets.getFirst().getNotReadyAddresses()).isNull();
    }

    @Test
    void podsServingDifferentPortsGetSubsetsOfTheirOwnAndPodsWithoutThePortNone() {
        Pod other = new PodBuilder(pod("x", "10.0.0.9", true)).editSpec().editFirstContainer().editFirstPort()
                .withContainerPort(9000).endPort().endContainer().endSpec().build();
        Pod without = new PodBuilder(pod("y", "10.0.0.8", true)).editSpec().editFirstContainer()
                .withPorts(List.of()).endContainer().endSpec().build();
        List<EndpointSubset> subsets = EndpointsController.subsets(service("10.96.0.10", false),
                List.of(pod("a", "10.0.0.1", true), other, without));
        assertThat(subsets).hasSize(2);
        assertThat(subsets).extracting(s -> s.getPorts().getFirst().getPort()).containsExactlyInAnyOrder(8080, 9000);
        assertThat(subsets).flatExtracting(s -> ips(s.getAddresses())).doesNotContain("10.0.0.8");
    }

    @Test
    void headlessServiceWithoutPortsListsBareAddressesAndIsLabelled() {
        Service headless = new ServiceBuilder(service("None", false)).editSpec().withPorts(List.of()).endSpec()
                .build();
        List<EndpointSubset> subsets = EndpointsController.subsets(headless, List.of(pod("a", "10.0.0.1", true)));
        assertThat(ips(subsets.getFirst().getAddresses())).containsExactly("10.0.0.1");
        assertThat(subsets.getFirst().getPorts()).isNull();
        assertThat(EndpointsController.labels(headless)).containsEntry("tier", "front")
                .containsEntry("service.kubernetes.io/headless", "");
        assertThat(EndpointsController.labels(service("10.96.0.10", false)))
                .doesNotContainKey("service.kubernetes.io/headless");
    }

    @Test
    void triggerTimeIsTheLatestPodChange() {
        assertThat(EndpointsController.triggerTime(service("10.96.0.10", false), List.of(pod("a", "10.0.0.1", true))))
                .isEqualTo("2026-01-01T00:00:05Z");
        assertThat(EndpointsController.triggerTime(service("10.96.0.10", false), List.of()))
                .isEqualTo("2026-01-01T00:00:00Z");
    }
}
