package io.kybern.controllers.daemonset;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.NodeSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import org.junit.jupiter.api.Test;

class DaemonPodsTest {

    private static DaemonSet daemonSet() {
        return new DaemonSetBuilder().withApiVersion("apps/v1").withKind("DaemonSet")
                .withNewMetadata().withName("agent").withNamespace("ns").withUid("u1").withGeneration(4L).endMetadata()
                .withNewSpec().withNewTemplate().withNewMetadata().addToLabels("app", "agent").endMetadata()
                .withNewSpec().addNewContainer().withName("a").withImage("nginx").endContainer()
                .withNewAffinity().withNewNodeAffinity().withNewRequiredDuringSchedulingIgnoredDuringExecution()
                .addNewNodeSelectorTerm().withMatchExpressions(new NodeSelectorRequirementBuilder().withKey("zone")
                        .withOperator("In").withValues("a").build()).endNodeSelectorTerm()
                .endRequiredDuringSchedulingIgnoredDuringExecution()
                .addNewPreferredDuringSchedulingIgnoredDuringExecution().withWeight(1).withNewPreference()
                .withMatchExpressions(new NodeSelectorRequirementBuilder().withKey("fast").withOperator("Exists")
                        .build()).endPreference().endPreferredDuringSchedulingIgnoredDuringExecution()
                .endNodeAffinity().endAffinity()
                .endSpec().endTemplate().endSpec().build();
    }

    @Test
    void aDaemonPodIsPinnedToItsNodeAndLabelledWithItsRevision() {
        DaemonSet ds = daemonSet();
        Pod pod = DaemonPods.forNode(ds, "node-7", "abc123");

        var required = pod.getSpec().getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution();
        assertThat(required.getNodeSelectorTerms()).hasSize(1);
        assertThat(required.getNodeSelectorTerms().getFirst().getMatchExpressions()).isEmpty();
        var field = required.getNodeSelectorTerms().getFirst().getMatchFields().getFirst();
        assertThat(field.getKey()).isEqualTo("metadata.name");
        assertThat(field.getOperator()).isEqualTo("In");
        assertThat(field.getValues()).containsExactly("node-7");
        assertThat(pod.getSpec().getAffinity().getNodeAffinity().getPreferredDuringSchedulingIgnoredDuringExecution())
                .as("preferences are kept").hasSize(1);
        assertThat(pod.getSpec().getNodeName()).as("the scheduler binds it").isNull();
        assertThat(pod.getMetadata().getLabels()).containsEntry("app", "agent")
                .containsEntry("controller-revision-hash", "abc123").containsEntry("pod-template-generation", "4");
        assertThat(pod.getMetadata().getGenerateName()).isEqualTo("agent-");
        assertThat(pod.getMetadata().getOwnerReferences().getFirst().getController()).isTrue();
        assertThat(pod.getSpec().getTolerations()).hasSize(6);
        assertThat(DaemonPods.targetNode(pod)).contains("node-7");
        assertThat(DaemonPods.updated(pod, "abc123")).isTrue();
        assertThat(DaemonPods.updated(pod, "other")).isFalse();

        assertThat(ds.getSpec().getTemplate().getSpec().getTolerations()).as("the template is not changed").isEmpty();
        assertThat(ds.getSpec().getTemplate().getSpec().getAffinity().getNodeAffinity()
                .getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms().getFirst()
                .getMatchExpressions()).hasSize(1);
    }

    @Test
    void aBoundPodsTargetIsItsNode() {
        Pod pod = DaemonPods.forNode(daemonSet(), "node-7", "h");
        pod.getSpec().setNodeName("node-8");
        assertThat(DaemonPods.targetNode(pod)).contains("node-8");
        pod.getSpec().setNodeName(null);
        pod.getSpec().setAffinity(null);
        assertThat(DaemonPods.targetNode(pod)).isEmpty();
    }
}
