package io.kybern.scheduler.plugins;

import static io.kybern.scheduler.framework.TestObjects.info;
import static io.kybern.scheduler.framework.TestObjects.node;
import static io.kybern.scheduler.framework.TestObjects.on;
import static io.kybern.scheduler.framework.TestObjects.pod;
import static io.kybern.scheduler.framework.TestObjects.taint;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.kybern.scheduler.framework.CycleState;
import io.kybern.scheduler.framework.NodeInfo;
import io.kybern.scheduler.framework.Status;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** TaintToleration, NodeUnschedulable, NodeName and NodePorts: the plugins that read one node's own facts. */
class TaintsAndNodesTest {

    private static Toleration toleration(String key, String operator, String value, String effect) {
        return new TolerationBuilder().withKey(key).withOperator(operator).withValue(value).withEffect(effect).build();
    }

    private static Pod tolerating(Toleration... tolerations) {
        return pod("p", null, null).editSpec().withTolerations(tolerations).endSpec().build();
    }

    static Stream<Arguments> taintCases() {
        return Stream.of(
                Arguments.of("no toleration", tolerating(), false),
                Arguments.of("Equal with the value", tolerating(toleration("dedicated", "Equal", "gpu", "NoSchedule")), true),
                Arguments.of("Equal, operator left out", tolerating(toleration("dedicated", null, "gpu", "NoSchedule")), true),
                Arguments.of("Equal with another value", tolerating(toleration("dedicated", "Equal", "db", "NoSchedule")), false),
                Arguments.of("Exists on the key", tolerating(toleration("dedicated", "Exists", null, null)), true),
                Arguments.of("another effect", tolerating(toleration("dedicated", "Exists", null, "NoExecute")), false),
                Arguments.of("Exists without a key tolerates all", tolerating(toleration(null, "Exists", null, null)), true),
                Arguments.of("Equal without a key tolerates nothing", tolerating(toleration(null, "Equal", "", null)), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("taintCases")
    void taintsKeepOffPodsThatDoNotTolerateThem(String name, Pod pod, boolean fits) {
        Node node = node("n", "4", "8Gi").editSpec().withTaints(taint("dedicated", "gpu", "NoSchedule")).endSpec().build();
        Status status = new TaintToleration().filter(new CycleState(), pod, info(node));
        assertThat(status.isSuccess()).isEqualTo(fits);
        if (!fits) {
            assertThat(status.reasons()).containsExactly("node(s) had untolerated taint {dedicated: gpu}");
        }
    }

    @Test
    void preferNoScheduleOnlyLowersTheScore() {
        TaintToleration plugin = new TaintToleration();
        Pod pod = tolerating(toleration("tolerated", "Exists", null, "PreferNoSchedule"));
        List<NodeInfo> nodes = List.of(
                info(node("clean", "4", "8Gi").build()),
                info(node("one", "4", "8Gi").editSpec().withTaints(taint("a", "x", "PreferNoSchedule"),
                        taint("tolerated", "y", "PreferNoSchedule")).endSpec().build()),
                info(node("two", "4", "8Gi").editSpec().withTaints(taint("a", "x", "PreferNoSchedule"),
                        taint("b", "y", "PreferNoSchedule")).endSpec().build()));
        for (NodeInfo node : nodes) {
            assertThat(plugin.filter(new CycleState(), pod, node).isSuccess()).isTrue();
        }
        long[] scores = nodes.stream().mapToLong(n -> plugin.score(new CycleState(), pod, n)).toArray();
        assertThat(scores).containsExactly(0, 1, 2);
        plugin.normalize(new CycleState(), pod, nodes, scores);
        assertThat(scores).containsExactly(100, 50, 0);
    }

    @Test
    void aCordonedNodeTakesOnlyPodsToleratingUnschedulable() {
        NodeInfo cordoned = info(node("n", "4", "8Gi").editSpec().withUnschedulable(true).endSpec().build());
        NodeUnschedulable plugin = new NodeUnschedulable();
        Status status = plugin.filter(new CycleState(), pod("p", null, null).build(), cordoned);
        assertThat(status.reasons()).containsExactly("node(s) were unschedulable");
        assertThat(status.code()).isEqualTo(Status.Code.UNRESOLVABLE);
        Pod daemon = tolerating(toleration("node.kubernetes.io/unschedulable", "Exists", null, "NoSchedule"));
        assertThat(plugin.filter(new CycleState(), daemon, cordoned).isSuccess()).isTrue();
        assertThat(plugin.filter(new CycleState(), pod("p", null, null).build(),
                info(node("m", "4", "8Gi").build())).isSuccess()).isTrue();
    }

    @Test
    void aPodNamingItsNodeFitsOnlyThere() {
        Pod pod = pod("p", null, null).editSpec().withNodeName("b").endSpec().build();
        NodeName plugin = new NodeName();
        assertThat(plugin.filter(new CycleState(), pod, info(node("b", "1", "1Gi").build())).isSuccess()).isTrue();
        assertThat(plugin.filter(new CycleState(), pod, info(node("a", "1", "1Gi").build())).reasons())
                .containsExactly("node(s) didn't match the requested node name");
    }

    private static Pod withHostPort(String name, int port, String protocol, String ip) {
        return pod(name, null, null).editSpec().editFirstContainer().withPorts(new ContainerPortBuilder()
                .withContainerPort(80).withHostPort(port).withProtocol(protocol).withHostIP(ip).build())
                .endContainer().endSpec().build();
    }

    static Stream<Arguments> portCases() {
        return Stream.of(
                Arguments.of("same port and protocol", withHostPort("p", 8080, "TCP", null), false),
                Arguments.of("same port, UDP", withHostPort("p", 8080, "UDP", null), true),
                Arguments.of("another port", withHostPort("p", 8081, "TCP", null), true),
                Arguments.of("a specific IP against every address", withHostPort("p", 8080, "TCP", "10.0.0.1"), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("portCases")
    void hostPortsAreTheNodes(String name, Pod pod, boolean fits) {
        NodePorts plugin = new NodePorts();
        NodeInfo node = info(node("n", "4", "8Gi").build(), on(withHostPort("web", 8080, "TCP", null), "n"));
        CycleState state = new CycleState();
        assertThat(plugin.preFilter(state, pod, List.of(node)).isSuccess()).isTrue();
        Status status = plugin.filter(state, pod, node);
        assertThat(status.isSuccess()).isEqualTo(fits);
        if (!fits) {
            assertThat(status.reasons()).containsExactly("node(s) didn't have free ports for the requested pod ports");
        }
    }

    @Test
    void podsWithoutHostPortsSkipThePortCheckAndRemovedPodsFreeTheirPorts() {
        NodePorts plugin = new NodePorts();
        assertThat(plugin.preFilter(new CycleState(), pod("p", null, null).build(), List.of()).isSkip()).isTrue();
        NodeInfo node = info(node("n", "4", "8Gi").build(), on(withHostPort("web", 8080, "TCP", null), "n"));
        node.removePod("default/web");
        assertThat(plugin.filter(new CycleState(), withHostPort("p", 8080, "TCP", null), node).isSuccess()).isTrue();
    }
}
