package io.kybern.kubelet.containerd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CniNetworkTest {

    @Test
    void theBridgeIsThePodCidrsFirstAddress() {
        assertThat(CniNetwork.gateway("10.42.3.0/24")).isEqualTo("10.42.3.1");
        assertThat(new CniNetwork("10.42.3.0/24", "kybern0").conflist())
                .contains("\"subnet\": \"10.42.3.0/24\"", "\"gateway\": \"10.42.3.1\"", "\"bridge\": \"kybern0\"",
                        "\"type\": \"portmap\"", "\"type\": \"host-local\"",
                        "\"ipMasq\": false"); // masqueraded for the whole CIDR by PodMasquerade
    }

    @Test
    void refusesWhatIsNotACidrOrABridgeName() {
        assertThatThrownBy(() -> new CniNetwork("10.42.3.0", "kybern0")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CniNetwork("10.42.3.0/24", "a-name-too-long-for-linux"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
