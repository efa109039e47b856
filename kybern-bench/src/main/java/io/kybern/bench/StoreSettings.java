package io.kybern.bench;

import java.time.Duration;

/**
 * What every store scenario shares.
 *
 * @param warmup     run before measuring, so JIT compilation, connection set-up and the first file
 *                   growth do not count
 * @param window     the measured time of each scenario on each backend
 * @param writers    threads in the concurrent write and CAS scenarios
 * @param valueBytes size of every value written
 * @param rangeKeys  keys loaded for the range scenario
 * @param casKeys    keys the CAS writers share; fewer keys, more conflicts
 * @param watchRate  writes per second in the watch scenario
 */
record StoreSettings(Duration warmup, Duration window, int writers, int valueBytes, int rangeKeys, int casKeys,
                     int watchRate) {

    StoreSettings {
        if (writers < 1 || valueBytes < 1 || rangeKeys < 1 || casKeys < 1 || watchRate < 1) {
            throw new IllegalArgumentException("counts and sizes must be positive");
        }
        if (window.isZero() || window.isNegative() || warmup.isNegative()) {
            throw new IllegalArgumentException("the measured window must be positive, the warm-up not negative");
        }
    }
}
