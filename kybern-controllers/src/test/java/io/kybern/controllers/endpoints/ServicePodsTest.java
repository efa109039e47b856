package io.kybern.controllers.endpoints;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import org.junit.jupiter.api.Test;

class ServicePodsTest {

    static Pod pod(String name, String ip, boolean ready) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("ns").withUid("uid-" + name)
                .addToLabels("app", "web").withCreationTimestamp("2026-01-01T00:00:00Z").endMetadata()
                .withNewSpec().withNodeName("node-1").addNewContainer().withName("c")
                .addNewPort().withName("http").withContainerPort(8080).endPort()
                .addNewPort().withName("dns").withContainerPort(5353).withProtocol("UDP").endPort()
                .endContainer().endSpec()
                .withNewStatus().withPhase("Running").withPodIP(ip).addNewPodIP().withIp(ip).endPodIP()
                .addNewCondition().withType("Ready").withStatus(ready ? "True" : "False")
                .withLastTransitionTime("2026-01-01T00:00:05Z").endCondition().endStatus().build();
    }

    static ServicePort port(String name, int port, IntOrString target, String protocol) {
        return new ServicePortBuilder().withName(name).withPort(port).withTargetPort(target).withProtocol(protocol)
                .build();
    }

    @Test
    void numericTargetPortIsTakenAsIs() {
        assertThat(ServicePods.targetPort(port("a", 80, new IntOrString(9090), "TCP"), pod("p", "10.0.0.1", true)))
                .contains(9090);
    }

    @Test
    void namedTargetPortIsResolvedAmongThePodsContainerPortsOfTheSameProtocol() {
        Pod pod = pod("p", "10.0.0.1", true);
        assertThat(ServicePods.targetPort(port("a", 80, new IntOrString("http"), "TCP"), pod)).contains(8080);
        assertThat(ServicePods.targetPort(port("a", 53, new IntOrString("dns"), "UDP"), pod)).contains(5353);
        assertThat(ServicePods.targetPort(port("a", 53, new IntOrString("dns"), "TCP"), pod)).isEmpty();
        assertThat(ServicePods.targetPort(port("a", 80, new IntOrString("metrics"), "TCP"), pod)).isEmpty();
    }

    @Test
    void missingTargetPortMeansThePortItself() {
        assertThat(ServicePods.targetPort(new ServicePortBuilder().withPort(81).build(), pod("p", "10.0.0.1", true)))
                .contains(81);
    }

    @Test
    void podsWithoutIpOrFinishedForGoodOrDeletedAreNotListed() {
        assertThat(ServicePods.listed(pod("p", "10.0.0.1", false), false)).isTrue();
        assertThat(ServicePods.listed(pod("p", null, true), false)).isFalse();
        Pod deleting = new PodBuilder(pod("p", "10.0.0.1", true)).editMetadata()
                .withDeletionTimestamp("2026-01-01T00:01:00Z").endMetadata().build();
        assertThat(ServicePods.listed(deleting, false)).isFalse();
        assertThat(ServicePods.listed(deleting, true)).isTrue();
        Pod failedNever = new PodBuilder(pod("p", "10.0.0.1", false)).editSpec().withRestartPolicy("Never")
                .endSpec().editStatus().withPhase("Failed").endStatus().build();
        assertThat(ServicePods.listed(failedNever, true)).isFalse();
        Pod failedAlways = new PodBuilder(failedNever).editSpec().withRestartPolicy("Always").endSpec().build();
        assertThat(ServicePods.listed(failedAlways, true)).isTrue();
    }

    @Test
    void hostnameOnlyWhenTheSubdomainIsTheService() {
        Service service = new ServiceBuilder().withNewMetadata().withName("db").withNamespace("ns").endMetadata()
                .withNewSpec().withClusterIP("None").endSpec().build();
        Pod named = new PodBuilder(pod("p", "10.0.0.1", true)).editSpec().withHostname("db-0").withSubdomain("db")
                .endSpec().build();
        assertThat(ServicePods.hostname(service, named)).contains("db-0");
        Pod elsewhere = new PodBuilder(named).editSpec().withSubdomain("other").endSpec().build();
        assertThat(ServicePods.hostname(service, elsewhere)).isEmpty();
    }

    @Test
    void addressOfEachFamily() {
        Pod pod = pod("p", "10.0.0.1", true);
        assertThat(ServicePods.address(pod, "IPv4")).contains("10.0.0.1");
        assertThat(ServicePods.address(pod, "IPv6")).isEmpty();
    }
}
