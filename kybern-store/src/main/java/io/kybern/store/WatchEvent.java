package io.kybern.store;

/**
 * One change seen by a watch.
 *
 * @param type     what happened
 * @param kv       for {@link Type#PUT} the key as written; for {@link Type#DELETE} the key with an empty
 *                 value, {@code modRevision} the revision of the deletion and every other number 0, as
 *                 etcd reports it
 * @param previous the key as it stood before the change, or {@code null} for a creation
 */
public record WatchEvent(Type type, KeyValue kv, KeyValue previous) {

    public enum Type { PUT, DELETE }

    public long revision() {
        return kv.modRevision();
    }

    public boolean isCreate() {
        return type == Type.PUT && kv.version() == 1;
    }
}
