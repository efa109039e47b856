package io.kybern.controllers.daemonset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class DaemonRollingUpdateTest {

    /** A pod named {@code name}; the name's prefix says whether it is updated ("new") and available ("ok"). */
    private static Pod pod(String name) {
        return new PodBuilder().withNewMetadata().withName(name).endMetadata().build();
    }

    private static final Predicate<Pod> UPDATED = pod -> pod.getMetadata().getName().startsWith("new");

    private static Predicate<Pod> availableExcept(String... names) {
        Set<String> unavailable = Set.of(names);
        return pod -> !unavailable.contains(pod.getMetadata().getName());
    }

    @Test
    void percentagesRoundUpAndBothZeroMeansOneUnavailable() {
        assertThat(DaemonRollingUpdate.budget(new IntOrString(0), new IntOrString("10%"), 5))
                .isEqualTo(new DaemonRollingUpdate.Budget(0, 1));
        assertThat(DaemonRollingUpdate.budget(new IntOrString("25%"), new IntOrString(0), 10))
                .isEqualTo(new DaemonRollingUpdate.Budget(3, 0));
        assertThat(DaemonRollingUpdate.budget(new IntOrString(0), new IntOrString("0%"), 4))
                .isEqualTo(new DaemonRollingUpdate.Budget(0, 1));
        assertThat(DaemonRollingUpdate.budget(new IntOrString(0), new IntOrString(0), 0))
                .as("no nodes, nothing to allow").isEqualTo(new DaemonRollingUpdate.Budget(0, 0));
        assertThat(DaemonRollingUpdate.budget(null, null, 3)).as("Kubernetes' defaults")
                .isEqualTo(new DaemonRollingUpdate.Budget(0, 1));
        assertThatThrownBy(() -> DaemonRollingUpdate.budget(new IntOrString("x"), null, 3))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void withoutSurgeOldPodsGoWhileFewerThanMaxUnavailableAreDown() {
        Map<String, List<Pod>> nodes = Map.of("a", List.of(pod("old-a")), "b", List.of(pod("old-b")),
                "c", List.of(pod("old-c")), "d", List.of(pod("old-d")));
        var step = DaemonRollingUpdate.next(nodes, new DaemonRollingUpdate.Budget(0, 2), UPDATED, availableExcept());
        assertThat(step.podsToDelete()).containsExactly("old-a", "old-b");
        assertThat(step.nodesToCreateOn()).isEmpty();
    }

    @Test
    void anUpdatedPodNotYetAvailableUsesTheBudget() {
        Map<String, List<Pod>> nodes = Map.of("a", List.of(pod("new-a")), "b", List.of(pod("old-b")),
                "c", List.of(pod("old-c")));
        var step = DaemonRollingUpdate.next(nodes, new DaemonRollingUpdate.Budget(0, 1), UPDATED,
                availableExcept("new-a"));
        assertThat(step.podsToDelete()).isEmpty();
    }

    @Test
    void anUnavailableOldPodIsAlwaysReplacedAndANodeWithoutPodCountsAsUnavailable() {
        Map<String, List<Pod>> nodes = Map.of("a", List.of(), "b", List.of(pod("old-b")), "c", List.of(pod("old-c")));
        var step = DaemonRollingUpdate.next(nodes, new DaemonRollingUpdate.Budget(0, 1), UPDATED,
                availableExcept("old-c"));
        assertThat(step.podsToDelete()).containsExactly("old-c");
    }

    @Test
    void withSurgeNewPodsStartBesideOldOnesWhichGoOnceTheNewAreAvailable() {
        Map<String, List<Pod>> nodes = Map.of(
                "a", List.of(pod("old-a"), pod("new-a")),
                "b", List.of(pod("old-b"), pod("new-b")),
                "c", List.of(pod("old-c")),
                "d", List.of(pod("old-d")),
                "e", List.of(pod("new-e")));
        var step = DaemonRollingUpdate.next(nodes, new DaemonRollingUpdate.Budget(2, 0), UPDATED,
                availableExcept("new-b"));
        assertThat(step.podsToDelete()).containsExactly("old-a");
        assertThat(step.nodesToCreateOn()).as("b is still surging, so one more node").containsExactly("c");
    }

    @Test
    void withSurgeAnUnavailableOldPodGetsItsReplacementBeyondTheBudget() {
        Map<String, List<Pod>> nodes = Map.of("a", List.of(pod("old-a"), pod("new-a")), "b", List.of(pod("old-b")));
        var step = DaemonRollingUpdate.next(nodes, new DaemonRollingUpdate.Budget(1, 0), UPDATED,
                availableExcept("new-a", "old-b"));
        assertThat(step.nodesToCreateOn()).containsExactly("b");
        assertThat(step.podsToDelete()).isEmpty();
    }

    @Test
    void aNodeWithTwoPodsOfOneKindIsLeftToTheManageStep() {
        Map<String, List<Pod>> nodes = Map.of("a", List.of(pod("old-a1"), pod("old-a2")), "b", List.of(pod("old-b")));
        var step = DaemonRollingUpdate.next(nodes, new DaemonRollingUpdate.Budget(0, 1), UPDATED, availableExcept());
        assertThat(step.podsToDelete()).as("a counts as unavailable and uses up the budget").isEmpty();
    }
}
