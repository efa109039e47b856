package io.kybern.scheduler.plugins;

import static io.kybern.scheduler.framework.TestObjects.info;
import static io.kybern.scheduler.framework.TestObjects.node;
import static io.kybern.scheduler.framework.TestObjects.on;
import static io.kybern.scheduler.framework.TestObjects.pod;
import static io.kybern.scheduler.framework.TestObjects.taint;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.kybern.scheduler.framework.CycleState;
import io.kybern.scheduler.framework.Framework;
import io.kybern.scheduler.framework.NodeInfo;
import io.kybern.scheduler.framework.Plugin;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DefaultPreemptionTest {

    /** What the preemption asked to evict: the node and the victims' names. */
    private record Eviction(String node, List<String> victims) {
    }

    private final List<Eviction> evictions = new ArrayList<>();
    private final Framework framework = new Framework(concat(
            DefaultPlugins.filtersAndScores(new VolumeBinding((ns, n) -> null, n -> null),
                    new InterPodAffinity(ns -> Map.of())),
            new DefaultPreemption((preemptor, node, victims) -> evictions.add(new Eviction(node,
                    victims.stream().map(v -> v.getMetadata().getName()).toList())))), DefaultPlugins.WEIGHTS,
            new Random(1));

    private static List<Plugin> concat(List<Plugin> plugins, Plugin last) {
        List<Plugin> all = new ArrayList<>(plugins);
        all.add(last);
        return all;
    }

    private static Pod prioritized(String name, String cpu, int priority) {
        return pod(name, cpu, null).editSpec().withPriority(priority).endSpec().build();
    }

    @Test
    void theNodeWithTheLeastImportantVictimsIsChosenAndOnlyAsManyAsNeededAreTaken() {
        List<NodeInfo> nodes = List.of(
                info(node("a", "4", "8Gi").build(), on(prioritized("a-mid", "2", 500), "a"),
                        on(prioritized("a-low", "2", 100), "a")),
                info(node("b", "4", "8Gi").build(), on(prioritized("b-low1", "2", 10), "b"),
                        on(prioritized("b-low2", "2", 20), "b")),
                info(node("c", "4", "8Gi").build(), on(prioritized("c-high", "4", 2000), "c")));
        Pod urgent = prioritized("urgent", "2", 1000);

        Framework.Outcome outcome = framework.schedule(new CycleState(), urgent, nodes);

        assertThat(outcome.decision()).isNull();
        assertThat(outcome.nominatedNode()).isEqualTo("b");
        // Giving back the more important of b's two pods still leaves room: only b-low1 goes.
        assertThat(evictions).containsExactly(new Eviction("b", List.of("b-low1")));
        assertThat(outcome.error().message()).isEqualTo("0/3 nodes are available: 3 Insufficient cpu.");
    }

    @Test
    void whenPreemptionCannotHelpItSaysWhyPerNode() {
        List<NodeInfo> nodes = List.of(
                info(node("cp", "8", "8Gi").editSpec().withTaints(taint("node-role.kubernetes.io/control-plane", null,
                        "NoSchedule")).endSpec().build()),
                info(node("w1", "2", "8Gi").build(), on(prioritized("important", "2", 5000), "w1")),
                info(node("w2", "1", "8Gi").build(), on(prioritized("low", "1", 0), "w2")));
        Pod pod = prioritized("p", "2", 100);

        Framework.Outcome outcome = framework.schedule(new CycleState(), pod, nodes);

        assertThat(outcome.nominatedNode()).isNull();
        assertThat(evictions).isEmpty();
        assertThat(outcome.error().message()).isEqualTo("0/3 nodes are available: 1 node(s) had untolerated taint "
                + "{node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. preemption: 0/3 nodes are available: "
                + "1 Insufficient cpu, 1 No preemption victims found for incoming pod, "
                + "1 Preemption is not helpful for scheduling.");
    }

    @Test
    void podsThatMayNotPreemptDoNot() {
        List<NodeInfo> nodes = List.of(info(node("a", "2", "8Gi").build(), on(prioritized("low", "2", 0), "a")));
        Pod polite = prioritized("p", "2", 100).edit().editSpec().withPreemptionPolicy("Never").endSpec().build();
        Framework.Outcome outcome = framework.schedule(new CycleState(), polite, nodes);
        assertThat(evictions).isEmpty();
        assertThat(outcome.error().message()).isEqualTo(
                "0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.");
    }

    @Test
    void aNominatedPodWaitsForItsVictimsInsteadOfTakingMore() {
        Pod terminating = on(prioritized("low", "2", 0), "a").edit().editMetadata()
                .withDeletionTimestamp("2026-01-01T00:00:00Z").endMetadata().build();
        List<NodeInfo> nodes = List.of(info(node("a", "2", "8Gi").build(), terminating),
                info(node("b", "2", "8Gi").build(), on(prioritized("other-low", "2", 0), "b")));
        Pod nominated = prioritized("p", "2", 100).edit().withNewStatus().withNominatedNodeName("a").endStatus().build();
        Framework.Outcome outcome = framework.schedule(new CycleState(), nominated, nodes);
        assertThat(evictions).isEmpty();
        assertThat(outcome.error().message()).endsWith(
                "preemption: not eligible due to a terminating pod on the nominated node.");
    }

    @Test
    void equalPriorityPodsAreNeverVictims() {
        List<NodeInfo> nodes = List.of(info(node("a", "2", "8Gi").build(), on(prioritized("peer", "2", 100), "a")));
        Framework.Outcome outcome = framework.schedule(new CycleState(), prioritized("p", "2", 100), nodes);
        assertThat(evictions).isEmpty();
        assertThat(outcome.error().message()).endsWith(
                "preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.");
    }
}
