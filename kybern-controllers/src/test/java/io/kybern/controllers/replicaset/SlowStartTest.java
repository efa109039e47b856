package io.kybern.controllers.replicaset;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SlowStartTest {

    @Test
    void everyCallIsMadeWhenNoneFails() {
        AtomicInteger calls = new AtomicInteger();

        SlowStart.Outcome<String> outcome = SlowStart.run(500, () -> {
            calls.incrementAndGet();
            return Optional.empty();
        }, Throwable::getMessage);

        assertThat(outcome.attempted()).isEqualTo(500);
        assertThat(outcome.failure()).isEmpty();
        assertThat(calls).hasValue(500);
    }

    @Test
    void aFailureStopsTheBatchesAfterItsOwn() {
        // Calls 1 (batch of 1), 2-3 (of 2) succeed; in the batch of 4 the fifth call on fails; 8-10 never run.
        AtomicInteger calls = new AtomicInteger();

        SlowStart.Outcome<String> outcome = SlowStart.run(10, () -> calls.incrementAndGet() >= 5
                ? Optional.of("quota") : Optional.empty(), Throwable::getMessage);

        assertThat(outcome.attempted()).isEqualTo(7);
        assertThat(outcome.failure()).contains("quota");
        assertThat(calls).hasValue(7);
    }

    @Test
    void aFirstCallThatFailsIsTheOnlyOne() {
        AtomicInteger calls = new AtomicInteger();

        SlowStart.Outcome<String> outcome = SlowStart.run(100, () -> {
            calls.incrementAndGet();
            return Optional.of("bad template");
        }, Throwable::getMessage);

        assertThat(outcome.attempted()).isEqualTo(1);
        assertThat(outcome.failure()).contains("bad template");
        assertThat(calls).hasValue(1);
    }

    @Test
    void theCallsOfOneBatchRunAtOnce() {
        // Batches 1, 2 and 4: each call of the batch of 4 waits for the other three, which only works if the
        // four run at the same time; run one by one, the first would time out and fail.
        CyclicBarrier batchOfFour = new CyclicBarrier(4);
        AtomicInteger calls = new AtomicInteger();

        SlowStart.Outcome<String> outcome = SlowStart.run(7, () -> {
            if (calls.incrementAndGet() <= 3) {
                return Optional.empty();
            }
            try {
                batchOfFour.await(10, TimeUnit.SECONDS);
                return Optional.empty();
            } catch (Exception e) {
                return Optional.of("alone: " + e);
            }
        }, Throwable::getMessage);

        assertThat(outcome.failure()).isEmpty();
        assertThat(outcome.attempted()).isEqualTo(7);
    }

    @Test
    void aCallThatThrowsCountsAsFailedAndTheRestOfItsBatchStillRuns() {
        List<Integer> answered = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger calls = new AtomicInteger();

        SlowStart.Outcome<String> outcome = SlowStart.run(20, () -> {
            int call = calls.incrementAndGet();
            if (call == 2) {
                throw new IllegalStateException("broken");
            }
            answered.add(call);
            return Optional.empty();
        }, thrown -> "thrown: " + thrown.getMessage());

        assertThat(outcome.attempted()).isEqualTo(3);
        assertThat(outcome.failure()).contains("thrown: broken");
        assertThat(answered).containsExactlyInAnyOrder(1, 3);
    }
}
