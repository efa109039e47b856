package io.kybern.store.sqlite;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compacts the log: on request and, like the Kubernetes API server does for etcd, on a timer, each time
 * up to the revision seen at the previous tick.
 *
 * <p>A compaction first moves the compaction point, then removes obsolete rows in steps of
 * {@code compactStep} revisions, each its own small transaction queued with ordinary writes, so writers
 * never wait behind one long delete. Progress is recorded durably, and a compaction cut short by a
 * crash is finished when the store opens again.
 *
 * <p>Freed pages are left for new rows to reuse, which they do under steady load; only when more than
 * a quarter of the file is free (the data shrank) are pages handed back to the file system, down to a
 * tenth. Handing back means moving pages from the end of the file into the holes, which under churn
 * costs more than it saves and, done after every compaction, delayed the next one by minutes.
 */
final class Compactor implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Compactor.class);
    /** Pages (4 KiB) handed back per transaction. */
    private static final int RECLAIM_PAGES_PER_STEP = 2048;
    /** Free share of the file above which pages are handed back, and the share left free after. */
    static final double RECLAIM_ABOVE = 0.25;
    static final double RECLAIM_DOWN_TO = 0.10;

    private final SqliteStore store;
    private final SqliteOptions options;
    private final ScheduledExecutorService ticker;
    private long compactedThrough;
    private long seenAtLastTick;

    Compactor(SqliteStore store, SqliteOptions options, long compactedThrough) {
        this.store = store;
        this.options = options;
        this.compactedThrough = compactedThrough;
        this.ticker = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("sqlite-compactor").factory());
        if (compactedThrough < store.compactRevision()) {
            ticker.execute(() -> compactTo(store.compactRevision()));
        }
        long every = options.compactInterval().toMillis();
        if (every > 0) {
            ticker.scheduleWithFixedDelay(this::tick, every, every, TimeUnit.MILLISECONDS);
        }
    }

    private void tick() {
        try {
            long current = store.currentRevision();
            long target = Math.min(seenAtLastTick, current - options.compactMinRetain());
            seenAtLastTick = current;
            if (target > store.compactRevision()) {
                compactTo(target);
            }
        } catch (RuntimeException e) {
            log.warn("automatic compaction failed; will retry", e);
        }
    }

    /** Compacts up to {@code revision}; returns once the rows are gone. */
    synchronized void compactTo(long revision) {
        long started = System.nanoTime();
        if (revision > store.compactRevision()) {
            store.beginCompaction(revision);
        }
        long target = store.compactRevision();
        long removed = 0;
        while (compactedThrough < target) {
            long to = Math.min(compactedThrough + options.compactStep(), target);
            removed += store.compactStep(compactedThrough, to);
            compactedThrough = to;
        }
        long reclaimed = reclaim();
        if (removed > 0) {
            log.info("compacted to revision {}: {} rows removed, {} pages reclaimed in {} ms", target, removed,
                    reclaimed, (System.nanoTime() - started) / 1_000_000);
        }
    }

    private long reclaim() {
        SqliteStore.PageCounts pages = store.pageCounts();
        if (pages.free() <= pages.total() * RECLAIM_ABOVE) {
            return 0;
        }
        long excess = pages.free() - (long) (pages.total() * RECLAIM_DOWN_TO);
        long total = 0;
        while (total < excess) {
            int step = (int) Math.min(excess - total, RECLAIM_PAGES_PER_STEP);
            long before = store.pageCounts().free();
            store.reclaimSpace(step);
            total += step;
            if (store.pageCounts().free() >= before) {
                break;
            }
        }
        return total;
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        try {
            ticker.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
