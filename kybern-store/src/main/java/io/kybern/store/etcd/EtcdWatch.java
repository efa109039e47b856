package io.kybern.store.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchResponse;
import io.kybern.store.CompactedException;
import io.kybern.store.StoreException;
import io.kybern.store.StoreUnavailableException;
import io.kybern.store.Watch;
import io.kybern.store.WatchEvent;
import io.kybern.store.WatchListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * One Kybern watch over an etcd watch stream.
 *
 * <p>jetcd calls back on its own network threads, and a listener may be slow, so events go through a
 * queue to a virtual thread of this watch that alone calls the listener: one batch at a time, in
 * order, never on a writer's thread, and without holding up jetcd's threads (which all watches and
 * requests share).
 *
 * <p>The queue is bounded by a {@link Backlog}. When a listener falls that far behind, the etcd stream
 * is cancelled; once the listener has drained the queue, a new stream starts at the first revision not
 * yet queued, so etcd replays the gap from its history. If that history was compacted meanwhile the
 * watch ends with {@link CompactedException}, as the contract says.
 *
 * <p>Locking: {@link #lock} guards the fields below it and is never held while calling into jetcd or
 * the listener, because jetcd calls our error callback while holding a lock of its own that its
 * {@code close()} takes too.
 */
final class EtcdWatch implements Watch {

    /** How far a listener may fall behind before the stream is paused: whichever limit comes first. */
    record Backlog(int maxEvents, long maxBytes) {

        static final Backlog DEFAULT = new Backlog(10_000, 64L * 1024 * 1024);

        Backlog {
            if (maxEvents < 1 || maxBytes < 1) {
                throw new IllegalArgumentException("backlog limits must be positive");
            }
        }
    }

    private static final Logger log = LoggerFactory.getLogger(EtcdWatch.class);
    private static final AtomicLong ids = new AtomicLong();
    private static final long ANY_GENERATION = -1;

    private final io.etcd.jetcd.Watch client;
    private final String prefix;
    private final WatchListener listener;
    private final Backlog backlog;
    private final Consumer<EtcdWatch> onEnd;
    private final AtomicInteger streamsOpened = new AtomicInteger();

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<List<WatchEvent>> queue = new ArrayDeque<>();
    private int queuedEvents;
    private long queuedBytes;
    /** The first revision not yet queued: where a new stream has to start. */
    private long nextRevision;
    /** Incremented for every stream started or abandoned, so that callbacks of an old stream are ignored. */
    private long generation;
    private io.etcd.jetcd.Watch.Watcher stream;
    private boolean paused;
    private boolean closed;
    private StoreException failure;

    EtcdWatch(io.etcd.jetcd.Watch client, String prefix, long startRevision, WatchListener listener, Backlog backlog,
            Consumer<EtcdWatch> onEnd) {
        if (startRevision < 1) {
            throw new IllegalArgumentException("start revision must be resolved to a positive one: " + startRevision);
        }
        this.client = client;
        this.prefix = prefix;
        this.listener = listener;
        this.backlog = backlog;
        this.onEnd = onEnd;
        this.nextRevision = startRevision;
    }

    /** Opens the etcd stream and starts the delivery thread. */
    void start() {
        Thread.ofVirtual().name("kybern-etcd-watch-" + ids.incrementAndGet()).start(this::deliverLoop);
        openStream();
    }

    @Override
    public void close() {
        io.etcd.jetcd.Watch.Watcher toCancel;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            generation++;
            toCancel = stream;
            stream = null;
            queue.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        cancel(toCancel);
        onEnd.accept(this);
    }

    /** Ends the watch from the store's side: the listener gets {@code error} and nothing else. */
    void terminate(StoreException error) {
        fail(error, true, ANY_GENERATION);
    }

    /** How many etcd streams this watch has opened: more than one means it paused for a slow listener. */
    int streamsOpened() {
        return streamsOpened.get();
    }

    // ---- the etcd stream ------------------------------------------------------------------------------

    private void openStream() {
        long myGeneration;
        long from;
        lock.lock();
        try {
            if (closed || failure != null) {
                return;
            }
            myGeneration = ++generation;
            paused = false;
            from = nextRevision;
        } finally {
            lock.unlock();
        }
        // etcd refuses a watch only below its compaction point, but the contract also refuses one that
        // starts exactly at it (etcd drops deletions at the compaction revision from its history). Asking
        // etcd for one revision earlier makes it apply the contract's rule and report the compaction
        // point; the extra revision is filtered out on arrival.
        WatchOption option = WatchOption.builder()
                .withRange(EtcdCodec.prefixEnd(prefix))
                .withPrevKV(true)
                .withRevision(Math.max(1, from - 1))
                .build();
        ByteSequence key = EtcdCodec.rangeStart(prefix);
        io.etcd.jetcd.Watch.Watcher opened;
        try {
            opened = client.watch(key, option, new StreamListener(myGeneration));
            streamsOpened.incrementAndGet();
        } catch (RuntimeException e) {
            onStreamError(myGeneration, e);
            return;
        }
        boolean stale;
        lock.lock();
        try {
            stale = myGeneration != generation;
            if (!stale) {
                stream = opened;
            }
        } finally {
            lock.unlock();
        }
        if (stale) {
            cancel(opened);
        }
    }

    private void onStreamEvents(long streamGeneration, WatchResponse response) {
        List<WatchEvent> converted = new ArrayList<>(response.getEvents().size());
        try {
            for (io.etcd.jetcd.watch.WatchEvent event : response.getEvents()) {
                converted.add(EtcdCodec.watchEvent(event));
            }
        } catch (RuntimeException e) {
            // Skipping an event we cannot read would leave a gap; end the watch instead.
            fail(new StoreException("etcd watch of " + prefix + " sent an unreadable event: " + e, e), false,
                    streamGeneration);
            return;
        }
        io.etcd.jetcd.Watch.Watcher toCancel = null;
        lock.lock();
        try {
            if (streamGeneration != generation || closed || failure != null) {
                return;
            }
            List<WatchEvent> fresh = new ArrayList<>(converted.size());
            long bytes = 0;
            for (WatchEvent event : converted) {
                // Drops the revision before the start (see openStream) and anything already queued.
                if (event.revision() >= nextRevision) {
                    fresh.add(event);
                    bytes += sizeOf(event);
                }
            }
            if (fresh.isEmpty()) {
                return;
            }
            queue.add(List.copyOf(fresh));
            queuedEvents += fresh.size();
            queuedBytes += bytes;
            nextRevision = fresh.getLast().revision() + 1;
            if (queuedEvents >= backlog.maxEvents() || queuedBytes >= backlog.maxBytes()) {
                paused = true;
                generation++;
                toCancel = stream;
                stream = null;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        cancel(toCancel);
    }

    private void onStreamError(long streamGeneration, Throwable error) {
        long requested;
        lock.lock();
        try {
            requested = nextRevision;
        } finally {
            lock.unlock();
        }
        // Any stream failure ends the watch: jetcd would reconnect by itself, but from a revision it
        // tracks in ways that can skip or repeat events. The caller restarts from its last revision.
        fail(toStoreException(error, requested), false, streamGeneration);
    }

    private StoreException toStoreException(Throwable error, long requested) {
        EtcdErrors.Failure f = EtcdErrors.classify(error);
        return switch (f.kind()) {
            case COMPACTED -> new CompactedException(requested, EtcdErrors.compactRevision(error));
            case UNAVAILABLE -> new StoreUnavailableException("etcd watch of " + prefix + " broke: " + f.message(), error);
            default -> new StoreException("etcd watch of " + prefix + " failed: " + f.message(), error);
        };
    }

    /**
     * Records the error that ends the watch, unless it comes from a stream already abandoned; the delivery
     * thread reports it after the queued events, or at once if {@code dropQueued}.
     */
    private void fail(StoreException error, boolean dropQueued, long streamGeneration) {
        io.etcd.jetcd.Watch.Watcher toCancel;
        lock.lock();
        try {
            if (closed || failure != null
                    || (streamGeneration != ANY_GENERATION && streamGeneration != generation)) {
                return;
            }
            failure = error;
            generation++;
            toCancel = stream;
            stream = null;
            if (dropQueued) {
                queue.clear();
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        cancel(toCancel);
    }

    private static void cancel(io.etcd.jetcd.Watch.Watcher stream) {
        if (stream != null) {
            try {
                stream.close();
            } catch (RuntimeException e) {
                log.debug("cancelling an etcd watch stream failed", e);
            }
        }
    }

    /** Roughly the memory an event holds, for the backlog limit. */
    private static long sizeOf(WatchEvent event) {
        long size = event.kv().key().length() + event.kv().value().length;
        return event.previous() == null ? size : size + event.previous().value().length;
    }

    // ---- delivery -------------------------------------------------------------------------------------

    private void deliverLoop() {
        while (true) {
            List<WatchEvent> batch = null;
            StoreException error = null;
            lock.lock();
            try {
                while (!closed && queue.isEmpty() && failure == null && !paused) {
                    changed.awaitUninterruptibly();
                }
                if (closed) {
                    return;
                }
                if (!queue.isEmpty()) {
                    batch = queue.poll();
                    queuedEvents -= batch.size();
                    for (WatchEvent event : batch) {
                        queuedBytes -= sizeOf(event);
                    }
                } else if (failure != null) {
                    error = failure;
                    closed = true;
                }
            } finally {
                lock.unlock();
            }
            if (batch != null) {
                deliver(batch);
            } else if (error != null) {
                onEnd.accept(this);
                listener.onError(error);
                return;
            } else {
                // Paused and drained: catch up from etcd's history.
                openStream();
            }
        }
    }

    private void deliver(List<WatchEvent> batch) {
        try {
            listener.onEvents(batch);
        } catch (RuntimeException | Error e) {
            // The listener may have lost track of the events it failed on, so going on would hide a gap.
            log.warn("watch listener of {} failed; ending the watch", prefix, e);
            fail(new StoreException("the watch listener of " + prefix + " failed: " + e, e), true, ANY_GENERATION);
        }
    }

    /** Receives one etcd stream's callbacks, tagged with the generation it was opened in. */
    private final class StreamListener implements io.etcd.jetcd.Watch.Listener {

        private final long streamGeneration;

        StreamListener(long streamGeneration) {
            this.streamGeneration = streamGeneration;
        }

        @Override
        public void onNext(WatchResponse response) {
            if (!response.getEvents().isEmpty()) {
                onStreamEvents(streamGeneration, response);
            }
        }

        @Override
        public void onError(Throwable error) {
            onStreamError(streamGeneration, error);
        }

        @Override
        public void onCompleted() {
            // jetcd calls this when a stream is cancelled, by us or after an error it already reported.
        }
    }
}
