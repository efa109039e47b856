package io.kybern.bench;

import io.kybern.store.KeyValue;
import io.kybern.store.RangeRequest;
import io.kybern.store.Store;
import io.kybern.store.WriteResult;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * Sustained churn over a fixed set of live keys: updates, and deletes each followed by a re-create, so
 * the live data stays the same size while history piles up. What it shows is whether compaction keeps
 * the files bounded: the size after the first minute against the size at the end. All backends churn at
 * once, each at full speed with its own writers, so the run takes the asked time once, not per backend.
 */
final class ChurnRun {

    /** One operation in this many deletes and re-creates its key; the others update it. */
    private static final int DELETE_ONE_IN = 5;
    /** Sizes swing within seconds as the write-ahead log fills and is checkpointed: sample often. */
    private static final long SAMPLE_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long REPORT_NANOS = TimeUnit.SECONDS.toNanos(30);

    /**
     * @param duration     how long to churn, after loading
     * @param baselineAt   when into the churn to take the reference size (the first minute)
     * @param keys         live keys
     * @param writers      churning threads per backend
     * @param valueBytes   value size
     * @param compactEvery how often to compact each backend to its revision minus {@code compactKeep};
     *                     zero leaves compaction to the backends themselves
     * @param compactKeep  revisions of history kept by those compactions
     */
    record Settings(Duration duration, Duration baselineAt, int keys, int writers, int valueBytes,
                    Duration compactEvery, long compactKeep) {
    }

    private final Settings settings;
    private final Progress progress;

    ChurnRun(Settings settings, Progress progress) {
        this.settings = settings;
        this.progress = progress;
    }

    void run(List<BenchBackend> backends, PrintWriter out) throws InterruptedException {
        String prefix = "/bench/churn/";
        byte[] value = Values.random(settings.valueBytes(), 5);
        List<Churner> churners = new ArrayList<>();
        for (BenchBackend backend : backends) {
            long[] revisions = Loader.load(backend.store(), prefix, settings.keys(), settings.writers(), value,
                    progress, "[" + backend.name() + "] churn");
            churners.add(new Churner(backend, prefix, value, revisions));
        }
        progress.line("churning for " + minutes(settings.duration()) + " min, reference size at "
                + settings.baselineAt().toSeconds() + " s"
                + (settings.compactEvery().isZero() ? ", compaction left to the backends"
                : ", compacting every " + Numbers.plain(settings.compactEvery().toMillis() / 1000.0)
                        + " s to revision - " + settings.compactKeep()));
        for (Churner churner : churners) {
            churner.start(settings.writers(), settings.compactEvery());
        }
        long start = System.nanoTime();
        long end = start + settings.duration().toNanos();
        long baselineAt = start + settings.baselineAt().toNanos();
        long nextReport = start + REPORT_NANOS;
        boolean baselineTaken = false;
        for (long now = start; now < end; now = System.nanoTime()) {
            long wake = Math.min(end, now + SAMPLE_NANOS);
            if (!baselineTaken) {
                wake = Math.min(wake, baselineAt);
            }
            TimeUnit.NANOSECONDS.sleep(Math.max(0, wake - System.nanoTime()));
            now = System.nanoTime();
            churners.forEach(Churner::sample);
            if (!baselineTaken && now >= baselineAt) {
                churners.forEach(Churner::takeBaseline);
                baselineTaken = true;
            }
            if (now >= nextReport) {
                progress.line(status(churners, now - start));
                nextReport += REPORT_NANOS;
            }
        }
        for (Churner churner : churners) {
            churner.stop();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        churners.forEach(Churner::sample);
        print(out, churners, seconds);
    }

    private String status(List<Churner> churners, long elapsedNanos) {
        StringBuilder line = new StringBuilder("churn " + minutes(Duration.ofNanos(elapsedNanos)) + "/"
                + minutes(settings.duration()) + " min:");
        for (Churner churner : churners) {
            line.append(' ').append(churner.backend.name()).append(" writes=").append(churner.writes.get())
                    .append(" size_mb=").append(DiskUsage.megabytes(churner.lastSize));
            if (!churner.lastBreakdown.isEmpty()) {
                line.append(" (").append(churner.lastBreakdown).append(')');
            }
        }
        return line.toString();
    }

    private void print(PrintWriter out, List<Churner> churners, double seconds) {
        out.println();
        out.println("churn: " + settings.keys() + " live keys, " + settings.writers() + " writers per backend, "
                + settings.valueBytes() + " B values; updates, and 1 in " + DELETE_ONE_IN
                + " a delete + re-create");
        out.println("  (" + minutes(Duration.ofMillis((long) (seconds * 1000))) + " min; reference size taken "
                + settings.baselineAt().toSeconds() + " s in; sizes are the sqlite database + -wal file, the etcd"
                + " data dir)");
        StringBuilder heading = new StringBuilder(String.format("  %-20s", ""));
        for (Churner churner : churners) {
            heading.append(String.format("%13s", churner.backend.name()));
        }
        out.println(heading.toString().stripTrailing());
        Map<String, Function<Churner, String>> rows = new LinkedHashMap<>();
        rows.put("writes/s", c -> Numbers.figure(c.writes.get() / seconds));
        rows.put("errors", c -> String.valueOf(c.errors.get()));
        rows.put("live keys", c -> String.valueOf(c.liveKeys()));
        rows.put("size ref MB", c -> DiskUsage.megabytes(c.baselineSize));
        rows.put("size end MB", c -> DiskUsage.megabytes(c.lastSize));
        rows.put("size max MB", c -> DiskUsage.megabytes(c.maxSize));
        rows.put("growth end/ref", c -> Numbers.fixed2(c.growth()));
        rows.put("growth max/ref", c -> Numbers.fixed2(c.maxGrowth()));
        rows.forEach((label, cell) -> {
            StringBuilder row = new StringBuilder(String.format("  %-20s", label));
            for (Churner churner : churners) {
                row.append(String.format("%13s", cell.apply(churner)));
            }
            out.println(row);
        });
        for (Churner churner : churners) {
            if (!churner.maxBreakdown.isEmpty()) {
                out.println("  " + churner.backend.name() + " at its largest: " + churner.maxBreakdown);
            }
        }
        for (Churner churner : churners) {
            // The summary's fields, then the peak: "stays within 3x" is about every moment, not only the end.
            out.println("store-churn-" + churner.backend.name() + ": " + fields(churner) + " size_max_mb="
                    + DiskUsage.megabytes(churner.maxSize) + " max_growth=" + Numbers.fixed2(churner.maxGrowth()));
        }
        // The summary is the first backend's: the subject of the benchmark, sqlite by default.
        out.println("store-churn: " + fields(churners.getFirst()));
        out.flush();
    }

    private String fields(Churner churner) {
        return "size_1min_mb=" + DiskUsage.megabytes(churner.baselineSize)
                + " size_end_mb=" + DiskUsage.megabytes(churner.lastSize)
                + " growth=" + Numbers.fixed2(churner.growth())
                + " minutes=" + minutes(settings.duration());
    }

    private static String minutes(Duration duration) {
        return Numbers.plain(duration.toMillis() / 60_000.0);
    }

    /** The churning writers of one backend and what was seen of its files. */
    private final class Churner {

        private final BenchBackend backend;
        private final String prefix;
        private final byte[] value;
        /** Each key's modRevision; a slot is only ever touched by the writer that owns it. */
        private final long[] revisions;
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicLong writes = new AtomicLong();
        private final AtomicLong errors = new AtomicLong();
        private final AtomicReference<Throwable> firstError = new AtomicReference<>();
        private final List<Thread> threads = new ArrayList<>();
        /** Compactions run apart from sampling, so that a long one neither delays nor hides a peak. */
        private final ScheduledExecutorService compactor = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("bench-compactor").factory());
        private long baselineSize = -1;
        private long lastSize = -1;
        private String lastBreakdown = "";
        private long maxSize = -1;
        private String maxBreakdown = "";

        Churner(BenchBackend backend, String prefix, byte[] value, long[] revisions) {
            this.backend = backend;
            this.prefix = prefix;
            this.value = value;
            this.revisions = revisions;
        }

        void start(int writers, Duration compactEvery) {
            if (!compactEvery.isZero()) {
                long every = compactEvery.toMillis();
                compactor.scheduleWithFixedDelay(this::compact, every, every, TimeUnit.MILLISECONDS);
            }
            for (int w = 0; w < writers; w++) {
                int owner = w;
                threads.add(Thread.ofPlatform().name("bench-churn-" + backend.name() + "-" + w)
                        .start(() -> churn(owner, writers)));
            }
        }

        private void churn(int owner, int writers) {
            // Slots owner, owner + writers, ...: no two writers share a key, so a CAS that fails is a bug.
            int owned = (revisions.length - owner + writers - 1) / writers;
            SplittableRandom random = new SplittableRandom(owner);
            Store store = backend.store();
            while (!stop.get()) {
                int slot = owner + random.nextInt(owned) * writers;
                String key = Loader.key(prefix, slot);
                try {
                    if (random.nextInt(DELETE_ONE_IN) != 0) {
                        revisions[slot] = expect(store.update(key, value, revisions[slot]), "update", key).revision();
                        writes.incrementAndGet();
                    } else {
                        expect(store.delete(key, revisions[slot]), "delete", key);
                        revisions[slot] = expect(store.create(key, value), "create", key).revision();
                        writes.addAndGet(2);
                    }
                } catch (RuntimeException e) {
                    errors.incrementAndGet();
                    if (firstError.compareAndSet(null, e)) {
                        progress.line("[" + backend.name() + "] churn: write failed: " + e);
                    }
                    resync(store, key, slot);
                }
            }
        }

        private static WriteResult expect(WriteResult result, String what, String key) {
            if (!result.succeeded()) {
                throw new IllegalStateException(what + " of " + key + " found it changed by someone else");
            }
            return result;
        }

        /** After a failure the key's state is unknown: read it back, and re-create it if it is gone. */
        private void resync(Store store, String key, int slot) {
            try {
                TimeUnit.MILLISECONDS.sleep(100);
                Optional<KeyValue> current = store.get(key);
                revisions[slot] = current.isPresent()
                        ? current.get().modRevision()
                        : store.create(key, value).revision();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stop.set(true);
            } catch (RuntimeException ignored) {
                // counted already; the next operation on this key tries again
            }
        }

        void sample() {
            lastSize = backend.diskBytes();
            lastBreakdown = backend.diskBreakdown();
            if (lastSize > maxSize) {
                maxSize = lastSize;
                maxBreakdown = lastBreakdown;
            }
        }

        void takeBaseline() {
            baselineSize = lastSize;
        }

        void compact() {
            Store store = backend.store();
            try {
                long target = store.currentRevision() - settings.compactKeep();
                if (target > 0) {
                    store.compact(target);
                }
            } catch (RuntimeException e) {
                progress.line("[" + backend.name() + "] churn: compaction failed: " + e);
            }
        }

        void stop() throws InterruptedException {
            compactor.shutdown();
            compactor.awaitTermination(1, TimeUnit.MINUTES);
            stop.set(true);
            for (Thread thread : threads) {
                thread.join();
            }
        }

        long liveKeys() {
            return backend.store().range(RangeRequest.prefix(prefix).withLimit(1)).count();
        }

        double growth() {
            return baselineSize <= 0 || lastSize < 0 ? Double.NaN : (double) lastSize / baselineSize;
        }

        double maxGrowth() {
            return baselineSize <= 0 || maxSize < 0 ? Double.NaN : (double) maxSize / baselineSize;
        }
    }
}
