package io.kybern.apiserver.crd;

import io.kybern.api.resource.ResourceType;
import io.kybern.apiserver.registry.DeleteOptions;
import io.kybern.apiserver.registry.ObjectStorage;
import io.kybern.apiserver.status.ApiException;
import io.kybern.store.KeyValue;
import io.kybern.store.RangeRequest;
import io.kybern.store.StoreException;
import io.kybern.store.Watch;
import io.kybern.store.WatchListener;
import io.kybern.store.WatchEvent;
import java.time.Duration;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Keeps CustomResourceDefinitions' status and the catalog in step with the definitions stored, as
 * Kubernetes' naming, establishing and finalizer controllers do together: names are accepted unless
 * another definition of the group (or a built-in resource) holds them ({@code NamesAccepted}), a
 * definition with accepted names is {@code Established} and served, and a deleted definition is
 * {@code Terminating} until all its objects are gone, when its finalizer is removed.
 *
 * <p>Threading: it watches the definitions' keys in the store; any change wakes one worker thread,
 * which reconciles every definition (they are few) and replaces the catalog's snapshot. While a
 * deletion waits for objects with finalizers, it looks again every second.
 */
public final class DefinitionController implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DefinitionController.class);
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ISO_INSTANT.withZone(ZoneOffset.UTC);
    private static final Duration RETRY = Duration.ofSeconds(1);

    private final ObjectStorage storage;
    private final ResourceType definitions;
    private final CustomResourceCatalog catalog;
    private final InstantSource clock;
    private final BlockingQueue<Boolean> wakeUp = new ArrayBlockingQueue<>(1);
    private final AtomicBoolean dirty = new AtomicBoolean(true);
    private volatile boolean closed;
    /** A deleted definition still has objects: look again soon even without news. */
    private volatile boolean pendingDeletion;
    private volatile Watch watch;
    private Thread worker;

    public DefinitionController(ObjectStorage storage, ResourceType definitions, CustomResourceCatalog catalog,
            InstantSource clock) {
        this.storage = storage;
        this.definitions = definitions;
        this.catalog = catalog;
        this.clock = clock;
    }

    /** Reconciles once, so the definitions stored are served before the server answers, then keeps watching. */
    public void start() {
        long revision = reconcile();
        startWatch(revision + 1);
        worker = Thread.ofVirtual().name("crd-controller").start(this::run);
    }

    private void startWatch(long fromRevision) {
        watch = storage.store().watch(definitions.storagePrefix(), fromRevision, new WatchListener() {
            @Override
            public void onEvents(List<WatchEvent> events) {
                wake();
            }

            @Override
            public void onError(StoreException error) {
                if (!closed) {
                    log.warn("definition watch ended, starting again: {}", error.getMessage());
                    startWatch(0);
                    wake();
                }
            }
        });
    }

    private void wake() {
        dirty.set(true);
        wakeUp.offer(Boolean.TRUE);
    }

    private void run() {
        while (!closed) {
            try {
                wakeUp.poll(RETRY.toMillis(), TimeUnit.MILLISECONDS);
                if (closed) {
                    return;
                }
                if (dirty.getAndSet(false) || pendingDeletion) {
                    reconcile();
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.warn("reconciling definitions failed, trying again", e);
                dirty.set(true);
            }
        }
    }

    /**
     * Brings every definition's status up to date and serves the established ones; returns the revision read.
     *
     * <p>The catalog changes before the store does, so that what a client reads of a definition is already
     * served: once it sees {@code Established} the resource answers, once it sees {@code Terminating} creates
     * are refused, and once the definition is gone so is its resource (and watches of it end after the
     * deletions of its objects). Kubernetes' handler learns these from an informer, a little later.
     */
    synchronized long reconcile() {
        ObjectNode list = storage.list(definitions, "", 0, null, null);
        List<ObjectNode> all = new ArrayList<>();
        list.path("items").forEach(item -> all.add((ObjectNode) item));
        all.sort(Comparator.comparing((ObjectNode d) -> d.path("metadata").path("creationTimestamp").asString(""))
                .thenComparing(d -> d.path("metadata").path("name").asString("")));
        Map<String, ObjectNode> current = new LinkedHashMap<>();
        all.forEach(d -> current.put(name(d), d));
        // Each definition is judged against the names the ones before it will hold, written or not yet.
        Map<String, ObjectNode> changed = new LinkedHashMap<>();
        for (ObjectNode definition : all) {
            ObjectNode status = desiredStatus(definition, current.values());
            if (!Objects.equals(status, definition.get("status"))) {
                ObjectNode desired = definition.deepCopy();
                desired.set("status", status);
                current.put(name(definition), desired);
                changed.put(name(definition), desired);
            }
        }
        serve(current.values());
        for (ObjectNode desired : changed.values()) {
            ObjectNode written = writeStatus(desired, (ObjectNode) desired.get("status"));
            if (written != null) {
                current.put(name(written), written);
            }
        }
        boolean waiting = false;
        for (ObjectNode definition : all) {
            if (definition.path("metadata").hasNonNull("deletionTimestamp")) {
                String name = name(definition);
                waiting |= switch (cleanUp(current.get(name), current)) {
                    case GONE -> {
                        current.remove(name);
                        yield false;
                    }
                    case FINISHED -> false;
                    case WAITING -> true;
                };
            }
        }
        pendingDeletion = waiting;
        serve(current.values());
        return list.path("metadata").path("resourceVersion").asLong(0);
    }

    /** Serves exactly these definitions' resources from now on. */
    private void serve(Iterable<ObjectNode> served) {
        List<CustomResource> resources = new ArrayList<>();
        for (ObjectNode definition : served) {
            resources.addAll(CustomResourceCatalog.servedVersions(definition));
        }
        catalog.replace(resources, storage.store().currentRevision());
    }

    /** The status a definition should have, judged against the names every other definition holds. */
    private ObjectNode desiredStatus(ObjectNode definition, Iterable<ObjectNode> all) {
        String now = TIMESTAMP.format(clock.instant().truncatedTo(ChronoUnit.SECONDS));
        ObjectNode status = definition.path("status").isObject() ? ((ObjectNode) definition.get("status")).deepCopy()
                : definition.objectNode();
        String group = definition.path("spec").path("group").asString("");
        JsonNode requested = definition.path("spec").path("names");
        JsonNode accepted = status.path("acceptedNames");
        Set<String> takenPlurals = new HashSet<>();
        Set<String> takenKinds = new HashSet<>();
        for (ObjectNode other : all) {
            if (other == definition || name(other).equals(name(definition))
                    || !other.path("spec").path("group").asString("").equals(group)) {
                continue;
            }
            JsonNode names = other.path("status").path("acceptedNames");
            takenPlurals.add(names.path("plural").asString(""));
            takenPlurals.add(names.path("singular").asString(""));
            names.path("shortNames").forEach(n -> takenPlurals.add(n.asString("")));
            takenKinds.add(names.path("kind").asString(""));
            takenKinds.add(names.path("listKind").asString(""));
        }
        for (ResourceType builtIn : catalog.builtIn().all()) {
            if (builtIn.gvr().group().equals(group)) {
                takenPlurals.add(builtIn.gvr().resource());
                takenPlurals.add(builtIn.singular());
                takenKinds.add(builtIn.kind());
                takenKinds.add(builtIn.listKind());
            }
        }
        takenPlurals.remove("");
        takenKinds.remove("");
        String conflict = null;
        String reason = null;
        if (taken(requested.path("plural"), accepted.path("plural"), takenPlurals)) {
            reason = "PluralConflict";
            conflict = requested.path("plural").asString("");
        } else if (taken(requested.path("singular"), accepted.path("singular"), takenPlurals)) {
            reason = "SingularConflict";
            conflict = requested.path("singular").asString("");
        } else if (shortNameTaken(requested.path("shortNames"), accepted.path("shortNames"), takenPlurals) != null) {
            reason = "ShortNamesConflict";
            conflict = shortNameTaken(requested.path("shortNames"), accepted.path("shortNames"), takenPlurals);
        } else if (taken(requested.path("kind"), accepted.path("kind"), takenKinds)) {
            reason = "KindConflict";
            conflict = requested.path("kind").asString("");
        } else if (taken(requested.path("listKind"), accepted.path("listKind"), takenKinds)) {
            reason = "ListKindConflict";
            conflict = requested.path("listKind").asString("");
        }
        if (conflict == null) {
            status.set("acceptedNames", requested.deepCopy());
            Conditions.set(status, "NamesAccepted", "True", "NoConflicts", "no conflicts found", now);
        } else {
            if (!status.has("acceptedNames")) {
                status.putObject("acceptedNames").put("plural", "").put("kind", "");
            }
            Conditions.set(status, "NamesAccepted", "False", reason, "\"" + conflict + "\" is already in use", now);
        }
        if (!Conditions.isTrue(definition, "Established")) {
            if (conflict == null) {
                // Kubernetes' establishing controller follows at once when nothing else is served under the names.
                Conditions.set(status, "Established", "True", "InitialNamesAccepted",
                        "the initial names have been accepted", now);
            } else {
                Conditions.set(status, "Established", "False", "NotAccepted", "not all names are accepted", now);
            }
        }
        if (definition.path("metadata").hasNonNull("deletionTimestamp")
                && Conditions.find(status.path("conditions"), "Terminating").isEmpty()) {
            Conditions.set(status, "Terminating", "True", "InstanceDeletionInProgress",
                    "CustomResource deletion is in progress", now);
        }
        if (!status.has("storedVersions")) {
            ArrayNode stored = status.putArray("storedVersions");
            DefinitionWrites.storageVersion(definition).ifPresent(stored::add);
        }
        return status;
    }

    /** A requested name another definition holds, unless this definition already had it accepted. */
    private static boolean taken(JsonNode requested, JsonNode accepted, Set<String> taken) {
        String name = requested.asString("");
        return !name.isEmpty() && !name.equals(accepted.asString("")) && taken.contains(name);
    }

    private static String shortNameTaken(JsonNode requested, JsonNode accepted, Set<String> taken) {
        Set<String> own = new HashSet<>();
        accepted.forEach(n -> own.add(n.asString("")));
        for (JsonNode shortName : requested) {
            String name = shortName.asString("");
            if (!own.contains(name) && taken.contains(name)) {
                return name;
            }
        }
        return null;
    }

    private ObjectNode writeStatus(ObjectNode definition, ObjectNode status) {
        try {
            return storage.patchStatus(definitions, "", name(definition), current -> {
                current.set("status", status.deepCopy());
                return current;
            }, false);
        } catch (ApiException e) {
            // Gone or changed meanwhile: the watch brings the next pass.
            log.debug("status of definition {} not written: {}", name(definition), e.getMessage());
            return null;
        }
    }

    /** Where the clean-up of a definition being deleted stands after a pass. */
    private enum CleanUp {
        /** Objects with finalizers of their own remain. */
        WAITING,
        /** Our finalizer is removed (or was never there); the definition waits for other finalizers. */
        FINISHED,
        /** The definition is gone from the store. */
        GONE
    }

    /**
     * Deletes every object of a definition being deleted, then lets the definition go by removing its
     * finalizer. When that removal deletes the definition, its resource stops being served first.
     *
     * @param served every definition served now, this one included
     */
    private CleanUp cleanUp(ObjectNode definition, Map<String, ObjectNode> served) {
        if (definition == null) {
            return CleanUp.FINISHED;
        }
        JsonNode finalizers = definition.path("metadata").path("finalizers");
        boolean ours = false;
        for (JsonNode finalizer : finalizers) {
            ours |= finalizer.asString("").equals(DefinitionWrites.CLEANUP_FINALIZER);
        }
        if (!ours) {
            return CleanUp.FINISHED;
        }
        ResourceType type = storedType(definition);
        if (type != null) {
            List<KeyValue> objects = storage.store().range(RangeRequest.prefix(type.storagePrefix())).kvs();
            for (KeyValue kv : objects) {
                JsonNode metadata = ObjectStorage.decode(kv).path("metadata");
                try {
                    storage.delete(type, metadata.path("namespace").asString(""), metadata.path("name").asString(""),
                            DeleteOptions.NONE);
                } catch (ApiException e) {
                    if (e.code() != 404) {
                        log.debug("deleting {} failed: {}", kv.key(), e.getMessage());
                    }
                }
            }
            if (!storage.store().range(RangeRequest.prefix(type.storagePrefix()).withLimit(1)).kvs().isEmpty()) {
                return CleanUp.WAITING;
            }
        }
        boolean last = finalizers.size() == 1;
        if (last) {
            // Removing the last finalizer deletes the definition: no client may see it gone and still served.
            Map<String, ObjectNode> rest = new LinkedHashMap<>(served);
            rest.remove(name(definition));
            serve(rest.values());
        }
        try {
            storage.patch(definitions, "", name(definition), current -> {
                ArrayNode remaining = current.withObject("metadata").putArray("finalizers");
                for (JsonNode finalizer : finalizers) {
                    if (!finalizer.asString("").equals(DefinitionWrites.CLEANUP_FINALIZER)) {
                        remaining.add(finalizer);
                    }
                }
                if (remaining.isEmpty()) {
                    current.withObject("metadata").remove("finalizers");
                }
                return current;
            });
        } catch (ApiException e) {
            // Served again at the end of this pass; the watch brings the next.
            log.debug("finalizer of definition {} not removed: {}", name(definition), e.getMessage());
            return CleanUp.WAITING;
        }
        return last ? CleanUp.GONE : CleanUp.FINISHED;
    }

    /** Some version of the definition's resource, to address its stored objects; null if it never had names. */
    private static ResourceType storedType(ObjectNode definition) {
        List<CustomResource> versions = CustomResourceCatalog.servedVersions(definition);
        if (!versions.isEmpty()) {
            return versions.getFirst().type();
        }
        return null;
    }

    private static String name(JsonNode definition) {
        return definition.path("metadata").path("name").asString("");
    }

    @Override
    public void close() {
        closed = true;
        Watch current = watch;
        if (current != null) {
            current.close();
        }
        if (worker != null) {
            worker.interrupt();
            try {
                // Let a pass under way end before the store it reads is closed.
                worker.join(Duration.ofSeconds(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
