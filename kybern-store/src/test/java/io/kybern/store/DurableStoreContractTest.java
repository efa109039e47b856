package io.kybern.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What a store that survives restarts adds to the contract. */
public abstract class DurableStoreContractTest extends StoreContractTest {

    /** Closes {@code store} (or stops its server) and opens it again on the same data. */
    protected abstract Store restart(Store store) throws Exception;

    @Test
    void dataAndRevisionsSurviveARestart() throws Exception {
        WriteResult kept = store.create(key("kept"), bytes("value"));
        store.create(key("deleted"), bytes("x"));
        WriteResult last = store.delete(key("deleted"));
        // Compacting to the newest write, a deletion, leaves no row with the highest revision behind.
        store.compact(last.revision());
        long before = store.currentRevision();

        store = restart(store);

        assertThat(store.currentRevision()).isGreaterThanOrEqualTo(before);
        assertThat(store.get(key("kept")).orElseThrow()).isEqualTo(kept.current());
        assertThat(store.get(key("kept"), last.revision())).as("history kept from the compaction point on")
                .contains(kept.current());
        assertThat(store.get(key("deleted"))).isEmpty();
        WriteResult after = store.create(key("after"), bytes("y"));
        assertThat(after.revision()).as("revisions never go backwards").isGreaterThan(before);
    }

    @Test
    void aWatchResumesAcrossARestartFromTheLastRevisionItSaw() throws Exception {
        WriteResult first = store.create(key("a"), bytes("1"));
        RecordingListener beforeRestart = new RecordingListener();
        try (Watch ignored = store.watch(prefix, first.revision(), beforeRestart)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> beforeRestart.size() == 1);
        }
        WriteResult unseen = store.update(key("a"), bytes("2"), first.revision());

        store = restart(store);
        WriteResult afterRestart = store.create(key("b"), bytes("3"));
        RecordingListener resumed = new RecordingListener();
        long resumeAt = beforeRestart.events().getLast().revision() + 1;
        try (Watch ignored = store.watch(prefix, resumeAt, resumed)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> resumed.size() == 2);
            assertThat(resumed.events()).extracting(WatchEvent::revision)
                    .containsExactly(unseen.revision(), afterRestart.revision());
            assertThat(resumed.events().getFirst().previous().valueAsString()).isEqualTo("1");
        }
    }
}
