package io.kybern.scheduler;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionHandler;
import java.util.concurrent.ThreadPoolExecutor;
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

    /** Where an event goes once a writer takes it: {@code EventRecorder::record} in the scheduler. */
    @FunctionalInterface
    interface Writer {
        void write(HasMetadata about, String type, String reason, String message);
    }

    private record Write(Writer writer, AtomicInteger unwritten, HasMetadata about, String type, String reason,
            String message) implements Runnable {
        @Override
        public void run() {
            try {
                writer.write(about, type, reason, message);
            } finally {
                unwritten.decrementAndGet();
            }
        }
    }

    private final Writer writer;
    private final ThreadPoolExecutor writers;
    /** Queued or being written. */
    private final AtomicInteger unwritten = new AtomicInteger();
    private final AtomicLong dropped = new AtomicLong();

    BackgroundEvents(Writer writer, int writerCount, int capacity) {
        this.writer = writer;
        RejectedExecutionHandler drop = (task, executor) -> dropped((Write) task);
        this.writers = new ThreadPoolExecutor(writerCount, writerCount, 0, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(capacity), Thread.ofVirtual().name("scheduler-events-", 0).factory(), drop);
    }

    void record(HasMetadata about, String type, String reason, String message) {
        unwritten.incrementAndGet();
        writers.execute(new Write(writer, unwritten, about, type, reason, message));
    }

    private void dropped(Write write) {
        unwritten.decrementAndGet();
        long total = dropped.incrementAndGet();
        log.warn("event dropped, queue full or closed: reason={} object={}/{} dropped={}", write.reason(),
                write.about().getMetadata().getNamespace(), write.about().getMetadata().getName(), total);
    }

    /** Events queued or being written. */
    int unwritten() {
        return unwritten.get();
    }

    /** Events dropped so far because the queue was full or closed. */
    long dropped() {
        return dropped.get();
    }

    /**
     * Takes no more events, lets the writers finish the queue for up to {@code drain}, then interrupts them
     * and waits up to a second for the writes in progress to give up.
     */
    void close(Duration drain) {
        writers.shutdown();
        try {
            if (writers.awaitTermination(drain.toNanos(), TimeUnit.NANOSECONDS)) {
                return;
            }
            int left = writers.shutdownNow().size();
            unwritten.addAndGet(-left);
            log.warn("scheduler stopped with {} events unwritten", left + writers.getActiveCount());
            writers.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            unwritten.addAndGet(-writers.shutdownNow().size());
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(2));
    }
}
