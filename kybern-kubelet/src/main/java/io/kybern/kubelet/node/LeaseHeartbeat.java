package io.kybern.kubelet.node;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renews the Leases of any number of nodes every {@link #RENEW_INTERVAL} (kubelet's 10 s, a quarter of the
 * Lease's 40 s) from one ticking thread: each tick hands the nodes whose renewal is due to virtual threads,
 * at most {@link #CONCURRENT_RENEWALS} at once, so thousands of nodes share a handful of connections'
 * worth of requests instead of a thread each. Due times are read from the injected clock, so a test that
 * moves its clock moves the heartbeats with it.
 */
public final class LeaseHeartbeat implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LeaseHeartbeat.class);

    public static final Duration RENEW_INTERVAL = Duration.ofSeconds(10);
    /** How often the due renewals are looked for, in real time. */
    static final Duration TICK = Duration.ofMillis(250);
    static final int CONCURRENT_RENEWALS = 32;
    /** After a failed renewal, how long before the next try (kubelet retries at once, then backs off). */
    static final Duration RETRY = Duration.ofSeconds(1);

    private record Beat(String uid, Instant due, AtomicBoolean renewing) {
    }

    private final NodeLeases leases;
    private final InstantSource clock;
    private final Map<String, Beat> nodes = new ConcurrentHashMap<>();
    private final ExecutorService renewals = Executors.newVirtualThreadPerTaskExecutor();
    private final Semaphore inFlight = new Semaphore(CONCURRENT_RENEWALS);
    private final Thread ticker;
    private volatile boolean closed;

    public LeaseHeartbeat(NodeLeases leases, InstantSource clock) {
        this.leases = leases;
        this.clock = clock;
        this.ticker = Thread.ofVirtual().name("lease-heartbeat").start(this::tick);
    }

    /** Starts renewing that node's Lease, the first renewal at once. */
    public void add(String nodeName, String nodeUid) {
        nodes.put(nodeName, new Beat(nodeUid, Instant.MIN, new AtomicBoolean()));
    }

    /** Stops renewing it: the Lease stays as it was and expires. */
    public void remove(String nodeName) {
        nodes.remove(nodeName);
    }

    public boolean renewing(String nodeName) {
        return nodes.containsKey(nodeName);
    }

    private void tick() {
        while (!closed) {
            Instant now = clock.instant();
            nodes.forEach((name, beat) -> {
                if (!beat.due().isAfter(now) && beat.renewing().compareAndSet(false, true)) {
                    renewals.execute(() -> renew(name, beat));
                }
            });
            try {
                Thread.sleep(TICK);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void renew(String name, Beat beat) {
        Duration next = RENEW_INTERVAL;
        try {
            inFlight.acquire();
            try {
                leases.renew(name, beat.uid(), clock.instant());
            } finally {
                inFlight.release();
            }
        } catch (InterruptedException e) {
            return;
        } catch (RuntimeException e) {
            next = RETRY;
            log.info("lease renewal failed node={} error={}", name, e.toString());
        }
        Instant due = clock.instant().plus(next);
        // Only if the node is still the one we renewed: a remove (or a remove and add) meanwhile wins.
        nodes.computeIfPresent(name, (n, current) -> current == beat
                ? new Beat(beat.uid(), due, new AtomicBoolean()) : current);
    }

    @Override
    public void close() {
        closed = true;
        ticker.interrupt();
        renewals.shutdownNow();
    }
}
