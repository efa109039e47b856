package io.kybern.store;

/** A running watch. Closing it stops delivery; closing twice is harmless. */
public interface Watch extends AutoCloseable {

    @Override
    void close();
}
