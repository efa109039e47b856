package io.kybern.apiserver.cache;

/**
 * One change of one object, as the cache keeps it in its window of recent changes.
 *
 * @param revision the revision of the change
 * @param deleted  whether the object was deleted
 * @param object   the object after the change; for a deletion its last state, stamped with the deletion's
 *                 revision, as Kubernetes sends it
 * @param previous the object before the change, or null when it was created
 */
public record CachedEvent(long revision, boolean deleted, CachedObject object, CachedObject previous) {
}
