package io.kybern.scheduler;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.kybern.controllers.runtime.EventRecorder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduler's {@code Scheduled} events, written behind its bindings as Kubernetes' event broadcaster
 * writes them: queued, then sent by a few writers of their own. A binding is what places a pod; its event
 * costs the API server as much again, and written inline it halved the rate at which a burst of pods got
 * bound. Like the broadcaster's queue (1,000 events), this one is bounded, at {@code capacity}: an event
 * past it is dropped and logged rather than holding up a binding or memory.
 *
 * <p>Thread-safe: {@link #record} from any thread, never blocking; {@link #close} once.
 */
final class BackgroundEvents implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BackgroundEvents.class);

    private record Pending(HasMetadata about, String type, String reason, String message) {
    }

    private final EventRecorder recorder;
    private final BlockingQueue<Pending> queue;
    private final List<Thread> writers = new ArrayList<>();
    /** Queued or being written. */
    private final AtomicInteger unwritten = new AtomicInteger();
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean closed;

    BackgroundEvents(EventRecorder recorder, int writerCount, int capacity) {
        this.recorder = recorder;
        this.queue = new ArrayBlockingQueue<>(capacity);
        for (int i = 0; i < writerCount; i++) {
            writers.add(Thread.ofVirtual().name("scheduler-events-" + i).start(this::write));
        }
    }

    void record(HasMetadata about, String type, String reason, String message) {
        unwritten.incrementAndGet();
        if (closed || !queue.offer(new Pending(about, type, reason, message))) {
            unwritten.decrementAndGet();
            long total = dropped.incrementAndGet();
            log.warn("event dropped, queue full or closed: reason={} object={}/{} dropped={}", reason,
                    about.getMetadata().getNamespace(), about.getMetadata().getName(), total);
        }
    }

    /** Events queued or being written. */
    int unwritten() {
        return unwritten.get();
    }

    private void write() {
        while (true) {
            Pending next;
            try {
                next = queue.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (next == null) {
                if (closed) {
                    return;
                }
                continue;
            }
            try {
                recorder.record(next.about(), next.type(), next.reason(), next.message());
            } finally {
                unwritten.decrementAndGet();
            }
        }
    }

    /** Takes no more events, lets the writers finish the queue for up to {@code drain}, then stops them. */
    void close(Duration drain) {
        closed = true;
        long deadline = System.nanoTime() + drain.toNanos();
        for (Thread writer : writers) {
            try {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !writer.join(Duration.ofNanos(left))) {
                    writer.interrupt();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                writers.forEach(Thread::interrupt);
                break;
            }
        }
        int left = queue.size();
        if (left > 0) {
            log.warn("scheduler stopped with {} events unwritten", left);
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(2));
    }
}
