package io.kybern.controllers.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WorkQueueTest {

    private static final Duration SHORT = Duration.ofMillis(100);

    private final TestClock clock = new TestClock();
    private final WorkQueue<String> queue = new WorkQueue<>(clock,
            new Backoff(Duration.ofMillis(5), Duration.ofSeconds(1)));

    @Test
    void aKeyAddedManyTimesWhileWaitingIsHandedOutOnce() throws Exception {
        queue.add("a");
        queue.add("b");
        queue.add("a");
        queue.add("a");

        assertThat(queue.readyCount()).isEqualTo(2);
        assertThat(queue.poll(SHORT)).contains("a");
        assertThat(queue.poll(SHORT)).contains("b");
        assertThat(queue.poll(SHORT)).isEmpty();
    }

    @Test
    void aKeyBeingProcessedIsNotHandedOutAgainUntilDoneThenOnceMore() throws Exception {
        queue.add("a");
        String taken = queue.poll(SHORT).orElseThrow();

        queue.add("a");
        queue.add("a");
        assertThat(queue.poll(SHORT)).as("still with its first worker").isEmpty();

        queue.done(taken);
        assertThat(queue.poll(SHORT)).as("re-added once after done").contains("a");
        queue.done("a");
        assertThat(queue.poll(SHORT)).isEmpty();
    }

    @Test
    void aKeyNotAddedWhileProcessingIsNotRequeuedByDone() throws Exception {
        queue.add("a");
        queue.done(queue.poll(SHORT).orElseThrow());

        assertThat(queue.poll(SHORT)).isEmpty();
    }

    @Test
    void manyWorkersNeverProcessOneKeyAtTheSameTime() throws Exception {
        Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
        AtomicInteger overlaps = new AtomicInteger();
        AtomicInteger processed = new AtomicInteger();
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            workers.add(Thread.ofPlatform().start(() -> {
                try {
                    while (true) {
                        Optional<String> key = queue.poll(Duration.ofSeconds(2));
                        if (key.isEmpty()) {
                            return;
                        }
                        if (inFlight.computeIfAbsent(key.get(), k -> new AtomicInteger()).incrementAndGet() > 1) {
                            overlaps.incrementAndGet();
                        }
                        Thread.sleep(1);
                        inFlight.get(key.get()).decrementAndGet();
                        processed.incrementAndGet();
                        queue.done(key.get());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        for (int round = 0; round < 300; round++) {
            queue.add("k" + (round % 3));
            if (round % 50 == 0) {
                Thread.sleep(2);
            }
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> queue.readyCount() == 0
                && inFlight.values().stream().allMatch(n -> n.get() == 0));
        queue.shutDown();
        for (Thread worker : workers) {
            worker.join();
        }

        assertThat(overlaps.get()).as("times one key was held by two workers").isZero();
        assertThat(processed.get()).as("adds were merged, but every key was processed").isBetween(3, 300);
    }

    @Test
    void failuresBackOffExponentiallyPerKeyUpToTheCap() {
        assertThat(queue.addWithBackoff("a")).isEqualTo(Duration.ofMillis(5));
        assertThat(queue.addWithBackoff("a")).isEqualTo(Duration.ofMillis(10));
        assertThat(queue.addWithBackoff("a")).isEqualTo(Duration.ofMillis(20));
        assertThat(queue.addWithBackoff("b")).as("another key starts from the base").isEqualTo(Duration.ofMillis(5));
        for (int i = 0; i < 20; i++) {
            queue.addWithBackoff("a");
        }
        assertThat(queue.addWithBackoff("a")).as("capped").isEqualTo(Duration.ofSeconds(1));
        assertThat(queue.failures("a")).isEqualTo(24);

        queue.forget("a");
        assertThat(queue.addWithBackoff("a")).as("forgotten: from the base again").isEqualTo(Duration.ofMillis(5));
    }

    @Test
    void aBackedOffKeyIsHandedOutOnlyOnceItsTimeHasComeOnTheClock() throws Exception {
        queue.addWithBackoff("a");
        assertThat(queue.poll(SHORT)).as("the clock has not moved").isEmpty();
        clock.advance(Duration.ofMillis(5));
        queue.done(queue.poll(SHORT).orElseThrow());

        // It failed again: the second wait is twice as long.
        queue.addWithBackoff("a");
        clock.advance(Duration.ofMillis(9));
        assertThat(queue.poll(SHORT)).as("due after 10 ms").isEmpty();
        clock.advance(Duration.ofMillis(1));
        assertThat(queue.poll(SHORT)).contains("a");
    }

    @Test
    void aWaitingWorkerSeesADelayedKeyWhenTheClockMoves() throws Exception {
        queue.addAfter("later", Duration.ofMinutes(5));
        Thread mover = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
            clock.advance(Duration.ofMinutes(5));
        });

        assertThat(queue.poll(Duration.ofSeconds(5))).contains("later");
        mover.join();
    }

    @Test
    void aKeyBothWaitingAndDelayedIsStillHandedOutOnce() throws Exception {
        queue.add("a");
        queue.addAfter("a", Duration.ofSeconds(1));
        clock.advance(Duration.ofSeconds(1));

        assertThat(queue.poll(SHORT)).contains("a");
        assertThat(queue.poll(SHORT)).isEmpty();
    }

    @Test
    void shutDownWakesWorkersAndIgnoresLaterAdds() throws Exception {
        Thread waiting = Thread.ofVirtual().start(() -> {
            try {
                assertThat(queue.poll(Duration.ofMinutes(1))).isEmpty();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Thread.sleep(50);
        queue.shutDown();
        waiting.join(Duration.ofSeconds(5));
        assertThat(waiting.isAlive()).isFalse();

        queue.add("a");
        assertThat(queue.poll(SHORT)).isEmpty();
    }
}
