package io.kybern.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Starts one piece of work per name, all at once, and times each: the bursts of the pod startup benchmark. */
final class AtOnce {

    /** One start, by name; may fail. */
    @FunctionalInterface
    interface Start {
        void run(String name) throws Exception;
    }

    private AtOnce() {
    }

    /** Runs {@code start} for every name at once; returns each one's time, in ns, in the order of the names. */
    static List<Long> timeEach(List<String> names, Start start) throws Exception {
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Long>> runs = new ArrayList<>();
            for (String name : names) {
                runs.add(pool.submit(() -> {
                    long started = System.nanoTime();
                    start.run(name);
                    return System.nanoTime() - started;
                }));
            }
            List<Long> nanos = new ArrayList<>();
            for (Future<Long> run : runs) {
                nanos.add(run.get());
            }
            return nanos;
        }
    }
}
