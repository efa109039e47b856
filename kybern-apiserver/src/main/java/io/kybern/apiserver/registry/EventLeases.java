package io.kybern.apiserver.registry;

import io.kybern.api.resource.ResourceType;
import io.kybern.store.Store;
import java.time.Duration;
import java.time.InstantSource;

/**
 * Gives Events their time to live: every Event is written under a store lease that ends an hour later,
 * and the store deletes it then. As kube-apiserver does, one lease serves all the Events written in the
 * same minute (its TTL stretched by that minute), so a storm of Events costs a lease per minute rather
 * than one each.
 */
final class EventLeases {

    static final Duration EVENT_TTL = Duration.ofHours(1);
    static final Duration REUSE = Duration.ofMinutes(1);

    private final Store store;
    private final InstantSource clock;
    private long lease;
    private long grantedAtMillis;

    EventLeases(Store store, InstantSource clock) {
        this.store = store;
        this.clock = clock;
    }

    static boolean expires(ResourceType type) {
        String group = type.gvr().group();
        return type.gvr().resource().equals("events") && (group.isEmpty() || group.equals("events.k8s.io"));
    }

    /** The lease to write an Event under now. */
    synchronized long current() {
        long now = clock.millis();
        if (lease == Store.NO_LEASE || now - grantedAtMillis >= REUSE.toMillis()) {
            lease = store.grantLease(EVENT_TTL.plus(REUSE));
            grantedAtMillis = now;
        }
        return lease;
    }

    /** Forgets a lease the store no longer knows (it expired early, or the store restarted without it). */
    synchronized void invalidate(long gone) {
        if (lease == gone) {
            lease = Store.NO_LEASE;
        }
    }
}
