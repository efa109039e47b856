package io.kybern.cli.fabric8;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.kybern.cli.TestServers;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Endpoints and EndpointSlice controllers through fabric8 on a server with simulated nodes: ready and
 * not-ready pods, named target ports, headless Services with host names, slices of at most 100, Services
 * without a selector left alone, and a deleted Service taking its endpoints with it.
 */
@TestServers.WithSimulatedNodes(2)
class EndpointsTest extends ServerAndClient {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    private static Pod pod(String ns, String name, boolean ready) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(ns).addToLabels("app", "web")
                .addToAnnotations("sim.kybern.io/ready", Boolean.toString(ready)).endMetadata()
                .withNewSpec().addNewContainer().withName("web").withImage("nginx:1.25")
                .addNewPort().withName("http").withContainerPort(8080).endPort().endContainer().endSpec().build();
    }

    private static Service service(String ns, String name) {
        return new ServiceBuilder().withNewMetadata().withName(name).withNamespace(ns).addToLabels("tier", "front")
                .endMetadata().withNewSpec().addToSelector("app", "web").addNewPort().withName("web").withPort(80)
                .withTargetPort(new IntOrString("http")).endPort().endSpec().build();
    }

    private static Endpoints endpoints(String ns, String name) {
        return client.endpoints().inNamespace(ns).withName(name).get();
    }

    private static List<EndpointSlice> slices(String ns, String service) {
        return client.discovery().v1().endpointSlices().inNamespace(ns)
                .withLabel("kubernetes.io/service-name", service).list().getItems();
    }

    private static List<String> names(List<EndpointAddress> addresses) {
        return addresses == null ? List.of() : addresses.stream().map(a -> a.getTargetRef().getName()).sorted()
                .toList();
    }

    private static void running(String ns, String... pods) {
        await().atMost(PATIENCE).until(() -> List.of(pods).stream().allMatch(name -> {
            Pod pod = client.pods().inNamespace(ns).withName(name).get();
            return pod != null && pod.getStatus() != null && pod.getStatus().getPodIP() != null;
        }));
    }

    @Test
    void readyAndNotReadyPodsWithNamedPortsInEndpointsAndSlices() {
        String ns = Fabric8.namespace(client, "endpoints-ready");
        client.resource(pod(ns, "ready-1", true)).create();
        client.resource(pod(ns, "ready-2", true)).create();
        client.resource(pod(ns, "never-ready", false)).create();
        running(ns, "ready-1", "ready-2", "never-ready");
        Service service = client.resource(service(ns, "web")).create();

        await().atMost(PATIENCE).untilAsserted(() -> {
            Endpoints endpoints = endpoints(ns, "web");
            assertThat(endpoints).isNotNull();
            assertThat(endpoints.getSubsets()).hasSize(1);
            assertThat(names(endpoints.getSubsets().getFirst().getAddresses())).containsExactly("ready-1", "ready-2");
            assertThat(names(endpoints.getSubsets().getFirst().getNotReadyAddresses())).containsExactly("never-ready");
        });
        Endpoints endpoints = endpoints(ns, "web");
        assertThat(endpoints.getSubsets().getFirst().getPorts()).singleElement().satisfies(port -> {
            assertThat(port.getName()).isEqualTo("web");
            assertThat(port.getPort()).isEqualTo(8080);
            assertThat(port.getProtocol()).isEqualTo("TCP");
        });
        assertThat(endpoints.getMetadata().getLabels()).containsEntry("tier", "front");
        assertThat(endpoints.getMetadata().getAnnotations()).containsKey("endpoints.kubernetes.io/last-change-trigger-time");
        // Addresses are sorted by IP, which depends on the node each pod landed on: find ready-1's.
        EndpointAddress first = endpoints.getSubsets().getFirst().getAddresses().stream()
                .filter(a -> a.getTargetRef().getName().equals("ready-1")).findFirst().orElseThrow();
        Pod ready1 = client.pods().inNamespace(ns).withName("ready-1").get();
        assertThat(first.getIp()).isEqualTo(ready1.getStatus().getPodIP());
        assertThat(first.getNodeName()).isEqualTo(ready1.getSpec().getNodeName());
        assertThat(first.getTargetRef().getUid()).isEqualTo(ready1.getMetadata().getUid());

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(slices(ns, "web")).singleElement()
                .satisfies(slice -> assertThat(slice.getEndpoints()).hasSize(3)));
        EndpointSlice slice = slices(ns, "web").getFirst();
        assertThat(slice.getMetadata().getName()).startsWith("web-");
        assertThat(slice.getAddressType()).isEqualTo("IPv4");
        assertThat(slice.getMetadata().getLabels())
                .containsEntry("endpointslice.kubernetes.io/managed-by", "endpointslice-controller.k8s.io")
                .containsEntry("tier", "front");
        assertThat(slice.getMetadata().getOwnerReferences()).singleElement().satisfies(ref -> {
            assertThat(ref.getKind()).isEqualTo("Service");
            assertThat(ref.getUid()).isEqualTo(service.getMetadata().getUid());
            assertThat(ref.getController()).isTrue();
        });
        assertThat(slice.getPorts()).singleElement().satisfies(port -> assertThat(port.getPort()).isEqualTo(8080));
        Endpoint notReady = slice.getEndpoints().stream()
                .filter(e -> e.getTargetRef().getName().equals("never-ready")).findFirst().orElseThrow();
        assertThat(notReady.getConditions().getReady()).isFalse();
        assertThat(notReady.getConditions().getServing()).isFalse();
        assertThat(notReady.getConditions().getTerminating()).isFalse();
        assertThat(slice.getEndpoints()).filteredOn(e -> e.getConditions().getReady()).hasSize(2);

        // A deleted pod leaves both.
        client.pods().inNamespace(ns).withName("ready-2").delete();
        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(names(endpoints(ns, "web").getSubsets().getFirst().getAddresses())).containsExactly("ready-1");
            assertThat(slices(ns, "web").getFirst().getEndpoints()).hasSize(2);
        });

        // publishNotReadyAddresses makes every pod an address.
        client.services().inNamespace(ns).withName("web").edit(s -> new ServiceBuilder(s).editSpec()
                .withPublishNotReadyAddresses(true).endSpec().build());
        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(names(endpoints(ns, "web").getSubsets().getFirst().getAddresses()))
                    .containsExactly("never-ready", "ready-1");
            assertThat(slices(ns, "web").getFirst().getEndpoints()).allMatch(e -> e.getConditions().getReady());
        });

        // A deleted Service takes its Endpoints and (through the collector) its slices.
        client.services().inNamespace(ns).withName("web").delete();
        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(endpoints(ns, "web")).isNull();
            assertThat(slices(ns, "web")).isEmpty();
        });
    }

    @Test
    void aPodWithoutTheNamedPortIsNoEndpointAddressButASliceEndpointWithoutPorts() {
        String ns = Fabric8.namespace(client, "endpoints-noport");
        client.resource(pod(ns, "p", true)).create();
        running(ns, "p");
        client.resource(new ServiceBuilder(service(ns, "metrics")).editSpec().editFirstPort()
                .withTargetPort(new IntOrString("metrics")).endPort().endSpec().build()).create();
        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(endpoints(ns, "metrics")).isNotNull();
            assertThat(endpoints(ns, "metrics").getSubsets()).isNullOrEmpty();
            // As in Kubernetes: the slice lists the pod under an empty port set.
            assertThat(slices(ns, "metrics")).singleElement().satisfies(slice -> {
                assertThat(slice.getEndpoints()).hasSize(1);
                assertThat(slice.getPorts()).isNullOrEmpty();
            });
        });
        // With no pod selected at all, one empty placeholder slice remains.
        client.pods().inNamespace(ns).withName("p").delete();
        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(slices(ns, "metrics")).singleElement()
                    .satisfies(slice -> assertThat(slice.getEndpoints()).isNullOrEmpty());
        });
    }

    @Test
    void headlessServiceGivesHostnamesAndTheHeadlessLabel() {
        String ns = Fabric8.namespace(client, "endpoints-headless");
        client.resource(new PodBuilder(pod(ns, "db-0", true)).editSpec().withHostname("db-0").withSubdomain("db")
                .endSpec().build()).create();
        running(ns, "db-0");
        client.resource(new ServiceBuilder(service(ns, "db")).editSpec().withClusterIP("None").withPorts(List.of())
                .endSpec().build()).create();
        await().atMost(PATIENCE).untilAsserted(() -> {
            Endpoints endpoints = endpoints(ns, "db");
            assertThat(endpoints).isNotNull();
            assertThat(endpoints.getSubsets().getFirst().getAddresses()).singleElement()
                    .satisfies(a -> assertThat(a.getHostname()).isEqualTo("db-0"));
            assertThat(endpoints.getMetadata().getLabels()).containsEntry("service.kubernetes.io/headless", "");
            assertThat(slices(ns, "db")).singleElement().satisfies(slice -> {
                assertThat(slice.getEndpoints()).singleElement()
                        .satisfies(e -> assertThat(e.getHostname()).isEqualTo("db-0"));
                assertThat(slice.getMetadata().getLabels()).containsEntry("service.kubernetes.io/headless", "");
            });
        });
    }

    @Test
    void aServiceWithoutSelectorKeepsTheEndpointsItsUserWrote() {
        String ns = Fabric8.namespace(client, "endpoints-manual");
        client.resource(new ServiceBuilder().withNewMetadata().withName("external").withNamespace(ns).endMetadata()
                .withNewSpec().addNewPort().withPort(5432).endPort().endSpec().build()).create();
        client.resource(new EndpointsBuilder().withNewMetadata().withName("external").withNamespace(ns).endMetadata()
                .addNewSubset().addNewAddress().withIp("192.0.2.10").endAddress().addNewPort().withPort(5432).endPort()
                .endSubset().build()).create();
        // Other pods and Services in the namespace make the controllers busy; the manual object must survive.
        client.resource(pod(ns, "p", true)).create();
        client.resource(service(ns, "web")).create();
        await().atMost(PATIENCE).until(() -> endpoints(ns, "web") != null && !slices(ns, "web").isEmpty());
        Endpoints manual = endpoints(ns, "external");
        assertThat(manual.getSubsets().getFirst().getAddresses()).extracting(EndpointAddress::getIp)
                .containsExactly("192.0.2.10");
        assertThat(manual.getMetadata().getAnnotations()).isNullOrEmpty();
        assertThat(slices(ns, "external")).isEmpty();
    }

    @Test
    void moreThanAHundredPodsSpreadOverSlicesOfAtMostAHundred() {
        String ns = Fabric8.namespace(client, "endpoints-many");
        client.resource(new ReplicaSetBuilder().withNewMetadata().withName("web").withNamespace(ns).endMetadata()
                .withNewSpec().withReplicas(130).withNewSelector().addToMatchLabels("app", "web").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "web").endMetadata().withSpec(
                        pod(ns, "x", true).getSpec()).endTemplate().endSpec().build()).create();
        client.resource(service(ns, "web")).create();
        await().atMost(PATIENCE).untilAsserted(() -> {
            List<EndpointSlice> slices = slices(ns, "web");
            assertThat(slices).allSatisfy(s -> assertThat(s.getEndpoints()).hasSizeLessThanOrEqualTo(100));
            assertThat(slices.stream().mapToInt(s -> s.getEndpoints() == null ? 0 : s.getEndpoints().size()).sum())
                    .isEqualTo(130);
            assertThat(slices.stream().flatMap(s -> s.getEndpoints().stream()).allMatch(e -> e.getConditions()
                    .getReady())).isTrue();
        });
        assertThat(slices(ns, "web")).hasSize(2);
        Map<String, String> labels = slices(ns, "web").getFirst().getMetadata().getLabels();
        assertThat(labels).containsEntry("kubernetes.io/service-name", "web");
    }
}
