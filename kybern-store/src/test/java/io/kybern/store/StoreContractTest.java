package io.kybern.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
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
        assertThat(second.current().valueAsString()).isEqualTo("one");
        assertThat(second.current().modRevision()).isEqualTo(first.revision());
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
        assertThat(stale.current().valueAsString()).isEqualTo("two");
        assertThat(stale.current().modRevision()).isEqualTo(updated.revision());
        assertThat(store.get(key("a")).orElseThrow().valueAsString()).isEqualTo("two");
    }

    @Test
    void updateOfAMissingKeyFailsWithNoValue() {
        WriteResult missing = store.update(key("nothing"), bytes("x"), 1);

        assertThat(missing.succeeded()).isFalse();
        assertThat(missing.current()).isNull();
        assertThat(store.get(key("nothing"))).isEmpty();
    }

    @Test
    void compareAndSwapTokensMustBePositive() {
        assertThatThrownBy(() -> store.update(key("a"), bytes("x"), 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.delete(key("a"), 0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(store.get(key("a"))).isEmpty();
    }

    @Test
    void putCreatesOrReplaces() {
        WriteResult created = store.put(key("a"), bytes("one"));
        WriteResult replaced = store.put(key("a"), bytes("two"));

        assertThat(created.succeeded()).isTrue();
        assertThat(created.current().version()).isEqualTo(1);
        assertThat(replaced.succeeded()).isTrue();
        KeyValue kv = store.get(key("a")).orElseThrow();
        assertThat(kv.valueAsString()).isEqualTo("two");
        assertThat(kv.version()).isEqualTo(2);
        assertThat(kv.createRevision()).isEqualTo(created.revision());
        assertThat(kv.modRevision()).isEqualTo(replaced.revision());
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
        assertThat(stale.current().modRevision()).isEqualTo(updated.revision());
        assertThat(store.get(key("a"))).isPresent();
    }

    @Test
    void deleteOfAMissingKeyFailsWithNoValue() {
        assertThat(store.delete(key("nothing")).succeeded()).isFalse();
        assertThat(store.delete(key("nothing")).current()).isNull();
        assertThat(store.delete(key("nothing"), 5).succeeded()).isFalse();
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
        // Other tests may share the backend, so only writes with no concurrent writers in between are
        // compared: revisions strictly increase.
        long previous = store.currentRevision();
        for (int i = 0; i < 20; i++) {
            long revision = store.put(key("k" + (i % 3)), bytes("v" + i)).revision();
            assertThat(revision).isGreaterThan(previous);
            previous = revision;
        }
        assertThat(store.currentRevision()).isGreaterThanOrEqualTo(previous);
    }

    @Test
    void readsAtAnOlderRevisionSeeTheValueOfThatTime() {
        WriteResult one = store.create(key("a"), bytes("one"));
        WriteResult two = store.update(key("a"), bytes("two"), one.revision());
        store.create(key("b"), bytes("later"));

        assertThat(store.get(key("a"), one.revision()).orElseThrow().valueAsString()).isEqualTo("one");
        assertThat(store.get(key("a"), two.revision()).orElseThrow().valueAsString()).isEqualTo("two");
        assertThat(store.get(key("b"), two.revision())).isEmpty();
        RangeResult then = store.range(RangeRequest.prefix(prefix).atRevision(one.revision()));
        assertThat(then.revision()).isEqualTo(one.revision());
        assertThat(then.kvs()).extracting(KeyValue::valueAsString).containsExactly("one");
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
            assertThat(events).extracting(WatchEvent::revision).containsExactly(
                    a1.revision(), a2.revision(), b1.revision(), aGone.revision(), b2.revision());
            assertThat(events.get(0).type()).isEqualTo(WatchEvent.Type.PUT);
            assertThat(events.get(0).isCreate()).isTrue();
            assertThat(events.get(0).previous()).isNull();
            assertThat(events.get(1).kv().valueAsString()).isEqualTo("a2");
            assertThat(events.get(1).previous().valueAsString()).isEqualTo("a1");
            assertThat(events.get(1).isCreate()).isFalse();
            WatchEvent deletion = events.get(3);
            assertThat(deletion.type()).isEqualTo(WatchEvent.Type.DELETE);
            assertThat(deletion.kv().key()).isEqualTo(key("a"));
            assertThat(deletion.kv().value()).isEmpty();
            assertThat(deletion.kv().modRevision()).isEqualTo(aGone.revision());
            assertThat(deletion.previous().valueAsString()).isEqualTo("a2");
            assertThat(events.get(4).previous().valueAsString()).isEqualTo("b1");
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
            assertThat(expiry.previous().valueAsString()).isEqualTo("short-lived");
        }
        assertThat(store.get(key("kept"))).isPresent();
        assertThatThrownBy(() -> store.keepAlive(lease)).isInstanceOf(LeaseNotFoundException.class);
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
        byte[] big = new byte[1024 * 1024];
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
