package io.kybern.apiserver.negotiation;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Objects cut down to their metadata, as {@code PartialObjectMetadata} and {@code PartialObjectMetadataList}. */
public final class PartialMetadata {

    private PartialMetadata() {
    }

    /** One object's metadata, in {@code meta.k8s.io/<version>}. */
    public static ObjectNode ofObject(ObjectNode object, String version) {
        ObjectNode partial = object.objectNode();
        partial.put("kind", "PartialObjectMetadata");
        partial.put("apiVersion", "meta.k8s.io/" + version);
        JsonNode metadata = object.get("metadata");
        partial.set("metadata", metadata == null ? object.objectNode() : metadata.deepCopy());
        return partial;
    }

    /** A list's items' metadata, with the list's own metadata (resourceVersion, continue). */
    public static ObjectNode ofList(ObjectNode list, String version) {
        ObjectNode partial = list.objectNode();
        partial.put("kind", "PartialObjectMetadataList");
        partial.put("apiVersion", "meta.k8s.io/" + version);
        partial.set("metadata", list.path("metadata").deepCopy());
        ArrayNode items = partial.putArray("items");
        for (JsonNode item : list.path("items")) {
            items.add(ofObject((ObjectNode) item, version));
        }
        return partial;
    }
}
