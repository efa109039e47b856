package io.kybern.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.kybern.controllers.runtime.EventRecorder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The queue's bounds and its writers, with a writer that keeps what it is given (what the scheduler's
 * recorder sends to a real server is the scheduler tests' business: kybern-cli SchedulerTest).
 */
class BackgroundEventsTest {

    /** Keeps every event's object name; each write first waits for {@link #open}. */
    private static final class HeldWriter implements BackgroundEvents.Writer {
        final List<String> written = new CopyOnWriteArrayList<>();
        final CountDownLatch open = new CountDownLatch(1);
        final CountDownLatch started = new CountDownLatch(1);

        @Override
        public void write(HasMetadata about, String type, String reason, String message) {
            started.countDown();
            try {
                open.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            written.add(about.getMetadata().getName());
        }
    }

    private static Pod pod(String name) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("default").withUid(name)
                .endMetadata().build();
    }

    private static void scheduled(BackgroundEvents events, String name) {
        events.record(pod(name), EventRecorder.NORMAL, "Scheduled", "Successfully assigned default/" + name + " to n");
    }

    @Test
    void eventsAreWrittenInTheOrderRecordedByOneWriter() throws Exception {
        HeldWriter writer = new HeldWriter();
        writer.open.countDown();
        BackgroundEvents events = new BackgroundEvents(writer, 1, 10);
        for (String name : List.of("a", "b", "c")) {
            scheduled(events, name);
        }
        events.close(Duration.ofSeconds(10));
        assertThat(writer.written).containsExactly("a", "b", "c");
        assertThat(events.unwritten()).isZero();
        assertThat(events.dropped()).isZero();
    }

    @Test
    void aFullQueueDropsTheEventInsteadOfHoldingUpTheCaller() throws Exception {
        HeldWriter writer = new HeldWriter();
        BackgroundEvents events = new BackgroundEvents(writer, 1, 2);
        scheduled(events, "a");
        assertThat(writer.started.await(10, TimeUnit.SECONDS)).isTrue();
        // "a" is being written and holds the only writer; "b" and "c" fill the queue of two.
        scheduled(events, "b");
        scheduled(events, "c");
        scheduled(events, "d");
        assertThat(events.unwritten()).isEqualTo(3);
        assertThat(events.dropped()).isEqualTo(1);

        writer.open.countDown();
        events.close(Duration.ofSeconds(10));
        assertThat(writer.written).containsExactly("a", "b", "c");
        assertThat(events.unwritten()).isZero();
    }

    @Test
    void aClosedQueueTakesNoMoreEvents() throws Exception {
        HeldWriter writer = new HeldWriter();
        writer.open.countDown();
        BackgroundEvents events = new BackgroundEvents(writer, 2, 10);
        scheduled(events, "a");
        events.close(Duration.ofSeconds(10));
        scheduled(events, "b");
        assertThat(writer.written).containsExactly("a");
        assertThat(events.unwritten()).isZero();
        assertThat(events.dropped()).isEqualTo(1);
    }

    @Test
    void closingGivesUpOnEventsTheWritersCannotFinishInTime() {
        HeldWriter writer = new HeldWriter();
        BackgroundEvents events = new BackgroundEvents(writer, 1, 10);
        scheduled(events, "a");
        scheduled(events, "b");
        events.close(Duration.ofMillis(100));
        // The writer held on "a" is interrupted and gives up; "b" never starts.
        assertThat(writer.written).isEmpty();
        assertThat(events.unwritten()).isZero();
    }
}
