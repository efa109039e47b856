package io.kybern.apiserver.registry;

import static io.kybern.apiserver.registry.ObjectStorageTest.CONFIGMAPS;
import static io.kybern.apiserver.registry.ObjectStorageTest.NAMESPACES;
import static io.kybern.apiserver.registry.ObjectStorageTest.assertStatus;
import static org.assertj.core.api.Assertions.assertThat;

import io.kybern.apiserver.request.DeleteOptionsParser;
import io.kybern.store.memory.MemoryStore;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What a delete leaves for the garbage collector and the namespace controller: the {@code orphan} and
 * {@code foregroundDeletion} finalizers a propagation policy asks for, and namespaces that stay
 * Terminating until their {@code kubernetes} finalizer is removed through {@code finalize}.
 */
class PropagationAndNamespaceDeletionTest {

    private static final Instant NOW = Instant.parse("2026-12-06T01:00:00.250Z");

    private MemoryStore store;
    private ObjectStorage storage;

    @BeforeEach
    void setUp() {
        store = new MemoryStore();
        storage = new ObjectStorage(store, InstantSource.fixed(NOW), new Random(3), NAMESPACES);
        storage.create(NAMESPACES, "", object("{\"metadata\":{\"name\":\"default\"}}"));
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    private static ObjectNode object(String json) {
        return ObjectStorage.parseObject(json.getBytes(StandardCharsets.UTF_8));
    }

    private static DeleteOptions policy(String policy) {
        return new DeleteOptions(Optional.empty(), Optional.empty(), OptionalLong.empty(), Optional.of(policy), false);
    }

    private void configMap(String name, String finalizers) {
        storage.create(CONFIGMAPS, "default", object("{\"metadata\":{\"name\":\"" + name + "\",\"finalizers\":"
                + finalizers + "},\"data\":{\"k\":\"v\"}}"));
    }

    private static List<String> finalizers(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.path("metadata").path("finalizers").forEach(f -> names.add(f.asString()));
        return names;
    }

    @Test
    void foregroundDeletionAddsItsFinalizerAndStartsTheDeletion() {
        configMap("owner", "[]");

        ObjectNode pending = storage.delete(CONFIGMAPS, "default", "owner", policy("Foreground"));

        assertThat(finalizers(pending)).containsExactly("foregroundDeletion");
        assertThat(pending.at("/metadata/deletionTimestamp").asString()).isEqualTo("2026-12-06T01:00:00Z");
        assertThat(finalizers(storage.get(CONFIGMAPS, "default", "owner"))).containsExactly("foregroundDeletion");
    }

    @Test
    void orphanDeletionAddsItsFinalizerBesideTheObjectsOwn() {
        configMap("owner", "[\"example.com/keep\"]");

        ObjectNode pending = storage.delete(CONFIGMAPS, "default", "owner", policy("Orphan"));

        assertThat(finalizers(pending)).containsExactly("example.com/keep", "orphan");
    }

    @Test
    void theLegacyOrphanDependentsFlagMeansOrphan() {
        configMap("owner", "[]");
        DeleteOptions legacy = DeleteOptionsParser.parse(object("{\"orphanDependents\":true}"), name -> null, false);

        storage.delete(CONFIGMAPS, "default", "owner", legacy);

        assertThat(finalizers(storage.get(CONFIGMAPS, "default", "owner"))).containsExactly("orphan");
    }

    @Test
    void backgroundDeletionAddsNothingAndDeletesAtOnce() {
        configMap("owner", "[]");

        storage.delete(CONFIGMAPS, "default", "owner", policy("Background"));

        assertStatus(() -> storage.get(CONFIGMAPS, "default", "owner"), 404, "NotFound",
                "configmaps \"owner\" not found");
    }

    @Test
    void deletingAgainWithAnotherPolicySwapsTheFinalizerAndBackgroundEndsIt() {
        configMap("owner", "[]");
        storage.delete(CONFIGMAPS, "default", "owner", policy("Orphan"));

        storage.delete(CONFIGMAPS, "default", "owner", policy("Foreground"));
        assertThat(finalizers(storage.get(CONFIGMAPS, "default", "owner"))).containsExactly("foregroundDeletion");

        storage.delete(CONFIGMAPS, "default", "owner", policy("Background"));
        assertStatus(() -> storage.get(CONFIGMAPS, "default", "owner"), 404, "NotFound",
                "configmaps \"owner\" not found");
    }

    @Test
    void removingTheCollectorsFinalizerFinishesTheDeletion() {
        configMap("owner", "[]");
        storage.delete(CONFIGMAPS, "default", "owner", policy("Foreground"));

        storage.patch(CONFIGMAPS, "default", "owner", current -> {
            current.withObject("metadata").putArray("finalizers");
            return current;
        });

        assertStatus(() -> storage.get(CONFIGMAPS, "default", "owner"), 404, "NotFound",
                "configmaps \"owner\" not found");
    }

    @Test
    void aDeletedNamespaceTerminatesRefusesNewContentAndGoesWhenFinalized() {
        storage.create(NAMESPACES, "", object("{\"metadata\":{\"name\":\"leaving\"}}"));
        storage.create(CONFIGMAPS, "leaving", object("{\"metadata\":{\"name\":\"left\"}}"));

        ObjectNode terminating = storage.delete(NAMESPACES, "", "leaving", DeleteOptions.NONE);

        assertThat(terminating.at("/status/phase").asString()).isEqualTo("Terminating");
        assertThat(terminating.at("/metadata/deletionTimestamp").asString()).isEqualTo("2026-12-06T01:00:00Z");
        assertThat(storage.get(NAMESPACES, "", "leaving").at("/spec/finalizers/0").asString())
                .isEqualTo("kubernetes");
        assertStatus(() -> storage.create(CONFIGMAPS, "leaving", object("{\"metadata\":{\"name\":\"new\"}}")), 403,
                "Forbidden", "unable to create new content in namespace leaving because it is being terminated");
        // Deleting it again changes nothing.
        assertThat(storage.delete(NAMESPACES, "", "leaving", DeleteOptions.NONE).at("/metadata/resourceVersion"))
                .isEqualTo(terminating.at("/metadata/resourceVersion"));

        ObjectNode finalized = storage.get(NAMESPACES, "", "leaving");
        finalized.withObject("spec").putArray("finalizers");
        // finalize moves spec.finalizers only: a label sent along is not stored.
        finalized.withObject("metadata").putObject("labels").put("sneaked", "in");
        storage.update(NAMESPACES, "", "leaving", finalized, ObjectStorage.Part.FINALIZERS, false);

        assertStatus(() -> storage.get(NAMESPACES, "", "leaving"), 404, "NotFound",
                "namespaces \"leaving\" not found");
    }

    @Test
    void finalizeChangesOnlyTheFinalizersOfANamespaceNotBeingDeleted() {
        storage.create(NAMESPACES, "", object("{\"metadata\":{\"name\":\"stays\"}}"));
        ObjectNode request = storage.get(NAMESPACES, "", "stays");
        request.withObject("spec").putArray("finalizers").add("example.com/mine");
        request.withObject("metadata").putObject("labels").put("sneaked", "in");

        storage.update(NAMESPACES, "", "stays", request, ObjectStorage.Part.FINALIZERS, false);

        ObjectNode stored = storage.get(NAMESPACES, "", "stays");
        assertThat(stored.at("/spec/finalizers/0").asString()).isEqualTo("example.com/mine");
        assertThat(stored.at("/metadata/labels").propertyStream().map(Map.Entry::getKey))
                .doesNotContain("sneaked");
    }

    @Test
    void aNamespaceWithoutSpecFinalizersGoesAtOnce() {
        ObjectNode ns = storage.create(NAMESPACES, "", object("{\"metadata\":{\"name\":\"bare\"}}"));
        ns.withObject("spec").putArray("finalizers");
        storage.update(NAMESPACES, "", "bare", ns, ObjectStorage.Part.FINALIZERS, false);

        storage.delete(NAMESPACES, "", "bare", DeleteOptions.NONE);

        assertStatus(() -> storage.get(NAMESPACES, "", "bare"), 404, "NotFound", "namespaces \"bare\" not found");
    }
}
