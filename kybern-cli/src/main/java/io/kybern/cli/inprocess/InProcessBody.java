package io.kybern.cli.inprocess;

import io.fabric8.kubernetes.client.http.AsyncBody;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An answer's body as the client takes it: each {@link #consume()} asks for one more list of buffers, which
 * reaches the consumer on whichever thread makes it available (the writer's, or the asker's), one at a time
 * and in order. A writer waits while {@link #MAX_QUEUED} pieces wait for the client, and gives up on a client
 * that asked for nothing in {@link #SLOW_CLIENT_SECONDS}, as the network path cuts off a client that does not read.
 */
final class InProcessBody implements AsyncBody {

    static final int MAX_QUEUED = 64;
    static final long SLOW_CLIENT_SECONDS = 30;

    private final AsyncBody.Consumer<List<ByteBuffer>> consumer;
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition taken = lock.newCondition();
    private final ArrayDeque<List<ByteBuffer>> queued = new ArrayDeque<>();
    private long demand;
    private boolean delivering;
    private boolean ended;
    private boolean cancelled;

    InProcessBody(AsyncBody.Consumer<List<ByteBuffer>> consumer) {
        this.consumer = consumer;
    }

    @Override
    public void consume() {
        lock.lock();
        try {
            demand++;
        } finally {
            lock.unlock();
        }
        deliver();
    }

    @Override
    public CompletableFuture<Void> done() {
        return done;
    }

    @Override
    public void cancel() {
        stop();
        done.cancel(false);
    }

    /** Whether the client still takes the body. */
    boolean isOpen() {
        lock.lock();
        try {
            return !cancelled && !done.isDone();
        } finally {
            lock.unlock();
        }
    }

    /** Queues a piece of the body, waiting while the client is behind; false once it is gone. */
    boolean offer(List<ByteBuffer> piece) {
        lock.lock();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SLOW_CLIENT_SECONDS);
            while (queued.size() >= MAX_QUEUED && !cancelled) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    lock.unlock();
                    try {
                        fail(new IOException("the client read nothing for " + SLOW_CLIENT_SECONDS + " s"));
                    } finally {
                        lock.lock();
                    }
                    return false;
                }
                taken.awaitNanos(left);
            }
            if (cancelled || ended) {
                return false;
            }
            queued.add(piece);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
        deliver();
        return true;
    }

    /** The body is complete: the client's {@link #done()} completes once it has taken every piece. */
    void end() {
        lock.lock();
        try {
            ended = true;
        } finally {
            lock.unlock();
        }
        deliver();
    }

    /**
     * Hands queued pieces to the consumer while it asks for them. One thread delivers at a time; a thread that
     * finds another delivering leaves, and that one sees the new piece or demand when its consumer returns, so
     * a consumer that asks for more from within its own call does not recurse.
     */
    private void deliver() {
        while (true) {
            List<ByteBuffer> piece;
            boolean complete = false;
            lock.lock();
            try {
                if (delivering || cancelled) {
                    return;
                }
                if (demand > 0 && !queued.isEmpty()) {
                    piece = queued.poll();
                    demand--;
                    delivering = true;
                    taken.signalAll();
                } else {
                    piece = null;
                    complete = ended && queued.isEmpty();
                }
            } finally {
                lock.unlock();
            }
            if (piece == null) {
                if (complete) {
                    // Outside the lock: completing runs the client's code.
                    done.complete(null);
                }
                return;
            }
            try {
                consumer.consume(piece, this);
            } catch (Exception e) {
                fail(e);
                return;
            } finally {
                lock.lock();
                try {
                    delivering = false;
                } finally {
                    lock.unlock();
                }
            }
        }
    }

    private void fail(Throwable failure) {
        stop();
        done.completeExceptionally(failure);
    }

    /** Nothing more is delivered, and a waiting writer learns the client is gone. */
    private void stop() {
        lock.lock();
        try {
            cancelled = true;
            queued.clear();
            taken.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
