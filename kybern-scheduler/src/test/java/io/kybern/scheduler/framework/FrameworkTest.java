package io.kybern.scheduler.framework;

import static io.kybern.scheduler.framework.TestObjects.info;
import static io.kybern.scheduler.framework.TestObjects.infos;
import static io.kybern.scheduler.framework.TestObjects.node;
import static io.kybern.scheduler.framework.TestObjects.on;
import static io.kybern.scheduler.framework.TestObjects.pod;
import static io.kybern.scheduler.framework.TestObjects.taint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Pod;
import io.kybern.scheduler.plugins.DefaultPlugins;
import io.kybern.scheduler.plugins.InterPodAffinity;
import io.kybern.scheduler.plugins.VolumeBinding;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FrameworkTest {

    private static Framework defaults() {
        return new Framework(DefaultPlugins.filtersAndScores(new VolumeBinding((ns, n) -> null, n -> null),
                new InterPodAffinity(ns -> Map.of())), DefaultPlugins.WEIGHTS, new Random(1));
    }

    @Test
    void aTenCpuPodAmongNodesWithFourFourTwelveAndSixteenFreeCpusLandsOnTheSixteen() {
        // Each node has 20 cores; pods already there leave 4, 4, 12 and 16 free.
        List<NodeInfo> nodes = infos(
                info(node("a", "20", "64Gi").build(), on(pod("a1", "16", "1Gi").build(), "a")),
                info(node("b", "20", "64Gi").build(), on(pod("b1", "16", "1Gi").build(), "b")),
                info(node("c", "20", "64Gi").build(), on(pod("c1", "8", "1Gi").build(), "c")),
                info(node("d", "20", "64Gi").build(), on(pod("d1", "4", "1Gi").build(), "d")));
        Pod pod = pod("big", "10", "1Gi").build();

        Framework.Outcome outcome = defaults().schedule(new CycleState(), pod, nodes);

        assertThat(outcome.error()).isNull();
        assertThat(outcome.decision().node()).isEqualTo("d");
        assertThat(outcome.decision().feasible()).isEqualTo(2);
        assertThat(outcome.decision().evaluated()).isEqualTo(4);
    }

    @Test
    void noFittingNodeGivesKubernetesWordingWithReasonsCountedAndSorted() {
        List<NodeInfo> nodes = infos(
                info(node("cp", "8", "8Gi").withNewSpec()
                        .withTaints(taint("node-role.kubernetes.io/control-plane", null, "NoSchedule")).endSpec().build()),
                info(node("w1", "2", "8Gi").build()),
                info(node("w2", "2", "8Gi").build()));
        Pod pod = pod("big", "4", "1Gi").build();

        Framework.Outcome outcome = defaults().schedule(new CycleState(), pod, nodes);

        assertThat(outcome.decision()).isNull();
        assertThat(outcome.error().message()).isEqualTo("0/3 nodes are available: 1 node(s) had untolerated taint "
                + "{node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu.");
        assertThat(outcome.error().rejections().get("w1").plugin()).isEqualTo("NodeResourcesFit");
        assertThat(outcome.error().rejections().get("cp").plugin()).isEqualTo("TaintToleration");
    }

    @Test
    void aNodeShortOfSeveralResourcesCountsEachReason() {
        List<NodeInfo> nodes = infos(info(node("small", "1", "1Gi").build()));
        Framework.Outcome outcome = defaults().schedule(new CycleState(), pod("p", "2", "2Gi").build(), nodes);
        assertThat(outcome.error().message())
                .isEqualTo("0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory.");
    }

    @Test
    void noNodesAtAllIsSaidAsKubernetesSaysIt() {
        Framework.Outcome outcome = defaults().schedule(new CycleState(), pod("p", "1", null).build(), List.of());
        assertThat(outcome.error().message()).isEqualTo("no nodes available to schedule pods");
    }

    @Test
    void aPreFilterRejectionFailsEveryNodeWithItsMessage() {
        Framework framework = new Framework(List.of(new VolumeBinding((ns, n) -> null, n -> null)), Map.of(),
                new Random(1));
        Pod pod = pod("p", "1", null).editSpec().addNewVolume().withName("data").withNewPersistentVolumeClaim()
                .withClaimName("missing").endPersistentVolumeClaim().endVolume().endSpec().build();
        Framework.Outcome outcome = framework.schedule(new CycleState(), pod,
                infos(info(node("a", "1", "1Gi").build()), info(node("b", "1", "1Gi").build())));
        assertThat(outcome.error().message())
                .isEqualTo("0/2 nodes are available: persistentvolumeclaim \"missing\" not found.");
        assertThat(outcome.error().rejections()).hasSize(2);
    }

    @Test
    void scoresAreWeightedAndTiesAreBrokenAmongTheBest() {
        Plugin.Score first = new FixedScore("First", Map.of("a", 100L, "b", 0L, "c", 100L));
        Plugin.Score second = new FixedScore("Second", Map.of("a", 0L, "b", 100L, "c", 0L));
        Framework framework = new Framework(List.of(first, second), Map.of("First", 1, "Second", 3), new Random(7));
        List<NodeInfo> nodes = infos(info(node("a", "1", "1Gi").build()), info(node("b", "1", "1Gi").build()),
                info(node("c", "1", "1Gi").build()));
        assertThat(framework.score(new CycleState(), pod("p", null, null).build(), nodes, nodes))
                .containsExactly(100, 300, 100);
        assertThat(framework.schedule(new CycleState(), pod("p", null, null).build(), nodes).decision().node())
                .isEqualTo("b");
    }

    @Test
    void aScoreOutsideZeroToHundredIsAPluginBug() {
        Framework framework = new Framework(List.of(new FixedScore("Wild", Map.of("a", 101L, "b", 5L))), Map.of(),
                new Random(1));
        List<NodeInfo> nodes = infos(info(node("a", "1", "1Gi").build()), info(node("b", "1", "1Gi").build()));
        assertThatThrownBy(() -> framework.score(new CycleState(), pod("p", null, null).build(), nodes, nodes))
                .hasMessageContaining("Wild scored 101");
    }

    @Test
    void equalNodesAreChosenAtRandomRatherThanAlwaysTheFirst() {
        Framework framework = new Framework(List.of(new FixedScore("Flat", Map.of("a", 50L, "b", 50L, "c", 50L))),
                Map.of(), new Random(3));
        List<NodeInfo> nodes = infos(info(node("a", "1", "1Gi").build()), info(node("b", "1", "1Gi").build()),
                info(node("c", "1", "1Gi").build()));
        List<String> chosen = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            chosen.add(framework.schedule(new CycleState(), pod("p", null, null).build(), nodes).decision().node());
        }
        assertThat(chosen).contains("a", "b", "c");
    }

    @Test
    void largeClustersLookAtAShareOfNodesAsKubernetesDoes() {
        assertThat(Framework.feasibleNodesToFind(50)).isEqualTo(50);
        assertThat(Framework.feasibleNodesToFind(100)).isEqualTo(100);
        assertThat(Framework.feasibleNodesToFind(1000)).isEqualTo(420);
        assertThat(Framework.feasibleNodesToFind(5000)).isEqualTo(500);
        assertThat(Framework.feasibleNodesToFind(200)).isEqualTo(100);
    }

    @Test
    void successiveCyclesStartWhereTheLastStoppedSoEveryNodeGetsLookedAt() {
        List<NodeInfo> nodes = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            nodes.add(info(node(String.format("n%04d", i), "4", "8Gi").build()));
        }
        Framework framework = defaults();
        List<Integer> chosen = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Framework.Outcome outcome = framework.schedule(new CycleState(), pod("p", "1", null).build(), nodes);
            assertThat(outcome.decision().evaluated()).isEqualTo(420);
            chosen.add(Integer.parseInt(outcome.decision().node().substring(1)));
        }
        // Equal nodes: each cycle picks among the 420 it looked at, the window moving on each time.
        assertThat(chosen.get(0)).isBetween(0, 419);
        assertThat(chosen.get(1)).isBetween(420, 839);
        assertThat(chosen.get(2)).satisfiesAnyOf(n -> assertThat(n).isBetween(840, 999),
                n -> assertThat(n).isBetween(0, 259));
    }

    @Test
    void reserveFailureUndoesTheReservationsAlreadyMade() {
        List<String> calls = new ArrayList<>();
        Plugin.Reserve ok = new Recording("Ok", calls, true);
        Plugin.Reserve refusing = new Recording("Refusing", calls, false);
        Framework framework = new Framework(List.of(ok, refusing), Map.of(), new Random(1));
        Status status = framework.reserve(new CycleState(), pod("p", null, null).build(), "n");
        assertThat(status.isSuccess()).isFalse();
        assertThat(status.plugin()).isEqualTo("Refusing");
        assertThat(calls).containsExactly("reserve Ok", "reserve Refusing", "unreserve Refusing", "unreserve Ok");
    }

    @Test
    void permitAndBindStopAtTheFirstThatDecides() {
        Plugin.Permit allow = new Plugin.Permit() {
            public String name() {
                return "Allow";
            }

            public Status permit(CycleState state, Pod pod, String nodeName) {
                return Status.SUCCESS;
            }
        };
        Plugin.Permit deny = new Plugin.Permit() {
            public String name() {
                return "Deny";
            }

            public Status permit(CycleState state, Pod pod, String nodeName) {
                return Status.unschedulable("not now");
            }
        };
        Pod pod = pod("p", null, null).build();
        assertThat(new Framework(List.of(allow), Map.of(), new Random(1)).permit(new CycleState(), pod, "n")
                .isSuccess()).isTrue();
        Status denied = new Framework(List.of(allow, deny), Map.of(), new Random(1)).permit(new CycleState(), pod, "n");
        assertThat(denied.plugin()).isEqualTo("Deny");
        assertThat(denied.message()).isEqualTo("not now");

        List<String> binders = new ArrayList<>();
        Plugin.Bind skipping = new Binder("Skipping", Status.SKIP, binders);
        Plugin.Bind binding = new Binder("Binding", Status.SUCCESS, binders);
        Plugin.Bind never = new Binder("Never", Status.SUCCESS, binders);
        Status bound = new Framework(List.of(skipping, binding, never), Map.of(), new Random(1))
                .bind(new CycleState(), pod, "n");
        assertThat(bound.isSuccess()).isTrue();
        assertThat(binders).containsExactly("Skipping", "Binding");
        assertThat(new Framework(List.of(skipping), Map.of(), new Random(1)).bind(new CycleState(), pod, "n").code())
                .isEqualTo(Status.Code.ERROR);
    }

    private record Binder(String name, Status answer, List<String> calls) implements Plugin.Bind {
        @Override
        public Status bind(CycleState state, Pod pod, String nodeName) {
            calls.add(name);
            return answer;
        }
    }

    private record FixedScore(String name, Map<String, Long> scores) implements Plugin.Score {
        @Override
        public long score(CycleState state, Pod pod, NodeInfo node) {
            return scores.get(node.name());
        }
    }

    private record Recording(String name, List<String> calls, boolean succeed) implements Plugin.Reserve {
        @Override
        public Status reserve(CycleState state, Pod pod, String nodeName) {
            calls.add("reserve " + name);
            return succeed ? Status.SUCCESS : Status.unschedulable("no");
        }

        @Override
        public void unreserve(CycleState state, Pod pod, String nodeName) {
            calls.add("unreserve " + name);
        }
    }
}
