package io.kybern.api.defaults;

import static io.kybern.api.defaults.Fields.defaultTo;
import static io.kybern.api.defaults.Fields.missing;
import static io.kybern.api.defaults.Fields.object;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A Service's defaults. Its cluster IP and node ports are not defaults but allocations, made by the
 * server's allocators when the Service is stored.
 */
final class ServiceDefaults {

    /** Kubernetes keeps a client on one backend for three hours under ClientIP affinity. */
    static final int DEFAULT_AFFINITY_TIMEOUT_SECONDS = 10800;

    private ServiceDefaults() {
    }

    static void service(ObjectNode service) {
        ObjectNode spec = object(service, "spec");
        defaultTo(spec, "type", "ClusterIP");
        defaultTo(spec, "sessionAffinity", "None");
        String type = spec.path("type").asString("");
        if (spec.path("sessionAffinity").asString("").equals("ClientIP")) {
            ObjectNode clientIp = object(object(spec, "sessionAffinityConfig"), "clientIP");
            defaultTo(clientIp, "timeoutSeconds", DEFAULT_AFFINITY_TIMEOUT_SECONDS);
        }
        Fields.eachObject(spec, "ports", port -> {
            defaultTo(port, "protocol", "TCP");
            JsonNode target = port.get("targetPort");
            if ((target == null || target.isNull() || (target.isNumber() && target.asInt() == 0)
                    || (target.isString() && target.asString().isEmpty())) && port.has("port")) {
                port.set("targetPort", port.get("port").deepCopy());
            }
        });
        if (type.equals("NodePort") || type.equals("LoadBalancer")) {
            defaultTo(spec, "externalTrafficPolicy", "Cluster");
        }
        if (type.equals("LoadBalancer")) {
            defaultTo(spec, "allocateLoadBalancerNodePorts", true);
        }
        if (!type.equals("ExternalName")) {
            defaultTo(spec, "internalTrafficPolicy", "Cluster");
        }
        if (missing(service, "status")) {
            object(object(service, "status"), "loadBalancer");
        }
    }
}
