package io.kybern.store;

/**
 * The revision asked for is older than the store's compaction point: its history is gone. The API
 * server answers this with {@code 410 Gone}.
 */
public final class CompactedException extends StoreException {

    private final long requestedRevision;
    private final long compactRevision;

    public CompactedException(long requestedRevision, long compactRevision) {
        super("required revision " + requestedRevision + " has been compacted (compacted up to "
                + compactRevision + ")");
        this.requestedRevision = requestedRevision;
        this.compactRevision = compactRevision;
    }

    public long requestedRevision() {
        return requestedRevision;
    }

    /** The compaction point, or {@code 0} when the backend did not say. */
    public long compactRevision() {
        return compactRevision;
    }
}
