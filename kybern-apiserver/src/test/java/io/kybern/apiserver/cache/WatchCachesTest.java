package io.kybern.apiserver.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kybern.api.resource.GroupVersionResource;
import io.kybern.api.resource.ResourceType;
import io.kybern.apiserver.registry.ObjectStorage;
import io.kybern.store.CompactedException;
import io.kybern.store.ForwardingStore;
import io.kybern.store.Store;
import io.kybern.store.StoreException;
import io.kybern.store.Watch;
import io.kybern.store.WatchListener;
import io.kybern.store.memory.MemoryStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** The watch cache over a real (in-memory) store, written through the real object storage. */
class WatchCachesTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Set<String> VERBS = Set.of("create", "delete", "get", "list", "update", "watch");
    static final ResourceType NAMESPACES = new ResourceType(new GroupVersionResource("", "v1", "namespaces"),
            "Namespace", "namespace", false, VERBS, List.of("ns"), List.of(), List.of(), "namespaces");
    static final ResourceType CONFIGMAPS = new ResourceType(new GroupVersionResource("", "v1", "configmaps"),
            "ConfigMap", "configmap", true, VERBS, List.of("cm"), List.of(), List.of(), "configmaps");

    private MemoryStore memory;
    private EndableWatches store;
    private ObjectStorage storage;
    private final RecordingMetrics metrics = new RecordingMetrics();
    private final List<WatchCaches> opened = new ArrayList<>();

    @BeforeEach
    void setUp() {
        memory = new MemoryStore();
        store = new EndableWatches(memory);
        storage = new ObjectStorage(store, InstantSource.system(), new Random(1), NAMESPACES);
        namespace("default");
        namespace("other");
    }

    @AfterEach
    void tearDown() {
        // Closed first: caches that outlive their store would retry its watch for as long as the JVM runs.
        opened.forEach(WatchCaches::close);
        memory.close();
    }

    private WatchCaches caches(int window) {
        WatchCaches caches = new WatchCaches(store, window, metrics);
        opened.add(caches);
        return caches;
    }

    private void namespace(String name) {
        storage.create(NAMESPACES, "", parse("{\"metadata\":{\"name\":\"" + name + "\"}}"));
    }

    private ObjectNode configMap(String namespace, String name, String app) {
        return storage.create(CONFIGMAPS, namespace, parse("{\"metadata\":{\"name\":\"" + name
                + "\",\"labels\":{\"app\":\"" + app + "\"}},\"data\":{\"k\":\"v\"}}"));
    }

    private static ObjectNode parse(String json) {
        return ObjectStorage.parseObject(json.getBytes(StandardCharsets.UTF_8));
    }

    private static String version(ObjectNode object) {
        return object.at("/metadata/resourceVersion").asString();
    }

    /** Takes changes from a follower until {@code count} came or a few seconds passed. */
    private static List<CachedEvent> take(WatchCaches.Follower follower, int count) {
        List<CachedEvent> events = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (events.size() < count && System.nanoTime() < deadline) {
            events.addAll(follower.next(TimeUnit.MILLISECONDS.toNanos(100)));
        }
        return events;
    }

    private static List<String> described(List<CachedEvent> events) {
        return events.stream().map(e -> (e.deleted() ? "DELETED" : e.previous() == null ? "ADDED" : "MODIFIED")
                + ":" + e.object().itemTree().at("/metadata/name").asString() + "@" + e.revision()).toList();
    }

    @Test
    void oneObjectIsAnsweredAsTheCacheHoldsItUntilTheCacheIsClosed() {
        WatchCaches caches = caches(100);
        ObjectNode a = configMap("default", "a", "web");

        CachedObject cached = caches.current(CONFIGMAPS, "default", "a").orElseThrow();
        assertThat(cached.itemTree().at("/metadata/uid").asString()).isEqualTo(a.at("/metadata/uid").asString());
        assertThat(cached.revision()).isEqualTo(Long.parseLong(version(a)));
        assertThat(caches.current(CONFIGMAPS, "other", "a")).isEmpty();
        assertThat(caches.current(NAMESPACES, "", "other")).isPresent();

        storage.delete(CONFIGMAPS, "default", "a", Optional.empty());
        assertThat(caches.awaitRevision(store.currentRevision(), Duration.ofSeconds(5))).isTrue();
        assertThat(caches.current(CONFIGMAPS, "default", "a")).isEmpty();

        configMap("default", "b", "web");
        assertThat(caches.awaitRevision(store.currentRevision(), Duration.ofSeconds(5))).isTrue();
        assertThat(caches.current(CONFIGMAPS, "default", "b")).isPresent();
        caches.close();
        assertThat(caches.current(CONFIGMAPS, "default", "b")).as("the store answers then").isEmpty();
    }

    @Test
    void changesComeInRevisionOrderWithTheirPreviousState() {
        WatchCaches caches = caches(100);
        long start = store.currentRevision();
        WatchCaches.Follower follower = caches.follow(CONFIGMAPS, "default", start, -1).orElseThrow();

        ObjectNode a = configMap("default", "a", "web");
        configMap("other", "elsewhere", "web");
        ObjectNode b = configMap("default", "b", "db");
        ObjectNode a2 = storage.patch(CONFIGMAPS, "default", "a", o -> {
            ((ObjectNode) o.get("data")).put("k", "w");
            return o;
        });
        ObjectNode deleted = storage.delete(CONFIGMAPS, "default", "b", Optional.empty());
        long deletedAt = store.currentRevision();

        List<CachedEvent> events = take(follower, 4);

        assertThat(described(events)).containsExactly("ADDED:a@" + version(a), "ADDED:b@" + version(b),
                "MODIFIED:a@" + version(a2), "DELETED:b@" + deletedAt);
        assertThat(events.get(2).previous().itemTree().at("/data/k").asString()).isEqualTo("v");
        assertThat(events.get(2).object().itemTree().at("/data/k").asString()).isEqualTo("w");
        // A deletion carries the last state, stamped with the deletion's version, as Kubernetes sends it.
        assertThat(events.get(3).object().itemTree().at("/metadata/uid").asString())
                .isEqualTo(deleted.at("/metadata/uid").asString());
        assertThat(version(events.get(3).object().itemTree())).isEqualTo(Long.toString(deletedAt));
        assertThat(follower.reached()).isEqualTo(deletedAt);
        assertThat(metrics.received.get("configmaps")).isEqualTo(5);
        assertThat(metrics.dispatched.get("configmaps")).isEqualTo(4);
    }

    @Test
    void aWatchFromBeforeTheWindowIsTooOldAndOneInsideItIsServed() {
        WatchCaches caches = caches(3);
        caches.follow(CONFIGMAPS, "", store.currentRevision(), -1).orElseThrow();
        long before = store.currentRevision();
        List<String> versions = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            versions.add(version(configMap("default", "cm" + i, "web")));
        }
        assertThat(caches.awaitRevision(store.currentRevision(), Duration.ofSeconds(5))).isTrue();

        // Five changes, three kept: the window starts at the second change's version.
        WatchCaches.Follower tooOld = caches.follow(CONFIGMAPS, "", before, -1).orElseThrow();
        assertThatThrownBy(() -> tooOld.next(0)).isInstanceOfSatisfying(WatchCaches.TooOldException.class,
                e -> assertThat(e.windowStart()).isEqualTo(Long.parseLong(versions.get(1))));
        WatchCaches.Follower edge = caches.follow(CONFIGMAPS, "", Long.parseLong(versions.get(1)), -1).orElseThrow();
        assertThat(described(take(edge, 3))).extracting(s -> s.substring(0, s.indexOf('@')))
                .containsExactly("ADDED:cm2", "ADDED:cm3", "ADDED:cm4");
    }

    @Test
    void aWatchFromBeforeTheCacheWasFilledIsLeftToTheStore() {
        long before = store.currentRevision();
        configMap("default", "a", "web");
        WatchCaches caches = caches(100);

        // Filled at its first use, after a was written: that change was never in the window, but the store
        // has it, so the store serves the watch rather than the cache answering 410.
        assertThat(caches.follow(CONFIGMAPS, "", before, -1)).isEmpty();
        WatchCaches.Follower fromNow = caches.follow(CONFIGMAPS, "", store.currentRevision(), -1).orElseThrow();
        ObjectNode b = configMap("default", "b", "web");
        assertThat(described(take(fromNow, 1))).containsExactly("ADDED:b@" + version(b));
    }

    @Test
    void aListAtVersionZeroEqualsTheStoresList() {
        WatchCaches caches = caches(100);
        caches.follow(CONFIGMAPS, "", store.currentRevision(), -1).orElseThrow();
        configMap("default", "b", "web");
        configMap("default", "a", "db");
        configMap("other", "c", "web");
        storage.patch(CONFIGMAPS, "default", "a", o -> {
            ((ObjectNode) o.withObject("metadata").get("labels")).put("tier", "1");
            return o;
        });
        storage.delete(CONFIGMAPS, "default", "b", Optional.empty());
        configMap("default", "d", "web");

        for (String namespace : List.of("", "default", "other")) {
            Snapshot snapshot = caches.listFor(CONFIGMAPS, namespace, "0", null, 0, null).orElseThrow();
            JsonNode fromCache = JSON.readTree(joined(snapshot.listJsonPieces(WatchCaches.EVERYTHING)));
            ObjectNode fromStore = storage.list(CONFIGMAPS, namespace, 0, null, null);
            assertThat(fromCache).isEqualTo(fromStore);
            assertThat(snapshot.listObject(WatchCaches.EVERYTHING)).isEqualTo(fromStore);
        }
        assertThat(metrics.objects.get("configmaps").getAsInt()).isEqualTo(3);
    }

    @Test
    void aConsistentListSeesEveryWriteAcknowledgedBeforeIt() {
        WatchCaches caches = caches(100);
        caches.listFor(CONFIGMAPS, "", "", null, 0, null).orElseThrow();
        for (int i = 0; i < 20; i++) {
            configMap("default", "cm" + i, "web");
            Snapshot snapshot = caches.listFor(CONFIGMAPS, "default", "", null, 0, null).orElseThrow();
            assertThat(snapshot.objects()).hasSize(i + 1);
            assertThat(snapshot.revision()).isGreaterThanOrEqualTo(store.currentRevision());
        }
    }

    @Test
    void selectorsPickObjectsFromTheCache() {
        WatchCaches caches = caches(100);
        configMap("default", "a", "web");
        configMap("default", "b", "db");
        configMap("other", "c", "web");

        Snapshot all = caches.listFor(CONFIGMAPS, "", "0", null, 0, null).orElseThrow();
        JsonNode web = JSON.readTree(joined(all.listJsonPieces(
                o -> o.at("/metadata/labels/app").asString("").equals("web"))));

        assertThat(web.get("items")).extracting(i -> i.at("/metadata/name").asString()).containsExactly("a", "c");
        assertThat(web.at("/metadata/resourceVersion").asString()).isEqualTo(Long.toString(all.revision()));
    }

    @Test
    void aListInPiecesIsByteForByteTheJsonEncodingOfTheList() {
        WatchCaches caches = caches(100);
        configMap("default", "b", "web");
        configMap("default", "a", "db");
        configMap("other", "c", "web");
        storage.patch(CONFIGMAPS, "default", "a", o -> {
            o.withObject("data").put("quoted", "\"\u00e9\\\n");
            return o;
        });
        Predicate<ObjectNode> web = o -> o.at("/metadata/labels/app").asString("").equals("web");
        Predicate<ObjectNode> none = o -> false;

        for (String namespace : List.of("", "default", "other", "empty")) {
            Snapshot snapshot = caches.listFor(CONFIGMAPS, namespace, "0", null, 0, null).orElseThrow();
            for (Predicate<ObjectNode> filter : List.of(WatchCaches.EVERYTHING, web, none)) {
                // Jackson's own encoding of the same list as a tree: what the pieces must add up to, byte for byte.
                byte[] encoded = JSON.writeValueAsBytes(snapshot.listObject(filter));
                assertThat(joined(snapshot.listJsonPieces(filter))).isEqualTo(encoded);
            }
        }
        Snapshot empty = caches.listFor(CONFIGMAPS, "empty", "0", null, 0, null).orElseThrow();
        assertThat(new String(joined(empty.listJsonPieces(WatchCaches.EVERYTHING)), StandardCharsets.UTF_8))
                .isEqualTo("{\"kind\":\"ConfigMapList\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\""
                        + empty.revision() + "\"},\"items\":[]}");
        Snapshot other = caches.listFor(CONFIGMAPS, "other", "0", null, 0, null).orElseThrow();
        // The opening, the one item, the closing: the item is the cached array itself, not a copy.
        assertThat(other.listJsonPieces(WatchCaches.EVERYTHING)).hasSize(3);
        assertThat(other.listJsonPieces(WatchCaches.EVERYTHING).get(1)).isSameAs(other.objects().getFirst().itemJson());
        assertThatThrownBy(() -> other.listJsonPieces(WatchCaches.EVERYTHING).get(3))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }

    private static byte[] joined(List<byte[]> pieces) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        pieces.forEach(out::writeBytes);
        return out.toByteArray();
    }

    @Test
    void listsKubernetesServesFromTheStoreAreLeftToIt() {
        WatchCaches caches = caches(100);
        String now = Long.toString(store.currentRevision());
        // Exact, continued, and limited other than at version 0: the store's.
        assertThat(caches.listFor(CONFIGMAPS, "", "", null, 10, null)).isEmpty();
        assertThat(caches.listFor(CONFIGMAPS, "", now, "Exact", 0, null)).isEmpty();
        assertThat(caches.listFor(CONFIGMAPS, "", "0", null, 0, "token")).isEmpty();
        assertThat(caches.listFor(CONFIGMAPS, "", now, null, 10, null)).isEmpty();
        // Version 0 ignores the limit; a version to be not older than is served once reached.
        configMap("default", "a", "web");
        configMap("default", "b", "web");
        Snapshot limited = caches.listFor(CONFIGMAPS, "", "0", null, 1, null).orElseThrow();
        assertThat(limited.objects()).hasSize(2);
        String latest = Long.toString(store.currentRevision());
        assertThat(caches.listFor(CONFIGMAPS, "", latest, "NotOlderThan", 0, null).orElseThrow().revision())
                .isGreaterThanOrEqualTo(Long.parseLong(latest));
        // A version the store has not reached cannot be promised from the cache.
        String future = Long.toString(store.currentRevision() + 100);
        assertThat(caches.listFor(CONFIGMAPS, "", future, null, 0, null)).isEmpty();
    }

    @Test
    void whenTheStoreWatchEndsTheCachesAreFilledAgainAndOldWatchesEnd() {
        WatchCaches caches = caches(100);
        configMap("default", "a", "web");
        WatchCaches.Follower before = caches.follow(CONFIGMAPS, "", store.currentRevision(), -1).orElseThrow();
        long oldVersion = store.currentRevision();
        memory.compact(oldVersion);

        store.endWatches(new CompactedException(oldVersion, oldVersion));
        configMap("default", "b", "web");
        storage.delete(CONFIGMAPS, "default", "a", Optional.empty());

        assertThatThrownBy(() -> before.next(TimeUnit.SECONDS.toNanos(1)))
                .isInstanceOf(WatchCaches.EndedException.class);
        Snapshot after = caches.listFor(CONFIGMAPS, "", Long.toString(store.currentRevision()), null, 0, null)
                .orElseThrow();
        assertThat(after.objects()).extracting(o -> o.itemTree().at("/metadata/name").asString())
                .containsExactly("b");
        assertThat(metrics.initializations.get("configmaps")).isEqualTo(2);
        // History from before the refill was never in the new cache: the store serves (or refuses) such a watch.
        assertThat(caches.follow(CONFIGMAPS, "", oldVersion - 1, -1)).isEmpty();
        // The new store watch feeds the cache.
        WatchCaches.Follower fresh = caches.follow(CONFIGMAPS, "", after.revision(), -1).orElseThrow();
        ObjectNode c = configMap("default", "c", "web");
        assertThat(described(take(fresh, 1))).containsExactly("ADDED:c@" + version(c));
    }

    @Test
    void aValueThatIsNoObjectIsSkippedAndTheRestStillServed() {
        WatchCaches caches = caches(100);
        memory.put("/registry/configmaps/default/broken-before", "not json".getBytes(StandardCharsets.UTF_8));
        WatchCaches.Follower follower = caches.follow(CONFIGMAPS, "", store.currentRevision(), -1).orElseThrow();
        memory.put("/registry/configmaps/default/broken-after", "[1]".getBytes(StandardCharsets.UTF_8));
        ObjectNode good = configMap("default", "good", "web");

        assertThat(described(take(follower, 1))).containsExactly("ADDED:good@" + version(good));
        assertThat(caches.listFor(CONFIGMAPS, "", "0", null, 0, null).orElseThrow().objects())
                .extracting(CachedObject::key).containsExactly("/registry/configmaps/default/good");
    }

    /** Counts what the cache reports. */
    private static final class RecordingMetrics implements CacheMetrics {
        final Map<String, Integer> initializations = new ConcurrentHashMap<>();
        final Map<String, IntSupplier> objects = new ConcurrentHashMap<>();
        final Map<String, Integer> received = new ConcurrentHashMap<>();
        final Map<String, Integer> dispatched = new ConcurrentHashMap<>();

        @Override
        public void initialized(String resource, IntSupplier count) {
            initializations.merge(resource, 1, Integer::sum);
            objects.put(resource, count);
        }

        @Override
        public void received(String resource, int events) {
            received.merge(resource, events, Integer::sum);
        }

        @Override
        public void dispatched(String resource, int events) {
            dispatched.merge(resource, events, Integer::sum);
        }
    }

    /**
     * The real store, whose watches the test can end with an error, as a store ends them when the history a
     * watch needs is compacted or its backend fails.
     */
    private static final class EndableWatches extends ForwardingStore {
        private final List<Map.Entry<Watch, WatchListener>> watches = new CopyOnWriteArrayList<>();

        EndableWatches(Store delegate) {
            super(delegate);
        }

        void endWatches(StoreException error) {
            for (Map.Entry<Watch, WatchListener> watch : watches) {
                watch.getKey().close();
                watch.getValue().onError(error);
            }
            watches.clear();
        }

        @Override
        public Watch watch(String prefix, long startRevision, WatchListener listener) {
            Watch watch = delegate.watch(prefix, startRevision, listener);
            watches.add(Map.entry(watch, listener));
            return watch;
        }
    }
}
