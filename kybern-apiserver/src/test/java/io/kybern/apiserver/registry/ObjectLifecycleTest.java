package io.kybern.apiserver.registry;

import static io.kybern.apiserver.registry.ObjectStorageTest.CONFIGMAPS;
import static io.kybern.apiserver.registry.ObjectStorageTest.NAMESPACES;
import static io.kybern.apiserver.registry.ObjectStorageTest.assertStatus;
import static org.assertj.core.api.Assertions.assertThat;

import io.kybern.api.resource.GroupVersionKind;
import io.kybern.api.resource.GroupVersionResource;
import io.kybern.api.resource.ResourceType;
import io.kybern.api.resource.Subresource;
import io.kybern.store.memory.MemoryStore;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/** Generation, finalizers, graceful deletion and the metadata rules every kind shares. */
class ObjectLifecycleTest {

    private static final Set<String> VERBS = Set.of("create", "delete", "get", "list", "patch", "update", "watch");
    private static final ResourceType DEPLOYMENTS = new ResourceType(
            new GroupVersionResource("apps", "v1", "deployments"), "Deployment", "deployment", true, VERBS,
            List.of("deploy"), List.of("all"), List.of(new Subresource("status",
                    new GroupVersionKind("apps", "v1", "Deployment"), Set.of("get", "patch", "update"))),
            "deployments");
    private static final ResourceType PODS = new ResourceType(new GroupVersionResource("", "v1", "pods"), "Pod",
            "pod", true, VERBS, List.of("po"), List.of("all"), List.of(new Subresource("status",
                    new GroupVersionKind("", "v1", "Pod"), Set.of("get", "patch", "update"))), "pods");
    private static final Instant NOW = Instant.parse("2026-11-22T10:15:30.456Z");

    private MemoryStore store;
    private ObjectStorage storage;

    @BeforeEach
    void setUp() {
        store = new MemoryStore();
        storage = new ObjectStorage(store, InstantSource.fixed(NOW), new Random(7), NAMESPACES);
        storage.create(NAMESPACES, "", object("{\"metadata\":{\"name\":\"default\"}}"));
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    private static ObjectNode object(String json) {
        return ObjectStorage.parseObject(json.getBytes(StandardCharsets.UTF_8));
    }

    /** The selector and pod template every Deployment needs. */
    private static final String TEMPLATE = "\"selector\":{\"matchLabels\":{\"app\":\"web\"}},\"template\":{"
            + "\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":{\"containers\":[{\"name\":\"web\","
            + "\"image\":\"nginx\"}]}}";

    private static ObjectNode deployment(int replicas, String annotation) {
        return object("{\"metadata\":{\"name\":\"web\",\"annotations\":{\"note\":\"" + annotation + "\"}},"
                + "\"spec\":{\"replicas\":" + replicas + "," + TEMPLATE + "},\"status\":{\"replicas\":0}}");
    }

    private static long generation(ObjectNode object) {
        return object.get("metadata").get("generation").asLong();
    }

    @Test
    void generationStartsAtOneAndMovesOnlyWithIntent() {
        ObjectNode created = storage.create(DEPLOYMENTS, "default", deployment(1, "a"));
        assertThat(generation(created)).isEqualTo(1);

        ObjectNode labelled = deployment(1, "a");
        labelled.withObject("metadata").putObject("labels").put("tier", "web");
        assertThat(generation(storage.update(DEPLOYMENTS, "default", "web", labelled))).isEqualTo(1);

        assertThat(generation(storage.update(DEPLOYMENTS, "default", "web", deployment(3, "a")))).isEqualTo(2);
        // Deployments hand their annotations to their ReplicaSets: a change there is intent too.
        assertThat(generation(storage.update(DEPLOYMENTS, "default", "web", deployment(3, "b")))).isEqualTo(3);

        ObjectNode status = storage.get(DEPLOYMENTS, "default", "web");
        status.withObject("status").put("replicas", 3);
        assertThat(generation(storage.updateStatus(DEPLOYMENTS, "default", "web", status))).isEqualTo(3);

        ObjectNode forged = deployment(3, "b");
        forged.withObject("metadata").put("generation", 99);
        assertThat(generation(storage.update(DEPLOYMENTS, "default", "web", forged))).isEqualTo(3);
    }

    @Test
    void kindsWithoutAGenerationNeverGetOne() {
        ObjectNode cm = object("{\"metadata\":{\"name\":\"app\",\"generation\":5},\"data\":{\"k\":\"v\"}}");

        assertThat(storage.create(CONFIGMAPS, "default", cm).get("metadata").has("generation")).isFalse();
        ObjectNode updated = object("{\"metadata\":{\"name\":\"app\",\"generation\":6},\"data\":{\"k\":\"w\"}}");
        assertThat(storage.update(CONFIGMAPS, "default", "app", updated).get("metadata").has("generation")).isFalse();
    }

    @Test
    void anObjectWithFinalizersWaitsForThemAndGoesWithTheLast() {
        storage.create(DEPLOYMENTS, "default", object("{\"metadata\":{\"name\":\"web\",\"finalizers\":"
                + "[\"example.com/a\",\"example.com/b\"]},\"spec\":{\"replicas\":1," + TEMPLATE + "}}"));

        ObjectNode pending = storage.delete(DEPLOYMENTS, "default", "web", DeleteOptions.NONE);

        assertThat(pending.get("metadata").get("deletionTimestamp").asString()).isEqualTo("2026-11-22T10:15:30Z");
        assertThat(pending.get("metadata").get("deletionGracePeriodSeconds").asLong()).isZero();
        assertThat(generation(pending)).isEqualTo(2);
        ObjectNode stored = storage.get(DEPLOYMENTS, "default", "web");
        assertThat(stored.get("metadata").get("deletionTimestamp").asString()).isEqualTo("2026-11-22T10:15:30Z");
        // Deleting again changes nothing while finalizers remain.
        ObjectNode again = storage.delete(DEPLOYMENTS, "default", "web", DeleteOptions.NONE);
        assertThat(again.get("metadata").get("resourceVersion")).isEqualTo(stored.get("metadata").get("resourceVersion"));

        ObjectNode oneLeft = storage.get(DEPLOYMENTS, "default", "web");
        oneLeft.withObject("metadata").putArray("finalizers").add("example.com/b");
        storage.update(DEPLOYMENTS, "default", "web", oneLeft);
        assertThat(storage.get(DEPLOYMENTS, "default", "web").get("metadata").get("finalizers")).hasSize(1);

        ObjectNode none = storage.get(DEPLOYMENTS, "default", "web");
        none.withObject("metadata").remove("finalizers");
        storage.update(DEPLOYMENTS, "default", "web", none);
        assertStatus(() -> storage.get(DEPLOYMENTS, "default", "web"), 404, "NotFound",
                "deployments.apps \"web\" not found");
        assertThat(store.range(io.kybern.store.RangeRequest.prefix("/registry/deployments/")).kvs()).isEmpty();
    }

    @Test
    void anObjectBeingDeletedGainsNoFinalizersAndKeepsItsDeletionTimestamp() {
        storage.create(CONFIGMAPS, "default", object("{\"metadata\":{\"name\":\"app\",\"finalizers\":"
                + "[\"example.com/a\"]}}"));
        storage.delete(CONFIGMAPS, "default", "app", DeleteOptions.NONE);

        ObjectNode more = storage.get(CONFIGMAPS, "default", "app");
        more.withObject("metadata").withArray("finalizers").add("example.com/late");
        assertStatus(() -> storage.update(CONFIGMAPS, "default", "app", more), 422, "Invalid",
                "metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, "
                        + "found new finalizers []string{\"example.com/late\"}");

        ObjectNode undelete = storage.get(CONFIGMAPS, "default", "app");
        undelete.withObject("metadata").remove("deletionTimestamp");
        ObjectNode kept = storage.update(CONFIGMAPS, "default", "app", undelete);
        assertThat(kept.get("metadata").get("deletionTimestamp").asString()).isEqualTo("2026-11-22T10:15:30Z");
    }

    @Test
    void aCreateCannotStartItsOwnDeletion() {
        ObjectNode created = storage.create(CONFIGMAPS, "default", object("{\"metadata\":{\"name\":\"app\","
                + "\"deletionTimestamp\":\"2020-01-01T00:00:00Z\",\"deletionGracePeriodSeconds\":5}}"));

        assertThat(created.get("metadata").has("deletionTimestamp")).isFalse();
        assertThat(created.get("metadata").has("deletionGracePeriodSeconds")).isFalse();
    }

    @Test
    void aPodOnANodeGetsItsGracePeriodAndAForcedDeleteEndsIt() {
        storage.create(PODS, "default", object("{\"metadata\":{\"name\":\"bound\"},\"spec\":{\"nodeName\":\"n1\","
                + "\"terminationGracePeriodSeconds\":45,\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]}}"));
        storage.create(PODS, "default", object("{\"metadata\":{\"name\":\"pending\"},\"spec\":{"
                + "\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]}}"));

        ObjectNode stopping = storage.delete(PODS, "default", "bound", DeleteOptions.NONE);
        assertThat(stopping.get("metadata").get("deletionTimestamp").asString()).isEqualTo("2026-11-22T10:16:15Z");
        assertThat(stopping.get("metadata").get("deletionGracePeriodSeconds").asLong()).isEqualTo(45);
        assertThat(storage.get(PODS, "default", "bound").get("metadata").has("deletionTimestamp")).isTrue();

        DeleteOptions force = new DeleteOptions(Optional.empty(), Optional.empty(), OptionalLong.of(0),
                Optional.empty(), false);
        storage.delete(PODS, "default", "bound", force);
        assertStatus(() -> storage.get(PODS, "default", "bound"), 404, "NotFound", "pods \"bound\" not found");

        // Nothing runs a pod that no node has: it goes at once.
        storage.delete(PODS, "default", "pending", DeleteOptions.NONE);
        assertStatus(() -> storage.get(PODS, "default", "pending"), 404, "NotFound", "pods \"pending\" not found");
    }

    @Test
    void preconditionsOnUidAndVersionAreChecked() {
        ObjectNode created = storage.create(CONFIGMAPS, "default", object("{\"metadata\":{\"name\":\"app\"}}"));
        String uid = created.get("metadata").get("uid").asString();

        DeleteOptions wrongUid = new DeleteOptions(Optional.empty(), Optional.of("not-" + uid), OptionalLong.empty(),
                Optional.empty(), false);
        assertStatus(() -> storage.delete(CONFIGMAPS, "default", "app", wrongUid), 409, "Conflict",
                "Operation cannot be fulfilled on configmaps \"app\": Precondition failed: UID in precondition: not-"
                        + uid + ", UID in object meta: " + uid);
        assertThat(storage.get(CONFIGMAPS, "default", "app")).isNotNull();

        DeleteOptions rightUid = new DeleteOptions(Optional.empty(), Optional.of(uid), OptionalLong.empty(),
                Optional.empty(), false);
        storage.delete(CONFIGMAPS, "default", "app", rightUid);
        assertStatus(() -> storage.get(CONFIGMAPS, "default", "app"), 404, "NotFound", "not found");
    }

    @Test
    void aDryRunDeletionOfAnObjectWithFinalizersChangesNothing() {
        ObjectNode created = storage.create(CONFIGMAPS, "default", object("{\"metadata\":{\"name\":\"app\","
                + "\"finalizers\":[\"example.com/a\"]}}"));

        ObjectNode preview = storage.delete(CONFIGMAPS, "default", "app", DeleteOptions.NONE.withDryRun(true));

        assertThat(preview.get("metadata").has("deletionTimestamp")).isTrue();
        assertThat(storage.get(CONFIGMAPS, "default", "app")).isEqualTo(created);
    }

    @Test
    void invalidMetadataIsRefusedWithEveryCauseAndNothingIsStored() {
        ObjectNode bad = object("{\"metadata\":{\"name\":\"app\",\"labels\":{\"bad key!\":\"ok\",\"ok\":\"bad value!\"},"
                + "\"finalizers\":[\"unqualified\"]}}");

        assertStatus(() -> storage.create(CONFIGMAPS, "default", bad), 422, "Invalid",
                "ConfigMap \"app\" is invalid: [metadata.labels: Invalid value: \"bad key!\": name part must consist "
                        + "of alphanumeric characters");
        assertStatus(() -> storage.create(CONFIGMAPS, "default", object("{\"metadata\":{\"name\":\"app\","
                + "\"labels\":{\"k\":1}}}")), 400, "BadRequest", "json: cannot unmarshal number into Go struct field "
                + "ObjectMeta.metadata.labels of type string");
        assertStatus(() -> storage.get(CONFIGMAPS, "default", "app"), 404, "NotFound", "not found");

        storage.create(DEPLOYMENTS, "default", deployment(1, "a"));
        ObjectNode badUpdate = deployment(1, "a");
        badUpdate.withObject("metadata").putObject("annotations").put("/nope", "x");
        assertStatus(() -> storage.update(DEPLOYMENTS, "default", "web", badUpdate), 422, "Invalid",
                "Deployment.apps \"web\" is invalid: metadata.annotations: Invalid value: \"/nope\": prefix part "
                        + "must be non-empty");
        assertThat(storage.get(DEPLOYMENTS, "default", "web").get("metadata").get("annotations").get("note")
                .asString()).isEqualTo("a");
    }
}
