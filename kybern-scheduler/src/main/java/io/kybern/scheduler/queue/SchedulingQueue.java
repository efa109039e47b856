package io.kybern.scheduler.queue;

import io.fabric8.kubernetes.api.model.Pod;
import io.kybern.scheduler.framework.Pods;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * kube-scheduler's three queues of pending pods:
 * <ul>
 * <li><b>active</b>: ready to be tried, the highest priority first, then the longest waiting;</li>
 * <li><b>backoff</b>: tried and failed, waiting out a per-pod exponential backoff (1 s doubling to 10 s
 * with each attempt) before going back to active;</li>
 * <li><b>unschedulable</b>: fit no node; they stay until a cluster event that could help (a node added
 * or changed, a pod deleted...) moves them, or for at most five minutes.</li>
 * </ul>
 * A pod is in at most one of them, or in flight (popped and being scheduled). An event that arrives while
 * a pod is in flight sends it, should it fail, to backoff instead of unschedulable, so the event is not
 * lost. Time comes from the injected clock; {@link #flush()} (every second in the scheduler) moves what
 * is due.
 */
public final class SchedulingQueue {

    public static final Duration INITIAL_BACKOFF = Duration.ofSeconds(1);
    public static final Duration MAX_BACKOFF = Duration.ofSeconds(10);
    public static final Duration MAX_UNSCHEDULABLE = Duration.ofMinutes(5);

    private static final Comparator<QueuedPod> BY_PRIORITY = Comparator.comparingInt(QueuedPod::priority).reversed()
            .thenComparing(QueuedPod::queuedAt);

    private final InstantSource clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition nonEmpty = lock.newCondition();
    private final PriorityQueue<QueuedPod> active = new PriorityQueue<>(BY_PRIORITY);
    private final PriorityQueue<QueuedPod> backoff = new PriorityQueue<>(Comparator.comparing(this::backoffEnds));
    private final Map<String, QueuedPod> unschedulable = new HashMap<>();
    /** Where each queued pod is: ACTIVE, BACKOFF, UNSCHEDULABLE or IN_FLIGHT. */
    private final Map<String, Place> places = new HashMap<>();
    /** The newest copy of a pod that changed while in flight. */
    private final Map<String, Pod> inFlight = new HashMap<>();
    private long cycle;
    private long moveRequestCycle = -1;
    private boolean closed;

    private enum Place { ACTIVE, BACKOFF, UNSCHEDULABLE, IN_FLIGHT }

    public SchedulingQueue(InstantSource clock) {
        this.clock = clock;
    }

    /** A new pending pod goes to active; one already known is updated where it is. */
    public void add(Pod pod) {
        lock.lock();
        try {
            String key = Pods.key(pod);
            if (places.containsKey(key)) {
                updateLocked(pod);
                return;
            }
            pushActive(QueuedPod.fresh(pod, clock.instant()));
        } finally {
            lock.unlock();
        }
    }

    /**
     * A pending pod changed: the newest copy replaces the queued one. An unschedulable pod is moved when
     * {@code relevant} (its spec or labels changed: a new toleration may be what it needed), not when only
     * its status did (the scheduler's own condition update must not retry it at once).
     */
    public void update(Pod pod, boolean relevant) {
        lock.lock();
        try {
            String key = Pods.key(pod);
            Place place = places.get(key);
            if (place == null) {
                pushActive(QueuedPod.fresh(pod, clock.instant()));
            } else if (place == Place.UNSCHEDULABLE && !relevant) {
                unschedulable.put(key, unschedulable.get(key).withPod(pod));
            } else {
                updateLocked(pod);
            }
        } finally {
            lock.unlock();
        }
    }

    private void updateLocked(Pod pod) {
        String key = Pods.key(pod);
        switch (places.get(key)) {
            case ACTIVE -> replaceIn(active, key, pod);
            case BACKOFF -> replaceIn(backoff, key, pod);
            case UNSCHEDULABLE -> {
                QueuedPod queued = unschedulable.remove(key).withPod(pod);
                places.remove(key);
                requeue(queued);
            }
            case IN_FLIGHT -> inFlight.put(key, pod);
        }
    }

    private void replaceIn(PriorityQueue<QueuedPod> queue, String key, Pod pod) {
        QueuedPod old = queue.stream().filter(q -> q.key().equals(key)).findFirst().orElseThrow();
        queue.remove(old);
        queue.add(old.withPod(pod));
    }

    /** The pod is gone or was bound elsewhere: forget it wherever it is. */
    public void delete(Pod pod) {
        lock.lock();
        try {
            String key = Pods.key(pod);
            Place place = places.remove(key);
            if (place == null) {
                return;
            }
            switch (place) {
                case ACTIVE -> active.removeIf(q -> q.key().equals(key));
                case BACKOFF -> backoff.removeIf(q -> q.key().equals(key));
                case UNSCHEDULABLE -> unschedulable.remove(key);
                case IN_FLIGHT -> inFlight.remove(key);
            }
        } finally {
            lock.unlock();
        }
    }

    /** The next pod to schedule, waiting up to {@code timeout}; null when none came or the queue closed. */
    public QueuedPod pop(Duration timeout) throws InterruptedException {
        lock.lock();
        try {
            long remaining = timeout.toNanos();
            while (active.isEmpty() && !closed) {
                if (remaining <= 0) {
                    return null;
                }
                remaining = nonEmpty.awaitNanos(remaining);
            }
            if (closed) {
                return null;
            }
            QueuedPod next = active.poll().popped(++cycle);
            places.put(next.key(), Place.IN_FLIGHT);
            return next;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The pod fit no node. It waits in unschedulable for a helpful event — or in backoff, when an event
     * came while it was in flight. A pod deleted meanwhile is dropped.
     */
    public void unschedulable(QueuedPod failed) {
        lock.lock();
        try {
            String key = failed.key();
            if (places.get(key) != Place.IN_FLIGHT) {
                return;
            }
            QueuedPod current = latest(failed);
            if (moveRequestCycle >= failed.cycle()) {
                pushBackoff(current);
            } else {
                unschedulable.put(key, current);
                places.put(key, Place.UNSCHEDULABLE);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Scheduling or binding the pod went wrong (not a misfit): it is retried after its backoff. */
    public void retry(QueuedPod failed) {
        lock.lock();
        try {
            if (places.get(failed.key()) != Place.IN_FLIGHT) {
                return;
            }
            pushBackoff(latest(failed));
        } finally {
            lock.unlock();
        }
    }

    /** The pod was scheduled (it is binding): the queue lets it go. */
    public void done(QueuedPod scheduled) {
        lock.lock();
        try {
            if (places.get(scheduled.key()) == Place.IN_FLIGHT) {
                places.remove(scheduled.key());
                inFlight.remove(scheduled.key());
            }
        } finally {
            lock.unlock();
        }
    }

    private QueuedPod latest(QueuedPod failed) {
        Pod newer = inFlight.remove(failed.key());
        return newer == null ? failed : failed.withPod(newer);
    }

    /**
     * A cluster event happened: every unschedulable pod for which {@code helps} (given the plugins that
     * rejected it) is true goes back to active, or to backoff if it is still backing off. Pods rejected
     * for no recorded plugin always move.
     */
    public void moveOnEvent(Predicate<Set<String>> helps) {
        lock.lock();
        try {
            List<QueuedPod> moving = new ArrayList<>();
            for (QueuedPod queued : unschedulable.values()) {
                if (queued.rejectedBy().isEmpty() || helps.test(queued.rejectedBy())) {
                    moving.add(queued);
                }
            }
            for (QueuedPod queued : moving) {
                unschedulable.remove(queued.key());
                places.remove(queued.key());
                requeue(queued);
            }
            moveRequestCycle = cycle;
        } finally {
            lock.unlock();
        }
    }

    /** Moves backed-off pods whose time is up to active, and pods unschedulable for five minutes. */
    public void flush() {
        lock.lock();
        try {
            Instant now = clock.instant();
            while (!backoff.isEmpty() && !backoffEnds(backoff.peek()).isAfter(now)) {
                QueuedPod due = backoff.poll();
                places.remove(due.key());
                pushActive(due);
            }
            List<QueuedPod> stale = new ArrayList<>();
            for (QueuedPod queued : unschedulable.values()) {
                if (queued.failedAt() != null && !queued.failedAt().plus(MAX_UNSCHEDULABLE).isAfter(now)) {
                    stale.add(queued);
                }
            }
            for (QueuedPod queued : stale) {
                unschedulable.remove(queued.key());
                places.remove(queued.key());
                requeue(queued);
            }
        } finally {
            lock.unlock();
        }
    }

    private void requeue(QueuedPod queued) {
        if (backoffEnds(queued).isAfter(clock.instant())) {
            pushBackoff(queued);
        } else {
            pushActive(queued);
        }
    }

    private void pushActive(QueuedPod queued) {
        active.add(queued);
        places.put(queued.key(), Place.ACTIVE);
        nonEmpty.signal();
    }

    private void pushBackoff(QueuedPod queued) {
        backoff.add(queued);
        places.put(queued.key(), Place.BACKOFF);
    }

    /** 1 s after the first failure, doubling with each attempt, at most 10 s. */
    public static Duration backoffFor(int attempts) {
        if (attempts <= 0) {
            return Duration.ZERO;
        }
        Duration delay = INITIAL_BACKOFF;
        for (int i = 1; i < attempts && delay.compareTo(MAX_BACKOFF) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : delay;
    }

    private Instant backoffEnds(QueuedPod queued) {
        return queued.failedAt() == null ? Instant.MIN : queued.failedAt().plus(backoffFor(queued.attempts()));
    }

    /** How many pods wait in each queue: active, backoff, unschedulable (for tests and metrics). */
    public int[] sizes() {
        lock.lock();
        try {
            return new int[] {active.size(), backoff.size(), unschedulable.size()};
        } finally {
            lock.unlock();
        }
    }

    /** Wakes a waiting {@link #pop} for good. */
    public void close() {
        lock.lock();
        try {
            closed = true;
            nonEmpty.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
