package io.kybern.store.log;

import io.kybern.store.CompactedException;
import io.kybern.store.StoreException;
import io.kybern.store.StoreUnavailableException;
import io.kybern.store.Watch;
import io.kybern.store.WatchEvent;
import io.kybern.store.WatchListener;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fans committed changes out to watchers.
 *
 * <p>A watcher is either <em>synced</em>, receiving new changes through a bounded in-memory queue, or
 * <em>catching up</em>, reading them from the backend's {@link History}. A watcher that starts at an
 * old revision, or whose queue overflows because its listener is slow, catches up from the log and
 * then rejoins the live stream; no change is skipped or delivered twice, and a slow listener never
 * holds up writers or other watchers. (etcd's watchable store works the same way with its synced and
 * unsynced watcher groups.)
 *
 * <p>Threading: {@link #publish} is called by the backend's single writer, after the changes are
 * durable, in revision order. Each watcher delivers from its own virtual thread.
 */
public final class WatchHub implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WatchHub.class);

    static final int QUEUE_CAPACITY = 4096;
    static final int CATCH_UP_BATCH = 1000;

    private final History history;
    private final LongSupplier compactRevision;
    private final ReentrantLock lock = new ReentrantLock();
    private final Set<Watcher> watchers = new LinkedHashSet<>();
    private long published;
    private boolean closed;

    /**
     * @param history          where catching-up watchers read from
     * @param compactRevision  the backend's current compaction point
     * @param currentRevision  the revision already durable when the hub starts
     */
    public WatchHub(History history, LongSupplier compactRevision, long currentRevision) {
        this.history = history;
        this.compactRevision = compactRevision;
        this.published = currentRevision;
    }

    /** Hands durable changes, in revision order and newer than any published before, to the watchers. */
    public void publish(List<WatchEvent> events) {
        if (events.isEmpty()) {
            return;
        }
        lock.lock();
        try {
            for (Watcher watcher : watchers) {
                watcher.offer(events);
            }
            published = events.getLast().revision();
        } finally {
            lock.unlock();
        }
    }

    /** The newest revision handed to watchers. */
    public long publishedRevision() {
        lock.lock();
        try {
            return published;
        } finally {
            lock.unlock();
        }
    }

    public Watch watch(String prefix, long startRevision, WatchListener listener) {
        lock.lock();
        try {
            if (closed) {
                throw new StoreUnavailableException("store is closed");
            }
            long start = startRevision == 0 ? published + 1 : startRevision;
            Watcher watcher = new Watcher(prefix, start, listener);
            watchers.add(watcher);
            watcher.thread = Thread.ofVirtual().name("watch " + prefix + " from " + start).unstarted(watcher::run);
            watcher.thread.start();
            return watcher;
        } finally {
            lock.unlock();
        }
    }

    /** Ends every watch with an error saying the store closed. */
    @Override
    public void close() {
        List<Watcher> all;
        lock.lock();
        try {
            closed = true;
            all = new ArrayList<>(watchers);
        } finally {
            lock.unlock();
        }
        for (Watcher watcher : all) {
            watcher.end(new StoreUnavailableException("store is closed"));
        }
    }

    int watcherCount() {
        lock.lock();
        try {
            return watchers.size();
        } finally {
            lock.unlock();
        }
    }

    private final class Watcher implements Watch {
        private final String prefix;
        private final long start;
        private final WatchListener listener;
        private final Condition ready = lock.newCondition();
        // Guarded by lock.
        private final ArrayDeque<WatchEvent> queue = new ArrayDeque<>();
        private boolean synced;
        private boolean ended;
        private StoreException endError;
        // Owned by the watcher's thread: the first revision not yet delivered.
        private long next;
        private Thread thread;

        Watcher(String prefix, long start, WatchListener listener) {
            this.prefix = prefix;
            this.start = start;
            this.listener = listener;
            this.next = start;
        }

        /** Called with the lock held. */
        void offer(List<WatchEvent> events) {
            if (!synced || ended) {
                return;
            }
            for (WatchEvent event : events) {
                if (event.revision() < start || !event.kv().key().startsWith(prefix)) {
                    continue;
                }
                if (queue.size() == QUEUE_CAPACITY) {
                    // The listener is behind: drop the queue and let the thread re-read from the log.
                    queue.clear();
                    synced = false;
                    ready.signal();
                    return;
                }
                queue.add(event);
            }
            if (!queue.isEmpty()) {
                ready.signal();
            }
        }

        void run() {
            try {
                long compacted = compactRevision.getAsLong();
                if (start <= compacted) {
                    throw new CompactedException(start, compacted);
                }
                while (true) {
                    List<WatchEvent> batch = null;
                    long catchUpTo = 0;
                    lock.lock();
                    try {
                        while (!ended && synced && queue.isEmpty()) {
                            ready.awaitUninterruptibly();
                        }
                        if (ended) {
                            return;
                        }
                        if (synced) {
                            batch = new ArrayList<>(Math.min(queue.size(), CATCH_UP_BATCH));
                            while (!queue.isEmpty() && batch.size() < CATCH_UP_BATCH) {
                                batch.add(queue.poll());
                            }
                        } else if (next > published) {
                            synced = true;
                            continue;
                        } else {
                            catchUpTo = published;
                        }
                    } finally {
                        lock.unlock();
                    }
                    if (batch != null) {
                        deliver(batch);
                    } else {
                        List<WatchEvent> events = history.read(prefix, next, catchUpTo, CATCH_UP_BATCH);
                        if (events.size() == CATCH_UP_BATCH) {
                            deliver(events);
                        } else {
                            if (!events.isEmpty()) {
                                deliver(events);
                            }
                            next = catchUpTo + 1;
                        }
                    }
                }
            } catch (StoreException e) {
                end(e);
            } catch (RuntimeException e) {
                log.warn("watch of {} failed; ending the watch", prefix, e);
                end(new StoreException("watch of " + prefix + " failed: " + e, e));
            }
        }

        private void deliver(List<WatchEvent> events) {
            try {
                listener.onEvents(List.copyOf(events));
            } catch (RuntimeException | Error e) {
                // Errors too (a failed assertion, say): uncaught, one ended this thread silently, leaving the
                // watcher registered, its queue filling on every write, and its listener never told that
                // delivery had stopped. Wrapped even when it is a StoreException, so that the listener's own
                // failure (a CompactedException from a read it made, say) is not taken for the watch's.
                log.warn("watch listener for {} failed; ending the watch", prefix, e);
                throw new StoreException("watch listener failed: " + e, e);
            }
            next = events.getLast().revision() + 1;
        }

        /** Ends the watch, telling the listener why unless it was closed by its owner. */
        void end(StoreException error) {
            lock.lock();
            try {
                if (ended) {
                    return;
                }
                ended = true;
                endError = error;
                queue.clear();
                watchers.remove(this);
                ready.signal();
            } finally {
                lock.unlock();
            }
            if (error != null) {
                Thread current = Thread.currentThread();
                if (current == thread) {
                    listener.onError(error);
                } else {
                    // Keep the one-thread-at-a-time promise: report from a fresh thread once delivery stops.
                    Thread.ofVirtual().start(() -> {
                        joinQuietly(thread);
                        listener.onError(endError);
                    });
                }
            }
        }

        @Override
        public void close() {
            end(null);
        }
    }

    private static void joinQuietly(Thread thread) {
        if (thread == null) {
            return;
        }
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
