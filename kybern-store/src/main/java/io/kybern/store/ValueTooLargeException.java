package io.kybern.store;

/** A value larger than {@link Store#MAX_VALUE_BYTES}; nothing was written. */
public final class ValueTooLargeException extends StoreException {

    private final int size;

    public ValueTooLargeException(String key, int size) {
        super("value of " + key + " is " + size + " bytes, more than the limit of " + Store.MAX_VALUE_BYTES
                + " bytes");
        this.size = size;
    }

    public int size() {
        return size;
    }
}
