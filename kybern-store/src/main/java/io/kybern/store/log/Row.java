package io.kybern.store.log;

import io.kybern.store.KeyValue;

/**
 * One entry of the log: a key's state as written at one revision.
 *
 * @param revision       the global revision of this write; rows are unique by it
 * @param key            the key
 * @param createRevision the revision that created this incarnation of the key ({@code 0} for a tombstone)
 * @param prevRevision   the revision of the row this one supersedes, or {@code 0} if none
 * @param version        changes since creation; {@code 0} for a tombstone
 * @param lease          the lease the key is attached to
 * @param deleted        whether this row is a tombstone recording a deletion
 * @param value          the bytes written; empty for a tombstone
 */
public record Row(long revision, String key, long createRevision, long prevRevision, long version, long lease,
        boolean deleted, byte[] value) {

    private static final byte[] NO_BYTES = new byte[0];

    public static Row tombstone(long revision, Row deleted) {
        return new Row(revision, deleted.key(), 0, deleted.revision(), 0, 0, true, NO_BYTES);
    }

    public boolean live() {
        return !deleted;
    }

    /** The key as a reader sees it; only meaningful for a live row. */
    public KeyValue keyValue() {
        return new KeyValue(key, value, createRevision, revision, version, lease);
    }

    /** The key of a deletion event, shaped as etcd reports it. */
    public KeyValue deletionKeyValue() {
        return new KeyValue(key, NO_BYTES, 0, revision, 0, 0);
    }
}
