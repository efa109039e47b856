package io.kybern.controllers.runtime;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The queue between informer events and reconcilers, with client-go's guarantees:
 * <ul>
 * <li><b>dedup</b>: a key waiting in the queue is there once, however often it was added;</li>
 * <li><b>one worker per key</b>: a key handed out is not handed out again until {@link #done} is called
 * for it; adds meanwhile mark it dirty and it comes back once, after {@code done};</li>
 * <li><b>per-key backoff</b>: {@link #addWithBackoff} waits longer after each consecutive failure of that
 * key (see {@link Backoff}) until {@link #forget} resets it;</li>
 * <li><b>delays</b>: {@link #addAfter} adds a key once its time, read from the injected clock, has come.</li>
 * </ul>
 *
 * <p>Thread-safe: any thread may add; any number of workers may {@link #poll}. Due times come from the
 * {@link InstantSource}, so a test clock decides when a delayed key is due; waiting workers look at
 * the clock again at least every {@link #CLOCK_RECHECK}.
 */
public final class WorkQueue<K> {

    /** How long a worker waits before reading the clock again while only delayed keys are pending. */
    static final Duration CLOCK_RECHECK = Duration.ofMillis(50);

    private record Delayed<K>(K key, Instant due, long sequence) {
    }

    private final InstantSource clock;
    private final Backoff backoff;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<K> ready = new ArrayDeque<>();
    /** Keys that need processing: waiting in {@link #ready}, or to be re-queued when their worker is done. */
    private final Set<K> dirty = new HashSet<>();
    private final Set<K> processing = new HashSet<>();
    private final PriorityQueue<Delayed<K>> delayed = new PriorityQueue<>((a, b) -> a.due().equals(b.due())
            ? Long.compare(a.sequence(), b.sequence()) : a.due().compareTo(b.due()));
    private final Map<K, Integer> failures = new HashMap<>();
    private long sequence;
    private boolean shutDown;

    public WorkQueue(InstantSource clock, Backoff backoff) {
        this.clock = clock;
        this.backoff = backoff;
    }

    /** Asks for the key to be processed; nothing changes if it is already waiting. */
    public void add(K key) {
        lock.lock();
        try {
            if (shutDown || !dirty.add(key)) {
                return;
            }
            if (!processing.contains(key)) {
                ready.addLast(key);
                changed.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Adds the key once {@code delay} has passed on the clock. */
    public void addAfter(K key, Duration delay) {
        if (delay.isZero() || delay.isNegative()) {
            add(key);
            return;
        }
        lock.lock();
        try {
            if (shutDown) {
                return;
            }
            delayed.add(new Delayed<>(key, clock.instant().plus(delay), sequence++));
            changed.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Adds the key after its backoff, one step longer than the last time; returns that wait. */
    public Duration addWithBackoff(K key) {
        Duration wait;
        lock.lock();
        try {
            wait = backoff.after(failures.merge(key, 1, Integer::sum));
        } finally {
            lock.unlock();
        }
        addAfter(key, wait);
        return wait;
    }

    /** The key succeeded: its next failure starts the backoff from the beginning. */
    public void forget(K key) {
        lock.lock();
        try {
            failures.remove(key);
        } finally {
            lock.unlock();
        }
    }

    /** How many consecutive failures the key has had. */
    public int failures(K key) {
        lock.lock();
        try {
            return failures.getOrDefault(key, 0);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes the next key to process, waiting up to {@code timeout}; empty on timeout or after shutdown.
     * The caller owns the key until it calls {@link #done}.
     */
    public Optional<K> poll(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (true) {
                if (shutDown) {
                    return Optional.empty();
                }
                promoteDue();
                K key = ready.pollFirst();
                if (key != null) {
                    dirty.remove(key);
                    processing.add(key);
                    return Optional.of(key);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return Optional.empty();
                }
                changed.awaitNanos(Math.min(left, waitForDelayedNanos()));
            }
        } finally {
            lock.unlock();
        }
    }

    /** The worker finished the key; if it was added meanwhile, it is queued again now. */
    public void done(K key) {
        lock.lock();
        try {
            processing.remove(key);
            if (dirty.contains(key) && !shutDown) {
                ready.addLast(key);
                changed.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Keys waiting to be handed out now (not the delayed ones, not the ones being processed). */
    public int readyCount() {
        lock.lock();
        try {
            promoteDue();
            return ready.size();
        } finally {
            lock.unlock();
        }
    }

    /** Wakes every waiting worker with nothing; later adds are ignored. */
    public void shutDown() {
        lock.lock();
        try {
            shutDown = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void promoteDue() {
        Instant now = clock.instant();
        while (!delayed.isEmpty() && !delayed.peek().due().isAfter(now)) {
            K key = delayed.poll().key();
            if (dirty.add(key) && !processing.contains(key)) {
                ready.addLast(key);
            }
        }
    }

    private long waitForDelayedNanos() {
        if (delayed.isEmpty()) {
            return TimeUnit.SECONDS.toNanos(1);
        }
        long untilDue = Duration.between(clock.instant(), delayed.peek().due()).toNanos();
        return Math.max(1, Math.min(untilDue, CLOCK_RECHECK.toNanos()));
    }
}
