package io.kybern.controllers.runtime;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Converges one object: reads the current state (from informer caches), compares it with the desired
 * state and writes what differs. Level-triggered: it is told only which key to look at, never what
 * changed, so a lost event costs nothing but latency.
 *
 * <p>Called from a worker thread of its {@link Controller}; never for the same key on two threads at
 * once, but for different keys concurrently.
 */
@FunctionalInterface
public interface Reconciler<K> {

    /** Converges {@code key}; an exception retries it with that key's backoff. */
    Result reconcile(K key) throws Exception;

    /** What to do with the key afterwards. */
    record Result(Optional<Duration> requeueAfter) {

        public Result {
            Objects.requireNonNull(requeueAfter, "requeueAfter");
        }

        private static final Result DONE = new Result(Optional.empty());

        /** Converged, or waiting for an event that will bring the key back. */
        public static Result done() {
            return DONE;
        }

        /** Look again after {@code delay} even without an event (a time-based condition such as minReadySeconds). */
        public static Result requeueAfter(Duration delay) {
            return new Result(Optional.of(delay));
        }
    }
}
