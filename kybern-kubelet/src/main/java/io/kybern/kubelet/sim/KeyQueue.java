package io.kybern.kubelet.sim;

import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Keys of pods waiting to be looked at: a key waits at most once however often it is added, and is never
 * handed to two workers at once (an add while it is processed brings it back after {@link #done}).
 * The controllers' work queue does more (backoff, delays); the node agent needs only this and keeps its
 * dependencies to the API client.
 *
 * <p>Its workers are virtual threads, so waiting parks on a {@link Condition} rather than in
 * {@code Object.wait}: a test JVM on two cores saw both carrier threads held by waits of this kind and a
 * blocking pipe read, and every virtual thread of the API server in it stood still.
 */
final class KeyQueue {

    private final Set<String> waiting = new LinkedHashSet<>();
    private final Set<String> processing = new HashSet<>();
    private final Set<String> addedWhileProcessing = new HashSet<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition keyWaiting = lock.newCondition();
    private boolean shutDown;

    void add(String key) {
        lock.lock();
        try {
            if (shutDown) {
                return;
            }
            if (processing.contains(key)) {
                addedWhileProcessing.add(key);
            } else if (waiting.add(key)) {
                keyWaiting.signal(); // one key, one worker: waking them all would only send the rest back to sleep
            }
        } finally {
            lock.unlock();
        }
    }

    /** The next key, or null after {@code timeout} without one or once shut down. */
    String poll(Duration timeout) throws InterruptedException {
        lock.lock();
        try {
            long left = timeout.toNanos();
            while (waiting.isEmpty() && !shutDown) {
                if (left <= 0) {
                    return null;
                }
                left = keyWaiting.awaitNanos(left);
            }
            if (shutDown) {
                return null;
            }
            var iterator = waiting.iterator();
            String key = iterator.next();
            iterator.remove();
            processing.add(key);
            return key;
        } finally {
            lock.unlock();
        }
    }

    void done(String key) {
        lock.lock();
        try {
            processing.remove(key);
            if (addedWhileProcessing.remove(key) && waiting.add(key)) {
                keyWaiting.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    int size() {
        lock.lock();
        try {
            return waiting.size();
        } finally {
            lock.unlock();
        }
    }

    void shutDown() {
        lock.lock();
        try {
            shutDown = true;
            keyWaiting.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
