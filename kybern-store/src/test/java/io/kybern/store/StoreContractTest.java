package io.kybern.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The behaviour every {@link Store} backend must have. Each backend's test extends this class; tests
 * work under their own key prefix and compare revisions only relative to their own writes, so a
 * backend may share one server between tests.
 */
public abstract class StoreContractTest {

    protected Store store;
    protected String prefix;

    /** A store for one test. */
    protected abstract Store openStore() throws Exception;

    @BeforeEach
    void open(TestInfo test) throws Exception {
        store = openStore();
        prefix = "/contract/" + test.getTestMethod().orElseThrow().getName() + "/" + System.nanoTime() + "/";
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    protected String key(String name) {
        return prefix + name;
    }

    protected static byte[] bytes(String s) {
        return s.getBytes(UTF_8);
    }

    @Test
    void createGivesTheKeyItsRevisions() {
        WriteResult created = store.create(key("a"), bytes("one"));

        assertThat(created.succeeded()).isTrue();
        KeyValue kv = store.get(key("a")).orElseThrow();
        assertThat(kv.valueAsString()).isEqualTo("one");
        assertThat(kv.createRevision()).isEqualTo(created.revision());
        assertThat(kv.modRevision()).isEqualTo(created.revision());
        assertThat(kv.version()).isEqualTo(1);
        assertThat(kv.lease()).isEqualTo(Store.NO_LEASE);
        assertThat(created.current()).isEqualTo(kv);
        assertThat(store.currentRevision()).isGreaterThanOrEqualTo(created.revision());
    }

    @Test
    void createOfAnExistingKeyFailsWithTheExistingValue() {
        WriteResult first = store.create(key("a"), bytes("one"));
        long before = store.currentRevision();

        WriteResult second = store.create(key("a"), bytes("two"));

        assertThat(second.succeeded()).isFalse();
        assertThat(second.revision()).as("the revision the precondition was found false at").isEqualTo(before);
        assertThat(second.current()).isEqualTo(first.current());
        assertThat(store.get(key("a")).orElseThrow().valueAsString()).isEqualTo("one");
        assertThat(store.currentRevision()).as("a failed write takes no revision").isEqualTo(before);
    }

    @Test
    void updateWithTheCurrentRevisionReplacesTheValue() {
        WriteResult created = store.create(key("a"), bytes("one"));

        WriteResult updated = store.update(key("a"), bytes("two"), created.revision());

        assertThat(updated.succeeded()).isTrue();
        assertThat(updated.revision()).isGreaterThan(created.revision());
        KeyValue kv = store.get(key("a")).orElseThrow();
        assertThat(kv.valueAsString()).isEqualTo("two");
        assertThat(kv.createRevision()).isEqualTo(created.revision());
        assertThat(kv.modRevision()).isEqualTo(updated.revision());
        assertThat(kv.version()).isEqualTo(2);
        assertThat(updated.current()).isEqualTo(kv);
    }

    @Test
    void updateWithAStaleRevisionFailsWithTheCurrentValue() {
        WriteResult created = store.create(key("a"), bytes("one"));
        WriteResult updated = store.update(key("a"), bytes("two"), created.revision());

        WriteResult stale = store.update(key("a"), bytes("three"), created.revision());

        assertThat(stale.succeeded()).isFalse();
        assertThat(stale.revision()).isEqualTo(updated.revision());
        assertThat(stale.current()).isEqualTo(updated.current());
        assertThat(store.get(key("a"))).contains(updated.current());
    }

    @Test
    void updateOfAMissingKeyFailsWithNoValue() {
        long before = store.put(key("other"), bytes("x")).revision();

        WriteResult missing = store.update(key("nothing"), bytes("x"), before);

        assertThat(missing.succeeded()).isFalse();
        assertThat(missing.current()).isNull();
        assertThat(missing.revision()).isEqualTo(before);
        assertThat(store.get(key("nothing"))).isEmpty();
    }

    @Test
    void compareAndSwapTokensMustBePositive() {
        assertThatThrownBy(() -> store.update(key("a"), bytes("x"), 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.update(key("a"), bytes("x"), -3)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.delete(key("a"), 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.delete(key("a"), -3)).isInstanceOf(IllegalArgumentException.class);
        assertThat(store.get(key("a"))).isEmpty();
    }

    @Test
    void putCreatesOrReplaces() {
        WriteResult created = store.put(key("a"), bytes("one"));
        WriteResult replaced = store.put(key("a"), bytes("two"));

        assertThat(created.succeeded()).isTrue();
        assertThat(created.current()).isEqualTo(
                new KeyValue(key("a"), bytes("one"), created.revision(), created.revision(), 1, Store.NO_LEASE));
        assertThat(replaced.succeeded()).isTrue();
        KeyValue kv = store.get(key("a")).orElseThrow();
        assertThat(kv).isEqualTo(
                new KeyValue(key("a"), bytes("two"), created.revision(), replaced.revision(), 2, Store.NO_LEASE));
        assertThat(replaced.current()).isEqualTo(kv);
    }

    @Test
    void deleteWithTheCurrentRevisionRemovesTheKeyAndReturnsItsLastValue() {
        WriteResult created = store.create(key("a"), bytes("one"));

        WriteResult deleted = store.delete(key("a"), created.revision());

        assertThat(deleted.succeeded()).isTrue();
        assertThat(deleted.revision()).isGreaterThan(created.revision());
        assertThat(deleted.current().valueAsString()).isEqualTo("one");
        assertThat(deleted.current().modRevision()).isEqualTo(created.revision());
        assertThat(store.get(key("a"))).isEmpty();
        assertThat(store.get(key("a"), created.revision())).get().extracting(KeyValue::valueAsString).isEqualTo("one");
    }

    @Test
    void deleteWithAStaleRevisionFailsAndKeepsTheKey() {
        WriteResult created = store.create(key("a"), bytes("one"));
        WriteResult updated = store.update(key("a"), bytes("two"), created.revision());

        WriteResult stale = store.delete(key("a"), created.revision());

        assertThat(stale.succeeded()).isFalse();
        assertThat(stale.revision()).isEqualTo(updated.revision());
        assertThat(stale.current()).isEqualTo(updated.current());
        assertThat(store.get(key("a"))).contains(updated.current());
    }

    @Test
    void unconditionalDeleteRemovesTheKeyAndReturnsItsLastValue() {
        WriteResult created = store.create(key("a"), bytes("one"));
        WriteResult updated = store.update(key("a"), bytes("two"), created.revision());

        WriteResult deleted = store.delete(key("a"));

        assertThat(deleted.succeeded()).isTrue();
        assertThat(deleted.revision()).isEqualTo(updated.revision() + 1);
        assertThat(deleted.current()).isEqualTo(updated.current());
        assertThat(store.get(key("a"))).isEmpty();
        assertThat(store.get(key("a"), updated.revision())).contains(updated.current());
    }

    @Test
    void deleteOfAMissingKeyFailsWithNoValue() {
        WriteResult created = store.create(key("gone"), bytes("x"));
        long before = store.delete(key("gone")).revision();

        for (String name : List.of("nothing", "gone")) {
            WriteResult unconditional = store.delete(key(name));
            WriteResult conditional = store.delete(key(name), created.revision());

            assertThat(unconditional.succeeded()).isFalse();
            assertThat(unconditional.current()).isNull();
            assertThat(unconditional.revision()).isEqualTo(before);
            assertThat(conditional.succeeded()).isFalse();
            assertThat(conditional.current()).isNull();
            assertThat(conditional.revision()).isEqualTo(before);
        }
        assertThat(store.currentRevision()).as("a failed delete takes no revision").isEqualTo(before);
    }

    @Test
    void aKeyCreatedAgainAfterDeletionStartsOver() {
        WriteResult first = store.create(key("a"), bytes("one"));
        store.update(key("a"), bytes("two"), first.revision());
        store.delete(key("a"));

        WriteResult again = store.create(key("a"), bytes("three"));

        assertThat(again.succeeded()).isTrue();
        KeyValue kv = store.get(key("a")).orElseThrow();
        assertThat(kv.createRevision()).isEqualTo(again.revision());
        assertThat(kv.version()).isEqualTo(1);
    }

    @Test
    void everySuccessfulWriteTakesTheNextRevision() {
        // Tests may share a backend but run one at a time, so nobody else writes in between: every kind
        // of write, including a deletion, takes exactly the next revision, with no gaps.
        long start = store.currentRevision();
        List<Long> revisions = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String k = key("k" + i);
            long created = store.create(k, bytes("a")).revision();
            long updated = store.update(k, bytes("b"), created).revision();
            long replaced = store.put(k, bytes("c")).revision();
            long deleted = store.delete(k, replaced).revision();
            revisions.addAll(List.of(created, updated, replaced, deleted));
        }

        assertThat(revisions).containsExactlyElementsOf(LongStream.rangeClosed(start + 1, start + 20).boxed().toList());
        assertThat(store.currentRevision()).isEqualTo(start + 20);
    }

    @Test
    void readsAtAnOlderRevisionSeeTheValueOfThatTime() {
        // A write first, so that the revision before the key's creation is a real one (0 means "now").
        WriteResult before = store.create(key("b"), bytes("earlier"));
        WriteResult one = store.create(key("a"), bytes("one"));
        WriteResult two = store.update(key("a"), bytes("two"), one.revision());
        store.delete(key("a"));
        store.create(key("c"), bytes("later"));

        assertThat(store.get(key("a"), before.revision())).isEmpty();
        assertThat(store.get(key("a"), one.revision())).contains(one.current());
        assertThat(store.get(key("a"), two.revision())).contains(two.current());
        assertThat(store.get(key("a"))).isEmpty();
        assertThat(store.get(key("c"), two.revision())).isEmpty();
        RangeResult then = store.range(RangeRequest.prefix(prefix).atRevision(one.revision()));
        assertThat(then.revision()).isEqualTo(one.revision());
        assertThat(then.kvs()).containsExactly(one.current(), before.current());
    }

    @Test
    void readsAtAFutureRevisionFail() {
        long future = store.currentRevision() + 1000;

        assertThatThrownBy(() -> store.get(key("a"), future)).isInstanceOf(FutureRevisionException.class);
        assertThatThrownBy(() -> store.range(RangeRequest.prefix(prefix).atRevision(future)))
                .isInstanceOf(FutureRevisionException.class);
        assertThatThrownBy(() -> store.compact(future)).isInstanceOf(FutureRevisionException.class);
    }

    @Test
    void rangeReturnsTheKeysUnderThePrefixInKeyOrder() {
        for (String name : List.of("b", "a", "c/1", "c/0")) {
            store.create(key("x/" + name), bytes(name));
        }
        store.create(key("x"), bytes("the prefix itself, without the slash"));
        store.create(key("y/a"), bytes("outside"));

        RangeResult all = store.range(RangeRequest.prefix(key("x/")));

        assertThat(all.kvs()).extracting(KeyValue::key)
                .containsExactly(key("x/a"), key("x/b"), key("x/c/0"), key("x/c/1"));
        assertThat(all.count()).isEqualTo(4);
        assertThat(all.more()).isFalse();
        assertThat(store.range(RangeRequest.prefix(key("nothing/"))).kvs()).isEmpty();
    }

    @Test
    void paginationAtAFixedRevisionIgnoresWritesMadeBetweenPages() {
        Map<String, String> original = new HashMap<>();
        for (int i = 0; i < 25; i++) {
            String name = key(String.format("item-%02d", i));
            store.create(name, bytes("v" + i));
            original.put(name, "v" + i);
        }
        RangeRequest request = RangeRequest.prefix(prefix).withLimit(10);
        RangeResult page = store.range(request);
        long pinned = page.revision();
        assertThat(page.count()).isEqualTo(25);
        List<KeyValue> seen = new ArrayList<>(page.kvs());
        int round = 0;
        while (page.more()) {
            // Writes between pages: a new key, an update, a deletion, all invisible at the pinned revision.
            store.create(key(String.format("item-%02d-new", round)), bytes("new"));
            String updated = key(String.format("item-%02d", 24 - round));
            store.put(updated, bytes("changed"));
            store.delete(key(String.format("item-%02d", 20 - round)));
            round++;
            page = store.range(request.next(page));
            assertThat(page.revision()).isEqualTo(pinned);
            assertThat(page.count()).as("counted at the pinned revision").isEqualTo(25 - seen.size());
            seen.addAll(page.kvs());
        }

        assertThat(seen).hasSize(25);
        Map<String, String> read = new HashMap<>();
        seen.forEach(kv -> read.put(kv.key(), kv.valueAsString()));
        assertThat(read).isEqualTo(original);
        assertThat(seen).extracting(KeyValue::key).isSorted();
        assertThat(round).isEqualTo(2);
    }

    @Test
    void rangeOfTheEmptyPrefixReadsEveryKeyInKeyOrder() {
        // Keys on either side of the contract's own "/contract/" space, so that the empty prefix has to
        // reach both ends of the key space; other tests' keys may show up too, hence the filter.
        List<String> mine = List.of("!" + prefix, key("a"), key("b"), "~" + prefix);
        for (String k : mine) {
            store.create(k, bytes("x"));
        }

        RangeResult all = store.range(RangeRequest.prefix(""));
        RangeResult firstTwo = store.range(RangeRequest.prefix("").withLimit(2));

        assertThat(all.kvs()).extracting(KeyValue::key).filteredOn(k -> k.contains(prefix))
                .containsExactlyElementsOf(mine);
        assertThat(all.kvs()).extracting(KeyValue::key).isSorted();
        assertThat(all.count()).isEqualTo(all.kvs().size());
        assertThat(all.more()).isFalse();
        assertThat(firstTwo.kvs()).containsExactlyElementsOf(all.kvs().subList(0, 2));
        assertThat(firstTwo.count()).isEqualTo(all.count());
        assertThat(firstTwo.more()).isTrue();
    }

    @Test
    void countOfALimitedPageTellsHowManyRemain() {
        IntStream.range(0, 7).forEach(i -> store.create(key("k" + i), bytes("v")));

        RangeResult first = store.range(RangeRequest.prefix(prefix).withLimit(3));
        RangeResult second = store.range(RangeRequest.prefix(prefix).withLimit(3).next(first));
        RangeResult third = store.range(RangeRequest.prefix(prefix).withLimit(3).next(second));

        assertThat(first.count()).isEqualTo(7);
        assertThat(first.more()).isTrue();
        assertThat(second.count()).isEqualTo(4);
        assertThat(second.revision()).isEqualTo(first.revision());
        assertThat(third.kvs()).hasSize(1);
        assertThat(third.count()).isEqualTo(1);
        assertThat(third.more()).isFalse();
    }

    @Test
    void watchFromAnOldRevisionDeliversEveryChangeInOrderWithPreviousValues() {
        WriteResult a1 = store.create(key("a"), bytes("a1"));
        WriteResult a2 = store.update(key("a"), bytes("a2"), a1.revision());
        WriteResult b1 = store.create(key("b"), bytes("b1"));
        WriteResult aGone = store.delete(key("a"));
        RecordingListener listener = new RecordingListener();

        try (Watch ignored = store.watch(prefix, a1.revision(), listener)) {
            WriteResult b2 = store.put(key("b"), bytes("b2"));
            await().atMost(Duration.ofSeconds(10)).until(() -> listener.size() >= 5);

            List<WatchEvent> events = listener.events();
            // A deletion carries the key with an empty value, its own revision and every other number 0.
            KeyValue tombstone = new KeyValue(key("a"), new byte[0], 0, aGone.revision(), 0, Store.NO_LEASE);
            assertThat(events).containsExactly(
                    new WatchEvent(WatchEvent.Type.PUT, a1.current(), null),
                    new WatchEvent(WatchEvent.Type.PUT, a2.current(), a1.current()),
                    new WatchEvent(WatchEvent.Type.PUT, b1.current(), null),
                    new WatchEvent(WatchEvent.Type.DELETE, tombstone, a2.current()),
                    new WatchEvent(WatchEvent.Type.PUT, b2.current(), b1.current()));
            assertThat(events.get(0).isCreate()).isTrue();
            assertThat(events.get(1).isCreate()).isFalse();
            assertThat(listener.overlapped()).isFalse();
            assertThat(listener.sawEmptyBatch()).isFalse();
            assertThat(listener.error()).isNull();
        }
    }

    @Test
    void watchFromZeroStartsWithTheNextWriteAndSeesOnlyItsPrefix() {
        store.create(key("w/before"), bytes("old"));
        RecordingListener listener = new RecordingListener();

        try (Watch ignored = store.watch(key("w/"), 0, listener)) {
            store.create(key("elsewhere"), bytes("x"));
            WriteResult after = store.create(key("w/after"), bytes("new"));
            await().atMost(Duration.ofSeconds(10)).until(() -> listener.size() >= 1);
            // Give a wrongly delivered event time to show up before asserting there is none.
            WriteResult marker = store.create(key("w/marker"), bytes("m"));
            await().atMost(Duration.ofSeconds(10)).until(() -> listener.size() >= 2);

            assertThat(listener.events()).extracting(WatchEvent::revision)
                    .containsExactly(after.revision(), marker.revision());
        }
    }

    @Test
    void listenersAreCalledOneAtATimeAndNeverOnTheWritersThread() {
        RecordingListener listener = new RecordingListener();
        List<Long> written = new ArrayList<>();

        try (Watch ignored = store.watch(prefix, 0, listener)) {
            for (int i = 0; i < 50; i++) {
                written.add(store.put(key("a"), bytes("v" + i)).revision());
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> listener.size() >= written.size());
        }

        assertThat(listener.revisions()).containsExactlyElementsOf(written);
        assertThat(listener.events().getLast().kv().valueAsString()).isEqualTo("v49");
        assertThat(listener.threads()).isNotEmpty().doesNotContain(Thread.currentThread());
        assertThat(listener.overlapped()).isFalse();
        assertThat(listener.sawEmptyBatch()).isFalse();
    }

    @Test
    void watchOfTheEmptyPrefixSeesEveryKey() {
        RecordingListener listener = new RecordingListener();
        // Keys on either side of the contract's "/contract/" space. The watch also sees other tests' keys
        // where the backend is shared, so only this test's are compared.
        List<String> mine = List.of("!" + prefix, key("a"), "~" + prefix);
        List<WriteResult> written = new ArrayList<>();

        try (Watch ignored = store.watch("", 0, listener)) {
            for (String k : mine) {
                written.add(store.put(k, bytes("x")));
            }
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> listener.events().stream().filter(e -> e.kv().key().contains(prefix)).count() >= 3);
        }

        assertThat(listener.events()).filteredOn(e -> e.kv().key().contains(prefix)).containsExactlyElementsOf(
                written.stream().map(w -> new WatchEvent(WatchEvent.Type.PUT, w.current(), null)).toList());
        assertThat(listener.error()).isNull();
    }

    @Test
    void aClosedWatchDeliversNothingMore() {
        RecordingListener listener = new RecordingListener();
        Watch watch = store.watch(prefix, 0, listener);
        WriteResult first = store.create(key("a"), bytes("1"));
        await().atMost(Duration.ofSeconds(10)).until(() -> listener.size() == 1);

        watch.close();
        watch.close();
        store.create(key("b"), bytes("2"));
        // A second watch proves the write was published; the closed one must still have one event.
        RecordingListener witness = new RecordingListener();
        try (Watch ignored = store.watch(prefix, first.revision(), witness)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> witness.size() == 2);
        }
        assertThat(listener.events()).hasSize(1);
        assertThat(listener.errors()).as("a watch closed by its owner ends without an error").isEmpty();
    }

    @Test
    void aSlowWatcherCatchesUpWithoutGapsOrDuplicates() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        RecordingListener slow = new RecordingListener() {
            @Override
            protected void beforeRecording(List<WatchEvent> batch) {
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        int writes = slowWatcherWrites();
        List<Long> revisions;
        try (Watch ignored = store.watch(prefix, 0, slow)) {
            revisions = writeConcurrently(writes, i -> store.put(key("k" + (i % 50)), bytes("v" + i)).revision());
            release.countDown();
            await().atMost(Duration.ofSeconds(120)).until(() -> slow.size() >= writes);

            List<Long> delivered = slow.events().stream().map(WatchEvent::revision).toList();
            assertThat(delivered).hasSize(writes);
            assertThat(delivered).isSorted();
            assertThat(delivered).doesNotHaveDuplicates();
            assertThat(delivered).containsExactlyInAnyOrderElementsOf(revisions);
            assertThat(slow.overlapped()).isFalse();
            assertThat(slow.error()).isNull();
        }
    }

    @Test
    void concurrentWritersAndAStutteringListenerSeeEveryRevisionOnceInOrder() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        RecordingListener stuttering = new RecordingListener() {
            @Override
            protected void beforeRecording(List<WatchEvent> batch) {
                if (calls.incrementAndGet() % 3 == 0) {
                    // Not a wait for anything: the listener is slow now and then, so that the watch keeps
                    // falling behind and catching up while the writers go on.
                    LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
                }
            }
        };
        List<Long> written;

        try (Watch ignored = store.watch(prefix, 0, stuttering)) {
            written = writeConcurrently(240, i -> store.put(key("writer" + (i % 4)), bytes("v" + i)).revision());
            await().atMost(Duration.ofSeconds(60)).until(() -> stuttering.size() >= written.size());
        }

        assertThat(stuttering.revisions()).containsExactlyElementsOf(written.stream().sorted().toList());
        assertThat(stuttering.overlapped()).isFalse();
        assertThat(stuttering.error()).isNull();
    }

    /** How many writes the slow-watcher test makes: enough to overflow any in-memory buffer. */
    protected int slowWatcherWrites() {
        return 6000;
    }

    @Test
    void compactionDiscardsOlderRevisions() {
        WriteResult r1 = store.create(key("a"), bytes("1"));
        WriteResult r2 = store.update(key("a"), bytes("2"), r1.revision());
        WriteResult gone = store.create(key("gone"), bytes("x"));
        WriteResult deleted = store.delete(key("gone"));
        WriteResult r3 = store.update(key("a"), bytes("3"), r2.revision());

        store.compact(deleted.revision());

        assertThatThrownBy(() -> store.get(key("a"), r1.revision())).isInstanceOf(CompactedException.class);
        assertThatThrownBy(() -> store.range(RangeRequest.prefix(prefix).atRevision(gone.revision())))
                .isInstanceOf(CompactedException.class);
        assertThat(store.get(key("a"), deleted.revision()).orElseThrow().valueAsString()).isEqualTo("2");
        assertThat(store.get(key("gone"), deleted.revision())).isEmpty();
        assertThat(store.get(key("a")).orElseThrow().valueAsString()).isEqualTo("3");
        assertThat(store.get(key("a")).orElseThrow().createRevision()).isEqualTo(r1.revision());

        RecordingListener tooOld = new RecordingListener();
        try (Watch ignored = store.watch(prefix, r1.revision(), tooOld)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> tooOld.error() != null);
            assertThat(tooOld.error()).isInstanceOf(CompactedException.class);
            assertThat(tooOld.events()).isEmpty();
        }
        RecordingListener recent = new RecordingListener();
        try (Watch ignored = store.watch(prefix, r3.revision(), recent)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> recent.size() == 1);
            assertThat(recent.events().getFirst().previous().valueAsString()).isEqualTo("2");
        }

        store.compact(r1.revision());
        assertThat(store.get(key("a"), deleted.revision())).isPresent();
    }

    @Test
    void aWatchFromTheCompactionPointFailsWhileReadsThereSucceed() {
        WriteResult one = store.put(key("a"), bytes("one"));
        WriteResult two = store.put(key("a"), bytes("two"));
        WriteResult three = store.put(key("a"), bytes("three"));

        store.compact(two.revision());

        // Reads keep the state at the compaction point; only older ones are gone.
        assertThat(store.get(key("a"), two.revision())).contains(two.current());
        assertThat(store.range(RangeRequest.prefix(prefix).atRevision(two.revision())).kvs())
                .containsExactly(two.current());
        assertThatThrownBy(() -> store.get(key("a"), one.revision()))
                .isInstanceOfSatisfying(CompactedException.class, e -> {
                    assertThat(e.requestedRevision()).isEqualTo(one.revision());
                    // A backend may not know its compaction point when refusing a read (etcd does not say).
                    assertThat(e.compactRevision()).isIn(0L, two.revision());
                });
        // A watch needs the changes made AT its start revision, and those are gone at the point itself.
        RecordingListener below = new RecordingListener();
        RecordingListener at = new RecordingListener();
        RecordingListener above = new RecordingListener();
        try (Watch w1 = store.watch(prefix, one.revision(), below);
                Watch w2 = store.watch(prefix, two.revision(), at);
                Watch w3 = store.watch(prefix, three.revision(), above)) {
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> below.error() != null && at.error() != null && above.size() == 1);

            assertThat(below.errors()).singleElement().isInstanceOfSatisfying(CompactedException.class, e -> {
                assertThat(e.requestedRevision()).isEqualTo(one.revision());
                assertThat(e.compactRevision()).isEqualTo(two.revision());
            });
            assertThat(at.errors()).singleElement().isInstanceOfSatisfying(CompactedException.class, e -> {
                assertThat(e.requestedRevision()).isEqualTo(two.revision());
                assertThat(e.compactRevision()).isEqualTo(two.revision());
            });
            assertThat(below.events()).isEmpty();
            assertThat(at.events()).isEmpty();
            assertThat(above.events()).containsExactly(
                    new WatchEvent(WatchEvent.Type.PUT, three.current(), two.current()));
            assertThat(above.error()).isNull();
        }
    }

    @Test
    void compactingAtOrBelowTheCompactionPointChangesNothing() {
        WriteResult one = store.put(key("a"), bytes("one"));
        WriteResult two = store.put(key("a"), bytes("two"));
        store.put(key("a"), bytes("three"));
        store.compact(two.revision());
        long before = store.currentRevision();

        store.compact(two.revision());
        store.compact(one.revision());
        store.compact(0);

        assertThat(store.get(key("a"), two.revision())).contains(two.current());
        assertThatThrownBy(() -> store.get(key("a"), one.revision())).isInstanceOf(CompactedException.class);
        assertThat(store.currentRevision()).as("compaction is not a write").isEqualTo(before);
    }

    @Test
    void leaseExpiryDeletesItsKeysAndTellsWatchers() {
        long lease = store.grantLease(Duration.ofSeconds(2));
        WriteResult held = store.create(key("event"), bytes("short-lived"), lease);
        store.create(key("kept"), bytes("forever"));
        assertThat(store.get(key("event")).orElseThrow().lease()).isEqualTo(lease);
        RecordingListener listener = new RecordingListener();

        try (Watch ignored = store.watch(prefix, held.revision() + 1, listener)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> store.get(key("event")).isEmpty());
            await().atMost(Duration.ofSeconds(10)).until(() -> listener.size() >= 2);

            WatchEvent expiry = listener.events().stream().filter(e -> e.kv().key().equals(key("event")))
                    .findFirst().orElseThrow();
            assertThat(expiry.type()).isEqualTo(WatchEvent.Type.DELETE);
            assertThat(expiry.kv().value()).isEmpty();
            assertThat(expiry.revision()).isGreaterThan(held.revision());
            assertThat(expiry.previous()).isEqualTo(held.current());
        }
        assertThat(store.get(key("kept"))).isPresent();
        // The lease is gone with its keys: nothing can use it any more.
        assertThatThrownBy(() -> store.keepAlive(lease)).isInstanceOf(LeaseNotFoundException.class);
        assertThatThrownBy(() -> store.revokeLease(lease)).isInstanceOf(LeaseNotFoundException.class);
        assertThatThrownBy(() -> store.put(key("event"), bytes("x"), lease))
                .isInstanceOf(LeaseNotFoundException.class);
        assertThatThrownBy(() -> store.create(key("event"), bytes("x"), lease))
                .isInstanceOf(LeaseNotFoundException.class);
        assertThat(store.get(key("event"))).isEmpty();
    }

    @Test
    void revokingALeaseDeletesItsKeysAtOnce() {
        long lease = store.grantLease(Duration.ofMinutes(10));
        store.create(key("a"), bytes("1"), lease);
        store.put(key("b"), bytes("2"), lease);
        store.keepAlive(lease);

        store.revokeLease(lease);

        assertThat(store.range(RangeRequest.prefix(prefix)).kvs()).isEmpty();
        assertThatThrownBy(() -> store.revokeLease(lease)).isInstanceOf(LeaseNotFoundException.class);
    }

    @Test
    void writesWithAnUnknownLeaseAreRefused() {
        long before = store.currentRevision();

        assertThatThrownBy(() -> store.create(key("a"), bytes("1"), 987654321L))
                .isInstanceOf(LeaseNotFoundException.class);
        assertThatThrownBy(() -> store.keepAlive(987654321L)).isInstanceOf(LeaseNotFoundException.class);
        assertThat(store.get(key("a"))).isEmpty();
        assertThat(store.currentRevision()).isEqualTo(before);
    }

    @Test
    void aClosedStoreEndsItsWatchesAndRefusesEveryRequest() {
        WriteResult written = store.create(key("a"), bytes("1"));
        long lease = store.grantLease(Duration.ofMinutes(10));
        RecordingListener listener = new RecordingListener();
        store.watch(prefix, 0, listener);

        store.close();

        await().atMost(Duration.ofSeconds(10)).until(() -> listener.error() != null);
        assertThat(listener.errors()).singleElement().isInstanceOf(StoreUnavailableException.class);
        assertThat(listener.events()).isEmpty();
        Map<String, ThrowingCallable> requests = new LinkedHashMap<>();
        requests.put("get", () -> store.get(key("a")));
        requests.put("get at a revision", () -> store.get(key("a"), written.revision()));
        requests.put("range", () -> store.range(RangeRequest.prefix(prefix)));
        requests.put("create", () -> store.create(key("b"), bytes("x")));
        requests.put("update", () -> store.update(key("a"), bytes("x"), written.revision()));
        requests.put("put", () -> store.put(key("a"), bytes("x")));
        requests.put("conditional delete", () -> store.delete(key("a"), written.revision()));
        requests.put("delete", () -> store.delete(key("a")));
        requests.put("watch", () -> store.watch(prefix, 0, new RecordingListener()));
        requests.put("compact", () -> store.compact(written.revision()));
        requests.put("grant lease", () -> store.grantLease(Duration.ofMinutes(1)));
        requests.put("keep lease alive", () -> store.keepAlive(lease));
        requests.put("revoke lease", () -> store.revokeLease(lease));
        requests.put("current revision", () -> store.currentRevision());
        requests.forEach((name, request) ->
                assertThatExceptionOfType(StoreUnavailableException.class).as(name).isThrownBy(request));
        store.close(); // closing again is harmless
    }

    @Test
    void aListenerThatThrowsAnExceptionEndsOnlyItsOwnWatch() {
        IllegalStateException thrown = new IllegalStateException("listener bug");
        assertAThrowingListenerEndsOnlyItsOwnWatch(thrown);
    }

    @Test
    void aListenerThatThrowsAnErrorEndsOnlyItsOwnWatch() {
        // An assertion failing inside a listener, say: the watch must still end and say so.
        AssertionError thrown = new AssertionError("listener assertion");
        assertAThrowingListenerEndsOnlyItsOwnWatch(thrown);
    }

    private void assertAThrowingListenerEndsOnlyItsOwnWatch(Throwable thrown) {
        AtomicBoolean hasThrown = new AtomicBoolean();
        // Throws on its first batch only, so that anything delivered after that would be recorded.
        RecordingListener failing = new RecordingListener() {
            @Override
            protected void beforeRecording(List<WatchEvent> batch) {
                if (!hasThrown.getAndSet(true)) {
                    switch (thrown) {
                        case RuntimeException e -> throw e;
                        case Error e -> throw e;
                        default -> throw new IllegalArgumentException("not an unchecked throwable: " + thrown);
                    }
                }
            }
        };
        RecordingListener bystander = new RecordingListener();

        try (Watch ignored = store.watch(prefix, 0, failing); Watch alsoIgnored = store.watch(prefix, 0, bystander)) {
            WriteResult first = store.put(key("a"), bytes("1"));
            await().atMost(Duration.ofSeconds(10)).until(() -> failing.error() != null);
            WriteResult second = store.put(key("a"), bytes("2"));
            await().atMost(Duration.ofSeconds(10)).until(() -> bystander.size() == 2);

            assertThat(failing.errors()).singleElement().isInstanceOfSatisfying(StoreException.class,
                    e -> assertThat(e).hasCause(thrown));
            assertThat(failing.events()).as("nothing is delivered after the batch it threw on").isEmpty();
            assertThat(failing.calledAfterError()).isFalse();
            assertThat(failing.overlapped()).isFalse();
            assertThat(bystander.revisions()).containsExactly(first.revision(), second.revision());
            assertThat(bystander.error()).isNull();
        }
    }

    @Test
    void sixteenWritersIncrementingOneKeyEndAtTheirSuccessCount() throws Exception {
        String counter = key("counter");
        store.create(counter, bytes("0"));
        AtomicInteger successes = new AtomicInteger();
        AtomicInteger conflicts = new AtomicInteger();
        int attemptsPerWriter = 40;

        try (ExecutorService writers = Executors.newFixedThreadPool(16)) {
            List<Future<?>> futures = new ArrayList<>();
            for (int w = 0; w < 16; w++) {
                futures.add(writers.submit(() -> {
                    for (int i = 0; i < attemptsPerWriter; i++) {
                        KeyValue current = store.get(counter).orElseThrow();
                        long next = Long.parseLong(current.valueAsString()) + 1;
                        WriteResult result = store.update(counter, bytes(Long.toString(next)), current.modRevision());
                        (result.succeeded() ? successes : conflicts).incrementAndGet();
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get(120, TimeUnit.SECONDS);
            }
        }

        KeyValue end = store.get(counter).orElseThrow();
        assertThat(successes.get() + conflicts.get()).isEqualTo(16 * attemptsPerWriter);
        assertThat(successes.get()).isPositive();
        assertThat(Long.parseLong(end.valueAsString())).isEqualTo(successes.get());
        assertThat(end.version()).isEqualTo(successes.get() + 1L);
    }

    @Test
    void valuesUpToTheLimitAreKeptWhole() {
        byte[] big = new byte[Store.MAX_VALUE_BYTES];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31 + 7);
        }

        store.create(key("big"), big);

        assertThat(store.get(key("big")).orElseThrow().value()).isEqualTo(big);
    }

    @Test
    void valuesOverTheLimitAreRefusedAndNothingIsStored() {
        byte[] tooBig = new byte[Store.MAX_VALUE_BYTES + 1];
        WriteResult existing = store.create(key("existing"), bytes("small"));
        long before = store.currentRevision();

        assertThatThrownBy(() -> store.create(key("huge"), tooBig)).isInstanceOf(ValueTooLargeException.class)
                .hasMessageContaining(Integer.toString(Store.MAX_VALUE_BYTES));
        assertThatThrownBy(() -> store.put(key("huge"), tooBig)).isInstanceOf(ValueTooLargeException.class);
        assertThatThrownBy(() -> store.update(key("existing"), tooBig, existing.revision()))
                .isInstanceOf(ValueTooLargeException.class);

        assertThat(store.get(key("huge"))).isEmpty();
        assertThat(store.get(key("existing")).orElseThrow().valueAsString()).isEqualTo("small");
        assertThat(store.currentRevision()).isEqualTo(before);
    }

    /** Runs {@code count} writes from 16 threads and returns what each returned. */
    protected static List<Long> writeConcurrently(int count, java.util.function.IntToLongFunction write)
            throws Exception {
        try (ExecutorService writers = Executors.newFixedThreadPool(16)) {
            List<Future<long[]>> futures = new ArrayList<>();
            for (int w = 0; w < 16; w++) {
                int writer = w;
                futures.add(writers.submit(() -> IntStream.range(0, count).filter(i -> i % 16 == writer)
                        .mapToLong(write::applyAsLong).toArray()));
            }
            List<Long> all = new ArrayList<>();
            for (Future<long[]> f : futures) {
                LongStream.of(f.get(300, TimeUnit.SECONDS)).forEach(all::add);
            }
            return all;
        }
    }
}
