package io.kybern.store;

/** Base of every error the store reports. Unchecked: most callers can only pass it upwards. */
public class StoreException extends RuntimeException {

    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
