package io.kybern.scheduler.plugins;

import static io.kybern.scheduler.framework.TestObjects.info;
import static io.kybern.scheduler.framework.TestObjects.node;
import static io.kybern.scheduler.framework.TestObjects.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.NodeSelectorTermBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PreferredSchedulingTermBuilder;
import io.kybern.scheduler.framework.CycleState;
import io.kybern.scheduler.framework.NodeInfo;
import io.kybern.scheduler.framework.Status;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class NodeAffinityTest {

    private final NodeAffinity plugin = new NodeAffinity();
    private static final Node NODE = node("worker-1", "4", "8Gi").editMetadata()
            .addToLabels(Map.of("zone", "a", "disk", "ssd", "cores", "16")).endMetadata().build();

    private static NodeSelectorRequirement req(String key, String operator, String... values) {
        return new NodeSelectorRequirement(key, operator, List.of(values));
    }

    private static NodeSelectorTerm expressions(NodeSelectorRequirement... requirements) {
        return new NodeSelectorTermBuilder().withMatchExpressions(requirements).build();
    }

    private static Pod required(NodeSelectorTerm... terms) {
        return pod("p", null, null).editSpec().withNewAffinity().withNewNodeAffinity()
                .withNewRequiredDuringSchedulingIgnoredDuringExecution().withNodeSelectorTerms(terms)
                .endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity().endAffinity().endSpec().build();
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("no selector, no affinity", pod("p", null, null).build(), true),
                Arguments.of("nodeSelector matches", pod("p", null, null).editSpec()
                        .withNodeSelector(Map.of("zone", "a")).endSpec().build(), true),
                Arguments.of("nodeSelector differs", pod("p", null, null).editSpec()
                        .withNodeSelector(Map.of("zone", "b")).endSpec().build(), false),
                Arguments.of("In", required(expressions(req("zone", "In", "a", "b"))), true),
                Arguments.of("In, other values", required(expressions(req("zone", "In", "c"))), false),
                Arguments.of("NotIn", required(expressions(req("disk", "NotIn", "hdd"))), true),
                Arguments.of("NotIn its value", required(expressions(req("disk", "NotIn", "ssd"))), false),
                Arguments.of("NotIn a missing label", required(expressions(req("gpu", "NotIn", "x"))), true),
                Arguments.of("Exists", required(expressions(req("disk", "Exists"))), true),
                Arguments.of("DoesNotExist", required(expressions(req("gpu", "DoesNotExist"))), true),
                Arguments.of("DoesNotExist of one there", required(expressions(req("disk", "DoesNotExist"))), false),
                Arguments.of("Gt", required(expressions(req("cores", "Gt", "8"))), true),
                Arguments.of("Gt, not greater", required(expressions(req("cores", "Gt", "16"))), false),
                Arguments.of("Lt", required(expressions(req("cores", "Lt", "32"))), true),
                Arguments.of("Gt of a non-number", required(expressions(req("zone", "Gt", "1"))), false),
                Arguments.of("requirements of a term are ANDed",
                        required(expressions(req("zone", "In", "a"), req("disk", "In", "hdd"))), false),
                Arguments.of("terms are ORed", required(expressions(req("zone", "In", "b")),
                        expressions(req("disk", "In", "ssd"))), true),
                Arguments.of("an empty term matches nothing", required(new NodeSelectorTerm()), false),
                Arguments.of("matchFields on metadata.name", required(new NodeSelectorTermBuilder()
                        .withMatchFields(req("metadata.name", "In", "worker-1")).build()), true),
                Arguments.of("matchFields on another name", required(new NodeSelectorTermBuilder()
                        .withMatchFields(req("metadata.name", "In", "worker-2")).build()), false),
                Arguments.of("nodeSelector and affinity both apply", required(expressions(req("zone", "In", "a")))
                        .edit().editSpec().withNodeSelector(Map.of("disk", "hdd")).endSpec().build(), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void requiredAffinityAndSelector(String name, Pod pod, boolean fits) {
        Status status = plugin.filter(new CycleState(), pod, info(NODE));
        assertThat(status.isSuccess()).isEqualTo(fits);
        if (!fits) {
            assertThat(status.code()).isEqualTo(Status.Code.UNRESOLVABLE);
            assertThat(status.reasons()).containsExactly("node(s) didn't match Pod's node affinity/selector");
        }
    }

    @Test
    void preferredTermsAddTheirWeightsAndTheBestNodeScoresHundred() {
        Pod pod = pod("p", null, null).editSpec().withNewAffinity().withNewNodeAffinity()
                .withPreferredDuringSchedulingIgnoredDuringExecution(
                        new PreferredSchedulingTermBuilder().withWeight(20)
                                .withPreference(expressions(req("zone", "In", "a"))).build(),
                        new PreferredSchedulingTermBuilder().withWeight(60)
                                .withPreference(expressions(req("disk", "In", "ssd"))).build())
                .endNodeAffinity().endAffinity().endSpec().build();
        List<NodeInfo> nodes = List.of(info(NODE),
                info(node("b", "4", "8Gi").editMetadata().addToLabels("disk", "ssd").endMetadata().build()),
                info(node("c", "4", "8Gi").build()));
        long[] scores = nodes.stream().mapToLong(n -> plugin.score(new CycleState(), pod, n)).toArray();
        assertThat(scores).containsExactly(80, 60, 0);
        plugin.normalize(new CycleState(), pod, nodes, scores);
        assertThat(scores).containsExactly(100, 75, 0);
    }
}
