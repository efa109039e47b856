package io.kybern.api.patch.apply;

import io.kybern.api.patch.PatchException;
import io.kybern.api.patch.strategic.PatchSchema;
import io.kybern.api.patch.strategic.PatchSchema.Field;
import io.kybern.api.patch.strategic.PatchSchema.ListType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Server-side apply: merges a manager's applied configuration into the live object and keeps
 * managedFields, as Kubernetes' structured merge does.
 * <ul>
 *   <li>The manager comes to own exactly the fields of its configuration (its {@code Apply} entry).</li>
 *   <li>Fields it owned before and no longer applies are removed, unless another manager owns them.</li>
 *   <li>Changing a field another manager owns is a conflict, unless {@code force} moves the field
 *       to this manager; applying the value a field already has shares it without conflict.</li>
 *   <li>Keyed lists merge element by element, sets by value; atomic lists and objects are replaced.</li>
 * </ul>
 *
 * <p>Stateless; safe from any thread.
 */
public final class ServerSideApply {

    /** Who owned the fields of an object that was never applied to, when it first is. */
    static final String BEFORE_FIRST_APPLY = "before-first-apply";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ServerSideApply() {
    }

    /**
     * Returns the live object (or, when it does not exist, nothing) with {@code applied} applied by
     * {@code manager}, its managedFields updated. Neither argument is changed.
     *
     * @param live       the stored object, or null to create
     * @param apiVersion the API version of the request, recorded in the manager's entry
     * @param ignored    top-level fields this write cannot change (status behind its subresource)
     * @throws ApplyConflictException when fields other managers own would change and {@code force} is off
     */
    public static ObjectNode apply(ObjectNode live, ObjectNode applied, PatchSchema schema, String manager,
            boolean force, String apiVersion, Instant now, Set<String> ignored) {
        return apply(live, applied, schema, manager, force, apiVersion, now, ignored, "");
    }

    /**
     * An apply through the {@code status} subresource: only {@code status} is merged, owned and checked
     * for conflicts, among the managers that wrote through that subresource.
     */
    public static ObjectNode applyStatus(ObjectNode live, ObjectNode applied, PatchSchema schema, String manager,
            boolean force, String apiVersion, Instant now) {
        Set<String> outsideStatus = new HashSet<>(live.propertyNames());
        outsideStatus.addAll(applied.propertyNames());
        outsideStatus.remove("status");
        return apply(live, applied, schema, manager, force, apiVersion, now, outsideStatus, "status");
    }

    private static ObjectNode apply(ObjectNode live, ObjectNode applied, PatchSchema schema, String manager,
            boolean force, String apiVersion, Instant now, Set<String> ignored, String subresource) {
        if (applied.path("metadata").has("managedFields")) {
            throw new PatchException("metadata.managedFields must be nil", true);
        }
        ObjectNode base = live == null ? applied.objectNode() : live.deepCopy();
        List<ManagedFieldsEntry> entries = ManagedFields.read(live);
        if (live != null && entries.stream().noneMatch(e -> e.subresource().equals(subresource))) {
            // Fields set before anyone applied belong to a placeholder manager, so that a first apply
            // does not silently take over what it never set.
            Set<FieldPath> existing = ObjectFields.of(live, schema, ignored);
            if (!existing.isEmpty()) {
                entries.add(new ManagedFieldsEntry(BEFORE_FIRST_APPLY, ManagedFieldsEntry.UPDATE, apiVersion,
                        ManagedFields.timestamp(now), subresource, existing));
            }
        }
        ObjectNode appliedCopy = applied.deepCopy();
        for (String field : ignored) {
            appliedCopy.remove(field);
        }
        Set<FieldPath> owned = ObjectFields.of(appliedCopy, schema, ignored);
        Set<FieldPath> before = entries.stream().filter(e -> e.is(manager, ManagedFieldsEntry.APPLY, subresource))
                .findFirst()
                .map(ManagedFieldsEntry::fields).orElse(Set.of());

        ObjectNode result = (ObjectNode) merge(base, appliedCopy, Field.of(schema));

        // Conflicts: fields another manager owns whose value this apply changes.
        List<ApplyConflictException.Conflict> conflicts = new ArrayList<>();
        for (ManagedFieldsEntry entry : entries) {
            if (entry.manager().equals(manager) || !entry.subresource().equals(subresource)) {
                continue;
            }
            for (FieldPath path : entry.fields()) {
                if (owned.contains(path) && changes(live, result, path, schema)) {
                    conflicts.add(new ApplyConflictException.Conflict(entry.describe(), path));
                }
            }
        }
        if (!conflicts.isEmpty() && !force && !upgradesClientSideApply(live, manager, conflicts, schema, ignored)) {
            throw new ApplyConflictException(conflicts);
        }
        Set<FieldPath> forced = new LinkedHashSet<>();
        conflicts.forEach(c -> forced.add(c.path()));

        // Fields this manager applied before and no longer does go, unless someone else still owns them.
        Set<FieldPath> othersOwn = new LinkedHashSet<>();
        for (ManagedFieldsEntry entry : entries) {
            if (!entry.is(manager, ManagedFieldsEntry.APPLY, subresource)) {
                for (FieldPath path : entry.fields()) {
                    if (!forced.contains(path) || !entry.subresource().equals(subresource)) {
                        othersOwn.add(path);
                    }
                }
            }
        }
        for (FieldPath path : before) {
            if (owned.contains(path) || ownedAtOrBelow(othersOwn, path)) {
                continue;
            }
            ObjectFields.remove(result, path, schema);
        }

        Set<FieldPath> present = ObjectFields.of(result, schema, ignored);
        List<ManagedFieldsEntry> updated = new ArrayList<>();
        boolean placed = false;
        for (ManagedFieldsEntry entry : entries) {
            if (entry.is(manager, ManagedFieldsEntry.APPLY, subresource)) {
                updated.add(new ManagedFieldsEntry(manager, ManagedFieldsEntry.APPLY, apiVersion,
                        ManagedFields.timestamp(now), subresource, owned));
                placed = true;
                continue;
            }
            if (!entry.subresource().equals(subresource)) {
                updated.add(entry);
                continue;
            }
            Set<FieldPath> fields = new LinkedHashSet<>(entry.fields());
            fields.removeAll(forced);
            fields.retainAll(present);
            if (!fields.isEmpty()) {
                updated.add(entry.withFields(fields));
            }
        }
        if (!placed) {
            updated.add(new ManagedFieldsEntry(manager, ManagedFieldsEntry.APPLY, apiVersion,
                    ManagedFields.timestamp(now), subresource, owned));
        }
        ManagedFields.write(result, updated);
        keepLastAppliedCurrent(result, applied, manager);
        return result;
    }

    /** kubectl's server-side apply manager, the one Kubernetes upgrades client-side apply for. */
    static final String KUBECTL = "kubectl";
    static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

    /**
     * Kubernetes lets {@code kubectl apply --server-side} take over an object managed by client-side
     * apply without conflicts: fields named by its last-applied-configuration annotation may be taken.
     */
    private static boolean upgradesClientSideApply(ObjectNode live, String manager,
            List<ApplyConflictException.Conflict> conflicts, PatchSchema schema, Set<String> ignored) {
        if (!manager.equals(KUBECTL) || live == null) {
            return false;
        }
        JsonNode annotation = live.path("metadata").path("annotations").get(LAST_APPLIED);
        if (annotation == null || !annotation.isString()) {
            return false;
        }
        JsonNode lastApplied;
        try {
            lastApplied = JSON.readTree(annotation.asString());
        } catch (JacksonException e) {
            return false;
        }
        if (!(lastApplied instanceof ObjectNode object)) {
            return false;
        }
        Set<FieldPath> allowed = ObjectFields.of(object, schema, ignored);
        return conflicts.stream().allMatch(c -> allowed.contains(c.path()));
    }

    /**
     * After kubectl's server-side apply, an object that carries client-side apply's annotation gets it
     * rewritten to the configuration just applied, so that a later client-side apply diffs against it.
     */
    private static void keepLastAppliedCurrent(ObjectNode result, ObjectNode applied, String manager) {
        if (!manager.equals(KUBECTL) || !(result.path("metadata").path("annotations") instanceof ObjectNode annotations)
                || !annotations.has(LAST_APPLIED)) {
            return;
        }
        ObjectNode configuration = applied.deepCopy();
        if (configuration.path("metadata").path("annotations") instanceof ObjectNode own) {
            own.remove(LAST_APPLIED);
            if (own.isEmpty()) {
                ((ObjectNode) configuration.get("metadata")).remove("annotations");
            }
        }
        annotations.put(LAST_APPLIED, JSON.writeValueAsString(configuration) + "\n");
    }

    private static boolean ownedAtOrBelow(Set<FieldPath> owned, FieldPath path) {
        for (FieldPath candidate : owned) {
            if (candidate.startsWith(path)) {
                return true;
            }
        }
        return false;
    }

    private static boolean changes(ObjectNode live, ObjectNode result, FieldPath path, PatchSchema schema) {
        JsonNode before = live == null ? null : ObjectFields.valueAt(live, path, schema);
        JsonNode after = ObjectFields.valueAt(result, path, schema);
        String last = path.elements().getLast();
        if (last.startsWith("k:") || last.startsWith("v:")) {
            return (before == null) != (after == null);
        }
        return before == null ? after != null : !before.equals(after);
    }

    /** The applied value merged into the live one, by the schema's list and map types. */
    private static JsonNode merge(JsonNode live, JsonNode applied, Field field) {
        if (applied.isObject() && live != null && live.isObject() && !field.atomic()) {
            ObjectNode result = ((ObjectNode) live).deepCopy();
            for (Map.Entry<String, JsonNode> entry : applied.properties()) {
                if (entry.getValue().isNull()) {
                    continue;
                }
                result.set(entry.getKey(), merge(result.get(entry.getKey()), entry.getValue(),
                        field.value().field(entry.getKey())));
            }
            return result;
        }
        if (applied.isArray() && live != null && live.isArray()) {
            ArrayNode appliedList = (ArrayNode) applied;
            ArrayNode liveList = (ArrayNode) live;
            ListType type = ObjectFields.listType(field, appliedList);
            if (type != ListType.ATOMIC && ObjectFields.listType(field, liveList) == type) {
                return type == ListType.SET ? union(liveList, appliedList) : mergeKeyed(liveList, appliedList, field);
            }
        }
        return applied.deepCopy();
    }

    private static ArrayNode union(ArrayNode live, ArrayNode applied) {
        ArrayNode result = live.deepCopy();
        for (JsonNode item : applied) {
            boolean present = false;
            for (JsonNode existing : result) {
                present |= existing.equals(item);
            }
            if (!present) {
                result.add(item.deepCopy());
            }
        }
        return result;
    }

    private static ArrayNode mergeKeyed(ArrayNode live, ArrayNode applied, Field field) {
        ArrayNode result = live.deepCopy();
        for (JsonNode item : applied) {
            String key = ObjectFields.key(item, field);
            int at = -1;
            for (int i = 0; i < result.size(); i++) {
                if (ObjectFields.key(result.get(i), field).equals(key)) {
                    at = i;
                    break;
                }
            }
            if (at >= 0) {
                result.set(at, merge(result.get(at), item, Field.of(field.value())));
            } else {
                result.add(item.deepCopy());
            }
        }
        return result;
    }
}
