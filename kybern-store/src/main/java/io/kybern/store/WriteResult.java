package io.kybern.store;

/**
 * The outcome of a write. A failed compare-and-swap is an ordinary outcome, not an exception, because
 * the caller's next step (retry on the current value, or report a conflict) needs that value.
 *
 * @param succeeded whether the write happened
 * @param revision  the store's revision after the write: the write's own revision when it succeeded,
 *                  otherwise the revision at which the precondition was found false
 * @param current   when it succeeded: the key as written (for a delete, the value it had before);
 *                  when it failed: the key as it stands, or {@code null} if it does not exist
 */
public record WriteResult(boolean succeeded, long revision, KeyValue current) {

    public static WriteResult success(long revision, KeyValue current) {
        return new WriteResult(true, revision, current);
    }

    public static WriteResult failure(long revision, KeyValue current) {
        return new WriteResult(false, revision, current);
    }
}
