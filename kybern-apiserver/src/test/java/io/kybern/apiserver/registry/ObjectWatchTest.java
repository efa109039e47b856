package io.kybern.apiserver.registry;

import static io.kybern.apiserver.registry.ObjectStorageTest.CONFIGMAPS;
import static io.kybern.apiserver.registry.ObjectStorageTest.NAMESPACES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.kybern.apiserver.cache.CacheMetrics;
import io.kybern.apiserver.cache.WatchCaches;
import io.kybern.apiserver.http.ResponseStream;
import io.kybern.apiserver.status.ApiException;
import io.kybern.store.memory.MemoryStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Bookmarks and the watch-list protocol (sendInitialEvents), on a real store. */
class ObjectWatchTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private MemoryStore store;
    private ObjectStorage storage;
    private final List<ObjectWatch> watches = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() {
        store = new MemoryStore();
        storage = new ObjectStorage(store, InstantSource.system(), new Random(1), NAMESPACES);
        storage.create(NAMESPACES, "", ObjectStorage.parseObject("{\"metadata\":{\"name\":\"default\"}}"
                .getBytes(StandardCharsets.UTF_8)));
    }

    @AfterEach
    void tearDown() {
        // Closed first: caches that outlive their store would retry its watch for as long as the JVM runs.
        watches.forEach(watch -> watch.caches().close());
        store.close();
    }

    private ObjectWatch objectWatch(ObjectWatch watch) {
        watches.add(watch);
        return watch;
    }

    private void configMap(String name) {
        storage.create(CONFIGMAPS, "default", ObjectStorage.parseObject(("{\"metadata\":{\"name\":\"" + name + "\"}}")
                .getBytes(StandardCharsets.UTF_8)));
    }

    /** Collects the watch's events; closes when told to. */
    private static final class Events implements ResponseStream {
        final List<JsonNode> events = new CopyOnWriteArrayList<>();
        volatile boolean open = true;

        @Override
        public boolean write(byte[] piece) {
            events.add(JSON.readTree(piece));
            return open;
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public void close() {
            open = false;
        }

        List<String> types() {
            return events.stream().map(e -> e.get("type").asString() + ":"
                    + e.at("/object/metadata/name").asString("")).toList();
        }
    }

    private Thread watch(ObjectWatch watch, Map<String, String> query, Events out) {
        WatchOptions options = WatchOptions.from(query::get);
        return Thread.ofVirtual().start(() -> watch.stream(CONFIGMAPS, "default", object -> true, options,
                UnaryOperator.identity(), out));
    }

    @Test
    void initialEventsEndWithAnAnnotatedBookmarkThenChangesFollow() throws Exception {
        configMap("a");
        configMap("b");
        long listed = store.currentRevision();
        Events out = new Events();

        Thread running = watch(objectWatch(new ObjectWatch(store)), Map.of("sendInitialEvents", "true",
                "resourceVersionMatch", "NotOlderThan", "allowWatchBookmarks", "true"), out);
        await().until(() -> out.events.size() == 3);
        configMap("c");
        await().until(() -> out.events.size() == 4);
        out.close();
        running.join();

        assertThat(out.types()).containsExactly("ADDED:a", "ADDED:b", "BOOKMARK:", "ADDED:c");
        JsonNode bookmark = out.events.get(2).get("object");
        assertThat(bookmark.at("/metadata/resourceVersion").asString()).isEqualTo(Long.toString(listed));
        assertThat(bookmark.at("/metadata/annotations/k8s.io~1initial-events-end").asString()).isEqualTo("true");
        assertThat(bookmark.get("kind").asString()).isEqualTo("ConfigMap");
    }

    @Test
    void bookmarksTellTheVersionReachedOnlyWhenItMoved() throws Exception {
        configMap("a");
        Events out = new Events();
        String from = Long.toString(store.currentRevision());

        // b may be written before or after the watch's cache is first filled: the watch is the same.
        Thread running = watch(objectWatch(new ObjectWatch(store, Duration.ofMillis(100))), Map.of(
                "resourceVersion", from, "allowWatchBookmarks", "true"), out);
        configMap("b");
        await().until(() -> out.types().contains("BOOKMARK:"));
        // Several bookmark intervals with no change: no bookmark repeats the version already told.
        Thread.sleep(400);
        out.close();
        running.join();

        assertThat(out.types()).containsExactly("ADDED:b", "BOOKMARK:");
        assertThat(out.events.get(1).at("/object/metadata/resourceVersion").asString())
                .isEqualTo(out.events.get(0).at("/object/metadata/resourceVersion").asString());
    }

    @Test
    void aWatchFromBeforeItsCacheWasFilledGetsTheChangesTheStoreStillHas() throws Exception {
        configMap("a");
        String from = Long.toString(store.currentRevision());
        configMap("b");
        Events out = new Events();

        // The cache is first filled by this watch, after b: b was never in its window, but the store has it.
        Thread running = watch(objectWatch(new ObjectWatch(store)), Map.of("resourceVersion", from), out);
        await().until(() -> !out.events.isEmpty());
        out.close();
        running.join();

        assertThat(out.types()).containsExactly("ADDED:b");
    }

    @Test
    void aWatchOfAResourceNoLongerServedEndsOnceItHasSentTheChangesUpToThen() throws Exception {
        IntStream.range(0, 50).forEach(i -> configMap("m" + i));
        Events out = new Events();
        AtomicLong servedUntil = new AtomicLong(Long.MAX_VALUE);

        Thread running = watchWhileServed(objectWatch(new ObjectWatch(store)), Map.of(), servedUntil, out);
        await().until(() -> out.events.size() == 50);
        deleteAllAndStopServing(servedUntil);

        assertThat(running.join(Duration.ofSeconds(5))).as("the watch ended").isTrue();
        assertThat(out.open).as("the stream was closed").isFalse();
        assertThat(out.types()).hasSize(100);
        assertThat(out.types().subList(50, 100)).containsExactlyInAnyOrderElementsOf(IntStream.range(0, 50)
                .mapToObj(i -> "DELETED:m" + i).toList());
    }

    @Test
    void aWatchServedFromTheStoreAlsoSendsTheChangesUpToWhereItsResourceStopped() throws Exception {
        IntStream.range(0, 50).forEach(i -> configMap("m" + i));
        String from = Long.toString(store.currentRevision());
        configMap("late");
        Events out = new Events();
        AtomicLong servedUntil = new AtomicLong(Long.MAX_VALUE);

        // From before the cache was filled (by this watch): the store serves it, as in the test above.
        Thread running = watchWhileServed(objectWatch(new ObjectWatch(store)), Map.of("resourceVersion", from),
                servedUntil, out);
        await().until(() -> out.events.size() == 1);
        deleteAllAndStopServing(servedUntil);

        assertThat(running.join(Duration.ofSeconds(5))).as("the watch ended").isTrue();
        assertThat(out.open).as("the stream was closed").isFalse();
        assertThat(out.types()).hasSize(52);
        assertThat(out.types().getFirst()).isEqualTo("ADDED:late");
        assertThat(out.types().subList(1, 52)).containsExactlyInAnyOrderElementsOf(Stream.concat(
                Stream.of("DELETED:late"), IntStream.range(0, 50).mapToObj(i -> "DELETED:m" + i)).toList());
    }

    private Thread watchWhileServed(ObjectWatch watch, Map<String, String> query, AtomicLong servedUntil,
            Events out) {
        WatchOptions options = WatchOptions.from(query::get);
        return Thread.ofVirtual().start(() -> watch.stream(CONFIGMAPS, "default", object -> true, options,
                UnaryOperator.identity(), servedUntil::get, out));
    }

    /** Deletes every config map, then says the resource was served up to the last deletion, at once. */
    private void deleteAllAndStopServing(AtomicLong servedUntil) {
        for (JsonNode item : storage.list(CONFIGMAPS, "default", 0, null, null).path("items")) {
            storage.delete(CONFIGMAPS, "default", item.at("/metadata/name").asString(), DeleteOptions.NONE);
        }
        servedUntil.set(store.currentRevision());
    }

    @Test
    void withoutInitialEventsOnlyChangesAreSent() throws Exception {
        configMap("a");
        Events out = new Events();

        Thread running = watch(objectWatch(new ObjectWatch(store)), Map.of("sendInitialEvents", "false",
                "resourceVersionMatch", "NotOlderThan"), out);
        // The watch starts at some moment after its request: write until it has seen a change, then stop.
        AtomicInteger written = new AtomicInteger();
        await().until(() -> {
            configMap("b" + written.getAndIncrement());
            return !out.events.isEmpty();
        });
        int last = written.get() - 1;
        await().until(() -> out.types().contains("ADDED:b" + last));
        out.close();
        running.join();

        // Never the object that existed before, and from its first change on every change, in order.
        List<String> types = out.types();
        int first = Integer.parseInt(types.getFirst().substring("ADDED:b".length()));
        assertThat(types).containsExactlyElementsOf(IntStream.rangeClosed(first, last)
                .mapToObj(i -> "ADDED:b" + i).toList());
    }

    @Test
    void aWatchFromBeforeTheCachesWindowGetsExpired() throws Exception {
        ObjectWatch watch = objectWatch(new ObjectWatch(store, new WatchCaches(store, 2, CacheMetrics.NONE),
                ObjectWatch.BOOKMARK_INTERVAL));
        watch.caches().start(List.of(CONFIGMAPS));
        assertThat(watch.caches().awaitRevision(store.currentRevision(), Duration.ofSeconds(5))).isTrue();
        configMap("a");
        String from = Long.toString(store.currentRevision());
        configMap("b");
        configMap("c");
        configMap("d");
        Events out = new Events();

        Thread running = watch(watch, Map.of("resourceVersion", from), out);
        running.join(5000);

        assertThat(out.types()).containsExactly("ERROR:");
        JsonNode status = out.events.getFirst().get("object");
        assertThat(status.get("code").asInt()).isEqualTo(410);
        assertThat(status.get("reason").asString()).isEqualTo("Expired");
        assertThat(status.get("message").asString()).startsWith("too old resource version: " + from + " (");
    }

    @Test
    void anObjectLeavingTheSelectorIsDeletedFromTheWatchersView() throws Exception {
        Events out = new Events();
        ObjectWatch watch = objectWatch(new ObjectWatch(store));
        watch.caches().start(List.of(CONFIGMAPS));
        assertThat(watch.caches().awaitRevision(store.currentRevision(), Duration.ofSeconds(5))).isTrue();
        String from = Long.toString(store.currentRevision());
        WatchOptions options = WatchOptions.from(Map.of("resourceVersion", from)::get);
        Thread running = Thread.ofVirtual().start(() -> watch.stream(CONFIGMAPS, "default",
                object -> object.at("/metadata/labels/app").asString("").equals("web"), options,
                ObjectWatch.AS_STORED, out));
        storage.create(CONFIGMAPS, "default", ObjectStorage.parseObject(
                "{\"metadata\":{\"name\":\"a\",\"labels\":{\"app\":\"web\"}}}".getBytes(StandardCharsets.UTF_8)));
        configMap("unlabelled");
        storage.patch(CONFIGMAPS, "default", "a", o -> {
            ((tools.jackson.databind.node.ObjectNode) o.at("/metadata/labels")).put("app", "db");
            return o;
        });
        await().until(() -> out.events.size() == 2);
        out.close();
        running.join();

        assertThat(out.types()).containsExactly("ADDED:a", "DELETED:a");
        assertThat(out.events.get(0).at("/object/kind").asString()).isEqualTo("ConfigMap");
        assertThat(out.events.get(1).at("/object/metadata/labels/app").asString()).isEqualTo("db");
    }

    @Test
    void theWatchListParametersMustComeTogether() {
        assertThatThrownBy(() -> WatchOptions.from(Map.of("sendInitialEvents", "true")::get))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(422);
                    assertThat(e.getMessage()).contains("resourceVersionMatch: Forbidden: sendInitialEvents requires "
                            + "setting resourceVersionMatch to NotOlderThan")
                            .contains("allowWatchBookmarks: Required value: sendInitialEvents requires setting "
                                    + "allowWatchBookmarks to true");
                });
        assertThatThrownBy(() -> WatchOptions.from(Map.of("resourceVersionMatch", "Exact")::get))
                .hasMessageContaining("resourceVersionMatch is forbidden for watch unless sendInitialEvents is "
                        + "provided");
    }
}
