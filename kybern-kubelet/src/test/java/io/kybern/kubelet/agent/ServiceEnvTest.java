package io.kybern.kubelet.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServiceEnvTest {

    private static Service service(String namespace, String name, String clusterIp, ServicePort... ports) {
        return new ServiceBuilder().withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
                .withNewSpec().withClusterIP(clusterIp).withPorts(ports).endSpec().build();
    }

    private static ServicePort port(String name, int port, String protocol) {
        return new ServicePortBuilder().withName(name).withPort(port).withProtocol(protocol).build();
    }

    @Test
    void aServiceGivesItsHostPortNamedPortsAndDockerLinkVariables() {
        Map<String, String> env = ServiceEnv.of(List.of(service("shop", "my-db", "10.43.0.7",
                port("sql", 5432, "TCP"), port("", 9000, "UDP"))), "shop", true);
        assertThat(env).containsExactlyInAnyOrderEntriesOf(Map.ofEntries(
                Map.entry("MY_DB_SERVICE_HOST", "10.43.0.7"),
                Map.entry("MY_DB_SERVICE_PORT", "5432"),
                Map.entry("MY_DB_SERVICE_PORT_SQL", "5432"),
                Map.entry("MY_DB_PORT", "tcp://10.43.0.7:5432"),
                Map.entry("MY_DB_PORT_5432_TCP", "tcp://10.43.0.7:5432"),
                Map.entry("MY_DB_PORT_5432_TCP_PROTO", "tcp"),
                Map.entry("MY_DB_PORT_5432_TCP_PORT", "5432"),
                Map.entry("MY_DB_PORT_5432_TCP_ADDR", "10.43.0.7"),
                Map.entry("MY_DB_PORT_9000_UDP", "udp://10.43.0.7:9000"),
                Map.entry("MY_DB_PORT_9000_UDP_PROTO", "udp"),
                Map.entry("MY_DB_PORT_9000_UDP_PORT", "9000"),
                Map.entry("MY_DB_PORT_9000_UDP_ADDR", "10.43.0.7")));
    }

    @Test
    void onlyTheKubernetesServiceComesFromDefaultAndHeadlessServicesGiveNothing() {
        List<Service> services = List.of(
                service("default", "kubernetes", "10.43.0.1", port("https", 443, "TCP")),
                service("default", "web", "10.43.0.9", port("http", 80, "TCP")),
                service("shop", "headless", "None", port("http", 80, "TCP")),
                service("shop", "cart", "10.43.0.20", port("http", 8080, "TCP")),
                service("other", "elsewhere", "10.43.0.30", port("http", 80, "TCP")));
        Map<String, String> env = ServiceEnv.of(services, "shop", true);
        assertThat(env).containsEntry("KUBERNETES_SERVICE_HOST", "10.43.0.1")
                .containsEntry("KUBERNETES_SERVICE_PORT_HTTPS", "443")
                .containsEntry("KUBERNETES_PORT_443_TCP_ADDR", "10.43.0.1")
                .containsEntry("CART_SERVICE_HOST", "10.43.0.20");
        assertThat(env.keySet()).noneMatch(k -> k.startsWith("WEB_") || k.startsWith("HEADLESS_")
                || k.startsWith("ELSEWHERE_"));
    }

    @Test
    void withoutServiceLinksOnlyTheKubernetesServiceRemains() {
        List<Service> services = List.of(
                service("shop", "cart", "10.43.0.20", port("http", 8080, "TCP")),
                service("default", "kubernetes", "10.43.0.1", port("https", 443, "TCP")));
        Map<String, String> env = ServiceEnv.of(services, "shop", false);
        assertThat(env).containsEntry("KUBERNETES_SERVICE_HOST", "10.43.0.1").hasSize(8);
        assertThat(env.keySet()).noneMatch(k -> k.startsWith("CART_"));
    }

    @Test
    void aPodTakesTheServicesOfItsNamespaceFromEveryNamespacesUnlessItsSpecTurnsServiceLinksOff() {
        List<Service> services = List.of(
                service("default", "kubernetes", "10.43.0.1", port("https", 443, "TCP")),
                service("shop", "cart", "10.43.0.20", port("http", 8080, "TCP")),
                service("other", "elsewhere", "10.43.0.30", port("http", 80, "TCP")));
        var linked = new PodBuilder().withNewMetadata().withNamespace("shop").withName("p").endMetadata()
                .withNewSpec().endSpec().build();
        assertThat(ServiceEnv.forPod(linked, services)).containsEntry("KUBERNETES_SERVICE_HOST", "10.43.0.1")
                .containsEntry("CART_SERVICE_HOST", "10.43.0.20").doesNotContainKey("ELSEWHERE_SERVICE_HOST");
        var unlinked = new PodBuilder(linked).editSpec().withEnableServiceLinks(false).endSpec().build();
        assertThat(ServiceEnv.forPod(unlinked, services)).containsEntry("KUBERNETES_SERVICE_HOST", "10.43.0.1")
                .doesNotContainKey("CART_SERVICE_HOST");
    }

    @Test
    void aServiceOfThePodsNamespaceWinsOverTheDefaultOneOfTheSameName() {
        List<Service> services = List.of(
                service("default", "kubernetes", "10.43.0.1", port("https", 443, "TCP")),
                service("shop", "kubernetes", "10.43.0.99", port("https", 443, "TCP")));
        assertThat(ServiceEnv.of(services, "shop", true)).containsEntry("KUBERNETES_SERVICE_HOST", "10.43.0.99");
        assertThat(ServiceEnv.of(services.reversed(), "shop", true))
                .containsEntry("KUBERNETES_SERVICE_HOST", "10.43.0.99");
    }

    @Test
    void explicitEnvIsNeverOverriddenAndMayReferToServiceVariables() throws Exception {
        var pod = new PodBuilder().withNewMetadata().withNamespace("shop").withName("p").withUid("u").endMetadata()
                .withNewSpec().endSpec().build();
        var container = new ContainerBuilder().withName("c")
                .addNewEnv().withName("CART_SERVICE_HOST").withValue("mine").endEnv()
                .addNewEnv().withName("CART_URL").withValue("http://$(CART_SERVICE_HOST):$(CART_SERVICE_PORT)").endEnv()
                .build();
        Map<String, String> serviceEnv = ServiceEnv.of(List.of(service("shop", "cart", "10.43.0.20",
                port("http", 8080, "TCP"))), "shop", true);
        // No envFrom and no references to the API: the client is not needed.
        Map<String, String> env = ContainerEnv.resolve(pod, container, "10.42.0.5", "192.0.2.1", serviceEnv, null);
        assertThat(env).containsEntry("CART_SERVICE_HOST", "mine")
                .containsEntry("CART_URL", "http://mine:8080")
                .containsEntry("CART_PORT", "tcp://10.43.0.20:8080");
        // Explicit variables first, in their order, then the service ones.
        assertThat(List.copyOf(env.keySet()).subList(0, 2)).containsExactly("CART_SERVICE_HOST", "CART_URL");
    }
}
