package io.kybern.store.etcd;

import io.kybern.store.CompactedException;
import io.kybern.store.FutureRevisionException;
import io.kybern.store.KeyValue;
import io.kybern.store.LeaseNotFoundException;
import io.kybern.store.RangeRequest;
import io.kybern.store.RangeResult;
import io.kybern.store.Store;
import io.kybern.store.StoreUnavailableException;
import io.kybern.store.ValueTooLargeException;
import io.kybern.store.Watch;
import io.kybern.store.WatchEvent;
import io.kybern.store.WatchListener;
import io.kybern.store.WriteResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.LongStream;

import static io.kybern.store.Store.NO_LEASE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The etcd backend against a real etcd. One server for the class; each test works under its own prefix
 * and, tests running one after another, can predict exact revisions from its own writes.
 */
class EtcdStoreTest {

    private static final Duration EVENTUALLY = Duration.ofSeconds(15);

    private static LocalEtcd etcd;
    private static EtcdStore store;

    private String prefix;

    @BeforeAll
    static void startEtcd() {
        etcd = LocalEtcd.start();
        store = EtcdStore.connect(List.of(etcd.clientEndpoint()));
    }

    @AfterAll
    static void stopEtcd() {
        if (store != null) {
            store.close();
        }
        if (etcd != null) {
            etcd.close();
        }
    }

    @BeforeEach
    void usePrefixOfTest(TestInfo test) {
        prefix = "/" + test.getTestMethod().orElseThrow().getName() + "/";
    }

    // ---- writes ---------------------------------------------------------------------------------------

    @Test
    void createWritesANewKeyAndRefusesAnExistingOne() {
        String key = prefix + "a";

        WriteResult created = store.create(key, bytes("one"));

        long revision = created.revision();
        assertThat(created.succeeded()).isTrue();
        assertThat(created.current()).isEqualTo(new KeyValue(key, bytes("one"), revision, revision, 1, NO_LEASE));
        assertThat(store.get(key)).contains(created.current());

        WriteResult again = store.create(key, bytes("two"));

        assertThat(again.succeeded()).isFalse();
        assertThat(again.revision()).isEqualTo(revision);
        assertThat(again.current()).isEqualTo(created.current());
        assertThat(store.currentRevision()).isEqualTo(revision);
    }

    @Test
    void updateSwapsOnTheCurrentModRevisionOnly() {
        String key = prefix + "a";
        WriteResult created = store.create(key, bytes("one"));

        WriteResult updated = store.update(key, bytes("two"), created.revision());

        assertThat(updated.succeeded()).isTrue();
        assertThat(updated.revision()).isEqualTo(created.revision() + 1);
        assertThat(updated.current()).isEqualTo(
                new KeyValue(key, bytes("two"), created.revision(), updated.revision(), 2, NO_LEASE));
        assertThat(store.get(key)).contains(updated.current());

        WriteResult stale = store.update(key, bytes("three"), created.revision());

        assertThat(stale.succeeded()).isFalse();
        assertThat(stale.revision()).isEqualTo(updated.revision());
        assertThat(stale.current()).isEqualTo(updated.current());
        assertThat(store.get(key)).contains(updated.current());
    }

    @Test
    void updateOfAMissingKeyFailsWithoutValue() {
        long before = store.put(prefix + "other", bytes("x")).revision();

        WriteResult missing = store.update(prefix + "absent", bytes("x"), before);

        assertThat(missing.succeeded()).isFalse();
        assertThat(missing.current()).isNull();
        assertThat(missing.revision()).isEqualTo(before);
    }

    @Test
    void casTokensMustBePositive() {
        assertThatThrownBy(() -> store.update(prefix + "a", bytes("x"), 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.update(prefix + "a", bytes("x"), -3))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.delete(prefix + "a", 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void putCreatesThenReplaces() {
        String key = prefix + "a";

        WriteResult first = store.put(key, bytes("one"));
        WriteResult second = store.put(key, bytes("two"));

        assertThat(first.current()).isEqualTo(
                new KeyValue(key, bytes("one"), first.revision(), first.revision(), 1, NO_LEASE));
        assertThat(second.revision()).isEqualTo(first.revision() + 1);
        assertThat(second.current()).isEqualTo(
                new KeyValue(key, bytes("two"), first.revision(), second.revision(), 2, NO_LEASE));
        assertThat(store.get(key)).contains(second.current());
    }

    @Test
    void deleteSwapsOnTheCurrentModRevisionOnly() {
        String key = prefix + "a";
        WriteResult created = store.create(key, bytes("one"));
        WriteResult updated = store.update(key, bytes("two"), created.revision());

        WriteResult stale = store.delete(key, created.revision());

        assertThat(stale.succeeded()).isFalse();
        assertThat(stale.revision()).isEqualTo(updated.revision());
        assertThat(stale.current()).isEqualTo(updated.current());

        WriteResult deleted = store.delete(key, updated.revision());

        assertThat(deleted.succeeded()).isTrue();
        assertThat(deleted.revision()).isEqualTo(updated.revision() + 1);
        assertThat(deleted.current()).isEqualTo(updated.current());
        assertThat(store.get(key)).isEmpty();
        assertThat(store.get(key, updated.revision())).contains(updated.current());

        WriteResult gone = store.delete(key, updated.revision());

        assertThat(gone.succeeded()).isFalse();
        assertThat(gone.current()).isNull();
        assertThat(gone.revision()).isEqualTo(deleted.revision());
    }

    @Test
    void unconditionalDeleteReturnsTheOldValueOrFailsWithNone() {
        String key = prefix + "a";
        WriteResult written = store.put(key, bytes("one"));

        WriteResult deleted = store.delete(key);

        assertThat(deleted.succeeded()).isTrue();
        assertThat(deleted.revision()).isEqualTo(written.revision() + 1);
        assertThat(deleted.current()).isEqualTo(written.current());

        WriteResult missing = store.delete(key);

        assertThat(missing.succeeded()).isFalse();
        assertThat(missing.current()).isNull();
        assertThat(missing.revision()).isEqualTo(deleted.revision());
    }

    @Test
    void aValueOverTheLimitIsRefusedAndNothingIsWritten() {
        String key = prefix + "big";
        long before = store.currentRevision();
        byte[] tooLarge = new byte[Store.MAX_VALUE_BYTES + 1];

        assertThatThrownBy(() -> store.create(key, tooLarge)).isInstanceOf(ValueTooLargeException.class);
        assertThatThrownBy(() -> store.put(key, tooLarge)).isInstanceOf(ValueTooLargeException.class);
        assertThatThrownBy(() -> store.update(key, tooLarge, before)).isInstanceOf(ValueTooLargeException.class);

        assertThat(store.get(key)).isEmpty();
        assertThat(store.currentRevision()).isEqualTo(before);

        // The limit itself is accepted: etcd's own request limit is set above it.
        byte[] largest = new byte[Store.MAX_VALUE_BYTES];
        largest[largest.length - 1] = 7;
        WriteResult written = store.create(key, largest);
        assertThat(written.revision()).isEqualTo(before + 1);
        assertThat(store.get(key).orElseThrow().value()).isEqualTo(largest);
    }

    // ---- reads ----------------------------------------------------------------------------------------

    @Test
    void rangePagesStayAtTheFirstPagesRevisionWhileWritesContinue() {
        List<WriteResult> written = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            written.add(store.put(prefix + "k" + i, bytes("v" + i)));
        }
        // Shares the prefix's characters but not the trailing slash: outside the range.
        store.put(prefix.substring(0, prefix.length() - 1) + "0", bytes("outside"));
        long listedAt = store.currentRevision();

        RangeResult first = store.range(RangeRequest.prefix(prefix).withLimit(4));

        assertThat(first.kvs()).containsExactlyElementsOf(currentOf(written.subList(0, 4)));
        assertThat(first.revision()).isEqualTo(listedAt);
        assertThat(first.count()).isEqualTo(10);
        assertThat(first.more()).isTrue();

        store.put(prefix + "k0a", bytes("new"));
        store.delete(prefix + "k5");
        store.put(prefix + "k9", bytes("changed"));

        RangeRequest secondRequest = RangeRequest.prefix(prefix).withLimit(4).next(first);
        RangeResult second = store.range(secondRequest);

        assertThat(second.kvs()).containsExactlyElementsOf(currentOf(written.subList(4, 8)));
        assertThat(second.revision()).isEqualTo(listedAt);
        assertThat(second.count()).isEqualTo(6);
        assertThat(second.more()).isTrue();

        RangeResult third = store.range(secondRequest.next(second));

        assertThat(third.kvs()).containsExactlyElementsOf(currentOf(written.subList(8, 10)));
        assertThat(third.count()).isEqualTo(2);
        assertThat(third.more()).isFalse();

        RangeResult now = store.range(RangeRequest.prefix(prefix));

        assertThat(now.revision()).isEqualTo(listedAt + 3);
        assertThat(now.kvs()).extracting(KeyValue::key).containsExactly(
                prefix + "k0", prefix + "k0a", prefix + "k1", prefix + "k2", prefix + "k3", prefix + "k4",
                prefix + "k6", prefix + "k7", prefix + "k8", prefix + "k9");
        assertThat(now.count()).isEqualTo(10);
        assertThat(now.more()).isFalse();
    }

    @Test
    void countCoversTheRangeFromThePageStartIgnoringTheLimit() {
        for (int i = 0; i < 5; i++) {
            store.put(prefix + i, bytes("v"));
        }

        RangeResult one = store.range(RangeRequest.prefix(prefix).withLimit(1));
        RangeResult afterTwo = store.range(RangeRequest.prefix(prefix).withLimit(1).after(prefix + "1"));
        RangeResult all = store.range(RangeRequest.prefix(prefix));
        RangeResult none = store.range(RangeRequest.prefix(prefix + "nothing/"));
        RangeResult everything = store.range(RangeRequest.prefix("").withLimit(2));

        assertThat(one.kvs()).extracting(KeyValue::key).containsExactly(prefix + "0");
        assertThat(one.count()).isEqualTo(5);
        assertThat(afterTwo.kvs()).extracting(KeyValue::key).containsExactly(prefix + "2");
        assertThat(afterTwo.count()).isEqualTo(3);
        assertThat(afterTwo.more()).isTrue();
        assertThat(all.kvs()).hasSize(5);
        assertThat(all.count()).isEqualTo(5);
        assertThat(none.kvs()).isEmpty();
        assertThat(none.count()).isZero();
        assertThat(none.more()).isFalse();
        assertThat(everything.kvs()).hasSize(2);
        assertThat(everything.count()).isGreaterThanOrEqualTo(5);
        assertThat(everything.kvs().get(0).key()).isLessThan(everything.kvs().get(1).key());
    }

    @Test
    void readsAtARevisionSeeTheKeyAsItWas() {
        String key = prefix + "a";
        WriteResult one = store.put(key, bytes("one"));
        WriteResult two = store.put(key, bytes("two"));
        store.delete(key);

        assertThat(store.get(key, one.revision())).contains(one.current());
        assertThat(store.get(key, two.revision())).contains(two.current());
        assertThat(store.get(key, one.revision() - 1)).isEmpty();
        assertThat(store.get(key)).isEmpty();
        assertThat(store.range(RangeRequest.prefix(prefix).atRevision(one.revision())).kvs())
                .containsExactly(one.current());
    }

    @Test
    void readsAboveTheCurrentRevisionFail() {
        long future = store.currentRevision() + 1_000;

        assertThatThrownBy(() -> store.get(prefix + "a", future)).isInstanceOf(FutureRevisionException.class);
        assertThatThrownBy(() -> store.range(RangeRequest.prefix(prefix).atRevision(future)))
                .isInstanceOf(FutureRevisionException.class);
        assertThatThrownBy(() -> store.compact(future)).isInstanceOf(FutureRevisionException.class);
    }

    // ---- compaction -----------------------------------------------------------------------------------

    @Test
    void compactionDiscardsOlderRevisionsForReadsAndWatches() {
        String key = prefix + "a";
        WriteResult one = store.put(key, bytes("one"));
        WriteResult two = store.put(key, bytes("two"));
        WriteResult three = store.put(key, bytes("three"));

        store.compact(two.revision());

        assertThatThrownBy(() -> store.get(key, one.revision()))
                .isInstanceOfSatisfying(CompactedException.class,
                        e -> assertThat(e.requestedRevision()).isEqualTo(one.revision()));
        assertThatThrownBy(() -> store.range(RangeRequest.prefix(prefix).atRevision(one.revision())))
                .isInstanceOf(CompactedException.class);
        // The compaction point itself can still be read.
        assertThat(store.get(key, two.revision())).contains(two.current());

        RecordingListener belowPoint = new RecordingListener();
        RecordingListener atPoint = new RecordingListener();
        RecordingListener abovePoint = new RecordingListener();
        try (Watch below = store.watch(prefix, one.revision(), belowPoint);
             Watch at = store.watch(prefix, two.revision(), atPoint);
             Watch above = store.watch(prefix, three.revision(), abovePoint)) {
            await().atMost(EVENTUALLY).until(() -> belowPoint.errors.size() == 1 && atPoint.errors.size() == 1
                    && abovePoint.events.size() == 1);

            assertThat(belowPoint.errors.getFirst()).isInstanceOfSatisfying(CompactedException.class, e -> {
                assertThat(e.requestedRevision()).isEqualTo(one.revision());
                assertThat(e.compactRevision()).isEqualTo(two.revision());
            });
            assertThat(atPoint.errors.getFirst()).isInstanceOfSatisfying(CompactedException.class,
                    e -> assertThat(e.compactRevision()).isEqualTo(two.revision()));
            assertThat(belowPoint.events).isEmpty();
            assertThat(atPoint.events).isEmpty();
            assertThat(abovePoint.events).containsExactly(
                    new WatchEvent(WatchEvent.Type.PUT, three.current(), two.current()));
        }

        // Compacting at or below the compaction point changes nothing.
        store.compact(one.revision());
        store.compact(two.revision());
        assertThat(store.get(key, two.revision())).contains(two.current());
    }

    // ---- watches --------------------------------------------------------------------------------------

    @Test
    void watchFromAnOldRevisionReplaysEveryChangeWithPreviousValues() {
        String key = prefix + "a";
        WriteResult created = store.create(key, bytes("one"));
        WriteResult updated = store.update(key, bytes("two"), created.revision());
        WriteResult deleted = store.delete(key, updated.revision());
        RecordingListener listener = new RecordingListener();

        try (Watch ignored = store.watch(prefix, created.revision(), listener)) {
            await().atMost(EVENTUALLY).until(() -> listener.events.size() == 3);
        }

        KeyValue tombstone = new KeyValue(key, new byte[0], 0, deleted.revision(), 0, NO_LEASE);
        assertThat(listener.events).containsExactly(
                new WatchEvent(WatchEvent.Type.PUT, created.current(), null),
                new WatchEvent(WatchEvent.Type.PUT, updated.current(), created.current()),
                new WatchEvent(WatchEvent.Type.DELETE, tombstone, updated.current()));
        assertThat(listener.events.getFirst().isCreate()).isTrue();
        assertThat(listener.events.get(1).isCreate()).isFalse();
        assertThat(listener.errors).isEmpty();
    }

    @Test
    void watchFromZeroStartsWithTheNextWriteAndDeliversSerially() {
        String key = prefix + "a";
        store.put(key, bytes("before"));
        RecordingListener listener = new RecordingListener();
        List<Long> written = new ArrayList<>();

        try (Watch ignored = store.watch(prefix, 0, listener)) {
            for (int i = 0; i < 50; i++) {
                written.add(store.put(key, bytes("v" + i)).revision());
            }
            await().atMost(EVENTUALLY).until(() -> listener.events.size() >= written.size());
        }

        assertThat(listener.revisions()).containsExactlyElementsOf(written);
        assertThat(listener.events.getLast().kv().valueAsString()).isEqualTo("v49");
        assertThat(listener.threads).doesNotContain(Thread.currentThread());
        assertThat(listener.maxConcurrentCalls).hasValue(1);
        assertThat(listener.emptyBatches).hasValue(0);
    }

    @Test
    void watchOfTheEmptyPrefixSeesEveryKey() {
        RecordingListener listener = new RecordingListener();
        WriteResult written;

        try (Watch ignored = store.watch("", 0, listener)) {
            written = store.put(prefix + "a", bytes("x"));
            await().atMost(EVENTUALLY).until(() -> !listener.events.isEmpty());
        }

        assertThat(listener.events.getFirst()).isEqualTo(new WatchEvent(WatchEvent.Type.PUT, written.current(), null));
    }

    @Test
    void aSlowListenerIsCaughtUpFromHistoryWithoutGapsOrDuplicates() {
        EtcdWatch.Backlog smallBacklog = new EtcdWatch.Backlog(5, Long.MAX_VALUE);
        try (EtcdStore smallBuffers = new EtcdStore(List.of(etcd.clientEndpoint()), Duration.ofSeconds(30),
                smallBacklog)) {
            String key = prefix + "a";
            long start = store.currentRevision() + 1;
            RecordingListener listener = RecordingListener.blocked();

            EtcdWatch watch = (EtcdWatch) smallBuffers.watch(prefix, start, listener);
            List<Long> written = new ArrayList<>();
            written.add(store.put(key, bytes("first")).revision());
            // The listener now holds the first batch; everything written next piles up behind it.
            await().atMost(EVENTUALLY).until(() -> !listener.threads.isEmpty());
            for (int i = 0; i < 30; i++) {
                written.add(store.put(key, bytes("v" + i)).revision());
            }
            listener.release();
            await().atMost(EVENTUALLY).until(() -> listener.events.size() >= written.size());
            watch.close();

            assertThat(written).isEqualTo(LongStream.range(start, start + 31).boxed().toList());
            assertThat(listener.revisions()).containsExactlyElementsOf(written);
            assertThat(watch.streamsOpened()).isGreaterThan(1);
            assertThat(listener.maxConcurrentCalls).hasValue(1);
            assertThat(listener.errors).isEmpty();
        }
    }

    @Test
    void concurrentWritersAndAStutteringListenerSeeEveryRevisionOnceInOrder() throws Exception {
        EtcdWatch.Backlog smallBacklog = new EtcdWatch.Backlog(7, Long.MAX_VALUE);
        List<Long> delivered = new CopyOnWriteArrayList<>();
        AtomicInteger calls = new AtomicInteger();
        WatchListener stuttering = batch -> {
            batch.forEach(event -> delivered.add(event.revision()));
            if (calls.incrementAndGet() % 3 == 0) {
                LockSupport.parkNanos(Duration.ofMillis(20).toNanos()); // falls behind now and then
            }
        };
        List<Long> written = new CopyOnWriteArrayList<>();
        try (EtcdStore smallBuffers = new EtcdStore(List.of(etcd.clientEndpoint()), Duration.ofSeconds(30),
                smallBacklog);
             Watch ignored = smallBuffers.watch(prefix, 0, stuttering);
             ExecutorService writers = Executors.newFixedThreadPool(4)) {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                String key = prefix + "writer" + w;
                done.add(writers.submit(() -> {
                    for (int i = 0; i < 60; i++) {
                        written.add(store.put(key, bytes("v" + i)).revision());
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            await().atMost(EVENTUALLY).until(() -> delivered.size() >= written.size());
        }

        // Typically the stream pauses and resumes several times here; the blocked-listener test above
        // proves that it does, this one that nothing is lost or repeated when it happens under load.
        assertThat(delivered).containsExactlyElementsOf(written.stream().sorted().toList());
    }

    @Test
    void closingAWatchStopsDelivery() {
        RecordingListener listener = new RecordingListener();
        Watch watch = store.watch(prefix, 0, listener);
        store.put(prefix + "a", bytes("1"));
        await().atMost(EVENTUALLY).until(() -> listener.events.size() == 1);

        watch.close();
        watch.close();
        store.put(prefix + "a", bytes("2"));
        RecordingListener witness = new RecordingListener();
        try (Watch ignored = store.watch(prefix, store.currentRevision(), witness)) {
            await().atMost(EVENTUALLY).until(() -> witness.events.size() == 1);
        }

        assertThat(listener.events).hasSize(1);
        assertThat(listener.errors).isEmpty();
    }

    // ---- leases ---------------------------------------------------------------------------------------

    @Test
    void anExpiredLeaseDeletesItsKeysWithDeleteEvents() {
        String key = prefix + "a";
        long lease = store.grantLease(Duration.ofSeconds(2));
        WriteResult written = store.put(key, bytes("leased"), lease);
        assertThat(written.current().lease()).isEqualTo(lease);
        RecordingListener listener = new RecordingListener();

        try (Watch ignored = store.watch(prefix, written.revision() + 1, listener)) {
            await().atMost(EVENTUALLY).until(() -> !listener.events.isEmpty());
        }

        WatchEvent expiry = listener.events.getFirst();
        assertThat(expiry.type()).isEqualTo(WatchEvent.Type.DELETE);
        assertThat(expiry.kv().key()).isEqualTo(key);
        assertThat(expiry.kv().value()).isEmpty();
        assertThat(expiry.revision()).isGreaterThan(written.revision());
        assertThat(expiry.previous()).isEqualTo(written.current());
        assertThat(store.get(key)).isEmpty();

        assertThatThrownBy(() -> store.keepAlive(lease)).isInstanceOf(LeaseNotFoundException.class);
        assertThatThrownBy(() -> store.revokeLease(lease)).isInstanceOf(LeaseNotFoundException.class);
        assertThatThrownBy(() -> store.put(key, bytes("x"), lease)).isInstanceOf(LeaseNotFoundException.class);
        assertThatThrownBy(() -> store.create(key, bytes("x"), lease)).isInstanceOf(LeaseNotFoundException.class);
    }

    @Test
    void revokingALeaseDeletesItsKeysAtOnce() {
        long lease = store.grantLease(Duration.ofMillis(1_500));
        WriteResult a = store.put(prefix + "a", bytes("1"), lease);
        WriteResult b = store.create(prefix + "b", bytes("2"), lease);
        store.keepAlive(lease);

        store.revokeLease(lease);

        assertThat(store.range(RangeRequest.prefix(prefix)).kvs()).isEmpty();
        // Both keys went in one revision, right after the writes.
        assertThat(store.currentRevision()).isEqualTo(b.revision() + 1);
        assertThat(a.current().lease()).isEqualTo(lease);
        assertThatThrownBy(() -> store.keepAlive(lease)).isInstanceOf(LeaseNotFoundException.class);
    }

    // ---- lifecycle ------------------------------------------------------------------------------------

    @Test
    void revisionsNeverGoBackwardsAcrossARestart() {
        String key = prefix + "a";
        WriteResult before = store.put(key, bytes("before"));
        RecordingListener listener = new RecordingListener();
        Watch watch = store.watch(prefix, 0, listener);

        etcd.restart();

        // The running watch cannot know what it missed while etcd was down, so it ends.
        await().atMost(EVENTUALLY).until(() -> !listener.errors.isEmpty());
        assertThat(listener.errors.getFirst()).isInstanceOf(StoreUnavailableException.class);
        watch.close();

        assertThat(store.currentRevision()).isEqualTo(before.revision());
        WriteResult after = store.put(key, bytes("after"));
        assertThat(after.revision()).isEqualTo(before.revision() + 1);
        assertThat(after.current().createRevision()).isEqualTo(before.revision());
        assertThat(store.get(key, before.revision())).contains(before.current());
        try (EtcdStore fresh = EtcdStore.connect(List.of(etcd.clientEndpoint()))) {
            assertThat(fresh.get(key)).contains(after.current());
        }
    }

    @Test
    void aClosedStoreEndsItsWatchesAndRefusesRequests() {
        EtcdStore other = EtcdStore.connect(List.of(etcd.clientEndpoint()));
        RecordingListener listener = new RecordingListener();
        other.watch(prefix, 0, listener);

        other.close();

        await().atMost(EVENTUALLY).until(() -> !listener.errors.isEmpty());
        assertThat(listener.errors).singleElement().isInstanceOf(StoreUnavailableException.class);
        assertThatThrownBy(() -> other.get(prefix + "a")).isInstanceOf(StoreUnavailableException.class);
        assertThatThrownBy(() -> other.put(prefix + "a", bytes("x"))).isInstanceOf(StoreUnavailableException.class);
        other.close();
    }

    @Test
    void requestsToAnUnreachableEtcdFailAsUnavailableWithinTheTimeout() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        URI nobody = URI.create("http://127.0.0.1:" + closedPort);
        try (EtcdStore unreachable = EtcdStore.connect(List.of(nobody), Duration.ofSeconds(1))) {
            long started = System.nanoTime();

            assertThatThrownBy(() -> unreachable.put(prefix + "a", bytes("x")))
                    .isInstanceOf(StoreUnavailableException.class);
            assertThatThrownBy(() -> unreachable.get(prefix + "a")).isInstanceOf(StoreUnavailableException.class);

            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
        }
    }

    // ---- helpers --------------------------------------------------------------------------------------

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<KeyValue> currentOf(List<WriteResult> results) {
        return results.stream().map(WriteResult::current).toList();
    }
}
