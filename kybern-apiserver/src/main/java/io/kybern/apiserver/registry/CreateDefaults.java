package io.kybern.apiserver.registry;

import io.kybern.api.resource.ResourceType;
import tools.jackson.databind.node.ObjectNode;

/**
 * What the server fills in on objects of particular kinds when they are created, before they are
 * stored: the part of Kubernetes' per-kind strategies that the generic storage cannot know.
 */
public final class CreateDefaults {

    private CreateDefaults() {
    }

    public static void apply(ResourceType type, ObjectNode object) {
        if (type.gvr().group().isEmpty() && type.gvr().resource().equals("namespaces")) {
            namespace(object);
        }
    }

    /** A new namespace is Active, carries the kubernetes finalizer and a label with its own name. */
    private static void namespace(ObjectNode ns) {
        ObjectNode metadata = (ObjectNode) ns.get("metadata");
        ObjectNode labels = metadata.has("labels") && metadata.get("labels").isObject()
                ? (ObjectNode) metadata.get("labels") : metadata.putObject("labels");
        labels.put("kubernetes.io/metadata.name", metadata.get("name").asString());
        ObjectNode spec = ns.has("spec") && ns.get("spec").isObject() ? (ObjectNode) ns.get("spec")
                : ns.putObject("spec");
        spec.putArray("finalizers").add("kubernetes");
        ns.putObject("status").put("phase", "Active");
    }
}
