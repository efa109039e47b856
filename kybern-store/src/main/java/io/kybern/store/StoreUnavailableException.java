package io.kybern.store;

/**
 * The store could not carry out the request: it is closed, its backend is unreachable, or its disk
 * refused the write. Whether a write failing this way happened is unknown unless the message says
 * otherwise; callers must not assume either.
 */
public final class StoreUnavailableException extends StoreException {

    public StoreUnavailableException(String message) {
        super(message);
    }

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
