package io.kybern.apiserver;

import io.kybern.api.patch.PatchException;
import io.kybern.api.patch.Patches;
import io.kybern.api.patch.apply.ApplyConflictException;
import io.kybern.api.patch.apply.ManagedFields;
import io.kybern.api.patch.apply.ServerSideApply;
import io.kybern.api.patch.strategic.BuiltInPatchSchemas;
import io.kybern.api.patch.strategic.PatchSchema;
import io.kybern.api.patch.strategic.StrategicMergePatch;
import io.kybern.api.resource.BuiltInGroupVersions;
import io.kybern.api.resource.GroupVersionKind;
import io.kybern.api.patch.strategic.SchemaPatchSchemas;
import io.kybern.api.resource.ResourceType;
import io.kybern.api.schema.Schemas;
import io.kybern.apiserver.http.ApiRequest;
import io.kybern.apiserver.registry.ObjectStorage;
import io.kybern.apiserver.status.ApiException;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BinaryOperator;
import java.util.function.UnaryOperator;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Creates, updates and patches objects with their managedFields kept, as Kubernetes' field manager
 * does: ordinary writes record an {@code Update} entry for their field manager, server-side apply an
 * {@code Apply} entry, with conflicts and {@code force}. Patches come in the four types Kubernetes
 * accepts (JSON patch, merge patch, strategic merge patch for built-in kinds, apply).
 *
 * <p>Stateless apart from its collaborators; safe from any thread.
 */
final class ManagedWrites {

    static final String APPLY_PATCH = "application/apply-patch+yaml";
    static final String STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json";
    static final String MERGE_PATCH = "application/merge-patch+json";
    static final String JSON_PATCH = "application/json-patch+json";

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final YAMLMapper YAML = YAMLMapper.builder().build();
    private static final int MAX_MANAGER_LENGTH = 128;
    private static final Map<GroupVersionKind, PatchSchema> BUILT_IN_PATCH_SCHEMAS = new ConcurrentHashMap<>();

    private final ObjectStorage storage;
    private final InstantSource clock;

    ManagedWrites(ObjectStorage storage, InstantSource clock) {
        this.storage = storage;
        this.clock = clock;
    }

    ObjectNode create(ResourceType type, String namespace, ApiRequest request, ObjectNode body, boolean dryRun) {
        String manager = manager(request, false);
        refuseForce(request);
        ManagedFields.recordUpdate(null, body, schema(type), manager, apiVersion(type), clock.instant(),
                ignored(type));
        return storage.create(type, namespace, body, dryRun);
    }

    /**
     * An update, through the storage's read-modify-write so that managedFields are computed against the
     * object it replaces; a resourceVersion in the body stays a precondition.
     */
    ObjectNode update(ResourceType type, String namespace, String name, ApiRequest request, ObjectNode body,
            boolean dryRun) {
        String manager = manager(request, false);
        refuseForce(request);
        return storage.patch(type, namespace, name, current -> {
            ObjectNode next = body.deepCopy();
            ManagedFields.recordUpdate(current, next, schema(type), manager, apiVersion(type), clock.instant(),
                    ignored(type));
            return next;
        }, dryRun);
    }

    /**
     * A patch of any type; an apply creates the object when there is none.
     *
     * @param checked wraps the patch with checks of what it leaves (field validation), run before
     *                managedFields are recorded
     * @param created told when an apply created the object
     */
    ObjectNode patch(ResourceType type, String namespace, String name, ApiRequest request,
            UnaryOperator<UnaryOperator<ObjectNode>> checked, boolean dryRun, Runnable created) {
        if (mediaType(request).equals(APPLY_PATCH)) {
            return apply(type, namespace, name, request, checked, dryRun, created);
        }
        String manager = manager(request, false);
        refuseForce(request);
        UnaryOperator<ObjectNode> patch = checked.apply(patcher(type, request));
        return storage.patch(type, namespace, name, current -> {
            ObjectNode next = withoutEmptyMetadata(patch.apply(current));
            ManagedFields.recordUpdate(current, next, schema(type), manager, apiVersion(type), clock.instant(),
                    ignored(type));
            return next;
        }, dryRun);
    }

    private ObjectNode apply(ResourceType type, String namespace, String name, ApiRequest request,
            UnaryOperator<UnaryOperator<ObjectNode>> checked, boolean dryRun, Runnable created) {
        String manager = manager(request, true);
        boolean force = force(request);
        ObjectNode applied = appliedConfiguration(request);
        UnaryOperator<ObjectNode> apply = checked.apply(live -> {
            try {
                return ServerSideApply.apply(live, applied, schema(type), manager, force, apiVersion(type),
                        clock.instant(), ignored(type));
            } catch (ApplyConflictException e) {
                throw conflict(e);
            } catch (PatchException e) {
                throw patchFailed(type, name, e);
            }
        });
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                return storage.patch(type, namespace, name, apply, dryRun);
            } catch (ApiException e) {
                if (e.code() != 404 || !e.reason().equals("NotFound") || e.details().name() == null) {
                    throw e;
                }
            }
            ObjectNode createdObject = apply.apply(null);
            ObjectNode metadata = (ObjectNode) createdObject.get("metadata");
            String bodyName = metadata.path("name").asString("");
            if (!bodyName.isEmpty() && !bodyName.equals(name)) {
                throw ApiException.badRequest("the name of the object (" + bodyName
                        + ") does not match the name on the URL (" + name + ")");
            }
            metadata.put("name", name);
            try {
                ObjectNode stored = storage.create(type, namespace, createdObject, dryRun);
                created.run();
                return stored;
            } catch (ApiException e) {
                if (e.code() != 409 || !e.reason().equals("AlreadyExists")) {
                    throw e;
                }
                // Created by someone else meanwhile: apply to theirs.
            }
        }
        return storage.patch(type, namespace, name, apply, dryRun);
    }

    /** An update through the status subresource, recorded as an {@code Update} of {@code status}. */
    ObjectNode updateStatus(ResourceType type, String namespace, String name, ApiRequest request, ObjectNode body,
            boolean dryRun) {
        String manager = manager(request, false);
        refuseForce(request);
        return storage.patchStatus(type, namespace, name, current -> {
            ObjectNode next = body.deepCopy();
            ManagedFields.recordStatusUpdate(current, next, schema(type), manager, apiVersion(type),
                    clock.instant());
            return next;
        }, dryRun);
    }

    /** A patch through the status subresource, apply included (which never creates there). */
    ObjectNode patchStatus(ResourceType type, String namespace, String name, ApiRequest request,
            UnaryOperator<UnaryOperator<ObjectNode>> checked, boolean dryRun) {
        if (mediaType(request).equals(APPLY_PATCH)) {
            String manager = manager(request, true);
            boolean force = force(request);
            ObjectNode applied = appliedConfiguration(request);
            return storage.patchStatus(type, namespace, name, checked.apply(live -> {
                try {
                    return ServerSideApply.applyStatus(live, applied, schema(type), manager, force, apiVersion(type),
                            clock.instant());
                } catch (ApplyConflictException e) {
                    throw conflict(e);
                } catch (PatchException e) {
                    throw patchFailed(type, name, e);
                }
            }), dryRun);
        }
        String manager = manager(request, false);
        refuseForce(request);
        UnaryOperator<ObjectNode> patch = checked.apply(patcher(type, request));
        return storage.patchStatus(type, namespace, name, current -> {
            ObjectNode next = patch.apply(current);
            ManagedFields.recordStatusUpdate(current, next, schema(type), manager, apiVersion(type),
                    clock.instant());
            return next;
        }, dryRun);
    }

    /**
     * A patch other than apply, as a function from the current object to the patched one.
     */
    static UnaryOperator<ObjectNode> patcher(ResourceType type, ApiRequest request) {
        String mediaType = mediaType(request);
        BinaryOperator<JsonNode> apply = switch (mediaType) {
            case MERGE_PATCH -> Patches::mergePatch;
            case JSON_PATCH -> Patches::jsonPatch;
            case STRATEGIC_MERGE_PATCH -> {
                if (!builtIn(type)) {
                    // As Kubernetes: custom resources have no Go types to carry patch strategies.
                    throw unsupportedPatchType(request, false);
                }
                PatchSchema schema = schema(type);
                yield (current, patch) -> StrategicMergePatch.apply((ObjectNode) current, patch, schema);
            }
            default -> throw unsupportedPatchType(request, builtIn(type));
        };
        JsonNode patch;
        try {
            patch = JSON.readTree(request.body());
        } catch (JacksonException e) {
            throw ApiException.badRequest("the body of the request could not be decoded: " + e.getOriginalMessage());
        }
        if (patch == null || patch.isMissingNode()) {
            throw ApiException.badRequest("the patch is empty");
        }
        return current -> {
            JsonNode patched;
            try {
                patched = apply.apply(current, patch);
            } catch (PatchException e) {
                throw patchFailed(type, current.path("metadata").path("name").asString(""), e);
            }
            if (!patched.isObject()) {
                throw ApiException.badRequest("the patch must leave an object");
            }
            return (ObjectNode) patched;
        };
    }

    /**
     * Kubernetes decodes every write into its Go types, whose metadata maps and lists are
     * {@code omitempty}: removing the last label leaves no {@code labels: {}} behind. The same here.
     */
    private static ObjectNode withoutEmptyMetadata(ObjectNode object) {
        if (object.get("metadata") instanceof ObjectNode metadata) {
            for (String field : List.of("labels", "annotations", "finalizers", "ownerReferences")) {
                JsonNode value = metadata.get(field);
                if (value != null && (value.isNull() || value.isContainer() && value.isEmpty())) {
                    metadata.remove(field);
                }
            }
        }
        return object;
    }

    private static ApiException patchFailed(ResourceType type, String name, PatchException e) {
        if (e.malformed()) {
            return ApiException.badRequest(e.getMessage());
        }
        return ApiException.invalid(type.kind(), type.gvr().group(), name, List.of(new ApiException.Cause(
                "FieldValueInvalid", "the patch could not be applied: " + e.getMessage(), "")));
    }

    private static ApiException conflict(ApplyConflictException e) {
        List<ApiException.Cause> causes = e.conflicts().stream()
                .map(c -> new ApiException.Cause("FieldManagerConflict", c.message(), c.path().toString()))
                .toList();
        return new ApiException(409, "Conflict", e.getMessage(),
                new ApiException.Details(null, null, null, causes, null));
    }

    private static ApiException unsupportedPatchType(ApiRequest request, boolean strategicAllowed) {
        String accepted = "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"
                + (strategicAllowed ? ", application/strategic-merge-patch+json" : "");
        return new ApiException(415, "UnsupportedMediaType", "the body of the request was in an unknown format - "
                + "accepted media types include: " + accepted, null);
    }

    private static ObjectNode appliedConfiguration(ApiRequest request) {
        JsonNode node;
        try {
            node = YAML.readTree(new String(request.body(), StandardCharsets.UTF_8));
        } catch (JacksonException e) {
            throw ApiException.badRequest("error decoding YAML: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw ApiException.badRequest("the applied configuration must be an object");
        }
        return (ObjectNode) node;
    }

    /**
     * The request's field manager: {@code fieldManager}, or else the first part of the User-Agent
     * ({@code kubectl/v1.33.0 (linux/amd64) ...} manages as {@code kubectl}), as Kubernetes names it.
     * Apply must name one.
     */
    private static String manager(ApiRequest request, boolean apply) {
        String manager = request.param("fieldManager");
        if (manager == null || manager.isEmpty()) {
            if (apply) {
                throw ApiException.invalid("PatchOptions", "meta.k8s.io", "", List.of(new ApiException.Cause(
                        "FieldValueRequired", "Required value: is required for apply patch", "fieldManager")));
            }
            String agent = Optional.ofNullable(request.header("user-agent")).orElse("");
            manager = agent.split("/", 2)[0].strip();
            return manager.isEmpty() ? "unknown" : truncate(manager);
        }
        if (manager.length() > MAX_MANAGER_LENGTH) {
            throw ApiException.badRequest("fieldManager: Too long: may not be more than 128 bytes");
        }
        return manager;
    }

    private static String truncate(String manager) {
        return manager.length() > MAX_MANAGER_LENGTH ? manager.substring(0, MAX_MANAGER_LENGTH) : manager;
    }

    private static boolean force(ApiRequest request) {
        String force = request.param("force");
        if (force == null || force.isEmpty() || force.equals("false")) {
            return false;
        }
        if (force.equals("true")) {
            return true;
        }
        throw ApiException.badRequest("invalid force: " + force);
    }

    private static void refuseForce(ApiRequest request) {
        if (force(request)) {
            throw ApiException.invalid("PatchOptions", "meta.k8s.io", "", List.of(new ApiException.Cause(
                    "FieldValueNotSupported", "Unsupported value: true: may not be specified for non-apply patch",
                    "force")));
        }
    }

    private static String mediaType(ApiRequest request) {
        String contentType = Optional.ofNullable(request.header("content-type")).orElse("");
        return contentType.split(";")[0].strip().toLowerCase(Locale.ROOT);
    }

    /** Built-in kinds have patch strategies; custom resources only plain merges. */
    private static boolean builtIn(ResourceType type) {
        return BuiltInGroupVersions.DISCOVERY_ORDER.contains(type.gvr().groupVersion());
    }

    /**
     * The patch strategies of a kind: from the built-in schemas, else the table of common kinds. Built-in
     * schemas are fixed for the life of the process, so each kind's is built once and shared by every write.
     */
    private static PatchSchema schema(ResourceType type) {
        if (!builtIn(type)) {
            return PatchSchema.OPAQUE;
        }
        return BUILT_IN_PATCH_SCHEMAS.computeIfAbsent(type.gvk(), gvk -> SchemaPatchSchemas
                .forKind(Schemas.builtIn(), gvk).orElseGet(() -> BuiltInPatchSchemas.forKind(gvk.kind())));
    }

    private static String apiVersion(ResourceType type) {
        return type.gvr().groupVersion().apiVersion();
    }

    /** Where status has its own subresource, writes to the object do not change it, so nobody owns it here. */
    private static Set<String> ignored(ResourceType type) {
        return type.subresource("status").isPresent() ? Set.of("status") : Set.of();
    }
}
