package io.kybern.store;

/**
 * The store's files are damaged or belong to something else. The store refuses to go on rather than
 * risk serving or writing wrong data; the message says which file and what was found.
 */
public final class StoreCorruptedException extends StoreException {

    public StoreCorruptedException(String message) {
        super(message);
    }

    public StoreCorruptedException(String message, Throwable cause) {
        super(message, cause);
    }
}
