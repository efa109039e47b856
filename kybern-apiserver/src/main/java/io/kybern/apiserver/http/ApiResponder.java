package io.kybern.apiserver.http;

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

    /** Starts a response whose body is written piece by piece, such as a watch. */
    ResponseStream stream(int status, String contentType);
}
