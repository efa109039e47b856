package io.kybern.controllers.cronjob;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Which finished Jobs a CronJob's history limit deletes first. */
class HistoryOrderTest {

    private static Job job(String name, String startTime) {
        return new JobBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewStatus().withStartTime(startTime).endStatus().build();
    }

    @Test
    void theEarliestStartedGoFirstThenByNameAndThoseNotStartedLast() {
        List<String> order = Stream.of(job("unstarted", null), job("tick-2", "2026-12-06T10:02:00Z"),
                        job("tick-1", "2026-12-06T10:01:00Z"), job("tick-3", "2026-12-06T10:02:07Z"),
                        job("by-hand", "2026-12-06T10:02:07Z"))
                .sorted(CronJobController.OLDEST_FIRST).map(j -> j.getMetadata().getName()).toList();

        assertThat(order).containsExactly("tick-1", "tick-2", "by-hand", "tick-3", "unstarted");
    }
}
