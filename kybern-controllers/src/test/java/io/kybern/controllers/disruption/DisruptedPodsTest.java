package io.kybern.controllers.disruption;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The bookkeeping of evictions under way ({@code status.disruptedPods}). */
class DisruptedPodsTest {

    private static Pod pod(String name, String deletedAt) {
        return new PodBuilder().withNewMetadata().withName(name).withDeletionTimestamp(deletedAt).endMetadata()
                .build();
    }

    @Test
    void anEvictionCountsUntilItsPodIsDeletingOrGoneOrTwoMinutesPass() {
        Instant now = Instant.parse("2026-01-01T00:05:00Z");
        Map<String, String> recorded = Map.of("fresh", "2026-01-01T00:04:00Z", "deleting", "2026-01-01T00:04:30Z",
                "gone", "2026-01-01T00:04:30Z", "stale", "2026-01-01T00:02:59Z");
        List<Pod> matching = List.of(pod("fresh", null), pod("deleting", "2026-01-01T00:04:31Z"), pod("stale", null));
        assertThat(DisruptionController.stillDisrupted(recorded, matching, now))
                .containsOnlyKeys("fresh");
        assertThat(DisruptionController.stillDisrupted(null, matching, now)).isEmpty();
    }
}
