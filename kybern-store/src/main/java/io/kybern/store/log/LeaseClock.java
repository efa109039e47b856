package io.kybern.store.log;

import io.kybern.store.LeaseNotFoundException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the deadlines of the embedded backends' leases and revokes the expired ones.
 *
 * <p>Deadlines live only in memory, as in etcd: a backend that reopens registers its leases again with
 * a full time to live, so a restart may extend a lease but never ends one early.
 *
 * <p>Threading: all methods are thread-safe; {@code revoke} is called from the clock's own thread.
 */
public final class LeaseClock implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LeaseClock.class);

    private record Deadline(long ttlMillis, long expiresAtMillis) {
    }

    private final InstantSource time;
    private final LongConsumer revoke;
    private final Map<Long, Deadline> deadlines = new HashMap<>();
    private final ScheduledExecutorService ticker;

    /**
     * @param time   the clock deadlines are measured by
     * @param revoke called with each expired lease; it must delete the lease's keys and the lease
     * @param tick   how often expiry is checked
     */
    public LeaseClock(InstantSource time, LongConsumer revoke, Duration tick) {
        this.time = time;
        this.revoke = revoke;
        this.ticker = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("lease-expiry").factory());
        ticker.scheduleWithFixedDelay(this::revokeExpired, tick.toMillis(), tick.toMillis(), TimeUnit.MILLISECONDS);
    }

    public synchronized void track(long lease, long ttlMillis) {
        deadlines.put(lease, new Deadline(ttlMillis, time.millis() + ttlMillis));
    }

    public synchronized void keepAlive(long lease) {
        Deadline deadline = deadlines.get(lease);
        if (deadline == null) {
            throw new LeaseNotFoundException(lease);
        }
        deadlines.put(lease, new Deadline(deadline.ttlMillis(), time.millis() + deadline.ttlMillis()));
    }

    public synchronized boolean exists(long lease) {
        return deadlines.containsKey(lease);
    }

    public synchronized void forget(long lease) {
        deadlines.remove(lease);
    }

    /** Revokes every lease past its deadline; also run by the ticker. */
    public void revokeExpired() {
        List<Long> expired = new ArrayList<>();
        synchronized (this) {
            long now = time.millis();
            deadlines.forEach((lease, deadline) -> {
                if (deadline.expiresAtMillis() <= now) {
                    expired.add(lease);
                }
            });
        }
        for (long lease : expired) {
            try {
                revoke.accept(lease);
            } catch (LeaseNotFoundException alreadyGone) {
                forget(lease);
            } catch (RuntimeException e) {
                // Left tracked, so the next tick tries again.
                log.warn("revoking expired lease {} failed", lease, e);
            }
        }
    }

    @Override
    public void close() {
        ticker.shutdownNow();
    }
}
