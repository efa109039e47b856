package io.kybern.apiserver.http;

import io.netty.channel.Channel;
import java.util.List;
import java.util.function.Consumer;

/**
 * How a handler answers. Exactly one of {@link #respond} or {@link #stream} is called per request.
 * Methods may be called from the handler's (virtual) thread; the HTTP layer hands the bytes to the
 * connection's event loop.
 */
public interface ApiResponder {

    /**
     * Adds a header to the response (a {@code Warning}, an {@code ETag}); call before {@link #respond} or
     * {@link #stream}. Not a default method: a wrapping responder that forgot it would drop warnings.
     */
    void header(String name, String value);

    void respond(int status, String contentType, byte[] body);

    /**
     * Answers with a body that is {@code pieces} one after another, without joining them into one array first:
     * a list of ten thousand pods is twenty megabytes of cached items, not worth a copy per request. The pieces
     * must not change while the answer is written.
     *
     * <p>The default joins them and calls {@link #respond(int, String, byte[])}: the same bytes, only a copy
     * more, so a responder that wraps another must pass this on to keep the saving.
     */
    default void respondPieces(int status, String contentType, List<byte[]> pieces) {
        int size = 0;
        for (byte[] piece : pieces) {
            size = Math.addExact(size, piece.length);
        }
        byte[] body = new byte[size];
        int at = 0;
        for (byte[] piece : pieces) {
            System.arraycopy(piece, 0, body, at, piece.length);
            at += piece.length;
        }
        respond(status, contentType, body);
    }

    /** Starts a response whose body is written piece by piece, such as a watch. */
    ResponseStream stream(int status, String contentType);

    /**
     * Hands the connection of a request that asked to upgrade (exec, attach, port-forward) to {@code tunnel}:
     * on the connection's event loop, the HTTP handlers leave, the tunnel adds its own, and reading resumes;
     * every byte is the tunnel's from then on, including the answer to the upgrade. Only an HTTP/1.1
     * connection can be handed over.
     *
     * @throws io.kybern.apiserver.status.ApiException 400 on an HTTP/2 stream
     */
    default void upgrade(Consumer<Channel> tunnel) {
        throw io.kybern.apiserver.status.ApiException.badRequest("this connection cannot be upgraded");
    }
}
