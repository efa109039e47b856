package io.kybern.kubelet.agent;

import java.time.Duration;

/**
 * kubelet's restart and image pull back-off: nothing before the first retry, then 10 s doubling up to
 * 5 minutes.
 */
final class Backoff {

    static final Duration INITIAL = Duration.ofSeconds(10);
    static final Duration MAX = Duration.ofMinutes(5);

    private Backoff() {
    }

    /** The wait before retry number {@code retries + 1}, {@code retries} being how many were done already. */
    static Duration delay(int retries) {
        if (retries <= 0) {
            return Duration.ZERO;
        }
        Duration delay = INITIAL;
        for (int i = 1; i < retries && delay.compareTo(MAX) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(MAX) < 0 ? delay : MAX;
    }

    /** How a delay reads in kubelet's messages: "10s", "1m20s", "5m0s" (Go's duration format). */
    static String format(Duration delay) {
        long seconds = delay.toSeconds();
        return seconds < 60 ? seconds + "s" : (seconds / 60) + "m" + (seconds % 60) + "s";
    }
}
