package io.kybern.bench;

import java.io.PrintWriter;

/**
 * Progress lines on stderr, so that a person watching sees the run advance while stdout keeps only the
 * results. Fraction reports are thinned to one every couple of seconds.
 */
final class Progress {

    private static final long MIN_INTERVAL_NANOS = 2_000_000_000L;

    private final PrintWriter err;
    private String lastLabel;
    private long lastFractionAt;

    Progress(PrintWriter err) {
        this.err = err;
    }

    synchronized void line(String message) {
        err.println(message);
        err.flush();
    }

    /**
     * Reports {@code done} of {@code total} every couple of seconds and at the end; a task that ends
     * within the first couple of seconds reports once.
     */
    synchronized void fraction(String label, long done, long total) {
        long now = System.nanoTime();
        if (!label.equals(lastLabel)) {
            lastLabel = label;
            lastFractionAt = now;
        }
        if (done < total && now - lastFractionAt < MIN_INTERVAL_NANOS) {
            return;
        }
        lastFractionAt = now;
        line(label + "... " + (total == 0 ? 100 : done * 100 / total) + "%");
    }
}
