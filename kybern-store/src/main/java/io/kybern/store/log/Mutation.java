package io.kybern.store.log;

import io.kybern.store.KeyValue;
import io.kybern.store.WatchEvent;
import io.kybern.store.WriteResult;

/**
 * What one write does to the log, decided from the key's latest row: either a new row (and the watch
 * event it produces) or a failed precondition. Pure, so both backends share exactly one definition of
 * create, compare-and-swap update, put and delete.
 *
 * @param result the answer for the caller
 * @param row    the row to append, or {@code null} when the precondition failed
 * @param event  the watch event of that row, or {@code null}
 */
public record Mutation(WriteResult result, Row row, WatchEvent event) {

    /**
     * Decides a write.
     *
     * @param op       the write
     * @param latest   the key's latest row (possibly a tombstone), or {@code null} if it has none
     * @param revision the revision the write gets if it succeeds; the current revision is one less
     */
    public static Mutation of(WriteOp op, Row latest, long revision) {
        Row live = latest != null && latest.live() ? latest : null;
        long current = revision - 1;
        return switch (op) {
            case WriteOp.Create c -> live != null
                    ? failed(current, live)
                    : written(new Row(revision, c.key(), revision, prevOf(latest), 1, c.lease(), false, c.value()), live);
            case WriteOp.Update u -> live == null || live.revision() != u.expected()
                    ? failed(current, live)
                    : written(next(live, revision, u.value(), u.lease()), live);
            case WriteOp.Put p -> live == null
                    ? written(new Row(revision, p.key(), revision, prevOf(latest), 1, p.lease(), false, p.value()), null)
                    : written(next(live, revision, p.value(), p.lease()), live);
            case WriteOp.Delete d -> live == null || (d.expected() != WriteOp.Delete.ANY && live.revision() != d.expected())
                    ? failed(current, live)
                    : deleted(Row.tombstone(revision, live), live);
        };
    }

    public boolean succeeded() {
        return row != null;
    }

    private static long prevOf(Row latest) {
        return latest == null ? 0 : latest.revision();
    }

    private static Row next(Row live, long revision, byte[] value, long lease) {
        return new Row(revision, live.key(), live.createRevision(), live.revision(), live.version() + 1, lease, false,
                value);
    }

    private static Mutation failed(long currentRevision, Row live) {
        return new Mutation(WriteResult.failure(currentRevision, live == null ? null : live.keyValue()), null, null);
    }

    private static Mutation written(Row row, Row previous) {
        KeyValue kv = row.keyValue();
        KeyValue prev = previous == null ? null : previous.keyValue();
        return new Mutation(WriteResult.success(row.revision(), kv), row, new WatchEvent(WatchEvent.Type.PUT, kv, prev));
    }

    private static Mutation deleted(Row tombstone, Row previous) {
        KeyValue prev = previous.keyValue();
        return new Mutation(WriteResult.success(tombstone.revision(), prev), tombstone,
                new WatchEvent(WatchEvent.Type.DELETE, tombstone.deletionKeyValue(), prev));
    }
}
