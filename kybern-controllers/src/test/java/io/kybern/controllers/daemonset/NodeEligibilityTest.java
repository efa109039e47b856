package io.kybern.controllers.daemonset;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeEligibilityTest {

    private static Node node(String name, Map<String, String> labels, Taint... taints) {
        return new NodeBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata()
                .withNewSpec().withTaints(taints).endSpec().build();
    }

    private static Taint taint(String key, String effect) {
        return new Taint(effect, key, null, "v");
    }

    private static PodSpec spec() {
        return new PodSpecBuilder().addNewContainer().withName("a").withImage("nginx").endContainer().build();
    }

    @Test
    void aPlainTemplateRunsOnEveryUntaintedNode() {
        assertThat(NodeEligibility.of(spec(), node("n1", Map.of()))).isEqualTo(new NodeEligibility(true, true));
    }

    @Test
    void nodeSelectorAndRequiredAffinityMustBothMatch() {
        PodSpec spec = spec();
        spec.setNodeSelector(Map.of("disk", "ssd"));
        assertThat(NodeEligibility.of(spec, node("n1", Map.of("disk", "hdd"))).shouldRun()).isFalse();
        assertThat(NodeEligibility.of(spec, node("n1", Map.of("disk", "ssd"))).shouldRun()).isTrue();

        PodSpec affine = new PodSpecBuilder(spec()).withNewAffinity().withNewNodeAffinity()
                .withNewRequiredDuringSchedulingIgnoredDuringExecution().addNewNodeSelectorTerm()
                .withMatchExpressions(new NodeSelectorRequirementBuilder().withKey("zone").withOperator("In")
                        .withValues("a", "b").build())
                .endNodeSelectorTerm().addNewNodeSelectorTerm()
                .withMatchFields(new NodeSelectorRequirementBuilder().withKey("metadata.name").withOperator("In")
                        .withValues("special").build())
                .endNodeSelectorTerm()
                .endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity().endAffinity().build();
        assertThat(NodeEligibility.of(affine, node("n1", Map.of("zone", "b"))).shouldRun()).isTrue();
        assertThat(NodeEligibility.of(affine, node("n1", Map.of("zone", "c"))))
                .isEqualTo(new NodeEligibility(false, false));
        assertThat(NodeEligibility.of(affine, node("special", Map.of())).shouldRun()).as("terms are ORed").isTrue();
    }

    @Test
    void aTemplateNodeNameLimitsTheSetToThatNode() {
        PodSpec spec = spec();
        spec.setNodeName("n2");
        assertThat(NodeEligibility.of(spec, node("n1", Map.of())).shouldRun()).isFalse();
        assertThat(NodeEligibility.of(spec, node("n2", Map.of())).shouldRun()).isTrue();
    }

    @Test
    void anUntoleratedNoScheduleTaintKeepsNewPodsOutButLetsOldOnesStay() {
        NodeEligibility decision = NodeEligibility.of(spec(), node("n1", Map.of(), taint("dedicated", "NoSchedule")));
        assertThat(decision).isEqualTo(new NodeEligibility(false, true));
    }

    @Test
    void anUntoleratedNoExecuteTaintDrivesPodsOff() {
        NodeEligibility decision = NodeEligibility.of(spec(), node("n1", Map.of(), taint("dedicated", "NoExecute")));
        assertThat(decision).isEqualTo(new NodeEligibility(false, false));
    }

    @Test
    void preferNoScheduleIsIgnoredAndTolerationsAreHonoured() {
        assertThat(NodeEligibility.of(spec(), node("n1", Map.of(), taint("soft", "PreferNoSchedule"))).shouldRun())
                .isTrue();
        PodSpec tolerant = spec();
        tolerant.setTolerations(List.of(new TolerationBuilder().withKey("dedicated").withOperator("Exists").build()));
        assertThat(NodeEligibility.of(tolerant, node("n1", Map.of(), taint("dedicated", "NoExecute"))))
                .isEqualTo(new NodeEligibility(true, true));
    }

    @Test
    void theNodesOwnConditionTaintsAreToleratedAutomatically() {
        Node sick = node("n1", Map.of(), taint("node.kubernetes.io/not-ready", "NoExecute"),
                taint("node.kubernetes.io/unreachable", "NoExecute"), taint("node.kubernetes.io/unschedulable", "NoSchedule"),
                taint("node.kubernetes.io/disk-pressure", "NoSchedule"),
                taint("node.kubernetes.io/memory-pressure", "NoSchedule"),
                taint("node.kubernetes.io/pid-pressure", "NoSchedule"));
        assertThat(NodeEligibility.of(spec(), sick)).isEqualTo(new NodeEligibility(true, true));

        Node noNetwork = node("n1", Map.of(), taint("node.kubernetes.io/network-unavailable", "NoSchedule"));
        assertThat(NodeEligibility.of(spec(), noNetwork).shouldRun()).as("only host-network pods").isFalse();
        PodSpec hostNetwork = spec();
        hostNetwork.setHostNetwork(true);
        assertThat(NodeEligibility.of(hostNetwork, noNetwork).shouldRun()).isTrue();
    }

    @Test
    void automaticTolerationsHaveNoTimeLimitAndKeepTheTemplatesOwn() {
        PodSpec spec = spec();
        Toleration own = new TolerationBuilder().withKey("node.kubernetes.io/not-ready").withOperator("Exists")
                .withEffect("NoExecute").withTolerationSeconds(60L).build();
        spec.setTolerations(List.of(own));
        List<Toleration> completed = DaemonPodTolerations.completed(spec);
        assertThat(completed).hasSize(6).contains(own);
        assertThat(completed).filteredOn(t -> t != own).allMatch(t -> t.getTolerationSeconds() == null
                && "Exists".equals(t.getOperator()));
    }
}
