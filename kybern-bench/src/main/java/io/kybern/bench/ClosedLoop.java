package io.kybern.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;

/**
 * Runs an operation in a loop on a fixed number of threads, each starting its next operation as soon as
 * the previous one returned: the throughput a given number of concurrent clients gets. Operations that
 * complete during the warm-up are discarded; those completing inside the measured window are counted
 * and their latencies recorded.
 */
final class ClosedLoop {

    /** What one operation came to. */
    enum Outcome {
        /** It did what it was meant to; counts towards throughput. */
        DONE,
        /** A compare-and-swap lost to a concurrent writer: an expected, counted, non-error outcome. */
        CONFLICT
    }

    /** One worker's operation; each worker gets its own, so it may keep unsynchronized state. */
    @FunctionalInterface
    interface Operation {
        Outcome run() throws Exception;
    }

    /**
     * @param done      operations that completed as {@link Outcome#DONE} inside the window
     * @param conflicts operations that completed as {@link Outcome#CONFLICT} inside the window
     * @param errors    operations that threw, during the warm-up or the window
     * @param firstError the first exception thrown, or null
     * @param seconds   the measured window's length
     * @param latencies the latency of every operation counted in {@code done} or {@code conflicts}
     */
    record Measurement(long done, long conflicts, long errors, Throwable firstError, double seconds,
                       Latencies latencies) {

        double donePerSecond() {
            return done / seconds;
        }

        double conflictsPerSecond() {
            return conflicts / seconds;
        }
    }

    private ClosedLoop() {
    }

    static Measurement run(int threads, Duration warmup, Duration window, IntFunction<Operation> operations)
            throws InterruptedException {
        long start = System.nanoTime();
        long windowStart = start + warmup.toNanos();
        long windowEnd = windowStart + window.toNanos();
        AtomicReference<Throwable> firstError = new AtomicReference<>();
        List<Worker> workers = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            workers.add(new Worker(operations.apply(i), windowStart, windowEnd, firstError));
        }
        List<Thread> running = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            running.add(Thread.ofPlatform().name("bench-worker-" + i).start(workers.get(i)));
        }
        for (Thread thread : running) {
            thread.join();
        }
        long done = 0;
        long conflicts = 0;
        long errors = 0;
        Latencies latencies = new Latencies();
        for (Worker worker : workers) {
            done += worker.done;
            conflicts += worker.conflicts;
            errors += worker.errors;
            latencies.add(worker.latencies);
        }
        return new Measurement(done, conflicts, errors, firstError.get(), window.toNanos() / 1e9, latencies);
    }

    private static final class Worker implements Runnable {

        private final Operation operation;
        private final long windowStart;
        private final long windowEnd;
        private final AtomicReference<Throwable> firstError;
        private final Latencies latencies = new Latencies();
        private long done;
        private long conflicts;
        private long errors;

        Worker(Operation operation, long windowStart, long windowEnd, AtomicReference<Throwable> firstError) {
            this.operation = operation;
            this.windowStart = windowStart;
            this.windowEnd = windowEnd;
            this.firstError = firstError;
        }

        @Override
        public void run() {
            long now = System.nanoTime();
            while (now < windowEnd) {
                long began = now;
                Outcome outcome;
                try {
                    outcome = operation.run();
                } catch (Exception e) {
                    errors++;
                    firstError.compareAndSet(null, e);
                    now = System.nanoTime();
                    continue;
                }
                now = System.nanoTime();
                // Count what completed inside the window, so that throughput is completions per second.
                if (now >= windowStart && now <= windowEnd) {
                    latencies.recordNanos(now - began);
                    if (outcome == Outcome.DONE) {
                        done++;
                    } else {
                        conflicts++;
                    }
                }
            }
        }
    }
}
