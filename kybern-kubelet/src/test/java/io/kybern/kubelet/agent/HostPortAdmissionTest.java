package io.kybern.kubelet.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class HostPortAdmissionTest {

    private static Pod pod(String uid, String hostIp, String protocol, int hostPort) {
        return new PodBuilder().withNewMetadata().withName(uid).withNamespace("default").withUid(uid).endMetadata()
                .withNewSpec().addNewContainer().withName("c").addNewPort().withContainerPort(80)
                .withHostPort(hostPort).withHostIP(hostIp).withProtocol(protocol).endPort().endContainer().endSpec()
                .build();
    }

    private static Pod withoutPorts(String uid) {
        return new PodBuilder().withNewMetadata().withName(uid).withUid(uid).endMetadata().withNewSpec()
                .addNewContainer().withName("c").endContainer().endSpec().build();
    }

    @Test
    void aSecondPodAskingForAHeldPortIsRejectedUntilTheFirstReleasesIt() {
        HostPortAdmission admission = new HostPortAdmission(List::of);
        assertThat(admission.admit(pod("a", null, "TCP", 8080))).isNull();
        assertThat(admission.admit(pod("b", "10.0.0.5", "TCP", 8080))).isEqualTo("Predicate NodePorts failed");
        // A rejected pod holds nothing; the same pod admitted again is no conflict with itself.
        assertThat(admission.admit(pod("a", null, "TCP", 8080))).isNull();
        admission.release("a");
        assertThat(admission.admit(pod("b", "10.0.0.5", "TCP", 8080))).isNull();
    }

    @Test
    void otherProtocolsOtherAddressesAndPodsWithoutHostPortsDoNotConflict() {
        HostPortAdmission admission = new HostPortAdmission(List::of);
        assertThat(admission.admit(pod("a", "10.0.0.5", "TCP", 8080))).isNull();
        assertThat(admission.admit(pod("b", "10.0.0.6", "TCP", 8080))).isNull();
        assertThat(admission.admit(pod("c", "10.0.0.5", "UDP", 8080))).isNull();
        assertThat(admission.admit(withoutPorts("d"))).isNull();
        // Every address conflicts with each address.
        assertThat(admission.admit(pod("e", "0.0.0.0", "TCP", 8080))).isNotNull();
    }

    @Test
    void aPodTheApiReportsRunningHoldsItsPortBeforeItsWorkerAdoptsIt() {
        Pod running = new PodBuilder(pod("running", null, "TCP", 9090)).withNewStatus().withPhase("Running")
                .endStatus().build();
        Pod finished = new PodBuilder(pod("finished", null, "TCP", 9191)).withNewStatus().withPhase("Succeeded")
                .endStatus().build();
        HostPortAdmission admission = new HostPortAdmission(() -> List.of(running, finished));
        assertThat(admission.admit(pod("new", null, "TCP", 9090))).isEqualTo(HostPortAdmission.MESSAGE);
        assertThat(admission.admit(pod("other", null, "TCP", 9191))).isNull();
        // The running pod itself is no conflict with itself.
        assertThat(admission.admit(running)).isNull();
    }

    @Test
    void anAdoptedPodKeepsItsPortsAgainstNewcomers() {
        HostPortAdmission admission = new HostPortAdmission(List::of);
        admission.adopt(pod("running", null, "TCP", 9090));
        assertThat(admission.admit(pod("new", null, "TCP", 9090))).isEqualTo(HostPortAdmission.MESSAGE);
    }
}
