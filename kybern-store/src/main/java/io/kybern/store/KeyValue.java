package io.kybern.store;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One key as it stood at some revision, with etcd's per-key bookkeeping.
 *
 * @param key            the full key, for example {@code /registry/pods/default/web-0}
 * @param value          the stored bytes; empty for the key of a deletion event
 * @param createRevision the revision that created this incarnation of the key
 * @param modRevision    the revision of the last change to the key; the compare-and-swap token
 * @param version        changes since creation, starting at 1; 0 once deleted
 * @param lease          the lease the key is attached to, or {@link Store#NO_LEASE}
 */
public record KeyValue(String key, byte[] value, long createRevision, long modRevision, long version, long lease) {

    public KeyValue {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
    }

    public String valueAsString() {
        return new String(value, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyValue kv
                && key.equals(kv.key)
                && Arrays.equals(value, kv.value)
                && createRevision == kv.createRevision
                && modRevision == kv.modRevision
                && version == kv.version
                && lease == kv.lease;
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, Arrays.hashCode(value), createRevision, modRevision, version, lease);
    }

    @Override
    public String toString() {
        return "KeyValue[" + key + " create=" + createRevision + " mod=" + modRevision + " version=" + version
                + " lease=" + lease + " bytes=" + value.length + "]";
    }
}
