package io.kybern.api.patch.strategic;

import io.kybern.api.patch.strategic.PatchSchema.Field;
import io.kybern.api.patch.strategic.PatchSchema.ListType;
import io.kybern.api.patch.strategic.PatchSchema.Strategy;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Patch schemas of the built-in kinds, from a compact table of the facts Kubernetes declares in its
 * Go types ({@code patchStrategy}, {@code patchMergeKey}, {@code +listType}, {@code +listMapKey},
 * {@code +structType}) for the fields clients commonly patch: pod templates and their containers,
 * object metadata, service ports and status conditions. A field the table does not name is patched
 * by the defaults (maps merge, lists are replaced), which is also what Kubernetes does for every
 * field without a declared strategy.
 *
 * <p>This stands in until the schemas derived from Kubernetes' OpenAPI documents are available; any
 * {@link PatchSchema} source can replace it.
 */
public final class BuiltInPatchSchemas {

    /** Named types of the table, each a map from field name to its patch facts. */
    private static final Map<String, Map<String, Entry>> TYPES = new HashMap<>();

    /** One row: a field's facts and the named type of its value (or null when opaque). */
    private record Entry(Strategy strategy, boolean retainKeys, String mergeKey, ListType listType,
            List<String> listKeys, Map<String, String> keyDefaults, boolean atomic, String valueType) {
    }

    /** The root type of each kind that has more than metadata in the table. */
    private static final Map<String, String> KINDS = new HashMap<>();

    static {
        type("ObjectMeta")
                .set("finalizers")
                .map("ownerReferences", "uid", null);

        type("Object").plain("metadata", "ObjectMeta");
        type("ObjectWithConditions").plain("metadata", "ObjectMeta").plain("status", "Conditions");
        type("Conditions").map("conditions", "type", null);

        type("Pod").plain("metadata", "ObjectMeta").plain("spec", "PodSpec").plain("status", "PodStatus");
        type("PodTemplateSpec").plain("metadata", "ObjectMeta").plain("spec", "PodSpec");
        type("PodSpec")
                .mergeRetainKeys("volumes", "name", null)
                .map("initContainers", "name", "Container")
                .map("containers", "name", "Container")
                .map("ephemeralContainers", "name", "Container")
                .map("imagePullSecrets", "name", null)
                .map("hostAliases", "ip", null)
                .mapKeys("topologySpreadConstraints", "topologyKey", List.of("topologyKey", "whenUnsatisfiable"))
                .map("schedulingGates", "name", null)
                .mergeRetainKeys("resourceClaims", "name", null)
                .atomicObject("nodeSelector");
        type("Container")
                .mapKeys("ports", "containerPort", List.of("containerPort", "protocol"), Map.of("protocol", "TCP"))
                .map("env", "name", null)
                .map("volumeMounts", "mountPath", null)
                .map("volumeDevices", "devicePath", null);
        type("PodStatus")
                .map("conditions", "type", null)
                .map("podIPs", "ip", null)
                .map("hostIPs", "ip", null)
                .mergeRetainKeys("resourceClaimStatuses", "name", null);

        type("WithPodTemplate").plain("metadata", "ObjectMeta").plain("spec", "WorkloadSpec")
                .plain("status", "Conditions");
        type("WorkloadSpec").plain("template", "PodTemplateSpec").atomicObject("selector");
        type("Deployment").plain("metadata", "ObjectMeta").plain("spec", "DeploymentSpec")
                .plain("status", "Conditions");
        type("DeploymentSpec").plain("template", "PodTemplateSpec").atomicObject("selector")
                .retainKeys("strategy");
        type("CronJob").plain("metadata", "ObjectMeta").plain("spec", "CronJobSpec");
        type("CronJobSpec").plain("jobTemplate", "JobTemplate");
        type("JobTemplate").plain("metadata", "ObjectMeta").plain("spec", "WorkloadSpec");
        type("PodTemplate").plain("metadata", "ObjectMeta").plain("template", "PodTemplateSpec");

        type("Service").plain("metadata", "ObjectMeta").plain("spec", "ServiceSpec").plain("status", "Conditions");
        type("ServiceSpec")
                .mapKeys("ports", "port", List.of("port", "protocol"), Map.of("protocol", "TCP"))
                .atomicObject("selector");

        type("Node").plain("metadata", "ObjectMeta").plain("spec", "NodeSpec").plain("status", "NodeStatus");
        type("NodeSpec").set("podCIDRs");
        type("NodeStatus").map("conditions", "type", null).map("addresses", "type", null);

        KINDS.put("Pod", "Pod");
        for (String kind : List.of("ReplicaSet", "StatefulSet", "DaemonSet", "Job", "ReplicationController")) {
            KINDS.put(kind, "WithPodTemplate");
        }
        KINDS.put("Deployment", "Deployment");
        KINDS.put("CronJob", "CronJob");
        KINDS.put("PodTemplate", "PodTemplate");
        KINDS.put("Service", "Service");
        KINDS.put("Node", "Node");
        for (String kind : List.of("Namespace", "PersistentVolumeClaim", "PodDisruptionBudget",
                "HorizontalPodAutoscaler")) {
            KINDS.put(kind, "ObjectWithConditions");
        }
    }

    private BuiltInPatchSchemas() {
    }

    /** The schema of a built-in kind; kinds the table does not describe get their metadata's rules. */
    public static PatchSchema forKind(String kind) {
        return named(KINDS.getOrDefault(kind, "Object"));
    }

    private static PatchSchema named(String typeName) {
        Map<String, Entry> fields = TYPES.get(typeName);
        if (fields == null) {
            throw new IllegalStateException("the patch schema table names an undefined type " + typeName);
        }
        return name -> {
            Entry entry = fields.get(name);
            if (entry == null) {
                return Field.OPAQUE;
            }
            PatchSchema value = entry.valueType() == null ? PatchSchema.OPAQUE : named(entry.valueType());
            return new Field(entry.strategy(), entry.retainKeys(), entry.mergeKey(), entry.listType(),
                    entry.listKeys(), entry.keyDefaults(), entry.atomic(), value);
        };
    }

    private static TypeBuilder type(String name) {
        Map<String, Entry> fields = new HashMap<>();
        TYPES.put(name, fields);
        return new TypeBuilder(fields);
    }

    /** Fills one named type of the table. */
    private record TypeBuilder(Map<String, Entry> fields) {

        /** No strategy of its own; its value is of the named type. */
        TypeBuilder plain(String field, String valueType) {
            return put(field, new Entry(Strategy.DEFAULT, false, "", ListType.ATOMIC, List.of(), Map.of(), false,
                    valueType));
        }

        /** A list of objects merged on {@code key}; for apply, a map list keyed by it alone. */
        TypeBuilder map(String field, String key, String valueType) {
            return put(field, new Entry(Strategy.MERGE, false, key, ListType.MAP, List.of(key), Map.of(), false,
                    valueType));
        }

        TypeBuilder mapKeys(String field, String mergeKey, List<String> applyKeys) {
            return mapKeys(field, mergeKey, applyKeys, Map.of());
        }

        /** Merged on {@code mergeKey} by strategic merge, but keyed on several fields by apply. */
        TypeBuilder mapKeys(String field, String mergeKey, List<String> applyKeys, Map<String, String> defaults) {
            return put(field, new Entry(Strategy.MERGE, false, mergeKey, ListType.MAP, applyKeys, defaults, false,
                    null));
        }

        /** Patch strategy {@code merge,retainKeys}: list elements merged on {@code key}. */
        TypeBuilder mergeRetainKeys(String field, String key, String valueType) {
            return put(field, new Entry(Strategy.MERGE, true, key, ListType.MAP, List.of(key), Map.of(), false,
                    valueType));
        }

        /** Patch strategy {@code retainKeys} on an object. */
        TypeBuilder retainKeys(String field) {
            return put(field, new Entry(Strategy.DEFAULT, true, "", ListType.ATOMIC, List.of(), Map.of(), false,
                    null));
        }

        /** A primitive list merged as a set. */
        TypeBuilder set(String field) {
            return put(field, new Entry(Strategy.MERGE, false, "", ListType.SET, List.of(), Map.of(), false, null));
        }

        /** An object apply owns whole ({@code +structType=atomic} or {@code +mapType=atomic}). */
        TypeBuilder atomicObject(String field) {
            return put(field, new Entry(Strategy.DEFAULT, false, "", ListType.ATOMIC, List.of(), Map.of(), true,
                    null));
        }

        private TypeBuilder put(String field, Entry entry) {
            fields.put(field, entry);
            return this;
        }
    }
}
