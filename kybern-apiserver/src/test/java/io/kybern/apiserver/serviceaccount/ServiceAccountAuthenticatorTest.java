package io.kybern.apiserver.serviceaccount;

import static org.assertj.core.api.Assertions.assertThat;

import io.kybern.api.resource.BuiltInResources;
import io.kybern.api.resource.GroupVersionResource;
import io.kybern.api.resource.ResourceCatalog;
import io.kybern.api.resource.ResourceType;
import io.kybern.apiserver.cache.WatchCaches;
import io.kybern.apiserver.http.UserInfo;
import io.kybern.apiserver.pki.ServiceAccountKey;
import io.kybern.apiserver.registry.ObjectStorage;
import io.kybern.store.ForwardingStore;
import io.kybern.store.KeyValue;
import io.kybern.store.Store;
import io.kybern.store.Watch;
import io.kybern.store.WatchListener;
import io.kybern.store.memory.MemoryStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.ObjectNode;

/**
 * Service account tokens checked against the objects they name, read through the real watch cache over a
 * real (in-memory) store, written through the real object storage.
 */
class ServiceAccountAuthenticatorTest {

    private static final ResourceCatalog CATALOG = new BuiltInResources();
    private static final ResourceType NAMESPACES = type("namespaces");
    private static final ResourceType SERVICE_ACCOUNTS = type("serviceaccounts");
    private static final ResourceType PODS = type("pods");
    private static final Duration CATCH_UP = Duration.ofSeconds(5);

    @TempDir
    Path keyDir;

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-06T10:00:00Z"));
    private final InstantSource clock = () -> now.get();
    private MemoryStore memory;
    private CountingReads store;
    private ObjectStorage storage;
    private WatchCaches caches;
    private ServiceAccountTokens tokens;
    private ServiceAccountAuthenticator authenticator;

    private static ResourceType type(String resource) {
        return CATALOG.byResource(new GroupVersionResource("", "v1", resource)).orElseThrow();
    }

    @BeforeEach
    void setUp() throws Exception {
        memory = new MemoryStore();
        store = new CountingReads(memory);
        storage = new ObjectStorage(store, clock, new Random(5), NAMESPACES);
        storage.create(NAMESPACES, "", parse("{\"metadata\":{\"name\":\"team\"}}"));
        caches = new WatchCaches(store);
        // As the server starts them: filled in the background, before the first token comes.
        caches.start(List.of(SERVICE_ACCOUNTS, PODS));
        tokens = new ServiceAccountTokens(ServiceAccountKey.loadOrCreate(keyDir), clock);
        authenticator = new ServiceAccountAuthenticator(tokens, storage, caches, CATALOG, clock);
    }

    @AfterEach
    void tearDown() {
        store.holdWatchEvents(false);
        // Closed first: caches that outlive their store would retry its watch for as long as the JVM runs.
        caches.close();
        memory.close();
    }

    @Test
    void aTokenOfAnExistingAccountAuthenticatesAsItWithoutReadingTheStore() {
        String token = tokenFor(account("builder"), Optional.empty());
        awaitCache();
        store.accountAndPodReads.set(0);

        for (int i = 0; i < 3; i++) {
            Optional<UserInfo> user = authenticator.authenticate(token);
            assertThat(user).isPresent();
            assertThat(user.get().name()).isEqualTo("system:serviceaccount:team:builder");
            assertThat(user.get().groups()).contains("system:serviceaccounts:team");
        }
        assertThat(store.accountAndPodReads).hasValue(0);
    }

    @Test
    void aTokenStopsWorkingOnceItsAccountIsDeleted() {
        String token = tokenFor(account("builder"), Optional.empty());
        assertThat(authenticator.authenticate(token)).isPresent();

        storage.delete(SERVICE_ACCOUNTS, "team", "builder", Optional.empty());
        awaitCache();

        assertThat(authenticator.authenticate(token)).isEmpty();
    }

    @Test
    void anAccountRecreatedUnderTheSameNameDoesNotInheritTheOldTokens() {
        ObjectNode first = account("builder");
        String oldToken = tokenFor(first, Optional.empty());
        storage.delete(SERVICE_ACCOUNTS, "team", "builder", Optional.empty());
        ObjectNode second = account("builder");
        awaitCache();

        assertThat(uid(second)).isNotEqualTo(uid(first));
        assertThat(authenticator.authenticate(oldToken)).isEmpty();
        assertThat(authenticator.authenticate(tokenFor(second, Optional.empty()))).isPresent();
    }

    @Test
    void aPodBoundTokenStopsWorkingOnceItsPodIsDeletedAndIsNotRevivedByAPodOfTheSameName() {
        ObjectNode account = account("builder");
        ObjectNode pod = pod("web-0");
        String token = tokenFor(account, Optional.of(new ServiceAccountTokens.BoundObject("Pod", "web-0", uid(pod))));
        assertThat(authenticator.authenticate(token)).isPresent();

        storage.delete(PODS, "team", "web-0", Optional.empty());
        awaitCache();
        assertThat(authenticator.authenticate(token)).isEmpty();

        ObjectNode recreated = pod("web-0");
        awaitCache();
        assertThat(uid(recreated)).isNotEqualTo(uid(pod));
        assertThat(authenticator.authenticate(token)).isEmpty();
        assertThat(authenticator.authenticate(tokenFor(account, Optional.of(
                new ServiceAccountTokens.BoundObject("Pod", "web-0", uid(recreated)))))).isPresent();
    }

    @Test
    void anAccountWhoseDeletionBeganStillVouchesForItsTokensForOneMinute() {
        ObjectNode held = storage.create(SERVICE_ACCOUNTS, "team", parse(
                "{\"metadata\":{\"name\":\"held\",\"finalizers\":[\"example.com/hold\"]}}"));
        String token = tokenFor(held, Optional.empty());
        ObjectNode deleting = storage.delete(SERVICE_ACCOUNTS, "team", "held", Optional.empty());
        awaitCache();
        assertThat(deleting.at("/metadata/deletionTimestamp").asString()).isEqualTo(now.get().toString());

        now.set(now.get().plusSeconds(60));
        assertThat(authenticator.authenticate(token)).isPresent();
        now.set(now.get().plusSeconds(1));
        assertThat(authenticator.authenticate(token)).isEmpty();
    }

    @Test
    void withoutACacheTheStoreDecides() {
        String token = tokenFor(account("builder"), Optional.empty());
        caches.close();

        store.accountAndPodReads.set(0);
        assertThat(authenticator.authenticate(token)).isPresent();
        assertThat(store.accountAndPodReads).hasValue(1);

        storage.delete(SERVICE_ACCOUNTS, "team", "builder", Optional.empty());
        assertThat(authenticator.authenticate(token)).isEmpty();
    }

    @Test
    void anAccountTheCacheHasNotSeenYetIsFoundInTheStore() {
        // The cache is filled with what the store had; the account comes after, and its change is held back.
        assertThat(caches.current(SERVICE_ACCOUNTS, "team", "nobody")).isEmpty();
        store.holdWatchEvents(true);
        String token = tokenFor(account("builder"), Optional.empty());

        assertThat(caches.current(SERVICE_ACCOUNTS, "team", "builder")).isEmpty();
        assertThat(authenticator.authenticate(token)).isPresent();
    }

    private void awaitCache() {
        assertThat(caches.awaitRevision(store.currentRevision(), CATCH_UP)).isTrue();
    }

    private ObjectNode account(String name) {
        return storage.create(SERVICE_ACCOUNTS, "team", parse("{\"metadata\":{\"name\":\"" + name + "\"}}"));
    }

    private ObjectNode pod(String name) {
        return storage.create(PODS, "team", parse("{\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{"
                + "\"serviceAccountName\":\"builder\",\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]}}"));
    }

    private String tokenFor(ObjectNode account, Optional<ServiceAccountTokens.BoundObject> bound) {
        return tokens.issue("team", account.at("/metadata/name").asString(), uid(account),
                ServiceAccountTokens.API_AUDIENCES, 3600, bound).token();
    }

    private static String uid(ObjectNode object) {
        return object.at("/metadata/uid").asString();
    }

    private static ObjectNode parse(String json) {
        return ObjectStorage.parseObject(json.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The real store, counting the reads of service accounts and pods, and able to hold back the changes its
     * watches deliver (as a store watch running behind would).
     */
    private static final class CountingReads extends ForwardingStore {
        final AtomicInteger accountAndPodReads = new AtomicInteger();
        private final Object holdLock = new Object();
        private boolean holding;

        CountingReads(Store delegate) {
            super(delegate);
        }

        void holdWatchEvents(boolean hold) {
            synchronized (holdLock) {
                holding = hold;
                holdLock.notifyAll();
            }
        }

        @Override
        public Optional<KeyValue> get(String key, long revision) {
            if (key.startsWith(SERVICE_ACCOUNTS.storagePrefix()) || key.startsWith(PODS.storagePrefix())) {
                accountAndPodReads.incrementAndGet();
            }
            return delegate.get(key, revision);
        }

        @Override
        public Watch watch(String prefix, long startRevision, WatchListener listener) {
            return delegate.watch(prefix, startRevision, new WatchListener() {
                @Override
                public void onEvents(List<io.kybern.store.WatchEvent> events) {
                    synchronized (holdLock) {
                        while (holding) {
                            try {
                                holdLock.wait();
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                                return;
                            }
                        }
                    }
                    listener.onEvents(events);
                }

                @Override
                public void onError(io.kybern.store.StoreException error) {
                    listener.onError(error);
                }
            });
        }
    }
}
