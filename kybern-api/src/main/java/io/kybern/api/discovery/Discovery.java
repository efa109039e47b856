package io.kybern.api.discovery;

import io.kybern.api.resource.GroupVersion;
import io.kybern.api.resource.ResourceCatalog;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.node.ObjectNode;

/**
 * The discovery documents of a {@link ResourceCatalog}, built afresh on each call so they follow the
 * catalog as custom resources come and go. Each method names the request it answers.
 */
public final class Discovery {

    private final ResourceCatalog catalog;

    public Discovery(ResourceCatalog catalog) {
        this.catalog = catalog;
    }

    /** {@code GET /api}: {@code APIVersions} listing the core group's versions. */
    public ObjectNode apiVersions(List<ServerAddress> serverAddresses) {
        return UnaggregatedDocuments.apiVersions(catalog, serverAddresses);
    }

    /** {@code GET /apis}: {@code APIGroupList}, groups in priority order, each with its preferred version. */
    public ObjectNode apiGroupList() {
        return UnaggregatedDocuments.apiGroupList(catalog);
    }

    /** {@code GET /apis/<group>}: {@code APIGroup}; empty for the core group and groups not served. */
    public Optional<ObjectNode> apiGroup(String group) {
        if (group.isEmpty() || catalog.versions(group).isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(UnaggregatedDocuments.apiGroup(catalog, group));
    }

    /** {@code GET /api/v1} or {@code GET /apis/<group>/<version>}: {@code APIResourceList}. */
    public Optional<ObjectNode> apiResourceList(GroupVersion groupVersion) {
        if (!catalog.groupVersions().contains(groupVersion)) {
            return Optional.empty();
        }
        return Optional.of(UnaggregatedDocuments.apiResourceList(catalog, groupVersion));
    }

    /** {@code GET /api} asking for aggregated discovery: the core group alone. */
    public ObjectNode aggregatedCore(AggregatedDiscoveryVersion format) {
        List<String> core = catalog.groups().stream().filter(String::isEmpty).toList();
        return AggregatedDocuments.groupDiscoveryList(catalog, core, format);
    }

    /** {@code GET /apis} asking for aggregated discovery: every named group, in priority order. */
    public ObjectNode aggregatedGroups(AggregatedDiscoveryVersion format) {
        List<String> named = catalog.groups().stream().filter(g -> !g.isEmpty()).toList();
        return AggregatedDocuments.groupDiscoveryList(catalog, named, format);
    }
}
