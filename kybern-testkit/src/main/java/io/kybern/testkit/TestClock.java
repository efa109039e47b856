package io.kybern.testkit;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The time a test cluster's controllers, scheduler and simulated nodes read: the system clock plus an
 * offset the test moves forward. Time still passes on its own (leases are renewed, backoffs end), and a
 * test can skip ahead (40 s of node silence, a stabilisation window) without waiting for it. Safe to read
 * and move from any thread.
 */
public final class TestClock implements InstantSource {

    private final AtomicReference<Duration> offset = new AtomicReference<>(Duration.ZERO);

    @Override
    public Instant instant() {
        return Instant.now().plus(offset.get());
    }

    /** Moves the time forward at once; see {@link TestCluster#advance} to let node heartbeats keep up. */
    public void advance(Duration by) {
        if (by.isNegative()) {
            throw new IllegalArgumentException("time only moves forward: " + by);
        }
        offset.updateAndGet(o -> o.plus(by));
    }
}
