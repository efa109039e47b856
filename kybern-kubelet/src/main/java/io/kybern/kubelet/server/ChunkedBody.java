package io.kybern.kubelet.server;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * A chunked HTTP response body as an {@link OutputStream}, for a virtual thread that writes a log: each
 * write is one chunk, sent at once (a followed log must reach its reader); a write waits while the client
 * reads slower than we write, and fails once the client is gone. Closing ends the body.
 */
final class ChunkedBody extends OutputStream {

    private final Channel channel;
    private final long slowClientSeconds;
    private boolean closed;

    ChunkedBody(Channel channel, long slowClientSeconds) {
        this.channel = channel;
        this.slowClientSeconds = slowClientSeconds;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        if (closed || !channel.isActive()) {
            throw new IOException("the client closed the connection");
        }
        if (length == 0) {
            return;
        }
        ChannelFuture written = channel.writeAndFlush(
                new DefaultHttpContent(Unpooled.wrappedBuffer(Arrays.copyOfRange(bytes, offset, offset + length))));
        if (!channel.isWritable() && !written.awaitUninterruptibly(slowClientSeconds, TimeUnit.SECONDS)) {
            channel.close();
            throw new IOException("the client stopped reading");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            if (channel.isActive()) {
                channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            }
        }
    }
}
