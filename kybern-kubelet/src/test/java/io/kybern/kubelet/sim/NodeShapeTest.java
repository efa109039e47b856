package io.kybern.kubelet.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Taint;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeShapeTest {

    @Test
    void labelsAndTaintsAreReadAsKubectlWritesThem() {
        assertThat(NodeShape.parseLabels("zone=a, tier=gpu,empty=")).containsExactly(Map.entry("zone", "a"),
                Map.entry("tier", "gpu"), Map.entry("empty", ""));
        List<Taint> taints = NodeShape.parseTaints("dedicated=gpu:NoSchedule,maintenance:NoExecute");
        assertThat(taints).extracting(Taint::getKey, Taint::getValue, Taint::getEffect).containsExactly(
                org.assertj.core.groups.Tuple.tuple("dedicated", "gpu", "NoSchedule"),
                org.assertj.core.groups.Tuple.tuple("maintenance", null, "NoExecute"));
        assertThat(NodeShape.parseTaints("")).isEmpty();
    }

    @Test
    void malformedLabelsAndTaintsAreRefused() {
        assertThatThrownBy(() -> NodeShape.parseLabels("novalue")).hasMessageContaining("key=value");
        assertThatThrownBy(() -> NodeShape.parseTaints("k=v")).hasMessageContaining("key[=value]:Effect");
        assertThatThrownBy(() -> NodeShape.parseTaints("k=v:Sometimes")).hasMessageContaining("effect");
        assertThatThrownBy(() -> new NodeShape("4", "16Gi", 0, Map.of(), List.of())).hasMessageContaining("pod");
    }

    @Test
    void aNodeCarriesItsShapeTheStandardLabelsAndAReadyStatus() {
        NodeShape shape = new NodeShape("8", "32Gi", 50, Map.of("zone", "b"),
                NodeShape.parseTaints("dedicated=gpu:NoSchedule"));

        Node node = NodeObjects.node("sim-node-3", 3, shape, "v1.33.0", Instant.parse("2026-12-06T10:00:00Z"));

        assertThat(node.getMetadata().getLabels()).containsEntry("kubernetes.io/hostname", "sim-node-3")
                .containsEntry("kubernetes.io/os", "linux").containsEntry("kubernetes.io/arch", "amd64")
                .containsEntry("kybern.io/simulated", "true").containsEntry("zone", "b");
        assertThat(node.getSpec().getPodCIDR()).isEqualTo("10.42.3.0/24");
        assertThat(node.getSpec().getTaints()).extracting(Taint::getKey).containsExactly("dedicated");
        assertThat(node.getStatus().getCapacity()).containsKeys("cpu", "memory", "pods", "ephemeral-storage");
        assertThat(node.getStatus().getCapacity().get("cpu").toString()).isEqualTo("8");
        assertThat(node.getStatus().getAllocatable().get("pods").toString()).isEqualTo("50");
        assertThat(node.getStatus().getConditions()).extracting(NodeCondition::getType, NodeCondition::getStatus)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("MemoryPressure", "False"),
                        org.assertj.core.groups.Tuple.tuple("DiskPressure", "False"),
                        org.assertj.core.groups.Tuple.tuple("PIDPressure", "False"),
                        org.assertj.core.groups.Tuple.tuple("Ready", "True"));
        assertThat(node.getStatus().getAddresses().get(0).getAddress()).isEqualTo("100.64.0.4");
        assertThat(node.getStatus().getNodeInfo().getKubeletVersion()).isEqualTo("v1.33.0");
    }

    @Test
    void addressesDifferForEveryNode() {
        assertThat(NodeObjects.internalIp(0)).isEqualTo("100.64.0.1");
        assertThat(NodeObjects.internalIp(255)).isEqualTo("100.64.1.0");
        assertThat(NodeObjects.podCidr(256)).isEqualTo("10.43.0.0/24");
        assertThat(NodeObjects.podIp(256, 0)).isEqualTo("10.43.0.2");
        assertThat(NodeObjects.podIp(0, 252)).isEqualTo("10.42.0.254");
    }

    @Test
    void aStatusPostedAgainKeepsTheTransitionTimeOfUnchangedConditions() {
        Instant t0 = Instant.parse("2026-12-06T10:00:00Z");
        List<NodeCondition> first = NodeObjects.status("n", 0, NodeShape.defaults(), "v", t0, List.of())
                .getConditions();

        List<NodeCondition> again = NodeObjects.status("n", 0, NodeShape.defaults(), "v", t0.plusSeconds(300), first)
                .getConditions();

        assertThat(again).allSatisfy(c -> {
            assertThat(c.getLastTransitionTime()).isEqualTo("2026-12-06T10:00:00Z");
            assertThat(c.getLastHeartbeatTime()).isEqualTo("2026-12-06T10:05:00Z");
        });
    }
}
