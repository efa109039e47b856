package io.kybern.controllers.runtime;

import io.fabric8.kubernetes.api.model.StatusDetails;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * What a controller has asked for and not yet seen in its informer: creations (a count) and deletions
 * (by uid) per owner. Until they are all observed the owner's cache is known to lag, and acting on it
 * would create or delete twice; so the controller only syncs an owner whose expectations are
 * {@link #satisfied}. Expectations older than {@link #TIMEOUT} are given up on, so a lost event delays
 * an owner, never blocks it.
 *
 * <p>Ask {@link #satisfied} before reading the cache, never after: the informer updates its cache before it
 * tells the handlers, so a cache read first and expectations met since may still lack what was observed.
 *
 * <p>Thread-safe: informer threads observe, worker threads expect.
 */
public final class Expectations<K> {

    /** How long an unobserved expectation holds back its owner (Kubernetes' value). */
    public static final Duration TIMEOUT = Duration.ofMinutes(5);

    private static final class Pending {
        int creations;
        final Set<String> deletions = new HashSet<>();
        final Instant since;

        Pending(Instant since) {
            this.since = since;
        }
    }

    private final InstantSource clock;
    private final ConcurrentHashMap<K, Pending> pending = new ConcurrentHashMap<>();

    public Expectations(InstantSource clock) {
        this.clock = clock;
    }

    /** The owner is about to create {@code count} objects; replaces what was expected before. */
    public void expectCreations(K owner, int count) {
        Pending fresh = new Pending(clock.instant());
        fresh.creations = count;
        pending.put(owner, fresh);
    }

    /** The owner is about to delete the objects with these uids; replaces what was expected before. */
    public void expectDeletions(K owner, Set<String> uids) {
        Pending fresh = new Pending(clock.instant());
        fresh.deletions.addAll(uids);
        pending.put(owner, fresh);
    }

    /** The owner is about to create {@code count} objects and delete these; replaces what was expected before. */
    public void expect(K owner, int creations, Set<String> deletions) {
        Pending fresh = new Pending(clock.instant());
        fresh.creations = creations;
        fresh.deletions.addAll(deletions);
        pending.put(owner, fresh);
    }

    /**
     * Expects these creations and runs them in order. The first that throws stops the rest; it and the
     * ones never attempted are counted as observed at once, since no informer will ever see them, and the
     * exception goes on to the caller. (Forgetting that would hold the owner back for {@link #TIMEOUT}.)
     */
    public void create(K owner, List<Runnable> creations) {
        expectCreations(owner, creations.size());
        for (int i = 0; i < creations.size(); i++) {
            try {
                creations.get(i).run();
            } catch (RuntimeException e) {
                for (int never = i; never < creations.size(); never++) {
                    creationObserved(owner);
                }
                throw e;
            }
        }
    }

    /** A creation of the owner's was seen (or failed, so will never be seen). */
    public void creationObserved(K owner) {
        pending.computeIfPresent(owner, (key, expected) -> {
            synchronized (expected) {
                expected.creations = Math.max(0, expected.creations - 1);
            }
            return expected;
        });
    }

    /**
     * Sends one of the deletions the owner expects; returns whether it deleted the object. fabric8 answers a
     * 404 with nothing deleted rather than an exception, and the object's deletion by someone else may have
     * reached the informer before it was expected: an object already gone counts as observed, as Kubernetes'
     * controllers count a NotFound. So does a deletion that fails, whose exception goes on to the caller.
     */
    public boolean delete(K owner, String uid, Supplier<List<StatusDetails>> deletion) {
        boolean deleted;
        try {
            deleted = !deletion.get().isEmpty();
        } catch (RuntimeException e) {
            deletionObserved(owner, uid);
            throw e;
        }
        if (!deleted) {
            deletionObserved(owner, uid);
        }
        return deleted;
    }

    /** A deletion of the owner's was seen (or failed, so will never be seen). */
    public void deletionObserved(K owner, String uid) {
        pending.computeIfPresent(owner, (key, expected) -> {
            synchronized (expected) {
                expected.deletions.remove(uid);
            }
            return expected;
        });
    }

    /** Whether the owner's cache can be trusted: nothing pending, or what is pending is too old. */
    public boolean satisfied(K owner) {
        Pending expected = pending.get(owner);
        if (expected == null) {
            return true;
        }
        synchronized (expected) {
            if (expected.creations == 0 && expected.deletions.isEmpty()) {
                return true;
            }
        }
        return !clock.instant().isBefore(expected.since.plus(TIMEOUT));
    }

    /** The owner is gone: drop what it expected. */
    public void forget(K owner) {
        pending.remove(owner);
    }
}
