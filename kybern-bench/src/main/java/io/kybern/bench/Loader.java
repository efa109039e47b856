package io.kybern.bench;

import io.kybern.store.Store;
import io.kybern.store.WriteResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/** Creates a numbered set of keys with concurrent writers, reporting progress as it goes. */
final class Loader {

    private Loader() {
    }

    /** The key of item {@code i}: zero-padded so that key order is numeric order. */
    static String key(String prefix, int i) {
        return prefix + String.format(Locale.ROOT, "%08d", i);
    }

    /**
     * Creates keys {@code 0..count-1} under {@code prefix} and returns each key's modRevision, the token a
     * later compare-and-swap needs.
     */
    static long[] load(Store store, String prefix, int count, int threads, byte[] value, Progress progress,
                       String label) throws InterruptedException {
        long[] revisions = new long[count];
        AtomicInteger next = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        String what = label + ": loading " + count + " keys";
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            workers.add(Thread.ofPlatform().name("bench-loader-" + t).start(() -> {
                for (int i = next.getAndIncrement(); i < count && failure.get() == null; i = next.getAndIncrement()) {
                    String key = key(prefix, i);
                    try {
                        WriteResult result = store.create(key, value);
                        if (!result.succeeded()) {
                            throw new IllegalStateException("key " + key + " already exists");
                        }
                        revisions[i] = result.revision();
                    } catch (RuntimeException e) {
                        failure.compareAndSet(null, e);
                        return;
                    }
                    progress.fraction(what, done.incrementAndGet(), count);
                }
            }));
        }
        for (Thread worker : workers) {
            worker.join();
        }
        if (failure.get() != null) {
            throw new IllegalStateException(what + " failed: " + failure.get().getMessage(), failure.get());
        }
        return revisions;
    }
}
