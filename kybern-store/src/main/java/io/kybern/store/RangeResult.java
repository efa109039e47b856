package io.kybern.store;

import java.util.List;

/**
 * One page of a range read.
 *
 * @param kvs      the keys, in key order
 * @param revision the revision the page was read at; pass it on to read the next page consistently
 * @param count    how many keys the requested range held at that revision, counting from the page's
 *                 start and ignoring the limit (so {@code count - kvs.size()} keys remain after this page)
 * @param more     whether keys remain after this page
 */
public record RangeResult(List<KeyValue> kvs, long revision, long count, boolean more) {

    public RangeResult {
        kvs = List.copyOf(kvs);
    }

    /** The key to continue after, or {@code null} when the page is empty. */
    public String continueAfter() {
        return kvs.isEmpty() ? null : kvs.getLast().key();
    }
}
