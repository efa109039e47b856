package io.kybern.apiserver.registry;

import io.kybern.api.resource.ResourceType;
import io.kybern.api.validation.Names;
import io.kybern.apiserver.status.ApiException;
import io.kybern.store.CompactedException;
import io.kybern.store.FutureRevisionException;
import io.kybern.store.KeyValue;
import io.kybern.store.LeaseNotFoundException;
import io.kybern.store.RangeRequest;
import io.kybern.store.RangeResult;
import io.kybern.store.Store;
import io.kybern.store.WriteResult;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
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
        if (metadata.hasNonNull("resourceVersion") && !text(metadata, "resourceVersion").isEmpty()) {
            throw ApiException.badRequest("resourceVersion should not be set on objects to be created");
        }
        if (type.namespaced()) {
            requireActiveNamespace(namespace);
        }
        metadata.remove("resourceVersion");
        CreateDefaults.apply(type, object);
        metadata.put("uid", UUID.randomUUID().toString());
        metadata.put("creationTimestamp", TIMESTAMP.format(clock.instant().truncatedTo(ChronoUnit.SECONDS)));
        String key = type.storageKey(namespace, name);
        if (dryRun) {
            if (store.get(key).isPresent()) {
                throw ApiException.alreadyExists(type.gvr().groupResource(), type.gvr().group(), name);
            }
            return object;
        }
        byte[] bytes = JSON.writeValueAsBytes(object);
        WriteResult result = withLease(type, lease -> store.create(key, bytes, lease));
        if (!result.succeeded()) {
            throw ApiException.alreadyExists(type.gvr().groupResource(), type.gvr().group(), name);
        }
        return withVersion(object, result.revision());
    }

    /** Creates the object unless one of that name exists; for objects the server itself provides. */
    public void ensure(ResourceType type, String namespace, ObjectNode object) {
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
        return decode(kv);
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
        String prefix = type.namespaced() && !namespace.isEmpty() ? type.storagePrefix() + namespace + "/"
                : type.storagePrefix();
        RangeRequest request = RangeRequest.prefix(prefix).withLimit(limit);
        if (continueToken != null && !continueToken.isEmpty()) {
            ContinueToken token = ContinueToken.decode(continueToken);
            request = request.atRevision(token.revision()).after(prefix + token.after());
        } else if (resourceVersion != null && !resourceVersion.isEmpty() && !resourceVersion.equals("0")) {
            request = request.atRevision(parseVersion(resourceVersion));
        }
        RangeResult page;
        try {
            page = store.range(request);
        } catch (CompactedException e) {
            if (continueToken != null && !continueToken.isEmpty()) {
                throw ApiException.gone("The provided continue parameter is too old to display a consistent list "
                        + "result. You can start a new list without the continue parameter, or use the continue "
                        + "token in this response to retrieve the remainder of the results. Continuing with the "
                        + "provided token results in an inconsistent list - objects that were created, modified, "
                        + "or deleted between the time the first chunk was returned and now may show up in the list.");
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
            ObjectNode item = decode(kv);
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

    /** Which part of an object a write may change. */
    private enum Part { WHOLE, STATUS }

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
        ObjectNode existing = decode(current);
        ObjectNode existingMetadata = metadataOf(existing);
        metadata.remove("resourceVersion");
        if (part == Part.STATUS) {
            // Only the status moves: the stored object with the request's status (and the managedFields
            // that record who wrote it).
            ObjectNode merged = existing.deepCopy();
            metadataOf(merged).remove("resourceVersion");
            replaceField(merged, "status", object.get("status"));
            JsonNode managedFields = metadata.get("managedFields");
            object = merged;
            metadata = metadataOf(object);
            if (managedFields != null) {
                metadata.set("managedFields", managedFields);
            }
        } else if (type.subresource("status").isPresent()) {
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
        if (dryRun) {
            if (expected != current.modRevision()) {
                throw ApiException.conflict(type.gvr().groupResource(), type.gvr().group(), name);
            }
            return withVersion(object, current.modRevision());
        }
        byte[] bytes = JSON.writeValueAsBytes(object);
        WriteResult result = withLease(type, lease -> store.update(key, bytes, expected, lease));
        if (!result.succeeded()) {
            if (result.current() == null) {
                throw ApiException.notFound(type.gvr().groupResource(), type.gvr().group(), name);
            }
            throw ApiException.conflict(type.gvr().groupResource(), type.gvr().group(), name);
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
        return patch(type, namespace, name, patch, true, dryRun);
    }

    private ObjectNode patch(ResourceType type, String namespace, String name, UnaryOperator<ObjectNode> patch,
            boolean status, boolean dryRun) {
        for (int attempt = 0; attempt < PATCH_ATTEMPTS; attempt++) {
            KeyValue current = store.get(type.storageKey(namespace, name))
                    .orElseThrow(() -> ApiException.notFound(type.gvr().groupResource(), type.gvr().group(), name));
            ObjectNode currentObject = decode(current);
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
                return write(type, namespace, name, patched, status ? Part.STATUS : Part.WHOLE, dryRun);
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
        return delete(type, namespace, name, preconditionVersion, false);
    }

    /** As {@link #delete(ResourceType, String, String, Optional)}; with {@code dryRun} nothing is deleted. */
    public ObjectNode delete(ResourceType type, String namespace, String name, Optional<String> preconditionVersion,
            boolean dryRun) {
        String key = type.storageKey(namespace, name);
        KeyValue current = store.get(key)
                .orElseThrow(() -> ApiException.notFound(type.gvr().groupResource(), type.gvr().group(), name));
        long expected = preconditionVersion.map(this::parseVersion).orElse(current.modRevision());
        if (dryRun) {
            if (expected != current.modRevision()) {
                throw ApiException.conflict(type.gvr().groupResource(), type.gvr().group(), name);
            }
            return decode(current);
        }
        WriteResult result = store.delete(key, expected);
        if (!result.succeeded()) {
            if (result.current() == null) {
                throw ApiException.notFound(type.gvr().groupResource(), type.gvr().group(), name);
            }
            throw ApiException.conflict(type.gvr().groupResource(), type.gvr().group(), name);
        }
        return decode(result.current());
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

    /** Reads a stored object, with its resourceVersion. */
    public static ObjectNode decode(KeyValue kv) {
        ObjectNode object = (ObjectNode) JSON.readTree(kv.value());
        return withVersion(object, kv.modRevision());
    }

    private static ObjectNode withVersion(ObjectNode object, long revision) {
        metadataOf(object).put("resourceVersion", Long.toString(revision));
        return object;
    }

    private void requireActiveNamespace(String namespace) {
        KeyValue ns = store.get(namespaces.storageKey("", namespace))
                .orElseThrow(() -> ApiException.notFound("namespaces", "", namespace));
        JsonNode phase = decode(ns).path("status").path("phase");
        if ("Terminating".equals(phase.asString(""))) {
            throw new ApiException(403, "Forbidden", "unable to create new content in namespace " + namespace
                    + " because it is being terminated", ApiException.Details.of(namespace, "", "namespaces"));
        }
    }

    private static void checkKind(ResourceType type, ObjectNode object) {
        String apiVersion = text(object, "apiVersion");
        String expected = type.gvr().groupVersion().apiVersion();
        if (!apiVersion.isEmpty() && !apiVersion.equals(expected)) {
            throw ApiException.badRequest("the API version in the data (" + apiVersion
                    + ") does not match the expected API version (" + expected + ")");
        }
        String kind = text(object, "kind");
        if (!kind.isEmpty() && !kind.equals(type.kind())) {
            throw ApiException.badRequest("the kind in the data (" + kind + ") does not match the expected kind ("
                    + type.kind() + ")");
        }
        object.put("apiVersion", expected);
        object.put("kind", type.kind());
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
        // Namespaces (and a few kinds the catalog marks later) need labels; the rest subdomains.
        Optional<String> problem = type.gvr().resource().equals("namespaces") ? Names.checkLabel(name)
                : Names.checkSubdomain(name);
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
