package io.kybern.kubelet.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class PodCidrsTest {

    private static Node withCidr(String cidr) {
        return new NodeBuilder().withNewMetadata().withName(cidr).endMetadata().withNewSpec().withPodCIDR(cidr)
                .endSpec().build();
    }

    @Test
    void takesTheFirstSlash24NoNodeHolds() {
        assertThat(PodCidrs.firstFree("10.42.0.0/16", List.of())).isEqualTo("10.42.0.0/24");
        assertThat(PodCidrs.firstFree("10.42.0.0/16", List.of(withCidr("10.42.0.0/24"), withCidr("10.42.2.0/24"),
                new NodeBuilder().withNewMetadata().withName("none").endMetadata().build())))
                .isEqualTo("10.42.1.0/24");
        assertThat(PodCidrs.firstFree("10.42.7.9/24", List.of())).isEqualTo("10.42.7.0/24");
    }

    @Test
    void failsWhenTheClusterCidrIsFullOrTooSmall() {
        assertThatThrownBy(() -> PodCidrs.firstFree("10.42.0.0/24", List.of(withCidr("10.42.0.0/24"))))
                .hasMessageContaining("every /24");
        assertThatThrownBy(() -> PodCidrs.firstFree("10.42.0.0/25", List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
