package io.kybern.api.discovery;

import static io.kybern.api.discovery.DiscoveryJson.NODES;

import io.kybern.api.resource.GroupVersion;
import io.kybern.api.resource.GroupVersionKind;
import io.kybern.api.resource.ResourceCatalog;
import io.kybern.api.resource.ResourceType;
import io.kybern.api.resource.Subresource;
import java.util.List;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Aggregated discovery: one {@code APIGroupDiscoveryList} holding every group, version, resource and
 * subresource, so a client learns the whole API in one request. Field names and order follow
 * {@code k8s.io/api/apidiscovery/v2}; kinds in the resource's own group-version are written with empty
 * group and version, as kube-apiserver does.
 */
final class AggregatedDocuments {

    static final String FRESHNESS_CURRENT = "Current";

    private AggregatedDocuments() {
    }

    static ObjectNode groupDiscoveryList(ResourceCatalog catalog, List<String> groups,
            AggregatedDiscoveryVersion format) {
        ObjectNode document = NODES.objectNode();
        document.put("kind", "APIGroupDiscoveryList");
        document.put("apiVersion", format.apiVersion());
        document.putObject("metadata");
        ArrayNode items = document.putArray("items");
        for (String group : groups) {
            groupDiscovery(items.addObject(), catalog, group);
        }
        return document;
    }

    /** The core group has no name; Go's encoding of an empty ObjectMeta adds the null timestamp. */
    private static void groupDiscovery(ObjectNode target, ResourceCatalog catalog, String group) {
        ObjectNode metadata = target.putObject("metadata");
        if (!group.isEmpty()) {
            metadata.put("name", group);
        }
        metadata.putNull("creationTimestamp");
        ArrayNode versions = target.putArray("versions");
        for (GroupVersion groupVersion : catalog.versions(group)) {
            versionDiscovery(versions.addObject(), catalog, groupVersion);
        }
    }

    private static void versionDiscovery(ObjectNode target, ResourceCatalog catalog, GroupVersion groupVersion) {
        target.put("version", groupVersion.version());
        ArrayNode resources = target.putArray("resources");
        for (ResourceType type : DiscoveryJson.sortedByName(catalog.resources(groupVersion))) {
            resourceDiscovery(resources.addObject(), type);
        }
        target.put("freshness", FRESHNESS_CURRENT);
    }

    private static void resourceDiscovery(ObjectNode target, ResourceType type) {
        GroupVersion servedIn = type.gvr().groupVersion();
        target.put("resource", type.gvr().resource());
        responseKind(target, type.gvk(), servedIn);
        target.put("scope", type.namespaced() ? "Namespaced" : "Cluster");
        target.put("singularResource", type.singular());
        DiscoveryJson.putSortedStrings(target, "verbs", type.verbs());
        DiscoveryJson.putStringsIfAny(target, "shortNames", type.shortNames());
        DiscoveryJson.putStringsIfAny(target, "categories", type.categories());
        List<Subresource> subresources = DiscoveryJson.sortedSubresources(type);
        if (!subresources.isEmpty()) {
            ArrayNode array = target.putArray("subresources");
            for (Subresource subresource : subresources) {
                ObjectNode entry = array.addObject();
                entry.put("subresource", subresource.name());
                responseKind(entry, subresource.kind(), servedIn);
                DiscoveryJson.putSortedStrings(entry, "verbs", subresource.verbs());
            }
        }
    }

    private static void responseKind(ObjectNode target, GroupVersionKind kind, GroupVersion servedIn) {
        boolean foreign = DiscoveryJson.isForeign(kind, servedIn);
        ObjectNode responseKind = target.putObject("responseKind");
        responseKind.put("group", foreign ? kind.group() : "");
        responseKind.put("version", foreign ? kind.version() : "");
        responseKind.put("kind", kind.kind());
    }
}
