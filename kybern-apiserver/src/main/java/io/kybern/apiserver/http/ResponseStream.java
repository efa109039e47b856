package io.kybern.apiserver.http;

/** A response body written in pieces, each flushed to the client as it is written. */
public interface ResponseStream extends AutoCloseable {

    /**
     * Writes and flushes one piece, waiting while the client is slow to read.
     *
     * @return false if the client has gone away; nothing more should be written
     */
    boolean write(byte[] piece);

    /** Whether the client is still there. */
    boolean isOpen();

    /** Ends the response. */
    @Override
    void close();
}
