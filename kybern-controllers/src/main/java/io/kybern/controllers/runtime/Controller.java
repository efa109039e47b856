package io.kybern.controllers.runtime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A reconciler with its queue and workers: each worker takes a key, reconciles it, then forgets its
 * backoff (success), re-adds it with backoff (exception) or after the delay the result asked for.
 * Workers are virtual threads; the queue keeps them off each other's keys.
 */
public final class Controller<K> implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Controller.class);

    private final String name;
    private final WorkQueue<K> queue;
    private final Reconciler<K> reconciler;
    private final int workers;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running;

    public Controller(String name, WorkQueue<K> queue, Reconciler<K> reconciler, int workers) {
        if (workers < 1) {
            throw new IllegalArgumentException("a controller needs at least one worker: " + workers);
        }
        this.name = name;
        this.queue = queue;
        this.reconciler = reconciler;
        this.workers = workers;
    }

    public String name() {
        return name;
    }

    public WorkQueue<K> queue() {
        return queue;
    }

    /** Starts the workers; keys added before this wait in the queue. */
    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        for (int i = 0; i < workers; i++) {
            threads.add(Thread.ofVirtual().name(name + "-worker-" + i).start(this::work));
        }
        log.info("controller started name={} workers={}", name, workers);
    }

    private void work() {
        while (running) {
            Optional<K> next;
            try {
                next = queue.poll(Duration.ofSeconds(1));
            } catch (InterruptedException e) {
                return;
            }
            next.ifPresent(this::process);
        }
    }

    private void process(K key) {
        try {
            Reconciler.Result result = reconciler.reconcile(key);
            queue.forget(key);
            result.requeueAfter().ifPresent(delay -> queue.addAfter(key, delay));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        } catch (Exception e) {
            Duration wait = queue.addWithBackoff(key);
            log.info("reconcile failed controller={} key={} retry_in_ms={} error={}", name, key, wait.toMillis(),
                    e.toString());
            log.debug("reconcile failure controller={} key={}", name, key, e);
        } finally {
            queue.done(key);
        }
    }

    @Override
    public synchronized void close() {
        running = false;
        queue.shutDown();
        for (Thread thread : threads) {
            thread.interrupt();
        }
        for (Thread thread : threads) {
            try {
                thread.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        threads.clear();
    }
}
