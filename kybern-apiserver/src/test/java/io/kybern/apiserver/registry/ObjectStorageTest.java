package io.kybern.apiserver.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.kybern.api.resource.GroupVersionResource;
import io.kybern.api.resource.ResourceType;
import io.kybern.apiserver.status.ApiException;
import io.kybern.store.ForwardingStore;
import io.kybern.store.KeyValue;
import io.kybern.store.RangeRequest;
import io.kybern.store.memory.MemoryStore;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

class ObjectStorageTest {

    private static final Set<String> VERBS = Set.of("create", "delete", "deletecollection", "get", "list", "patch",
            "update", "watch");
    static final ResourceType NAMESPACES = new ResourceType(new GroupVersionResource("", "v1", "namespaces"),
            "Namespace", "namespace", false, VERBS, List.of("ns"), List.of(), List.of(), "namespaces");
    static final ResourceType CONFIGMAPS = new ResourceType(new GroupVersionResource("", "v1", "configmaps"),
            "ConfigMap", "configmap", true, VERBS, List.of("cm"), List.of(), List.of(), "configmaps");

    static final ResourceType WIDGETS = new ResourceType(new GroupVersionResource("example.io", "v1", "widgets"),
            "Widget", "widget", true, VERBS, List.of(), List.of(), List.of(new io.kybern.api.resource.Subresource(
                    "status", new io.kybern.api.resource.GroupVersionKind("example.io", "v1", "Widget"),
                    Set.of("get", "patch", "update"))), "widgets");

    private MemoryStore store;
    private ObjectStorage storage;

    @BeforeEach
    void setUp() {
        store = new MemoryStore();
        storage = new ObjectStorage(store, InstantSource.fixed(Instant.parse("2026-11-22T10:15:30.456Z")),
                new Random(42), NAMESPACES);
        storage.create(NAMESPACES, "", object("{\"metadata\":{\"name\":\"default\"}}"));
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    private static ObjectNode object(String json) {
        return ObjectStorage.parseObject(json.getBytes(StandardCharsets.UTF_8));
    }

    private static ObjectNode configMap(String name, String value) {
        return object("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + name
                + "\"},\"data\":{\"k\":\"" + value + "\"}}");
    }

    @Test
    void createFillsInIdentityAndVersion() {
        ObjectNode created = storage.create(CONFIGMAPS, "default", configMap("app", "1"));

        JsonNode metadata = created.get("metadata");
        assertThat(metadata.get("namespace").asString()).isEqualTo("default");
        assertThat(metadata.get("uid").asString()).hasSize(36);
        assertThat(metadata.get("creationTimestamp").asString()).isEqualTo("2026-11-22T10:15:30Z");
        assertThat(Long.parseLong(metadata.get("resourceVersion").asString())).isEqualTo(store.currentRevision());
        assertThat(storage.get(CONFIGMAPS, "default", "app")).isEqualTo(created);
        // The stored bytes carry no resourceVersion: it always comes from the store's revision.
        String stored = store.get("/registry/configmaps/default/app").orElseThrow().valueAsString();
        assertThat(stored).doesNotContain("resourceVersion").contains("\"uid\"");
    }

    @Test
    void newNamespacesAreActiveWithTheirFinalizerAndNameLabel() {
        ObjectNode ns = storage.create(NAMESPACES, "", object("{\"metadata\":{\"name\":\"team-a\","
                + "\"labels\":{\"owner\":\"a\"}}}"));

        assertThat(ns.get("status").get("phase").asString()).isEqualTo("Active");
        assertThat(ns.get("spec").get("finalizers").get(0).asString()).isEqualTo("kubernetes");
        assertThat(ns.get("metadata").get("labels").get("kubernetes.io/metadata.name").asString()).isEqualTo("team-a");
        assertThat(ns.get("metadata").get("labels").get("owner").asString()).isEqualTo("a");
        assertThat(ns.get("metadata").has("namespace")).isFalse();
    }

    @Test
    void ensureLeavesAnExistingObjectAlone() {
        ObjectNode first = storage.create(CONFIGMAPS, "default", configMap("app", "1"));

        storage.ensure(CONFIGMAPS, "default", configMap("app", "2"));

        assertThat(storage.get(CONFIGMAPS, "default", "app")).isEqualTo(first);
    }

    @Test
    void generateNameAppendsFiveCharacters() {
        ObjectNode created = storage.create(CONFIGMAPS, "default",
                object("{\"metadata\":{\"generateName\":\"job-\"}}"));

        assertThat(created.get("metadata").get("name").asString()).matches("job-[bcdfghjklmnpqrstvwxz2456789]{5}");
        assertThat(created.get("kind").asString()).isEqualTo("ConfigMap");
    }

    @Test
    void aSecondCreateIsAlreadyExists() {
        storage.create(CONFIGMAPS, "default", configMap("app", "1"));

        assertThatThrownBy(() -> storage.create(CONFIGMAPS, "default", configMap("app", "2")))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(409);
                    assertThat(e.reason()).isEqualTo("AlreadyExists");
                    assertThat(e.getMessage()).isEqualTo("configmaps \"app\" already exists");
                    assertThat(e.details().kind()).isEqualTo("configmaps");
                });
        assertThat(storage.get(CONFIGMAPS, "default", "app").get("data").get("k").asString()).isEqualTo("1");
    }

    @Test
    void badInputIsRefusedAndNothingIsStored() {
        long before = store.currentRevision();

        assertStatus(() -> storage.create(CONFIGMAPS, "default", configMap("Not_Valid", "1")), 422, "Invalid",
                "ConfigMap \"Not_Valid\" is invalid: metadata.name: Invalid value: \"Not_Valid\": a lowercase RFC 1123 "
                        + "subdomain");
        assertStatus(() -> storage.create(CONFIGMAPS, "default", object("{\"metadata\":{}}")), 422, "Invalid",
                "metadata.name: Required value: name or generateName is required");
        assertStatus(() -> storage.create(CONFIGMAPS, "default",
                object("{\"apiVersion\":\"apps/v1\",\"metadata\":{\"name\":\"x\"}}")), 400, "BadRequest",
                "the API version in the data (apps/v1) does not match the expected API version (v1)");
        // Another built-in kind decodes as that kind, which does not convert; an unknown one is named as such.
        assertStatus(() -> storage.create(CONFIGMAPS, "default",
                object("{\"kind\":\"Secret\",\"metadata\":{\"name\":\"x\"}}")), 400, "BadRequest",
                "Secret in version \"v1\" cannot be handled as a ConfigMap: converting (v1.Secret) to "
                        + "(core.ConfigMap): unknown conversion");
        assertStatus(() -> storage.create(CONFIGMAPS, "default",
                object("{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"x\"}}")),
                400, "BadRequest", "Deployment in version \"v1\" cannot be handled as a ConfigMap: converting "
                        + "(v1.Deployment) to (core.ConfigMap): unknown conversion");
        ResourceType roles = new ResourceType(new GroupVersionResource("rbac.authorization.k8s.io", "v1", "roles"),
                "Role", "role", true, VERBS, List.of(), List.of(), List.of(), "roles");
        assertStatus(() -> storage.create(roles, "default", object("{\"kind\":\"ClusterRole\",\"metadata\":"
                + "{\"name\":\"x\"}}")), 400, "BadRequest", "ClusterRole in version \"v1\" cannot be handled as a "
                        + "Role: converting (v1.ClusterRole) to (rbac.Role): unknown conversion");
        assertStatus(() -> storage.create(CONFIGMAPS, "default",
                object("{\"kind\":\"Widget\",\"metadata\":{\"name\":\"x\"}}")), 400, "BadRequest",
                "the kind in the data (Widget) does not match the expected kind (ConfigMap)");
        assertStatus(() -> storage.create(CONFIGMAPS, "default",
                object("{\"metadata\":{\"name\":\"x\",\"namespace\":\"other\"}}")), 400, "BadRequest",
                "the namespace of the provided object does not match the namespace sent on the request");
        assertStatus(() -> storage.create(CONFIGMAPS, "missing", configMap("x", "1")), 404, "NotFound",
                "namespaces \"missing\" not found");
        assertStatus(() -> storage.create(CONFIGMAPS, "default",
                object("{\"metadata\":{\"name\":\"x\",\"resourceVersion\":\"5\"}}")), 400, "BadRequest",
                "resourceVersion should not be set on objects to be created");
        assertStatus(() -> storage.create(NAMESPACES, "", object("{\"metadata\":{\"name\":\"a.b\"}}")), 422,
                "Invalid", "RFC 1123 label");
        assertThatThrownBy(() -> ObjectStorage.parseObject("{\"metadata\":".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(400));
        assertThatThrownBy(() -> ObjectStorage.parseObject("[1,2]".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(400));

        assertThat(store.currentRevision()).as("nothing was written").isEqualTo(before);
        assertThat(store.range(RangeRequest.prefix("/registry/configmaps/")).kvs()).isEmpty();
    }

    @Test
    void creatingInATerminatingNamespaceIsForbidden() {
        ObjectNode ns = storage.create(NAMESPACES, "", object("{\"metadata\":{\"name\":\"leaving\"}}"));
        ns.putObject("status").put("phase", "Terminating");
        storage.update(NAMESPACES, "", "leaving", ns);

        assertStatus(() -> storage.create(CONFIGMAPS, "leaving", configMap("x", "1")), 403, "Forbidden",
                "unable to create new content in namespace leaving because it is being terminated");
    }

    @Test
    void aNamespaceTheViewHoldsActiveIsNotReadFromTheStore() {
        List<String> reads = new ArrayList<>();
        ObjectStorage counted = new ObjectStorage(new ForwardingStore(store) {
            @Override
            public Optional<KeyValue> get(String key, long revision) {
                reads.add(key);
                return super.get(key, revision);
            }
        }, InstantSource.system(), new Random(1), NAMESPACES);
        counted.namespaceView(name -> Optional.of(object("{\"metadata\":{\"name\":\"" + name
                + "\"},\"status\":{\"phase\":\"Active\"}}")));

        counted.create(CONFIGMAPS, "default", configMap("app", "1"));

        assertThat(reads).as("store reads of the create").doesNotContain("/registry/namespaces/default");
        assertThat(store.get("/registry/configmaps/default/app")).isPresent();
    }

    @Test
    void theStoreDecidesWhatTheViewHasNotSeenOrSawTerminating() {
        ObjectNode terminating = object("{\"metadata\":{\"name\":\"x\"},\"status\":{\"phase\":\"Terminating\"}}");
        storage.namespaceView(name -> name.equals("again") || name.equals("leaving")
                ? Optional.of(terminating) : Optional.empty());
        // Deleted and created again since the view saw it go.
        storage.create(NAMESPACES, "", object("{\"metadata\":{\"name\":\"again\"}}"));
        ObjectNode leaving = storage.create(NAMESPACES, "", object("{\"metadata\":{\"name\":\"leaving\"}}"));
        leaving.putObject("status").put("phase", "Terminating");
        storage.update(NAMESPACES, "", "leaving", leaving);

        assertThat(storage.create(CONFIGMAPS, "again", configMap("app", "1")).path("metadata").path("uid").asString())
                .isNotEmpty();
        assertThat(storage.create(CONFIGMAPS, "default", configMap("app", "1")).path("metadata").path("uid")
                .asString()).as("a namespace the view has not seen").isNotEmpty();
        assertStatus(() -> storage.create(CONFIGMAPS, "leaving", configMap("x", "1")), 403, "Forbidden",
                "unable to create new content in namespace leaving because it is being terminated");
        assertStatus(() -> storage.create(CONFIGMAPS, "missing", configMap("x", "1")), 404, "NotFound",
                "namespaces \"missing\" not found");
        assertThat(store.get("/registry/configmaps/leaving/x")).isEmpty();
    }

    @Test
    void updatesWithAStaleResourceVersionConflict() {
        ObjectNode v1 = storage.create(CONFIGMAPS, "default", configMap("app", "1"));
        ObjectNode v2 = storage.update(CONFIGMAPS, "default", "app", configMap("app", "2").put("x", 0));
        ObjectNode stale = configMap("app", "3");
        ((ObjectNode) stale.get("metadata")).put("resourceVersion", v1.get("metadata").get("resourceVersion")
                .asString());

        assertStatus(() -> storage.update(CONFIGMAPS, "default", "app", stale), 409, "Conflict",
                "Operation cannot be fulfilled on configmaps \"app\": the object has been modified; please apply "
                        + "your changes to the latest version and try again");
        ObjectNode current = storage.get(CONFIGMAPS, "default", "app");
        assertThat(current.get("data").get("k").asString()).isEqualTo("2");
        assertThat(current.get("metadata").get("uid")).isEqualTo(v1.get("metadata").get("uid"));
        assertThat(current.get("metadata").get("resourceVersion")).isEqualTo(v2.get("metadata").get("resourceVersion"));
    }

    @Test
    void updateKeepsIdentityAndRefusesAnotherName() {
        ObjectNode v1 = storage.create(CONFIGMAPS, "default", configMap("app", "1"));
        ObjectNode forged = configMap("app", "2");
        ((ObjectNode) forged.get("metadata")).put("uid", "forged").put("creationTimestamp", "1999-01-01T00:00:00Z");

        ObjectNode updated = storage.update(CONFIGMAPS, "default", "app", forged);

        assertThat(updated.get("metadata").get("uid")).isEqualTo(v1.get("metadata").get("uid"));
        assertThat(updated.get("metadata").get("creationTimestamp"))
                .isEqualTo(v1.get("metadata").get("creationTimestamp"));
        assertStatus(() -> storage.update(CONFIGMAPS, "default", "app", configMap("other", "x")), 400, "BadRequest",
                "the name of the object (other) does not match the name on the URL (app)");
        assertStatus(() -> storage.update(CONFIGMAPS, "default", "nothing", configMap("nothing", "x")), 404,
                "NotFound", "configmaps \"nothing\" not found");
    }

    @Test
    void deleteReturnsTheLastStateAndHonoursPreconditions() {
        ObjectNode v1 = storage.create(CONFIGMAPS, "default", configMap("app", "1"));
        storage.update(CONFIGMAPS, "default", "app", configMap("app", "2"));

        assertStatus(() -> storage.delete(CONFIGMAPS, "default", "app",
                Optional.of(v1.get("metadata").get("resourceVersion").asString())), 409, "Conflict",
                "Precondition failed: ResourceVersion in precondition: " + v1.get("metadata").get("resourceVersion").asString());
        ObjectNode deleted = storage.delete(CONFIGMAPS, "default", "app", Optional.empty());

        assertThat(deleted.get("data").get("k").asString()).isEqualTo("2");
        assertStatus(() -> storage.get(CONFIGMAPS, "default", "app"), 404, "NotFound", "configmaps \"app\" not found");
    }

    @Test
    void concurrentPatchesAllLand() throws Exception {
        storage.create(CONFIGMAPS, "default", configMap("shared", "0"));
        int writers = 8;
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(writers)) {
            List<java.util.concurrent.Future<?>> futures = new java.util.ArrayList<>();
            for (int w = 0; w < writers; w++) {
                String label = "writer-" + w;
                futures.add(pool.submit(() -> storage.patch(CONFIGMAPS, "default", "shared", current -> {
                    ObjectNode metadata = (ObjectNode) current.get("metadata");
                    ObjectNode labels = metadata.has("labels") ? (ObjectNode) metadata.get("labels")
                            : metadata.putObject("labels");
                    labels.put(label, "yes");
                    return current;
                })));
            }
            for (var f : futures) {
                f.get();
            }
        }

        JsonNode labels = storage.get(CONFIGMAPS, "default", "shared").get("metadata").get("labels");
        assertThat(labels.size()).as("labels after %d concurrent patches: %s", writers, labels).isEqualTo(writers);
    }

    @Test
    void aPatchCarryingAStaleResourceVersionConflicts() {
        ObjectNode v1 = storage.create(CONFIGMAPS, "default", configMap("app", "1"));
        storage.update(CONFIGMAPS, "default", "app", configMap("app", "2"));
        String stale = v1.get("metadata").get("resourceVersion").asString();

        assertStatus(() -> storage.patch(CONFIGMAPS, "default", "app", current -> {
            ((ObjectNode) current.get("metadata")).put("resourceVersion", stale);
            return current;
        }), 409, "Conflict", "the object has been modified");
        assertStatus(() -> storage.patch(CONFIGMAPS, "default", "missing", current -> current), 404, "NotFound",
                "configmaps \"missing\" not found");
    }

    private static ObjectNode widget(String size, String phase) {
        return object("{\"apiVersion\":\"example.io/v1\",\"kind\":\"Widget\",\"metadata\":{\"name\":\"w\"},"
                + "\"spec\":{\"size\":\"" + size + "\"},\"status\":{\"phase\":\"" + phase + "\"}}");
    }

    @Test
    void writesToTheObjectLeaveItsStatusAndStatusWritesLeaveTheRest() {
        storage.create(WIDGETS, "default", widget("small", "Pending"));

        ObjectNode updated = storage.update(WIDGETS, "default", "w", widget("large", "Forged"));
        assertThat(updated.get("spec").get("size").asString()).isEqualTo("large");
        assertThat(updated.get("status").get("phase").asString()).as("status kept").isEqualTo("Pending");

        ObjectNode statusUpdate = widget("ignored", "Running");
        ((ObjectNode) statusUpdate.get("metadata")).putObject("labels").put("ignored", "yes");
        ObjectNode afterStatus = storage.updateStatus(WIDGETS, "default", "w", statusUpdate);
        assertThat(afterStatus.get("status").get("phase").asString()).isEqualTo("Running");
        assertThat(afterStatus.get("spec").get("size").asString()).as("spec kept").isEqualTo("large");
        assertThat(afterStatus.get("metadata").has("labels")).as("metadata kept").isFalse();

        ObjectNode patched = storage.patchStatus(WIDGETS, "default", "w", current -> {
            ((ObjectNode) current.get("status")).put("phase", "Done");
            ((ObjectNode) current.get("spec")).put("size", "ignored");
            return current;
        }, false);
        assertThat(patched.get("status").get("phase").asString()).isEqualTo("Done");
        assertThat(storage.get(WIDGETS, "default", "w").get("spec").get("size").asString()).isEqualTo("large");
    }

    @Test
    void kindsWithoutAStatusSubresourceUpdateStatusLikeAnyField() {
        ObjectNode cm = configMap("plain", "1");
        storage.create(CONFIGMAPS, "default", cm);
        ObjectNode withStatus = configMap("plain", "1");
        withStatus.putObject("status").put("x", "y");

        assertThat(storage.update(CONFIGMAPS, "default", "plain", withStatus).get("status").get("x").asString())
                .isEqualTo("y");
    }

    static final ResourceType EVENTS = new ResourceType(new GroupVersionResource("", "v1", "events"), "Event",
            "event", true, VERBS, List.of("ev"), List.of(), List.of(), "events");

    @Test
    void eventsAreWrittenUnderASharedLeaseThatEndsThem() {
        storage.create(EVENTS, "default", object("{\"metadata\":{\"name\":\"e1\"},\"reason\":\"Started\"}"));
        storage.create(EVENTS, "default", object("{\"metadata\":{\"name\":\"e2\"},\"reason\":\"Pulled\"}"));
        storage.update(EVENTS, "default", "e1", object("{\"metadata\":{\"name\":\"e1\"},\"count\":2}"));

        long lease1 = store.get("/registry/events/default/e1").orElseThrow().lease();
        long lease2 = store.get("/registry/events/default/e2").orElseThrow().lease();
        assertThat(lease1).isNotZero().isEqualTo(lease2);
        assertThat(store.get("/registry/configmaps/default/x")).isEmpty();
        storage.create(CONFIGMAPS, "default", configMap("x", "1"));
        assertThat(store.get("/registry/configmaps/default/x").orElseThrow().lease()).isZero();

        store.revokeLease(lease1);
        assertStatus(() -> storage.get(EVENTS, "default", "e1"), 404, "NotFound", "events \"e1\" not found");
        // A lease that is gone is replaced, not reused.
        storage.create(EVENTS, "default", object("{\"metadata\":{\"name\":\"e3\"}}"));
        assertThat(store.get("/registry/events/default/e3").orElseThrow().lease()).isNotZero().isNotEqualTo(lease1);
    }

    @Test
    void dryRunsCheckEverythingAndWriteNothing() {
        storage.create(CONFIGMAPS, "default", configMap("kept", "1"));
        long before = store.currentRevision();

        ObjectNode wouldBe = storage.create(CONFIGMAPS, "default", configMap("new", "1"), true);
        assertThat(wouldBe.get("metadata").get("uid").asString()).hasSize(36);
        assertStatus(() -> storage.create(CONFIGMAPS, "default", configMap("kept", "2"), true), 409, "AlreadyExists",
                "already exists");
        assertStatus(() -> storage.create(CONFIGMAPS, "default", configMap("Bad_Name", "2"), true), 422, "Invalid",
                "is invalid");
        assertThat(storage.update(CONFIGMAPS, "default", "kept", configMap("kept", "2"), true).get("data").get("k")
                .asString()).isEqualTo("2");
        storage.patch(CONFIGMAPS, "default", "kept", current -> current.put("extra", 1), true);
        storage.delete(CONFIGMAPS, "default", "kept", Optional.empty(), true);

        assertThat(store.currentRevision()).as("nothing written").isEqualTo(before);
        assertThat(storage.get(CONFIGMAPS, "default", "kept").get("data").get("k").asString()).isEqualTo("1");
        assertStatus(() -> storage.get(CONFIGMAPS, "default", "new"), 404, "NotFound", "not found");
    }

    @Test
    void listsPageThroughOneSnapshot() {
        for (int i = 0; i < 5; i++) {
            storage.create(CONFIGMAPS, "default", configMap("cm-" + i, "v"));
        }

        ObjectNode first = storage.list(CONFIGMAPS, "default", 2, null, null);
        storage.create(CONFIGMAPS, "default", configMap("cm-9", "late"));
        String token = first.get("metadata").get("continue").asString();
        ObjectNode second = storage.list(CONFIGMAPS, "default", 2, token, null);
        ObjectNode third = storage.list(CONFIGMAPS, "default", 2,
                second.get("metadata").get("continue").asString(), null);

        assertThat(first.get("kind").asString()).isEqualTo("ConfigMapList");
        assertThat(first.get("metadata").get("remainingItemCount").asLong()).isEqualTo(3);
        assertThat(second.get("metadata").get("resourceVersion")).isEqualTo(first.get("metadata").get("resourceVersion"));
        assertThat(third.get("items")).hasSize(1);
        assertThat(third.get("metadata").has("continue")).isFalse();
        assertThat(first.get("items").get(0).has("kind")).as("list items carry no kind").isFalse();
        assertStatus(() -> storage.list(CONFIGMAPS, "default", 2, "not-a-token", null), 400, "BadRequest",
                "continue key is not valid");
    }

    @Test
    void anExpiredContinueTokenIsGone() {
        for (int i = 0; i < 3; i++) {
            storage.create(CONFIGMAPS, "default", configMap("cm-" + i, "v"));
        }
        ObjectNode first = storage.list(CONFIGMAPS, "default", 1, null, null);
        storage.update(CONFIGMAPS, "default", "cm-2", configMap("cm-2", "changed"));
        store.compact(store.currentRevision());

        assertStatus(() -> storage.list(CONFIGMAPS, "default", 1, first.get("metadata").get("continue").asString(),
                null), 410, "Expired", "The provided continue parameter is too old");

        // The refusal offers a token that goes on after cm-0 in the latest state: cm-2 as changed since.
        ApiException gone = catchThrowableOfType(ApiException.class, () -> storage.list(CONFIGMAPS, "default", 1,
                first.get("metadata").get("continue").asString(), null));
        assertThat(gone.listContinue()).isNotBlank();
        ObjectNode rest = storage.list(CONFIGMAPS, "default", 10, gone.listContinue(), null);
        assertThat(rest.get("items")).extracting(item -> item.get("metadata").get("name").asString())
                .containsExactly("cm-1", "cm-2");
        assertThat(rest.get("items").get(1).get("data").get("k").asString()).isEqualTo("changed");
        assertThat(rest.get("metadata").get("resourceVersion").asString())
                .isEqualTo(Long.toString(store.currentRevision()));
    }

    @Test
    void aListAtAVersionReadsTheLatestStateUnlessAskedForThatExactSnapshot() {
        ObjectNode first = storage.create(CONFIGMAPS, "default", configMap("a", "1"));
        String then = first.get("metadata").get("resourceVersion").asString();
        storage.update(CONFIGMAPS, "default", "a", configMap("a", "2"));

        ObjectNode latest = storage.list(CONFIGMAPS, "default", 0, null, then, "NotOlderThan");
        ObjectNode byDefault = storage.list(CONFIGMAPS, "default", 0, null, then);
        ObjectNode exact = storage.list(CONFIGMAPS, "default", 0, null, then, "Exact");

        assertThat(latest.at("/items/0/data/k").asString()).isEqualTo("2");
        assertThat(byDefault.at("/items/0/data/k").asString()).isEqualTo("2");
        assertThat(exact.at("/items/0/data/k").asString()).isEqualTo("1");
        assertThat(exact.at("/metadata/resourceVersion").asString()).isEqualTo(then);
    }

    @Test
    void resourceVersionMatchFollowsKubernetesRules() {
        assertStatus(() -> storage.list(CONFIGMAPS, "default", 0, null, "", "Exact"), 422, "Invalid",
                "resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided");
        assertStatus(() -> storage.list(CONFIGMAPS, "default", 0, null, "0", "Exact"), 422, "Invalid",
                "resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\"");
        assertStatus(() -> storage.list(CONFIGMAPS, "default", 0, null, "5", "Newest"), 422, "Invalid",
                "resourceVersionMatch: Unsupported value: \"Newest\"");
        long future = store.currentRevision() + 100;
        assertStatus(() -> storage.list(CONFIGMAPS, "default", 0, null, Long.toString(future), "NotOlderThan"),
                504, "Timeout", "Too large resource version: " + future);
    }

    static void assertStatus(Runnable call, int code, String reason, String message) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.code()).isEqualTo(code);
            assertThat(e.reason()).isEqualTo(reason);
            assertThat(e.getMessage()).contains(message);
        });
    }
}
