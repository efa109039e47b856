package io.kybern.apiserver.crd;

import java.util.List;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Where a custom resource keeps what its {@code scale} subresource shows, from the definition's
 * {@code specReplicasPath}, {@code statusReplicasPath} and {@code labelSelectorPath}.
 */
public record ScalePaths(List<String> specReplicas, List<String> statusReplicas, Optional<String> selectorPath) {

    static ScalePaths of(JsonNode scale) {
        String selector = scale.path("labelSelectorPath").asString("");
        return new ScalePaths(SimpleJsonPath.parse(scale.path("specReplicasPath").asString("")).fields(),
                SimpleJsonPath.parse(scale.path("statusReplicasPath").asString("")).fields(),
                selector.isEmpty() ? Optional.empty() : Optional.of(selector));
    }

    public long specReplicas(JsonNode object) {
        return at(object, specReplicas).asLong(0);
    }

    public long statusReplicas(JsonNode object) {
        return at(object, statusReplicas).asLong(0);
    }

    /** The serialized selector the object holds at the selector path, or empty. */
    public String selector(JsonNode object) {
        return selectorPath.map(s -> SimpleJsonPath.parse(s).find(object)).filter(found -> !found.isEmpty())
                .map(found -> found.getFirst().asString("")).orElse("");
    }

    /** Writes the desired replicas into the object, creating the objects on the way. */
    public void setSpecReplicas(ObjectNode object, long replicas) {
        ObjectNode node = object;
        for (String field : specReplicas.subList(0, specReplicas.size() - 1)) {
            node = node.withObject(field);
        }
        node.put(specReplicas.getLast(), replicas);
    }

    private static JsonNode at(JsonNode object, List<String> fields) {
        JsonNode node = object;
        for (String field : fields) {
            node = node.path(field);
        }
        return node;
    }
}
