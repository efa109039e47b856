package io.kybern.controllers.job;

import java.time.Duration;
import java.time.Instant;

/**
 * How long a Job waits before replacing failed pods, as Kubernetes: 10 s after the first failure since
 * the last success, doubling with each further one, never more than 6 minutes. Times come from the
 * controller's injected clock, so tests move the clock rather than wait.
 */
public record PodBackoff(int failuresSinceSuccess, Instant lastFailure) {

    static final Duration BASE = Duration.ofSeconds(10);
    static final Duration CAP = Duration.ofMinutes(6);

    public static final PodBackoff NONE = new PodBackoff(0, Instant.EPOCH);

    /** The wait after {@code failures} consecutive failures: zero for none, then 10 s, 20 s, 40 s... capped. */
    public static Duration delayAfter(int failures) {
        if (failures <= 0) {
            return Duration.ZERO;
        }
        Duration delay = BASE;
        for (int i = 1; i < failures && delay.compareTo(CAP) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(CAP) > 0 ? CAP : delay;
    }

    /** Counts {@code failures} more failures seen at {@code now}. */
    public PodBackoff failed(int failures, Instant now) {
        return failures == 0 ? this : new PodBackoff(failuresSinceSuccess + failures, now);
    }

    /** A success resets the count, as Kubernetes' backoff record does. */
    public PodBackoff succeeded() {
        return NONE;
    }

    /** How long from {@code now} until pods may be created again; zero when they may be now. */
    public Duration remaining(Instant now) {
        Instant due = lastFailure.plus(delayAfter(failuresSinceSuccess));
        return now.isBefore(due) ? Duration.between(now, due) : Duration.ZERO;
    }
}
