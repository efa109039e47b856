package io.kybern.scheduler.queue;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SchedulingQueueTest {

    /** A clock the test moves by hand. */
    private static final class ManualClock implements InstantSource {
        private Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public Instant instant() {
            return now;
        }

        void advance(Duration duration) {
            now = now.plus(duration);
        }
    }

    private final ManualClock clock = new ManualClock();
    private final SchedulingQueue queue = new SchedulingQueue(clock);

    private static Pod pod(String name, int priority) {
        return io.kybern.scheduler.framework.TestObjects.pod(name, null, null).editSpec().withPriority(priority)
                .endSpec().build();
    }

    private QueuedPod pop() throws InterruptedException {
        return queue.pop(Duration.ZERO);
    }

    @Test
    void higherPriorityFirstThenTheLongestWaiting() throws InterruptedException {
        queue.add(pod("low-early", 0));
        clock.advance(Duration.ofMillis(1));
        queue.add(pod("high", 100));
        clock.advance(Duration.ofMillis(1));
        queue.add(pod("low-late", 0));
        assertThat(pop().pod().getMetadata().getName()).isEqualTo("high");
        assertThat(pop().pod().getMetadata().getName()).isEqualTo("low-early");
        assertThat(pop().pod().getMetadata().getName()).isEqualTo("low-late");
        assertThat(pop()).isNull();
    }

    @Test
    void backoffDoublesFromOneSecondToTen() {
        assertThat(SchedulingQueue.backoffFor(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(SchedulingQueue.backoffFor(2)).isEqualTo(Duration.ofSeconds(2));
        assertThat(SchedulingQueue.backoffFor(4)).isEqualTo(Duration.ofSeconds(8));
        assertThat(SchedulingQueue.backoffFor(5)).isEqualTo(Duration.ofSeconds(10));
        assertThat(SchedulingQueue.backoffFor(60)).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void aFailedPodComesBackOnlyAfterItsBackoff() throws InterruptedException {
        queue.add(pod("p", 0));
        QueuedPod first = pop();
        queue.retry(first.failed(clock.instant(), Set.of()));
        queue.flush();
        assertThat(pop()).isNull();
        clock.advance(Duration.ofMillis(999));
        queue.flush();
        assertThat(pop()).isNull();
        clock.advance(Duration.ofMillis(1));
        queue.flush();
        QueuedPod second = pop();
        assertThat(second.attempts()).isEqualTo(2);
        queue.retry(second.failed(clock.instant(), Set.of()));
        clock.advance(Duration.ofMillis(1999));
        queue.flush();
        assertThat(pop()).isNull();
        clock.advance(Duration.ofMillis(1));
        queue.flush();
        assertThat(pop()).isNotNull();
    }

    @Test
    void unschedulablePodsWaitForAnEventThatCouldHelpThem() throws InterruptedException {
        queue.add(pod("needs-cpu", 0));
        queue.add(pod("needs-volume", 0));
        QueuedPod cpu = pop();
        QueuedPod volume = pop();
        queue.unschedulable(cpu.failed(clock.instant(), Set.of("NodeResourcesFit")));
        queue.unschedulable(volume.failed(clock.instant(), Set.of("VolumeBinding")));
        assertThat(queue.sizes()).containsExactly(0, 0, 2);

        clock.advance(Duration.ofSeconds(30));
        queue.moveOnEvent(plugins -> plugins.contains("NodeResourcesFit"));
        assertThat(queue.sizes()).containsExactly(1, 0, 1);
        assertThat(pop().pod().getMetadata().getName()).isEqualTo("needs-cpu");
    }

    @Test
    void aMovedPodStillBackingOffWaitsInBackoff() throws InterruptedException {
        queue.add(pod("p", 0));
        queue.unschedulable(pop().failed(clock.instant(), Set.of("NodeResourcesFit")));
        queue.moveOnEvent(plugins -> true);
        assertThat(queue.sizes()).containsExactly(0, 1, 0);
        clock.advance(Duration.ofSeconds(1));
        queue.flush();
        assertThat(queue.sizes()).containsExactly(1, 0, 0);
    }

    @Test
    void anEventDuringTheAttemptSendsTheFailedPodToBackoffNotUnschedulable() throws InterruptedException {
        queue.add(pod("p", 0));
        QueuedPod inFlight = pop();
        queue.moveOnEvent(plugins -> true); // a node came while the pod was being tried
        queue.unschedulable(inFlight.failed(clock.instant(), Set.of("NodeResourcesFit")));
        assertThat(queue.sizes()).containsExactly(0, 1, 0);
    }

    @Test
    void unschedulablePodsAreRetriedAfterFiveMinutesAnyway() throws InterruptedException {
        queue.add(pod("p", 0));
        queue.unschedulable(pop().failed(clock.instant(), Set.of("NodeResourcesFit")));
        clock.advance(Duration.ofMinutes(4));
        queue.flush();
        assertThat(queue.sizes()).containsExactly(0, 0, 1);
        clock.advance(Duration.ofMinutes(1));
        queue.flush();
        assertThat(queue.sizes()).containsExactly(1, 0, 0);
    }

    @Test
    void aSpecChangeMovesAnUnschedulablePodButAStatusChangeDoesNot() throws InterruptedException {
        queue.add(pod("p", 0));
        queue.unschedulable(pop().failed(clock.instant(), Set.of("TaintToleration")));
        clock.advance(Duration.ofSeconds(5));
        queue.update(pod("p", 0), false);
        assertThat(queue.sizes()).containsExactly(0, 0, 1);
        queue.update(pod("p", 0), true);
        assertThat(queue.sizes()).containsExactly(1, 0, 0);
    }

    @Test
    void deletedPodsLeaveEveryQueueAndInFlightOnesAreNotRequeued() throws InterruptedException {
        queue.add(pod("a", 0));
        queue.add(pod("b", 0));
        queue.delete(pod("a", 0));
        QueuedPod b = pop();
        queue.delete(pod("b", 0));
        queue.unschedulable(b.failed(clock.instant(), Set.of()));
        assertThat(queue.sizes()).containsExactly(0, 0, 0);
        assertThat(pop()).isNull();
    }

    @Test
    void aPodAddedTwiceIsQueuedOnce() throws InterruptedException {
        queue.add(pod("p", 0));
        queue.add(pod("p", 0));
        assertThat(pop()).isNotNull();
        assertThat(pop()).isNull();
    }

    @Test
    void popWaitsForAPodAndCloseWakesIt() throws InterruptedException {
        Thread adder = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                return;
            }
            queue.add(pod("late", 0));
        });
        assertThat(queue.pop(Duration.ofSeconds(10)).pod().getMetadata().getName()).isEqualTo("late");
        adder.join();
        queue.close();
        assertThat(queue.pop(Duration.ofSeconds(10))).isNull();
    }
}
