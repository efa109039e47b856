package io.kybern.store;

/** A read asked for a revision the store has not reached yet. */
public final class FutureRevisionException extends StoreException {

    public FutureRevisionException(long requestedRevision, long currentRevision) {
        super("revision " + requestedRevision + " is in the future (current revision " + currentRevision + ")");
    }
}
