package io.kybern.store.log;

import io.kybern.store.CompactedException;
import io.kybern.store.WatchEvent;
import java.util.List;

/** Reads past changes back out of a backend's log, for watchers that start late or fall behind. */
public interface History {

    /**
     * The changes under {@code prefix} with revisions in {@code [from, to]}, in revision order, at most
     * {@code limit} of them, each with its previous value.
     *
     * @throws CompactedException if {@code from} is at or below the compaction point
     */
    List<WatchEvent> read(String prefix, long from, long to, int limit);
}
