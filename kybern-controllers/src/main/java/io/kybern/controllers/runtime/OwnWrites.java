package io.kybern.controllers.runtime;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The versions of its objects a controller's own writes replaced, until its cache has moved past them.
 *
 * <p>Why: a controller that keeps counts in an object's status (the Job controller's succeeded and failed pods,
 * whose tracking finalizers it removes once they are counted) must not act on a cached copy older than its own
 * last write. The pods' informer may already show them without their finalizers while the Job's informer still
 * holds the Job from before the write that counted them: read together, the pods are counted nowhere, and the
 * controller creates a pod too many. Such a copy is {@link #stale}: the write's own event brings the object
 * again, newer, and the controller acts then. Versions are compared for equality only, as Kubernetes asks.
 *
 * <p>Thread-safe.
 */
public final class OwnWrites<K> {

    private final ConcurrentHashMap<K, Set<String>> replaced = new ConcurrentHashMap<>();

    /** This controller wrote over {@code key}'s object at {@code resourceVersion}, successfully. */
    public void wrote(K key, String resourceVersion) {
        replaced.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(resourceVersion);
    }

    /**
     * Whether the cached copy at {@code resourceVersion} is one this controller's writes replaced; when it is not,
     * the cache has moved past them all and they are forgotten.
     */
    public boolean stale(K key, String resourceVersion) {
        Set<String> versions = replaced.get(key);
        if (versions == null) {
            return false;
        }
        if (versions.contains(resourceVersion)) {
            return true;
        }
        replaced.remove(key, versions);
        return false;
    }

    /** The object is gone. */
    public void forget(K key) {
        replaced.remove(key);
    }
}
