package io.kybern.scheduler.plugins;

import static io.kybern.scheduler.framework.TestObjects.info;
import static io.kybern.scheduler.framework.TestObjects.node;
import static io.kybern.scheduler.framework.TestObjects.on;
import static io.kybern.scheduler.framework.TestObjects.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraintBuilder;
import io.kybern.scheduler.framework.CycleState;
import io.kybern.scheduler.framework.NodeInfo;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PodTopologySpreadTest {

    private final PodTopologySpread plugin = new PodTopologySpread();

    private static Node zoned(String name, String zone) {
        return node(name, "4", "8Gi").editMetadata().addToLabels("zone", zone).endMetadata().build();
    }

    private static Pod web(String name) {
        return pod(name, null, null).editMetadata().addToLabels("app", "web").endMetadata().build();
    }

    private static Pod spread(String when, int maxSkew, Integer minDomains) {
        return web("new").edit().editSpec().withTopologySpreadConstraints(new TopologySpreadConstraintBuilder()
                .withTopologyKey("zone").withMaxSkew(maxSkew).withWhenUnsatisfiable(when).withMinDomains(minDomains)
                .withLabelSelector(new LabelSelectorBuilder().withMatchLabels(Map.of("app", "web")).build()).build())
                .endSpec().build();
    }

    private List<String> filter(Pod pod, List<NodeInfo> nodes) {
        CycleState state = new CycleState();
        if (plugin.preFilter(state, pod, nodes).isSkip()) {
            return nodes.stream().map(n -> "").toList();
        }
        return nodes.stream().map(n -> plugin.filter(state, pod, n).message()).toList();
    }

    @Test
    void maxSkewOneKeepsZonesEven() {
        // zone a has 2 web pods, zone b 1: a third in a makes a skew of 2.
        List<NodeInfo> nodes = List.of(
                info(zoned("a1", "a"), on(web("w1"), "a1"), on(web("w2"), "a1")),
                info(zoned("b1", "b"), on(web("w3"), "b1")),
                info(node("nozone", "4", "8Gi").build()));
        assertThat(filter(spread("DoNotSchedule", 1, null), nodes)).containsExactly(
                "node(s) didn't match pod topology spread constraints", "",
                "node(s) didn't match pod topology spread constraints (missing required label)");
    }

    @Test
    void onlyMatchingPodsOfTheSameNamespaceCount() {
        Pod otherApp = pod("o", null, null).editMetadata().addToLabels("app", "db").endMetadata().build();
        Pod otherNamespace = web("x").edit().editMetadata().withNamespace("elsewhere").endMetadata().build();
        List<NodeInfo> nodes = List.of(
                info(zoned("a1", "a"), on(web("w1"), "a1"), on(otherApp, "a1"), on(otherNamespace, "a1")),
                info(zoned("b1", "b"), on(web("w2"), "b1")));
        assertThat(filter(spread("DoNotSchedule", 1, null), nodes)).containsExactly("", "");
    }

    @Test
    void minDomainsCountsMissingDomainsAsEmpty() {
        List<NodeInfo> nodes = List.of(info(zoned("a1", "a"), on(web("w1"), "a1")),
                info(zoned("b1", "b"), on(web("w2"), "b1")));
        // Two zones, both with one pod: a second anywhere is a skew of 1 — unless 3 domains are wanted.
        assertThat(filter(spread("DoNotSchedule", 1, null), nodes)).containsExactly("", "");
        assertThat(filter(spread("DoNotSchedule", 1, 3), nodes)).containsOnly(
                "node(s) didn't match pod topology spread constraints");
    }

    @Test
    void scheduleAnywayOnlyScoresTheLessCrowdedZoneHigher() {
        List<NodeInfo> nodes = List.of(
                info(zoned("a1", "a"), on(web("w1"), "a1"), on(web("w2"), "a1")),
                info(zoned("b1", "b"), on(web("w3"), "b1")),
                info(zoned("c1", "c")));
        Pod pod = spread("ScheduleAnyway", 1, null);
        assertThat(filter(pod, nodes)).containsOnly("");
        CycleState state = new CycleState();
        assertThat(plugin.preScore(state, pod, nodes, nodes).isSuccess()).isTrue();
        long[] scores = nodes.stream().mapToLong(n -> plugin.score(state, pod, n)).toArray();
        plugin.normalize(state, pod, nodes, scores);
        assertThat(scores).containsExactly(0, 50, 100);
    }
}
