package io.kybern.scheduler.plugins;

import static io.kybern.scheduler.framework.TestObjects.info;
import static io.kybern.scheduler.framework.TestObjects.node;
import static io.kybern.scheduler.framework.TestObjects.on;
import static io.kybern.scheduler.framework.TestObjects.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.kybern.scheduler.framework.CycleState;
import io.kybern.scheduler.framework.NodeInfo;
import io.kybern.scheduler.framework.Status;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class NodeResourcesFitTest {

    private final NodeResourcesFit plugin = new NodeResourcesFit();

    private Status filter(Pod pod, NodeInfo node) {
        CycleState state = new CycleState();
        plugin.preFilter(state, pod, List.of(node));
        return plugin.filter(state, pod, node);
    }

    static Stream<Arguments> cases() {
        Node fourCores = node("n", "4", "8Gi").build();
        Node gpuNode = node("g", "4", "8Gi").editStatus().addToAllocatable("example.com/gpu", new Quantity("2"))
                .endStatus().build();
        Node twoPods = node("t", "4", "8Gi").editStatus().addToAllocatable("pods", new Quantity("2")).endStatus().build();
        Pod gpuPod = pod("gpu", "1", null).editSpec().editFirstContainer().editResources()
                .addToRequests("example.com/gpu", new Quantity("1")).addToLimits("example.com/gpu", new Quantity("1"))
                .endResources().endContainer().endSpec().build();
        Pod diskPod = pod("disk", null, null).editSpec().editFirstContainer().editResources()
                .addToRequests("ephemeral-storage", new Quantity("200Gi")).endResources().endContainer().endSpec().build();
        return Stream.of(
                Arguments.of("fits on an empty node", pod("p", "3", "4Gi").build(), info(fourCores), List.of()),
                Arguments.of("exactly the rest fits", pod("p", "1", "4Gi").build(),
                        info(fourCores, on(pod("x", "3", "4Gi").build(), "n")), List.of()),
                Arguments.of("one millicore too many", pod("p", "1001m", null).build(),
                        info(fourCores, on(pod("x", "3", null).build(), "n")), List.of("Insufficient cpu")),
                Arguments.of("memory short", pod("p", null, "5Gi").build(),
                        info(fourCores, on(pod("x", null, "4Gi").build(), "n")), List.of("Insufficient memory")),
                Arguments.of("both short, both said", pod("p", "5", "9Gi").build(), info(fourCores),
                        List.of("Insufficient cpu", "Insufficient memory")),
                Arguments.of("extended resource counted", gpuPod,
                        info(gpuNode, on(gpuPod, "g"), on(new io.fabric8.kubernetes.api.model.PodBuilder(gpuPod)
                                .editMetadata().withName("gpu2").endMetadata().build(), "g")),
                        List.of("Insufficient example.com/gpu")),
                Arguments.of("extended resource the node lacks", gpuPod, info(fourCores),
                        List.of("Insufficient example.com/gpu")),
                Arguments.of("extended resource there", gpuPod, info(gpuNode), List.of()),
                Arguments.of("ephemeral storage", diskPod, info(fourCores), List.of("Insufficient ephemeral-storage")),
                Arguments.of("pod count", pod("p", null, null).build(),
                        info(twoPods, on(pod("a", null, null).build(), "t"), on(pod("b", null, null).build(), "t")),
                        List.of("Too many pods")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void filtersAsKubernetesDoes(String name, Pod pod, NodeInfo node, List<String> reasons) {
        Status status = filter(pod, node);
        assertThat(status.reasons()).isEqualTo(reasons);
        assertThat(status.isSuccess()).isEqualTo(reasons.isEmpty());
    }

    @Test
    void leastAllocatedScoresTheShareOfCpuAndMemoryLeftFree() {
        Pod pod = pod("p", "1", "1Gi").build();
        NodeInfo empty = info(node("a", "4", "4Gi").build());
        NodeInfo half = info(node("b", "4", "4Gi").build(), on(pod("x", "1", "1Gi").build(), "b"));
        // (4-1)/4 = 75 for both resources; then (4-2)/4 = 50.
        assertThat(plugin.score(new CycleState(), pod, empty)).isEqualTo(75);
        assertThat(plugin.score(new CycleState(), pod, half)).isEqualTo(50);
    }

    @Test
    void scoringCountsPodsWithoutRequestsAtTheDefaults() {
        Pod pod = pod("p", null, null).build();
        NodeInfo node = info(node("a", "1", "2000Mi").build());
        // 100m of 1000m used -> 90; 200Mi of 2000Mi -> 90.
        assertThat(plugin.score(new CycleState(), pod, node)).isEqualTo(90);
    }

    @Test
    void balancedAllocationPrefersEvenUse() {
        var balanced = new NodeResourcesBalancedAllocation();
        Pod pod = pod("p", "1", "1Gi").build();
        NodeInfo even = info(node("a", "4", "4Gi").build());
        NodeInfo skewed = info(node("b", "4", "4Gi").build(), on(pod("x", "2", null).build(), "b"));
        assertThat(balanced.score(new CycleState(), pod, even)).isEqualTo(100);
        // cpu 3/4 (the 200Mi default counts for memory-less x too: 1Gi+200Mi of 4Gi), deviation > 0.
        assertThat(balanced.score(new CycleState(), pod, skewed)).isLessThan(100).isGreaterThan(70);
    }

    @Test
    void leastAllocatedIsZeroWhenNothingIsLeft() {
        assertThat(NodeResourcesFit.leastAllocated(5, 4)).isZero();
        assertThat(NodeResourcesFit.leastAllocated(0, 0)).isZero();
        assertThat(NodeResourcesFit.leastAllocated(1, 4)).isEqualTo(75);
    }
}
