package io.kybern.apiserver.registry;

import io.kybern.api.defaults.Defaults;
import io.kybern.api.resource.GroupVersionKind;
import io.kybern.api.resource.ModelClasses;
import io.kybern.api.resource.ResourceType;
import io.kybern.api.validation.FieldError;
import io.kybern.api.validation.KindValidation;
import io.kybern.api.validation.Names;
import io.kybern.api.validation.ObjectMetaValidation;
import io.kybern.apiserver.status.ApiException;
import io.kybern.store.CompactedException;
import io.kybern.store.FutureRevisionException;
import io.kybern.store.KeyValue;
import io.kybern.store.LeaseNotFoundException;
import io.kybern.store.RangeRequest;
import io.kybern.store.RangeResult;
import io.kybern.store.Store;
import io.kybern.store.WriteResult;
import java.time.Duration;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.random.RandomGenerator;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Keeps API objects in the {@link Store}, with the metadata rules every kind shares: names and
 * generateName, uid and creationTimestamp, resourceVersion as the store's modRevision with 409 on a
 * stale one, namespaces that must exist and not be terminating, and consistent paginated lists.
 *
 * <p>Objects are stored as JSON without {@code metadata.resourceVersion}; it is filled in from the
 * revision on every read, as Kubernetes' etcd storage does.
 *
 * <p>Threading: stateless apart from the store; safe from any thread.
 */
public final class ObjectStorage {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ISO_INSTANT.withZone(ZoneOffset.UTC);

    private final Store store;
    private final InstantSource clock;
    private final RandomGenerator random;
    private final ResourceType namespaces;
    private final EventLeases eventLeases;
    private final Map<String, WriteHooks> hooks = new ConcurrentHashMap<>();
    private volatile KindRules rules = KindRules.NONE;
    private volatile NamespaceView namespaceView = NamespaceView.NONE;

    /**
     * @param namespaces the namespaces resource, consulted before anything is created in one
     */
    public ObjectStorage(Store store, InstantSource clock, RandomGenerator random, ResourceType namespaces) {
        this.store = store;
        this.clock = clock;
        this.random = random;
        this.namespaces = namespaces;
        this.eventLeases = new EventLeases(store, clock);
    }

    public Store store() {
        return store;
    }

    /** Runs {@code writeHooks} around every write of one resource; set up before serving. */
    public void hooks(String group, String resource, WriteHooks writeHooks) {
        hooks.put(group + "/" + resource, writeHooks);
    }

    /** The rules of kinds learnt while running (custom resources); set up before serving them. */
    public void rules(KindRules kindRules) {
        this.rules = kindRules;
    }

    /** Where creates look their namespace up before the store; set up before serving. */
    public void namespaceView(NamespaceView view) {
        this.namespaceView = view;
    }

    private WriteHooks hooksOf(ResourceType type) {
        return hooks.getOrDefault(type.gvr().group() + "/" + type.gvr().resource(), WriteHooks.NONE);
    }

    public ObjectNode create(ResourceType type, String namespace, ObjectNode object) {
        return create(type, namespace, object, false);
    }

    /**
     * Creates an object; with {@code dryRun} every check runs and the object is returned as it would be
     * stored, but nothing is written.
     */
    public ObjectNode create(ResourceType type, String namespace, ObjectNode object, boolean dryRun) {
        checkKind(type, object);
        ObjectNode metadata = metadataOf(object);
        checkNamespace(type, namespace, metadata);
        String name = text(metadata, "name");
        if (name.isEmpty()) {
            String prefix = text(metadata, "generateName");
            if (prefix.isEmpty()) {
                throw ApiException.invalid(type.kind(), type.gvr().group(), "", List.of(new ApiException.Cause(
                        "FieldValueRequired", "Required value: name or generateName is required", "metadata.name")));
            }
            name = Names.generate(prefix, random);
            metadata.put("name", name);
        }
        checkName(type, name);
        checkValid(type, name, () -> ObjectMetaValidation.validate(metadata));
        if (metadata.hasNonNull("resourceVersion") && !text(metadata, "resourceVersion").isEmpty()) {
            throw ApiException.badRequest("resourceVersion should not be set on objects to be created");
        }
        if (type.namespaced()) {
            requireActiveNamespace(namespace);
        }
        metadata.remove("resourceVersion");
        // Deletion is the server's to start, never a creator's.
        metadata.remove("deletionTimestamp");
        metadata.remove("deletionGracePeriodSeconds");
        Generations.onCreate(type, object, rules.tracksGeneration(type));
        metadata.put("uid", UUID.randomUUID().toString());
        metadata.put("creationTimestamp", TIMESTAMP.format(clock.instant().truncatedTo(ChronoUnit.SECONDS)));
        CreateDefaults.apply(type, object);
        Defaults.apply(type, object);
        Defaults.applyOnCreate(type, object);
        rules.prepareForCreate(type, object);
        rules.prepare(type, object);
        String validName = name;
        checkValid(type, validName, () -> KindValidation.validateCreate(type, object));
        checkValid(type, validName, () -> rules.validate(type, object));
        String key = type.storageKey(namespace, name);
        if (dryRun) {
            if (store.get(key).isPresent()) {
                throw ApiException.alreadyExists(type.gvr().groupResource(), type.gvr().group(), name);
            }
            hooksOf(type).beforeCreate(object, true);
            return object;
        }
        WriteHooks writeHooks = hooksOf(type);
        writeHooks.beforeCreate(object, false);
        WriteResult result;
        try {
            byte[] bytes = JSON.writeValueAsBytes(rules.toStorage(type, object));
            result = withLease(type, lease -> store.create(key, bytes, lease));
        } catch (RuntimeException e) {
            writeHooks.writeFailed(null, object);
            throw e;
        }
        if (!result.succeeded()) {
            writeHooks.writeFailed(null, object);
            throw ApiException.alreadyExists(type.gvr().groupResource(), type.gvr().group(), name);
        }
        return withVersion(object, result.revision());
    }

    /** Creates the object unless one of that name exists; for objects the server itself provides. */
    public void ensure(ResourceType type, String namespace, ObjectNode object) {
        String name = text(metadataOf(object), "name");
        if (store.get(type.storageKey(namespace, name)).isPresent()) {
            return;
        }
        try {
            create(type, namespace, object);
        } catch (ApiException e) {
            if (e.code() != 409) {
                throw e;
            }
        }
    }

    public ObjectNode get(ResourceType type, String namespace, String name) {
        KeyValue kv = store.get(type.storageKey(namespace, name))
                .orElseThrow(() -> ApiException.notFound(type.gvr().groupResource(), type.gvr().group(), name));
        return read(type, kv);
    }

    /**
     * One page of a list: everything in a namespace (or every namespace when {@code namespace} is empty).
     *
     * @param limit           at most this many items, 0 for all
     * @param continueToken   from the previous page's {@code metadata.continue}, or null
     * @param resourceVersion "" or null for the latest; otherwise a revision not older than compaction
     */
    public ObjectNode list(ResourceType type, String namespace, int limit, String continueToken,
            String resourceVersion) {
        return list(type, namespace, limit, continueToken, resourceVersion, "");
    }

    /** How long a list waits for the store to reach a resourceVersion it has not seen yet, as Kubernetes does. */
    static final Duration FUTURE_VERSION_WAIT = Duration.ofSeconds(3);

    /**
     * As {@link #list(ResourceType, String, int, String, String)}, with Kubernetes' {@code resourceVersionMatch}:
     * {@code Exact} reads the snapshot at {@code resourceVersion}; {@code NotOlderThan} (the default for a
     * non-zero version) reads the latest state, once the store has reached that version.
     */
    public ObjectNode list(ResourceType type, String namespace, int limit, String continueToken,
            String resourceVersion, String resourceVersionMatch) {
        String version = resourceVersion == null ? "" : resourceVersion;
        String match = resourceVersionMatch == null ? "" : resourceVersionMatch;
        checkListVersion(version, match);
        String prefix = type.namespaced() && !namespace.isEmpty() ? type.storagePrefix() + namespace + "/"
                : type.storagePrefix();
        RangeRequest request = RangeRequest.prefix(prefix).withLimit(limit);
        if (continueToken != null && !continueToken.isEmpty()) {
            ContinueToken token = ContinueToken.decode(continueToken);
            request = token.latest() ? request.after(prefix + token.after())
                    : request.atRevision(token.revision()).after(prefix + token.after());
        } else if (match.equals("Exact")) {
            request = request.atRevision(parseVersion(version));
        } else if (!version.isEmpty() && !version.equals("0")) {
            awaitRevision(parseVersion(version));
        }
        RangeResult page;
        try {
            page = store.range(request);
        } catch (CompactedException e) {
            if (continueToken != null && !continueToken.isEmpty()) {
                ContinueToken expired = ContinueToken.decode(continueToken);
                throw ApiException.expiredContinue(new ContinueToken(ContinueToken.LATEST, expired.after()).encode());
            }
            throw ApiException.gone("too old resource version: " + resourceVersion + " (" + e.compactRevision() + ")");
        } catch (FutureRevisionException e) {
            throw new ApiException(504, "Timeout", "Too large resource version: " + resourceVersion
                    + ", current: " + store.currentRevision(), null);
        }
        ObjectNode list = JSON.createObjectNode();
        list.put("kind", type.listKind());
        list.put("apiVersion", type.gvr().groupVersion().apiVersion());
        ObjectNode metadata = list.putObject("metadata");
        metadata.put("resourceVersion", Long.toString(page.revision()));
        if (page.more()) {
            String last = page.continueAfter().substring(prefix.length());
            metadata.put("continue", new ContinueToken(page.revision(), last).encode());
            metadata.put("remainingItemCount", page.count() - page.kvs().size());
        }
        ArrayNode items = list.putArray("items");
        for (KeyValue kv : page.kvs()) {
            ObjectNode item = read(type, kv);
            // Items of a typed list carry no apiVersion and kind of their own.
            item.remove("apiVersion");
            item.remove("kind");
            items.add(item);
        }
        return list;
    }

    /**
     * Replaces an object. With {@code metadata.resourceVersion} set, only if it is still current (409
     * otherwise); without, unconditionally. Identity fields (uid, creationTimestamp) are kept.
     */
    public ObjectNode update(ResourceType type, String namespace, String name, ObjectNode object) {
        return write(type, namespace, name, object, Part.WHOLE, false);
    }

    /** As {@link #update(ResourceType, String, String, ObjectNode)}; with {@code dryRun} nothing is written. */
    public ObjectNode update(ResourceType type, String namespace, String name, ObjectNode object, boolean dryRun) {
        return write(type, namespace, name, object, Part.WHOLE, dryRun);
    }

    /**
     * Replaces only the status of an object, through its {@code status} subresource: everything else is
     * kept as stored, whatever the request says.
     */
    public ObjectNode updateStatus(ResourceType type, String namespace, String name, ObjectNode object) {
        return write(type, namespace, name, object, Part.STATUS, false);
    }

    public ObjectNode updateStatus(ResourceType type, String namespace, String name, ObjectNode object,
            boolean dryRun) {
        return write(type, namespace, name, object, Part.STATUS, dryRun);
    }

    /** Which part of an object a write may change: the object, or what one of its subresources covers. */
    public enum Part {
        /** Everything but the status, where status has its own subresource. */
        WHOLE,
        /** Only the status (the status subresource). */
        STATUS,
        /** Spec and status together, for the server's own subresources such as pods/binding. */
        SPEC_AND_STATUS,
        /** Only {@code spec.ephemeralContainers} (pods/ephemeralcontainers). */
        EPHEMERAL_CONTAINERS,
        /** Only {@code status.conditions} (certificatesigningrequests/approval). */
        APPROVAL,
        /** Only {@code spec.finalizers} (namespaces/finalize). */
        FINALIZERS
    }

    /** Replaces the part of an object that {@code part} covers, keeping the rest as stored. */
    public ObjectNode update(ResourceType type, String namespace, String name, ObjectNode object, Part part,
            boolean dryRun) {
        return write(type, namespace, name, object, part, dryRun);
    }

    private ObjectNode write(ResourceType type, String namespace, String name, ObjectNode object, Part part,
            boolean dryRun) {
        checkKind(type, object);
        ObjectNode metadata = metadataOf(object);
        checkNamespace(type, namespace, metadata);
        String bodyName = text(metadata, "name");
        if (!bodyName.isEmpty() && !bodyName.equals(name)) {
            throw ApiException.badRequest("the name of the object (" + bodyName + ") does not match the name on the "
                    + "URL (" + name + ")");
        }
        metadata.put("name", name);
        String key = type.storageKey(namespace, name);
        String version = text(metadata, "resourceVersion");
        KeyValue current = store.get(key)
                .orElseThrow(() -> ApiException.notFound(type.gvr().groupResource(), type.gvr().group(), name));
        long expected = version.isEmpty() ? current.modRevision() : parseVersion(version);
        ObjectNode existing = read(type, current);
        ObjectNode existingMetadata = metadataOf(existing);
        metadata.remove("resourceVersion");
        if (part == Part.STATUS || part == Part.EPHEMERAL_CONTAINERS || part == Part.APPROVAL
                || part == Part.FINALIZERS) {
            // Only the subresource's part moves: the stored object with the request's part (and the
            // managedFields that record who wrote it).
            ObjectNode merged = existing.deepCopy();
            metadataOf(merged).remove("resourceVersion");
            switch (part) {
                case STATUS -> replaceField(merged, "status", object.get("status"));
                case EPHEMERAL_CONTAINERS -> replaceField(merged.withObject("spec"), "ephemeralContainers",
                        object.path("spec").get("ephemeralContainers"));
                case FINALIZERS -> replaceField(merged.withObject("spec"), "finalizers",
                        object.path("spec").get("finalizers"));
                default -> replaceField(merged.withObject("status"), "conditions",
                        object.path("status").get("conditions"));
            }
            JsonNode managedFields = metadata.get("managedFields");
            object = merged;
            metadata = metadataOf(object);
            if (managedFields != null) {
                metadata.set("managedFields", managedFields);
            }
        } else if (part == Part.WHOLE && type.subresource("status").isPresent()) {
            // Where status has its own subresource, writes to the object itself leave it as stored.
            replaceField(object, "status", existing.get("status"));
        }
        for (String kept : List.of("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds")) {
            if (existingMetadata.has(kept)) {
                metadata.set(kept, existingMetadata.get(kept));
            } else {
                metadata.remove(kept);
            }
        }
        if (part == Part.WHOLE || part == Part.SPEC_AND_STATUS) {
            Defaults.apply(type, object);
            ObjectNode newMetadata = metadata;
            checkValid(type, name, () -> ObjectMetaValidation.validateUpdate(newMetadata, existingMetadata));
            Generations.onUpdate(type, existing, object, rules.tracksGeneration(type));
            if (part == Part.WHOLE) {
                ObjectNode updated = object;
                checkValid(type, name, () -> KindValidation.validateUpdate(type, existing, updated));
            }
        }
        rules.prepare(type, object);
        ObjectNode prepared = object;
        checkValid(type, name, () -> rules.validate(type, prepared));
        if (expected != current.modRevision()) {
            // Stale before anything is claimed for it.
            throw ApiException.conflict(type.gvr().groupResource(), type.gvr().group(), name);
        }
        WriteHooks writeHooks = part == Part.WHOLE || part == Part.SPEC_AND_STATUS ? hooksOf(type) : WriteHooks.NONE;
        if (dryRun) {
            writeHooks.beforeUpdate(existing, object, true);
            return withVersion(object, current.modRevision());
        }
        writeHooks.beforeUpdate(existing, object, false);
        WriteResult result;
        try {
            byte[] bytes = JSON.writeValueAsBytes(rules.toStorage(type, object));
            result = withLease(type, lease -> store.update(key, bytes, expected, lease));
        } catch (RuntimeException e) {
            writeHooks.writeFailed(existing, object);
            throw e;
        }
        if (!result.succeeded()) {
            writeHooks.writeFailed(existing, object);
            if (result.current() == null) {
                throw ApiException.notFound(type.gvr().groupResource(), type.gvr().group(), name);
            }
            throw ApiException.conflict(type.gvr().groupResource(), type.gvr().group(), name);
        }
        writeHooks.afterUpdate(existing, object);
        if (Deletion.finished(type, object)) {
            // The last finalizer is gone from an object being deleted: now it goes. Another writer may
            // have got in between; then the object is no longer this one and its own update decides.
            if (store.delete(key, result.revision()).succeeded()) {
                hooksOf(type).afterDelete(object);
            }
        }
        return withVersion(object, result.revision());
    }

    /** How often a patch is re-applied when another writer got in between its read and its write. */
    static final int PATCH_ATTEMPTS = 10;

    /**
     * Applies {@code patch} to the current object and stores the result, re-reading and re-applying when
     * another writer changed the object meanwhile (Kubernetes' guaranteed update). A resourceVersion the
     * patch itself sets is a precondition: if it is not current, 409.
     */
    public ObjectNode patch(ResourceType type, String namespace, String name, UnaryOperator<ObjectNode> patch) {
        return patch(type, namespace, name, patch, false, false);
    }

    public ObjectNode patch(ResourceType type, String namespace, String name, UnaryOperator<ObjectNode> patch,
            boolean dryRun) {
        return patch(type, namespace, name, patch, false, dryRun);
    }

    /** As {@link #patch(ResourceType, String, String, UnaryOperator)}, through the status subresource. */
    public ObjectNode patchStatus(ResourceType type, String namespace, String name, UnaryOperator<ObjectNode> patch,
            boolean dryRun) {
        return patch(type, namespace, name, patch, Part.STATUS, dryRun);
    }

    private ObjectNode patch(ResourceType type, String namespace, String name, UnaryOperator<ObjectNode> patch,
            boolean status, boolean dryRun) {
        return patch(type, namespace, name, patch, status ? Part.STATUS : Part.WHOLE, dryRun);
    }

    /**
     * As {@link #patch(ResourceType, String, String, UnaryOperator)}, changing only what {@code part} covers;
     * the patch sees the whole current object.
     */
    public ObjectNode patch(ResourceType type, String namespace, String name, UnaryOperator<ObjectNode> patch,
            Part part, boolean dryRun) {
        for (int attempt = 0; attempt < PATCH_ATTEMPTS; attempt++) {
            KeyValue current = store.get(type.storageKey(namespace, name))
                    .orElseThrow(() -> ApiException.notFound(type.gvr().groupResource(), type.gvr().group(), name));
            ObjectNode currentObject = read(type, current);
            // Handed over without its resourceVersion: one present afterwards came from the patch.
            metadataOf(currentObject).remove("resourceVersion");
            ObjectNode patched = patch.apply(currentObject);
            ObjectNode metadata = metadataOf(patched);
            String version = text(metadata, "resourceVersion");
            if (!version.isEmpty() && parseVersion(version) != current.modRevision()) {
                throw ApiException.conflict(type.gvr().groupResource(), type.gvr().group(), name);
            }
            metadata.put("resourceVersion", Long.toString(current.modRevision()));
            try {
                return write(type, namespace, name, patched, part, dryRun);
            } catch (ApiException e) {
                if (e.code() != 409 || !version.isEmpty()) {
                    throw e;
                }
                // Someone else wrote first: read again and re-apply.
            }
        }
        throw ApiException.conflict(type.gvr().groupResource(), type.gvr().group(), name);
    }

    /** Deletes an object now and returns it as it was last stored. */
    public ObjectNode delete(ResourceType type, String namespace, String name, Optional<String> preconditionVersion) {
        return delete(type, namespace, name, preconditionVersion.map(DeleteOptions::precondition)
                .orElse(DeleteOptions.NONE));
    }

    /**
     * Deletes an object, or starts its deletion: an object with finalizers, or a pod running on a node
     * that must first be given time to stop, gets a {@code deletionTimestamp} and stays until its
     * finalizers are gone or its node (or a forced delete) removes it. Returns the object as it was
     * deleted, or as it now is while its deletion is pending.
     */
    public ObjectNode delete(ResourceType type, String namespace, String name, DeleteOptions options) {
        String key = type.storageKey(namespace, name);
        for (int attempt = 0; attempt < PATCH_ATTEMPTS; attempt++) {
            KeyValue current = store.get(key)
                    .orElseThrow(() -> ApiException.notFound(type.gvr().groupResource(), type.gvr().group(), name));
            ObjectNode existing = read(type, current);
            checkPreconditions(type, name, current, existing, options);
            Deletion deletion = Deletion.plan(type, existing, options, clock.instant());
            if (options.dryRun() || deletion instanceof Deletion.AlreadyPending) {
                return deletion.object();
            }
            WriteResult result;
            if (deletion instanceof Deletion.Start start) {
                ObjectNode pending = start.object();
                metadataOf(pending).remove("resourceVersion");
                byte[] bytes = JSON.writeValueAsBytes(rules.toStorage(type, pending));
                result = withLease(type, lease -> store.update(key, bytes, current.modRevision(), lease));
                if (result.succeeded()) {
                    return withVersion(pending, result.revision());
                }
            } else {
                result = store.delete(key, current.modRevision());
                if (result.succeeded()) {
                    ObjectNode deleted = read(type, result.current());
                    hooksOf(type).afterDelete(deleted);
                    return deleted;
                }
            }
            if (result.current() == null) {
                throw ApiException.notFound(type.gvr().groupResource(), type.gvr().group(), name);
            }
            // Another writer got in between the read and the write; the preconditions are checked again.
        }
        throw ApiException.conflict(type.gvr().groupResource(), type.gvr().group(), name);
    }

    /** As {@link #delete(ResourceType, String, String, Optional)}; with {@code dryRun} nothing is deleted. */
    public ObjectNode delete(ResourceType type, String namespace, String name, Optional<String> preconditionVersion,
            boolean dryRun) {
        return delete(type, namespace, name, preconditionVersion.map(DeleteOptions::precondition)
                .orElse(DeleteOptions.NONE).withDryRun(dryRun));
    }

    private void checkPreconditions(ResourceType type, String name, KeyValue current, ObjectNode existing,
            DeleteOptions options) {
        String uid = text(metadataOf(existing), "uid");
        if (options.uid().isPresent() && !options.uid().get().equals(uid)) {
            throw ApiException.conflict(type.gvr().groupResource(), type.gvr().group(), name,
                    "Precondition failed: UID in precondition: " + options.uid().get() + ", UID in object meta: "
                            + uid);
        }
        if (options.resourceVersion().isPresent()
                && parseVersion(options.resourceVersion().get()) != current.modRevision()) {
            throw ApiException.conflict(type.gvr().groupResource(), type.gvr().group(), name,
                    "Precondition failed: ResourceVersion in precondition: " + options.resourceVersion().get()
                            + ", ResourceVersion in object meta: " + current.modRevision());
        }
    }

    /** Runs a write under the kind's lease: Events expire, everything else lives until deleted. */
    private WriteResult withLease(ResourceType type, java.util.function.LongFunction<WriteResult> write) {
        if (!EventLeases.expires(type)) {
            return write.apply(Store.NO_LEASE);
        }
        long lease = eventLeases.current();
        try {
            return write.apply(lease);
        } catch (LeaseNotFoundException e) {
            eventLeases.invalidate(lease);
            return write.apply(eventLeases.current());
        }
    }

    private static void replaceField(ObjectNode object, String field, JsonNode value) {
        if (value == null || value.isNull()) {
            object.remove(field);
        } else {
            object.set(field, value.deepCopy());
        }
    }

    /** Reads a stored object of a type, with its resourceVersion, as a reader of that type sees it. */
    public ObjectNode read(ResourceType type, KeyValue kv) {
        return rules.fromStorage(type, decode(kv));
    }

    /** Reads a stored object, with its resourceVersion. */
    public static ObjectNode decode(KeyValue kv) {
        ObjectNode object = (ObjectNode) JSON.readTree(kv.value());
        return withVersion(object, kv.modRevision());
    }

    private static ObjectNode withVersion(ObjectNode object, long revision) {
        metadataOf(object).put("resourceVersion", Long.toString(revision));
        return object;
    }

    private static void checkListVersion(String version, String match) {
        List<ApiException.Cause> causes = new java.util.ArrayList<>();
        if (!match.isEmpty() && !match.equals("Exact") && !match.equals("NotOlderThan")) {
            causes.add(new ApiException.Cause("FieldValueNotSupported", "Unsupported value: \"" + match
                    + "\": supported values: \"Exact\", \"NotOlderThan\", \"\"", "resourceVersionMatch"));
        } else if (!match.isEmpty() && version.isEmpty()) {
            causes.add(new ApiException.Cause("FieldValueForbidden", "Forbidden: resourceVersionMatch is forbidden "
                    + "unless resourceVersion is provided", "resourceVersionMatch"));
        } else if (match.equals("Exact") && version.equals("0")) {
            causes.add(new ApiException.Cause("FieldValueForbidden", "Forbidden: resourceVersionMatch \"exact\" is "
                    + "forbidden for resourceVersion \"0\"", "resourceVersionMatch"));
        }
        if (!causes.isEmpty()) {
            throw ApiException.invalid("ListOptions", "meta.k8s.io", "", causes);
        }
    }

    /** Waits a little for a version the store has not reached (another API server wrote it), then 504. */
    private void awaitRevision(long revision) {
        long deadline = System.nanoTime() + FUTURE_VERSION_WAIT.toNanos();
        while (store.currentRevision() < revision) {
            if (System.nanoTime() > deadline) {
                throw new ApiException(504, "Timeout", "Too large resource version: " + revision + ", current: "
                        + store.currentRevision(), null);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw ApiException.unavailable("interrupted while waiting for resource version " + revision);
            }
        }
    }

    private void requireActiveNamespace(String namespace) {
        // A namespace the view has not seen may have been created a moment ago, and one it saw terminating
        // may have been deleted and created again since: only the store's word refuses a create.
        if (namespaceView.namespace(namespace).filter(ns -> !terminating(ns)).isPresent()) {
            return;
        }
        KeyValue ns = store.get(namespaces.storageKey("", namespace))
                .orElseThrow(() -> ApiException.notFound("namespaces", "", namespace));
        if (terminating(decode(ns))) {
            throw new ApiException(403, "Forbidden", "unable to create new content in namespace " + namespace
                    + " because it is being terminated", ApiException.Details.of(namespace, "", "namespaces"));
        }
    }

    private static boolean terminating(JsonNode namespace) {
        return "Terminating".equals(namespace.path("status").path("phase").asString(""));
    }

    /** Refuses an object that breaks a validation rule, with every cause; a wrongly typed field is a 400. */
    private static void checkValid(ResourceType type, String name, Supplier<List<FieldError>> validation) {
        List<FieldError> errors;
        try {
            errors = validation.get();
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        if (!errors.isEmpty()) {
            throw ApiException.invalid(type.kind(), type.gvr().group(), name, errors.stream()
                    .map(error -> new ApiException.Cause(error.reason(), error.message(), error.field())).toList());
        }
    }

    private static void checkKind(ResourceType type, ObjectNode object) {
        String apiVersion = text(object, "apiVersion");
        String expected = type.gvr().groupVersion().apiVersion();
        String kind = text(object, "kind");
        if (!kind.isEmpty() && !kind.equals(type.kind())) {
            // Kubernetes decodes a body of another built-in kind as that kind, then fails to convert it.
            GroupVersionKind inBody = GroupVersionKind.of(apiVersion.isEmpty() ? expected : apiVersion, kind);
            if (ModelClasses.modelClass(inBody).isPresent()) {
                throw ApiException.badRequest(kind + " in version \"" + inBody.version() + "\" cannot be handled as a "
                        + type.kind() + ": converting (" + inBody.version() + "." + kind + ") to ("
                        + internalPackage(type.gvr().group()) + "." + type.kind() + "): unknown conversion");
            }
        }
        if (!apiVersion.isEmpty() && !apiVersion.equals(expected)) {
            throw ApiException.badRequest("the API version in the data (" + apiVersion
                    + ") does not match the expected API version (" + expected + ")");
        }
        if (!kind.isEmpty() && !kind.equals(type.kind())) {
            throw ApiException.badRequest("the kind in the data (" + kind + ") does not match the expected kind ("
                    + type.kind() + ")");
        }
        object.put("apiVersion", expected);
        object.put("kind", type.kind());
    }

    /**
     * The Go package of a group's internal types, which Kubernetes' conversion errors name: the group's
     * first label ({@code rbac} for {@code rbac.authorization.k8s.io}); {@code core} for the core group and
     * for {@code events.k8s.io}, whose events are core events inside.
     */
    private static String internalPackage(String group) {
        if (group.isEmpty() || group.equals("events.k8s.io")) {
            return "core";
        }
        int dot = group.indexOf('.');
        return dot < 0 ? group : group.substring(0, dot);
    }

    private static void checkNamespace(ResourceType type, String namespace, ObjectNode metadata) {
        String bodyNamespace = text(metadata, "namespace");
        if (!type.namespaced()) {
            metadata.remove("namespace");
            return;
        }
        if (!bodyNamespace.isEmpty() && !bodyNamespace.equals(namespace)) {
            throw ApiException.badRequest("the namespace of the provided object does not match the namespace sent "
                    + "on the request");
        }
        metadata.put("namespace", namespace);
    }

    private static void checkName(ResourceType type, String name) {
        // Services and namespaces need DNS labels; the rest subdomains.
        Optional<String> problem = KindValidation.checkName(type, name);
        problem.ifPresent(message -> {
            throw ApiException.invalid(type.kind(), type.gvr().group(), name, List.of(new ApiException.Cause(
                    "FieldValueInvalid", "Invalid value: \"" + name + "\": " + message, "metadata.name")));
        });
    }

    private long parseVersion(String version) {
        try {
            long revision = Long.parseLong(version);
            if (revision > 0) {
                return revision;
            }
        } catch (NumberFormatException e) {
            // Reported below.
        }
        throw ApiException.badRequest("invalid resource version: " + version);
    }

    private static ObjectNode metadataOf(ObjectNode object) {
        JsonNode metadata = object.get("metadata");
        if (metadata == null || metadata.isNull()) {
            return object.putObject("metadata");
        }
        if (!metadata.isObject()) {
            throw ApiException.badRequest("metadata must be an object");
        }
        return (ObjectNode) metadata;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? "" : value.asString("");
    }

    /** Parses a request body that must be one JSON object. */
    public static ObjectNode parseObject(byte[] body) {
        try {
            JsonNode node = JSON.readTree(body);
            if (node == null || !node.isObject()) {
                throw ApiException.badRequest("the body of the request must be a JSON object");
            }
            return (ObjectNode) node;
        } catch (JacksonException e) {
            throw ApiException.badRequest("the body of the request could not be decoded: " + e.getOriginalMessage());
        }
    }

}
