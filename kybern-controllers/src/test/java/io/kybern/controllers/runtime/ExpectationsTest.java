package io.kybern.controllers.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.StatusDetails;
import io.fabric8.kubernetes.api.model.StatusDetailsBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ExpectationsTest {

    private final TestClock clock = new TestClock();
    private final Expectations<String> expectations = new Expectations<>(clock);

    @Test
    void anOwnerWithNothingExpectedIsSatisfied() {
        assertThat(expectations.satisfied("rs")).isTrue();
    }

    @Test
    void creationsHoldTheOwnerBackUntilAllAreObserved() {
        expectations.expectCreations("rs", 3);
        assertThat(expectations.satisfied("rs")).isFalse();

        expectations.creationObserved("rs");
        expectations.creationObserved("rs");
        assertThat(expectations.satisfied("rs")).isFalse();

        expectations.creationObserved("rs");
        assertThat(expectations.satisfied("rs")).isTrue();
        expectations.creationObserved("rs");
        assertThat(expectations.satisfied("rs")).as("an extra observation changes nothing").isTrue();
    }

    @Test
    void aDeletionOfAnObjectAlreadyGoneOrThatFailsIsNotWaitedFor() {
        StatusDetails details = new StatusDetailsBuilder().withName("a").withKind("pods").build();
        expectations.expectDeletions("rs", Set.of("uid-a", "uid-b", "uid-c"));

        assertThat(expectations.delete("rs", "uid-a", () -> List.of(details))).isTrue();
        assertThat(expectations.satisfied("rs")).as("uid-a deleted: its informer event is still to come").isFalse();
        expectations.deletionObserved("rs", "uid-a");
        // Gone already: fabric8 answers the 404 with nothing deleted.
        assertThat(expectations.delete("rs", "uid-b", List::of)).isFalse();
        assertThatThrownBy(() -> expectations.delete("rs", "uid-c", () -> {
            throw new IllegalStateException("refused");
        })).hasMessage("refused");

        assertThat(expectations.satisfied("rs")).isTrue();
    }

    @Test
    void creationsRunUnderExpectationAndOnesThatFailOrNeverRunAreNotWaitedFor() {
        List<String> ran = new ArrayList<>();
        List<Runnable> creations = List.of(() -> ran.add("first"), () -> {
            throw new IllegalStateException("refused");
        }, () -> ran.add("never"));

        assertThatThrownBy(() -> expectations.create("svc", creations)).hasMessage("refused");

        assertThat(ran).containsExactly("first");
        assertThat(expectations.satisfied("svc")).as("the first creation is still on its way").isFalse();
        expectations.creationObserved("svc");
        assertThat(expectations.satisfied("svc")).isTrue();
    }

    @Test
    void deletionsAreObservedByUidAndOnlyTheExpectedOnesCount() {
        expectations.expectDeletions("rs", Set.of("uid-1", "uid-2"));

        expectations.deletionObserved("rs", "uid-1");
        expectations.deletionObserved("rs", "uid-other");
        assertThat(expectations.satisfied("rs")).isFalse();

        expectations.deletionObserved("rs", "uid-1");
        assertThat(expectations.satisfied("rs")).as("the same uid twice is one deletion").isFalse();

        expectations.deletionObserved("rs", "uid-2");
        assertThat(expectations.satisfied("rs")).isTrue();
    }

    @Test
    void ownersAreIndependent() {
        expectations.expectCreations("a", 1);

        assertThat(expectations.satisfied("b")).isTrue();
        expectations.creationObserved("b");
        assertThat(expectations.satisfied("a")).isFalse();
    }

    @Test
    void expectationsNeverObservedExpireAfterTheTimeout() {
        expectations.expectCreations("rs", 2);

        clock.advance(Expectations.TIMEOUT.minus(Duration.ofSeconds(1)));
        assertThat(expectations.satisfied("rs")).isFalse();
        clock.advance(Duration.ofSeconds(1));
        assertThat(expectations.satisfied("rs")).isTrue();
    }

    @Test
    void forgettingAnOwnerDropsWhatItExpected() {
        expectations.expectCreations("rs", 5);

        expectations.forget("rs");

        assertThat(expectations.satisfied("rs")).isTrue();
    }
}
