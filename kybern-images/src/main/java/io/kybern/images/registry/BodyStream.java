package io.kybern.images.registry;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A request body as an InputStream for the virtual thread that serves the request, fed by the event loop.
 * Back-pressure instead of buffering a whole layer in memory: when more than {@link #HIGH_WATER} bytes wait,
 * the channel stops reading from the socket until the reader has caught up.
 */
final class BodyStream extends InputStream {

    static final int HIGH_WATER = 1024 * 1024;
    /** Marks the end of the body; never a real chunk, since empty chunks are not queued. */
    private static final ByteBuf END = Unpooled.EMPTY_BUFFER;

    private final Channel channel;
    private final LinkedBlockingQueue<ByteBuf> chunks = new LinkedBlockingQueue<>();
    private final AtomicLong queued = new AtomicLong();
    private ByteBuf current;
    private boolean ended;
    private volatile boolean failed;

    BodyStream(Channel channel) {
        this.channel = channel;
    }

    /** Called on the event loop with a retained copy of each content chunk. */
    void offer(ByteBuf chunk) {
        if (chunk.isReadable()) {
            if (queued.addAndGet(chunk.readableBytes()) > HIGH_WATER) {
                channel.config().setAutoRead(false);
            }
            chunks.add(chunk);
        } else {
            chunk.release();
        }
    }

    /** Called on the event loop at the end of the body. */
    void end() {
        chunks.add(END);
    }

    /** Called on the event loop when the connection is gone: a waiting reader gets an IOException. */
    void fail() {
        failed = true;
        chunks.add(END);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        while (current == null || !current.isReadable()) {
            if (current != null) {
                current.release();
                current = null;
            }
            if (ended) {
                return -1;
            }
            ByteBuf next;
            try {
                next = chunks.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while reading a request body");
            }
            if (next == END) {
                ended = true;
                if (failed) {
                    throw new IOException("the client closed the connection before the body ended");
                }
                return -1;
            }
            current = next;
            if (queued.addAndGet(-next.readableBytes()) <= HIGH_WATER / 2 && !channel.config().isAutoRead()) {
                channel.config().setAutoRead(true);
            }
        }
        int n = Math.min(length, current.readableBytes());
        current.readBytes(buffer, offset, n);
        return n;
    }

    /** Reads and drops what the handler left unread, so the connection can carry the next request. */
    void drain() throws IOException {
        byte[] buffer = new byte[16 * 1024];
        while (read(buffer, 0, buffer.length) >= 0) {
            // dropped
        }
    }

    @Override
    public void close() {
        if (current != null) {
            current.release();
            current = null;
        }
    }
}
