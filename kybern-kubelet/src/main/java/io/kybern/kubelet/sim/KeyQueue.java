package io.kybern.kubelet.sim;

import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Keys of pods waiting to be looked at: a key waits at most once however often it is added, and is never
 * handed to two workers at once (an add while it is processed brings it back after {@link #done}).
 * The controllers' work queue does more (backoff, delays); the node agent needs only this and keeps its
 * dependencies to the API client.
 */
final class KeyQueue {

    private final Set<String> waiting = new LinkedHashSet<>();
    private final Set<String> processing = new HashSet<>();
    private final Set<String> addedWhileProcessing = new HashSet<>();
    private boolean shutDown;

    synchronized void add(String key) {
        if (shutDown) {
            return;
        }
        if (processing.contains(key)) {
            addedWhileProcessing.add(key);
        } else if (waiting.add(key)) {
            notify(); // one key, one worker: waking them all would only send the rest back to sleep
        }
    }

    /** The next key, or null after {@code timeout} without one or once shut down. */
    synchronized String poll(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (waiting.isEmpty() && !shutDown) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        if (shutDown) {
            return null;
        }
        var iterator = waiting.iterator();
        String key = iterator.next();
        iterator.remove();
        processing.add(key);
        return key;
    }

    synchronized void done(String key) {
        processing.remove(key);
        if (addedWhileProcessing.remove(key) && waiting.add(key)) {
            notify();
        }
    }

    synchronized int size() {
        return waiting.size();
    }

    synchronized void shutDown() {
        shutDown = true;
        notifyAll();
    }
}
