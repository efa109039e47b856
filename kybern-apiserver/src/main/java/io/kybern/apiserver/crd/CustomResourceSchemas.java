package io.kybern.apiserver.crd;

import io.kybern.api.openapi.RawKinds;
import io.kybern.api.resource.ResourceType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The OpenAPI schemas of custom resources, as Kubernetes publishes them: each version's
 * {@code openAPIV3Schema} named after the reversed group ({@code com.example.v1.Widget}), with
 * {@code apiVersion}, {@code kind} and {@code metadata} filled in and marked with
 * {@code x-kubernetes-group-version-kind}, and a list kind beside it. {@code kubectl explain} and
 * kubectl's validation read them.
 */
public final class CustomResourceSchemas implements RawKinds {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String COMPONENTS = "#/components/schemas/";
    private static final String META = "io.k8s.apimachinery.pkg.apis.meta.v1.";
    private static final String API_VERSION = "APIVersion defines the versioned schema of this representation of an "
            + "object. Servers should convert recognized schemas to the latest internal value, and may reject "
            + "unrecognized values. More info: "
            + "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources";
    private static final String KIND = "Kind is a string value representing the REST resource this object "
            + "represents. Servers may infer this from the endpoint the client submits requests to. Cannot be "
            + "updated. In CamelCase. More info: "
            + "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds";
    private static final String METADATA = "Standard object's metadata. More info: "
            + "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

    private final CustomResourceCatalog catalog;

    public CustomResourceSchemas(CustomResourceCatalog catalog) {
        this.catalog = catalog;
    }

    @Override
    public Optional<RawKind> of(ResourceType type) {
        return catalog.custom(type.gvr()).map(CustomResourceSchemas::rawKind);
    }

    static RawKind rawKind(CustomResource resource) {
        ResourceType type = resource.type();
        String prefix = reversed(type.gvr().group()) + "." + type.gvr().version() + ".";
        ObjectNode schema = resource.schema().node().isObject() ? ((ObjectNode) resource.schema().node()).deepCopy()
                : NODES.objectNode();
        schema.put("type", "object");
        ObjectNode properties = schema.withObject("properties");
        properties.set("apiVersion", NODES.objectNode().put("description", API_VERSION).put("type", "string"));
        properties.set("kind", NODES.objectNode().put("description", KIND).put("type", "string"));
        properties.set("metadata", NODES.objectNode().put("$ref", COMPONENTS + META + "ObjectMeta"));
        gvk(schema, type, type.kind());

        ObjectNode list = NODES.objectNode();
        list.put("description", type.kind() + "List is a list of " + type.kind());
        list.put("type", "object");
        list.putArray("required").add("items");
        ObjectNode listProperties = list.putObject("properties");
        listProperties.set("apiVersion", NODES.objectNode().put("description", API_VERSION).put("type", "string"));
        ObjectNode items = listProperties.putObject("items");
        items.put("description", "List of " + type.gvr().resource() + ". More info: "
                + "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md");
        items.put("type", "array");
        items.putObject("items").put("$ref", COMPONENTS + prefix + type.kind());
        listProperties.set("kind", NODES.objectNode().put("description", KIND).put("type", "string"));
        listProperties.set("metadata", NODES.objectNode().put("description", METADATA)
                .put("$ref", COMPONENTS + META + "ListMeta"));
        gvk(list, type, type.listKind());
        return new RawKind(prefix + type.kind(), schema, prefix + type.listKind(), list);
    }

    private static void gvk(ObjectNode schema, ResourceType type, String kind) {
        schema.putArray("x-kubernetes-group-version-kind").addObject().put("group", type.gvr().group())
                .put("kind", kind).put("version", type.gvr().version());
    }

    /** {@code k27.example.com} as {@code com.example.k27}, the way Kubernetes names definitions. */
    static String reversed(String group) {
        List<String> parts = new ArrayList<>(List.of(group.split("\\.")));
        Collections.reverse(parts);
        return String.join(".", parts);
    }
}
