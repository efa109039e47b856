package io.kybern.api.defaults;

import static io.kybern.api.defaults.Fields.defaultTo;
import static io.kybern.api.defaults.Fields.object;

import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What a Pod itself gets beyond its spec's defaults: service links on, requests copied from limits where a
 * container set only limits, and on creation the status a pod starts with ({@code Pending}, its QoS class).
 */
final class PodDefaults {

    private PodDefaults() {
    }

    static void pod(ObjectNode pod) {
        ObjectNode spec = object(pod, "spec");
        PodSpecDefaults.podSpec(spec);
        defaultTo(spec, "enableServiceLinks", true);
        for (String list : new String[] {"containers", "initContainers"}) {
            Fields.eachObject(spec, list, PodDefaults::requestsFromLimits);
        }
    }

    /** The status of a pod nothing has looked at yet. */
    static void newPodStatus(ObjectNode pod) {
        ObjectNode status = object(pod, "status");
        defaultTo(status, "phase", "Pending");
        status.put("qosClass", qosClass(pod.path("spec")));
    }

    /** A container that set a limit but no request for a resource asks for what it may use. */
    private static void requestsFromLimits(ObjectNode container) {
        JsonNode limits = container.path("resources").path("limits");
        if (!limits.isObject() || limits.isEmpty()) {
            return;
        }
        ObjectNode requests = object(object(container, "resources"), "requests");
        for (var limit : limits.properties()) {
            if (Fields.missing(requests, limit.getKey())) {
                requests.set(limit.getKey(), limit.getValue().deepCopy());
            }
        }
    }

    /**
     * Guaranteed when every container limits and requests cpu and memory at equal values; BestEffort when
     * none requests or limits anything; Burstable otherwise.
     */
    static String qosClass(JsonNode spec) {
        List<JsonNode> containers = new ArrayList<>();
        spec.path("containers").forEach(containers::add);
        spec.path("initContainers").forEach(containers::add);
        boolean anySet = false;
        boolean guaranteed = !containers.isEmpty();
        for (JsonNode container : containers) {
            JsonNode requests = container.path("resources").path("requests");
            JsonNode limits = container.path("resources").path("limits");
            anySet |= hasComputeResource(requests) || hasComputeResource(limits);
            for (String resource : new String[] {"cpu", "memory"}) {
                JsonNode limit = limits.get(resource);
                JsonNode request = requests.get(resource);
                if (limit == null || (request != null && !request.asString("").equals(limit.asString("")))) {
                    guaranteed = false;
                }
            }
        }
        if (!anySet) {
            return "BestEffort";
        }
        return guaranteed ? "Guaranteed" : "Burstable";
    }

    private static boolean hasComputeResource(JsonNode resources) {
        return resources.has("cpu") || resources.has("memory");
    }
}
