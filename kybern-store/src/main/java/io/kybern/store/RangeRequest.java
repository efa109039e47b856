package io.kybern.store;

import java.util.Objects;

/**
 * A read of every key under a prefix, in key order.
 *
 * @param prefix   keys that start with this string; the empty string means every key
 * @param revision read the keys as they stood at this revision; {@code 0} means the current revision
 * @param limit    at most this many keys; {@code 0} means no limit
 * @param afterKey continue after this key (exclusive), as returned by {@link RangeResult#continueAfter()};
 *                 {@code null} to start at the beginning of the prefix
 */
public record RangeRequest(String prefix, long revision, int limit, String afterKey) {

    public RangeRequest {
        Objects.requireNonNull(prefix, "prefix");
        if (revision < 0) {
            throw new IllegalArgumentException("revision must be >= 0: " + revision);
        }
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0: " + limit);
        }
        if (afterKey != null && !afterKey.startsWith(prefix)) {
            throw new IllegalArgumentException("afterKey " + afterKey + " is outside prefix " + prefix);
        }
    }

    public static RangeRequest prefix(String prefix) {
        return new RangeRequest(prefix, 0, 0, null);
    }

    public RangeRequest atRevision(long revision) {
        return new RangeRequest(prefix, revision, limit, afterKey);
    }

    public RangeRequest withLimit(int limit) {
        return new RangeRequest(prefix, revision, limit, afterKey);
    }

    public RangeRequest after(String afterKey) {
        return new RangeRequest(prefix, revision, limit, afterKey);
    }

    /** The next page of the same read, pinned to the revision the first page was read at. */
    public RangeRequest next(RangeResult page) {
        if (!page.more()) {
            throw new IllegalStateException("no more pages");
        }
        return new RangeRequest(prefix, page.revision(), limit, page.continueAfter());
    }
}
