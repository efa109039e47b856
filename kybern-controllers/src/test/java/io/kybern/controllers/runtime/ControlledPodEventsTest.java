package io.kybern.controllers.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ControlledPodEventsTest {

    private static final ObjectKey WEB = new ObjectKey("default", "web");
    private static final ObjectKey API = new ObjectKey("default", "api");
    private static final ObjectKey ADOPTER = new ObjectKey("default", "adopter");

    private final Expectations<ObjectKey> expectations = new Expectations<>(new TestClock());
    private final List<ObjectKey> woken = new ArrayList<>();
    private final List<Pod> askedToAdopt = new ArrayList<>();
    private final ControlledPodEvents events = ControlledPodEvents.withExpectations("ReplicaSet", expectations,
            pod -> {
                askedToAdopt.add(pod);
                return List.of(ADOPTER);
            }, woken::add);

    private static PodBuilder pod(String name, Map<String, String> labels) {
        return new PodBuilder().withNewMetadata().withNamespace("default").withName(name).withUid("uid-" + name)
                .withLabels(labels).endMetadata();
    }

    private static Pod controlledBy(String kind, String owner, String name) {
        return pod(name, Map.of("app", "web")).editMetadata().withOwnerReferences(new OwnerReferenceBuilder()
                .withApiVersion("apps/v1").withKind(kind).withName(owner).withUid("uid-" + owner).withController(true)
                .build()).endMetadata().build();
    }

    private static Pod deleting(Pod pod) {
        return new PodBuilder(pod).editMetadata().withDeletionTimestamp("2026-12-06T00:00:00Z").endMetadata().build();
    }

    @Test
    void aNewPodWakesItsControllerAndCountsAsTheCreationItWaitedFor() {
        expectations.expectCreations(WEB, 1);
        events.onAdd(controlledBy("ReplicaSet", "web", "web-1"));
        assertThat(woken).containsExactly(WEB);
        assertThat(expectations.satisfied(WEB)).isTrue();
        assertThat(askedToAdopt).isEmpty();
    }

    @Test
    void aPodThatArrivesDeletingIsADeletionNotTheCreationTheOwnerAwaits() {
        Pod gone = controlledBy("ReplicaSet", "web", "web-old");
        expectations.expect(WEB, 1, Set.of("uid-web-old"));
        events.onAdd(deleting(gone));
        assertThat(woken).containsExactly(WEB);
        assertThat(expectations.satisfied(WEB)).as("the pod being created is still awaited").isFalse();

        events.onAdd(controlledBy("ReplicaSet", "web", "web-new"));
        assertThat(expectations.satisfied(WEB)).isTrue();
    }

    @Test
    void aPodStartingToDeleteAndThenGoneCountsAsTheDeletionOnce() {
        Pod pod = controlledBy("ReplicaSet", "web", "web-1");
        expectations.expectDeletions(WEB, Set.of("uid-web-1", "uid-web-2"));
        events.onUpdate(pod, deleting(pod));
        assertThat(expectations.satisfied(WEB)).isFalse();
        events.onDelete(controlledBy("ReplicaSet", "web", "web-2"), false);
        assertThat(expectations.satisfied(WEB)).isTrue();
        assertThat(woken).containsExactly(WEB, WEB);
    }

    @Test
    void aPodOfAnotherKindOfControllerIsNotThisControllersBusiness() {
        expectations.expectCreations(WEB, 1);
        Pod daemon = controlledBy("DaemonSet", "web", "web-1");
        events.onAdd(daemon);
        events.onUpdate(daemon, deleting(daemon));
        events.onDelete(daemon, false);
        assertThat(woken).isEmpty();
        assertThat(askedToAdopt).isEmpty();
        assertThat(expectations.satisfied(WEB)).isFalse();
    }

    @Test
    void aPodThatChangesControllerWakesTheFormerOneToo() {
        events.onUpdate(controlledBy("ReplicaSet", "web", "p"), controlledBy("ReplicaSet", "api", "p"));
        assertThat(woken).containsExactly(WEB, API);
    }

    @Test
    void orphansAreOfferedForAdoptionWhenTheyArriveAreRelabelledOrReleased() {
        Pod orphan = pod("stray", Map.of("app", "web")).build();
        events.onAdd(orphan);
        assertThat(woken).containsExactly(ADOPTER);

        woken.clear();
        events.onUpdate(orphan, new PodBuilder(orphan).editMetadata().withResourceVersion("2").endMetadata().build());
        assertThat(woken).as("an orphan whose labels stay the same was offered already").isEmpty();

        events.onUpdate(orphan, pod("stray", Map.of("app", "api")).build());
        assertThat(woken).containsExactly(ADOPTER);

        woken.clear();
        events.onUpdate(controlledBy("ReplicaSet", "web", "p"), pod("p", Map.of("app", "web")).build());
        assertThat(woken).as("released by its owner: the owner and the adopters").containsExactly(WEB, ADOPTER);
    }

    @Test
    void aPodControlledByAnotherKindIsNeverOfferedForAdoption() {
        events.onAdd(controlledBy("Job", "batch", "batch-1"));
        assertThat(askedToAdopt).isEmpty();
        assertThat(woken).isEmpty();
    }

    @Test
    void aControllerWithoutExpectationsIsStillWoken() {
        List<ObjectKey> sets = new ArrayList<>();
        ControlledPodEvents stateful = ControlledPodEvents.withoutExpectations("StatefulSet",
                ControlledPodEvents.NO_ADOPTERS, sets::add);
        Pod pod = controlledBy("StatefulSet", "web", "web-0");
        stateful.onAdd(pod);
        stateful.onDelete(pod, true);
        stateful.onAdd(pod("stray", Map.of("app", "web")).build());
        assertThat(sets).containsExactly(WEB, WEB);
    }
}
