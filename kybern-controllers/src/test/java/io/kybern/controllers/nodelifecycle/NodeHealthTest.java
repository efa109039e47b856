package io.kybern.controllers.nodelifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class NodeHealthTest {

    private static final Instant NOW = Instant.parse("2026-12-06T10:00:40Z");

    private static NodeCondition condition(String type, String status) {
        return new NodeConditionBuilder().withType(type).withStatus(status).withReason("Kubelet" + type)
                .withLastHeartbeatTime("2026-12-06T09:59:50Z").withLastTransitionTime("2026-12-06T09:00:00Z").build();
    }

    @Test
    void aSilentNodesKubeletConditionsBecomeUnknownKeepingTheirLastHeartbeat() {
        List<NodeCondition> current = List.of(condition("MemoryPressure", "False"), condition("Ready", "True"),
                condition("NetworkUnavailable", "False"));

        List<NodeCondition> silent = NodeHealth.silentConditions(current, NOW);

        assertThat(silent).extracting(NodeCondition::getType, NodeCondition::getStatus, NodeCondition::getReason)
                .containsExactly(tuple("Ready", "Unknown", "NodeStatusUnknown"),
                        tuple("MemoryPressure", "Unknown", "NodeStatusUnknown"),
                        tuple("DiskPressure", "Unknown", "NodeStatusNeverUpdated"),
                        tuple("PIDPressure", "Unknown", "NodeStatusNeverUpdated"),
                        tuple("NetworkUnavailable", "False", "KubeletNetworkUnavailable"));
        NodeCondition ready = silent.get(0);
        assertThat(ready.getMessage()).isEqualTo("Kubelet stopped posting node status.");
        assertThat(ready.getLastHeartbeatTime()).isEqualTo("2026-12-06T09:59:50Z");
        assertThat(ready.getLastTransitionTime()).isEqualTo("2026-12-06T10:00:40Z");
    }

    @Test
    void conditionsNeverReportedAreAddedAsNeverUpdated() {
        List<NodeCondition> silent = NodeHealth.silentConditions(List.of(), NOW);

        assertThat(silent).extracting(NodeCondition::getType).containsExactly("Ready", "MemoryPressure",
                "DiskPressure", "PIDPressure");
        assertThat(silent).allSatisfy(c -> {
            assertThat(c.getStatus()).isEqualTo("Unknown");
            assertThat(c.getReason()).isEqualTo("NodeStatusNeverUpdated");
            assertThat(c.getMessage()).isEqualTo("Kubelet never posted node status.");
        });
    }

    @Test
    void aNodeWithoutReadyConditionKeepsItsTaints() {
        Taint user = new TaintBuilder().withKey("dedicated").withEffect("NoSchedule").build();

        assertThat(NodeHealth.taintsFor(List.of(user), null, NOW)).containsExactly(user);
        assertThat(NodeHealth.taintsFor(List.of(), null, NOW)).isEmpty();
    }

    @Test
    void conditionsAlreadyUnknownKeepTheirTransitionTime() {
        NodeCondition unknown = condition("Ready", "Unknown");

        assertThat(NodeHealth.silentConditions(List.of(unknown), NOW).get(0)).isSameAs(unknown);
    }

    private static List<String> rendered(List<Taint> taints) {
        return taints.stream().map(t -> t.getKey() + ":" + t.getEffect() + "@" + t.getTimeAdded()).toList();
    }

    @Test
    void readyStatusDecidesTheTaints() {
        Taint user = new TaintBuilder().withKey("dedicated").withValue("gpu").withEffect("NoSchedule").build();

        assertThat(rendered(NodeHealth.taintsFor(List.of(user), "Unknown", NOW))).containsExactly(
                "dedicated:NoSchedule@null",
                "node.kubernetes.io/unreachable:NoSchedule@2026-12-06T10:00:40Z",
                "node.kubernetes.io/unreachable:NoExecute@2026-12-06T10:00:40Z");
        assertThat(rendered(NodeHealth.taintsFor(List.of(user), "False", NOW))).containsExactly(
                "dedicated:NoSchedule@null",
                "node.kubernetes.io/not-ready:NoSchedule@2026-12-06T10:00:40Z",
                "node.kubernetes.io/not-ready:NoExecute@2026-12-06T10:00:40Z");
        assertThat(NodeHealth.taintsFor(List.of(user), "True", NOW)).containsExactly(user);
    }

    @Test
    void taintsAlreadyRightAreKeptAndTheOtherKindReplaced() {
        List<Taint> unreachable = NodeHealth.taintsFor(List.of(), "Unknown", NOW);

        assertThat(NodeHealth.taintsFor(unreachable, "Unknown", NOW.plusSeconds(30))).isEqualTo(unreachable);
        assertThat(rendered(NodeHealth.taintsFor(unreachable, "False", NOW.plusSeconds(30)))).containsExactly(
                "node.kubernetes.io/not-ready:NoSchedule@2026-12-06T10:01:10Z",
                "node.kubernetes.io/not-ready:NoExecute@2026-12-06T10:01:10Z");
        assertThat(NodeHealth.taintsFor(unreachable, "True", NOW)).isEmpty();
    }
}
