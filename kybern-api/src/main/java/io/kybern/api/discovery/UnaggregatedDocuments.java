package io.kybern.api.discovery;

import static io.kybern.api.discovery.DiscoveryJson.NODES;

import io.kybern.api.resource.GroupVersion;
import io.kybern.api.resource.ResourceCatalog;
import io.kybern.api.resource.ResourceType;
import io.kybern.api.resource.Subresource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The discovery documents every client understands: {@code APIVersions} at {@code /api},
 * {@code APIGroupList} at {@code /apis}, {@code APIGroup} at {@code /apis/<group>} and
 * {@code APIResourceList} at {@code /api/v1} and {@code /apis/<group>/<version>}. Fields come in the
 * order kube-apiserver writes them.
 */
final class UnaggregatedDocuments {

    private UnaggregatedDocuments() {
    }

    static ObjectNode apiVersions(ResourceCatalog catalog, List<ServerAddress> serverAddresses) {
        ObjectNode document = typed("APIVersions");
        ArrayNode versions = document.putArray("versions");
        catalog.versions("").forEach(gv -> versions.add(gv.version()));
        ArrayNode addresses = document.putArray("serverAddressByClientCIDRs");
        for (ServerAddress address : serverAddresses) {
            ObjectNode entry = addresses.addObject();
            entry.put("clientCIDR", address.clientCIDR());
            entry.put("serverAddress", address.serverAddress());
        }
        return document;
    }

    static ObjectNode apiGroupList(ResourceCatalog catalog) {
        ObjectNode document = typed("APIGroupList");
        ArrayNode groups = document.putArray("groups");
        for (String group : catalog.groups()) {
            if (!group.isEmpty()) {
                describeGroup(groups.addObject(), catalog, group);
            }
        }
        return document;
    }

    static ObjectNode apiGroup(ResourceCatalog catalog, String group) {
        ObjectNode document = typed("APIGroup");
        describeGroup(document, catalog, group);
        return document;
    }

    static ObjectNode apiResourceList(ResourceCatalog catalog, GroupVersion groupVersion) {
        ObjectNode document = typed("APIResourceList");
        document.put("groupVersion", groupVersion.apiVersion());
        List<ObjectNode> entries = new ArrayList<>();
        for (ResourceType type : catalog.resources(groupVersion)) {
            entries.add(resourceEntry(type));
            for (Subresource subresource : type.subresources()) {
                entries.add(subresourceEntry(type, subresource));
            }
        }
        entries.sort(Comparator.comparing(entry -> entry.get("name").asString()));
        ArrayNode resources = document.putArray("resources");
        entries.forEach(resources::add);
        return document;
    }

    /**
     * Every document says it is a {@code v1} object. kube-apiserver leaves {@code apiVersion} out of
     * {@code /api} and {@code /api/v1}; decoders ignore it either way, so it is written everywhere.
     */
    private static ObjectNode typed(String kind) {
        ObjectNode document = NODES.objectNode();
        document.put("kind", kind);
        document.put("apiVersion", "v1");
        return document;
    }

    private static void describeGroup(ObjectNode target, ResourceCatalog catalog, String group) {
        target.put("name", group);
        ArrayNode versions = target.putArray("versions");
        catalog.versions(group).forEach(gv -> groupVersionEntry(versions.addObject(), gv));
        catalog.preferredVersion(group).ifPresent(gv -> groupVersionEntry(target.putObject("preferredVersion"), gv));
    }

    private static void groupVersionEntry(ObjectNode target, GroupVersion groupVersion) {
        target.put("groupVersion", groupVersion.apiVersion());
        target.put("version", groupVersion.version());
    }

    private static ObjectNode resourceEntry(ResourceType type) {
        ObjectNode entry = NODES.objectNode();
        entry.put("name", type.gvr().resource());
        entry.put("singularName", type.singular());
        entry.put("namespaced", type.namespaced());
        entry.put("kind", type.kind());
        DiscoveryJson.putSortedStrings(entry, "verbs", type.verbs());
        DiscoveryJson.putStringsIfAny(entry, "shortNames", type.shortNames());
        DiscoveryJson.putStringsIfAny(entry, "categories", type.categories());
        return entry;
    }

    /** {@code pods/eviction}: group and version only when its kind is from elsewhere ({@code policy/v1}). */
    private static ObjectNode subresourceEntry(ResourceType parent, Subresource subresource) {
        ObjectNode entry = NODES.objectNode();
        entry.put("name", parent.gvr().resource() + "/" + subresource.name());
        entry.put("singularName", "");
        entry.put("namespaced", parent.namespaced());
        if (DiscoveryJson.isForeign(subresource.kind(), parent.gvr().groupVersion())) {
            entry.put("group", subresource.kind().group());
            entry.put("version", subresource.kind().version());
        }
        entry.put("kind", subresource.kind().kind());
        DiscoveryJson.putSortedStrings(entry, "verbs", subresource.verbs());
        return entry;
    }
}
