package io.kybern.apiserver.admission;

import io.kybern.apiserver.registry.ObjectStorage;
import io.kybern.apiserver.registry.WriteHooks;
import io.kybern.api.resource.ResourceType;
import io.kybern.apiserver.status.ApiException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Kubernetes' Priority admission plugin, on pod creation: spec.priority (and spec.preemptionPolicy) come
 * from the PriorityClass named in spec.priorityClassName, or from the class marked globalDefault when none
 * is named (0 and PreemptLowerPriority without one). A name with no class, or a priority the creator set
 * that disagrees with the class, is Forbidden. Also keeps the two system classes kube-apiserver creates.
 */
public final class PodPriority implements WriteHooks {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    static final String DEFAULT_PREEMPTION = "PreemptLowerPriority";

    private final ObjectStorage storage;
    private final ResourceType priorityClasses;

    public PodPriority(ObjectStorage storage, ResourceType priorityClasses) {
        this.storage = storage;
        this.priorityClasses = priorityClasses;
    }

    /** system-node-critical and system-cluster-critical, as every Kubernetes cluster has them. */
    public void ensureSystemClasses() {
        ensure("system-node-critical", 2000001000,
                "Used for system critical pods that must not be moved from their current node.");
        ensure("system-cluster-critical", 2000000000,
                "Used for system critical pods that must run in the cluster, but can be moved to another node "
                        + "if necessary.");
    }

    private void ensure(String name, int value, String description) {
        ObjectNode priorityClass = JSON.createObjectNode();
        priorityClass.put("apiVersion", "scheduling.k8s.io/v1").put("kind", "PriorityClass");
        priorityClass.putObject("metadata").put("name", name);
        priorityClass.put("value", value).put("globalDefault", false).put("description", description)
                .put("preemptionPolicy", DEFAULT_PREEMPTION);
        storage.ensure(priorityClasses, "", priorityClass);
    }

    @Override
    public void beforeCreate(ObjectNode pod, boolean dryRun) {
        ObjectNode spec = pod.withObject("spec");
        String className = spec.path("priorityClassName").asString("");
        JsonNode priorityClass = className.isEmpty() ? globalDefault() : find(className);
        if (!className.isEmpty() && priorityClass == null) {
            throw forbidden(pod, "no PriorityClass with name " + className + " was found");
        }
        int priority = priorityClass == null ? 0 : priorityClass.path("value").asInt(0);
        String preemption = priorityClass == null ? DEFAULT_PREEMPTION
                : priorityClass.path("preemptionPolicy").asString(DEFAULT_PREEMPTION);
        if (spec.hasNonNull("priority") && spec.path("priority").asInt() != priority) {
            throw forbidden(pod, "the integer value of priority (" + spec.path("priority").asInt()
                    + ") must not be provided in pod spec; priority admission controller computed " + priority
                    + " from the given PriorityClass name");
        }
        if (spec.hasNonNull("preemptionPolicy") && !spec.path("preemptionPolicy").asString().equals(preemption)) {
            throw forbidden(pod, "the string value of PreemptionPolicy (" + spec.path("preemptionPolicy").asString()
                    + ") must not be provided in pod spec; priority admission controller computed " + preemption
                    + " from the given PriorityClass name");
        }
        if (priorityClass != null && className.isEmpty()) {
            spec.put("priorityClassName", priorityClass.path("metadata").path("name").asString());
        }
        spec.put("priority", priority);
        spec.put("preemptionPolicy", preemption);
    }

    private JsonNode find(String name) {
        try {
            return storage.get(priorityClasses, "", name);
        } catch (ApiException e) {
            if (e.code() == 404) {
                return null;
            }
            throw e;
        }
    }

    /** The globalDefault class; with several (a race Kubernetes tolerates too), the lowest value. */
    private JsonNode globalDefault() {
        JsonNode chosen = null;
        for (JsonNode item : storage.list(priorityClasses, "", 0, null, null).path("items")) {
            if (item.path("globalDefault").asBoolean(false)
                    && (chosen == null || item.path("value").asInt() < chosen.path("value").asInt())) {
                chosen = item;
            }
        }
        return chosen;
    }

    private static ApiException forbidden(ObjectNode pod, String why) {
        String name = pod.path("metadata").path("name").asString("");
        return new ApiException(403, "Forbidden", "pods \"" + name + "\" is forbidden: " + why,
                ApiException.Details.of(name, "", "pods"));
    }
}
