package io.kybern.apiserver.crd;

import java.util.Objects;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Reading and setting the conditions of a definition's status, as Kubernetes' helpers do. */
final class Conditions {

    private Conditions() {
    }

    static boolean isTrue(JsonNode definition, String type) {
        return find(definition.path("status").path("conditions"), type)
                .map(c -> c.path("status").asString("").equals("True")).orElse(false);
    }

    static java.util.Optional<JsonNode> find(JsonNode conditions, String type) {
        for (JsonNode condition : conditions) {
            if (condition.path("type").asString("").equals(type)) {
                return java.util.Optional.of(condition);
            }
        }
        return java.util.Optional.empty();
    }

    /**
     * Sets one condition; its lastTransitionTime moves only when its status does, as Kubernetes keeps it.
     */
    static void set(ObjectNode status, String type, String value, String reason, String message, String now) {
        ArrayNode conditions = status.withArray("conditions");
        for (int i = 0; i < conditions.size(); i++) {
            ObjectNode existing = (ObjectNode) conditions.get(i);
            if (existing.path("type").asString("").equals(type)) {
                if (!Objects.equals(existing.path("status").asString(""), value)) {
                    existing.put("lastTransitionTime", now);
                }
                existing.put("status", value);
                existing.put("reason", reason);
                existing.put("message", message);
                return;
            }
        }
        conditions.addObject().put("type", type).put("status", value).put("lastTransitionTime", now)
                .put("reason", reason).put("message", message);
    }
}
