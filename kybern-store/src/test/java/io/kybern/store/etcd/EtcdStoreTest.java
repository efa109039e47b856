package io.kybern.store.etcd;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.LeaseOption;
import io.kybern.store.RecordingListener;
import io.kybern.store.StoreUnavailableException;
import io.kybern.store.Watch;
import io.kybern.store.WatchEvent;
import io.kybern.store.WriteResult;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * What only the etcd backend has: a server that can be away or restart under a running store, the
 * pausing of an etcd watch stream for a slow listener, etcd's whole-second leases. Everything every
 * backend must do is in {@link EtcdStoreContractTest}.
 */
class EtcdStoreTest {

    private static final Duration EVENTUALLY = Duration.ofSeconds(15);

    @RegisterExtension
    static final LocalEtcdExtension etcd = new LocalEtcdExtension();

    private String prefix;

    @BeforeEach
    void usePrefixOfTest(TestInfo test) {
        prefix = "/" + test.getTestMethod().orElseThrow().getName() + "/";
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

    @Test
    void aRunningWatchEndsAsUnavailableWhenEtcdRestartsAndTheStoreCarriesOn() {
        try (EtcdStore store = connect()) {
            String key = prefix + "a";
            WriteResult before = store.put(key, bytes("before"));
            RecordingListener listener = new RecordingListener();
            Watch watch = store.watch(prefix, 0, listener);

            etcd.server().restart();

            // The running watch cannot know what it missed while etcd was down, so it ends; the caller
            // resumes from the last revision it saw.
            await().atMost(EVENTUALLY).until(() -> listener.error() != null);
            assertThat(listener.errors()).singleElement().isInstanceOf(StoreUnavailableException.class);
            assertThat(listener.events()).isEmpty();
            watch.close();
            // The same store, not a new one, reconnects by itself.
            assertThat(store.get(key)).contains(before.current());
            WriteResult after = store.put(key, bytes("after"));
            assertThat(after.revision()).isEqualTo(before.revision() + 1);
            assertThat(after.current().createRevision()).isEqualTo(before.revision());
        }
    }

    @Test
    void aListenerFallingBehindPausesTheStreamAndCatchesUpFromEtcdsHistory() {
        CountDownLatch release = new CountDownLatch(1);
        RecordingListener blocked = new RecordingListener() {
            @Override
            protected void beforeRecording(List<WatchEvent> batch) {
                try {
                    if (!release.await(60, TimeUnit.SECONDS)) {
                        throw new AssertionError("the test never released the listener");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        // Five events may wait for the listener before the etcd stream is cancelled.
        try (EtcdStore writer = connect();
             EtcdStore smallBacklog = new EtcdStore(List.of(etcd.server().clientEndpoint()),
                     EtcdStore.DEFAULT_TIMEOUT, new EtcdWatch.Backlog(5, Long.MAX_VALUE))) {
            String key = prefix + "a";
            long start = writer.currentRevision() + 1;
            EtcdWatch watch = (EtcdWatch) smallBacklog.watch(prefix, start, blocked);
            List<Long> written = new ArrayList<>();
            written.add(writer.put(key, bytes("first")).revision());
            // The listener now holds the first batch; everything written next piles up behind it.
            await().atMost(EVENTUALLY).until(() -> !blocked.threads().isEmpty());
            for (int i = 0; i < 30; i++) {
                written.add(writer.put(key, bytes("v" + i)).revision());
            }
            release.countDown();
            await().atMost(EVENTUALLY).until(() -> blocked.size() >= written.size());
            watch.close();

            assertThat(written).isEqualTo(LongStream.range(start, start + 31).boxed().toList());
            assertThat(blocked.revisions()).containsExactlyElementsOf(written);
            assertThat(watch.streamsOpened()).as("the stream was paused and opened again").isGreaterThan(1);
            assertThat(blocked.overlapped()).isFalse();
            assertThat(blocked.error()).isNull();
        }
    }

    @Test
    void leaseTimesToLiveAreRoundedUpToWholeSeconds() throws Exception {
        try (EtcdStore store = connect();
             Client client = Client.builder().endpoints(etcd.server().clientEndpoint()).build()) {
            // etcd counts whole seconds; rounding down would expire a lease before its holder expects.
            long fraction = store.grantLease(Duration.ofMillis(3_001));
            long whole = store.grantLease(Duration.ofSeconds(5));

            assertThat(grantedSeconds(client, fraction)).isEqualTo(4);
            assertThat(grantedSeconds(client, whole)).isEqualTo(5);
            store.revokeLease(fraction);
            store.revokeLease(whole);
        }
    }

    private static long grantedSeconds(Client client, long lease) throws Exception {
        return client.getLeaseClient().timeToLive(lease, LeaseOption.DEFAULT).get(10, TimeUnit.SECONDS)
                .getGrantedTTL();
    }

    private static EtcdStore connect() {
        return EtcdStore.connect(List.of(etcd.server().clientEndpoint()));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
