package io.kybern.store;

import java.util.List;

/**
 * Receives the changes of one watch.
 *
 * <p>Threading: the store calls a listener from one thread at a time, never concurrently, and never
 * from the thread that made a write. A slow listener delays only its own watch; the store catches it up
 * from its history without losing events, or ends the watch with {@link CompactedException} if that
 * history is gone.
 */
public interface WatchListener {

    /** Changes in revision order, with no gaps and no duplicates, never an empty list. */
    void onEvents(List<WatchEvent> events);

    /**
     * The watch has ended and will deliver nothing more. {@link CompactedException} means the
     * revision it needed is gone; start again from a fresh read.
     */
    default void onError(StoreException error) {
    }
}
