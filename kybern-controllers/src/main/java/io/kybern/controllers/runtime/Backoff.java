package io.kybern.controllers.runtime;

import java.time.Duration;
import java.util.Objects;

/**
 * Per-key exponential backoff: the n-th consecutive failure of a key waits {@code base * 2^(n-1)}, never
 * more than {@code max}. Kubernetes' controllers start at 5 ms; the cap keeps a key that keeps failing
 * (a namespace whose content will not go) retried about once a minute rather than once in 16 minutes.
 */
public record Backoff(Duration base, Duration max) {

    public static final Backoff CONTROLLER_DEFAULT = new Backoff(Duration.ofMillis(5), Duration.ofSeconds(60));

    public Backoff {
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(max, "max");
        if (base.isNegative() || base.isZero() || max.compareTo(base) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < base <= max: " + base + ", " + max);
        }
    }

    /** The wait before retrying after the {@code failures}-th consecutive failure (1 for the first). */
    public Duration after(int failures) {
        if (failures <= 0) {
            return Duration.ZERO;
        }
        int doublings = Math.min(failures - 1, 62);
        long factor = 1L << doublings;
        if (base.toNanos() > max.toNanos() / factor) {
            return max;
        }
        Duration delay = base.multipliedBy(factor);
        return delay.compareTo(max) > 0 ? max : delay;
    }
}
