package io.kybern.api.resource;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The built-in resources of Kubernetes 1.33 in the group-versions Kybern serves, looked up by
 * resource or kind. Immutable, so safe from any thread.
 *
 * <p>{@link #all()} lists them group-version by group-version in {@link BuiltInGroupVersions#DISCOVERY_ORDER},
 * alphabetically by plural within one, as discovery does.
 */
public final class BuiltInResources implements ResourceCatalog {

    private final List<ResourceType> all;
    private final Map<GroupVersionResource, ResourceType> byResource;
    private final Map<GroupVersionKind, ResourceType> byKind;

    public BuiltInResources() {
        List<GroupVersion> order = BuiltInGroupVersions.DISCOVERY_ORDER;
        this.all = BuiltInResourceTable.resources().stream()
                .sorted(Comparator.comparingInt((ResourceType t) -> order.indexOf(t.gvr().groupVersion()))
                        .thenComparing(t -> t.gvr().resource()))
                .toList();
        Map<GroupVersionResource, ResourceType> resources = new HashMap<>();
        Map<GroupVersionKind, ResourceType> kinds = new HashMap<>();
        for (ResourceType type : all) {
            if (!order.contains(type.gvr().groupVersion())) {
                throw new IllegalStateException(type.gvr() + " is in no served group-version");
            }
            if (resources.put(type.gvr(), type) != null) {
                throw new IllegalStateException("two built-in resources at " + type.gvr());
            }
            if (kinds.put(type.gvk(), type) != null) {
                throw new IllegalStateException("two built-in resources of kind " + type.gvk());
            }
        }
        this.byResource = Map.copyOf(resources);
        this.byKind = Map.copyOf(kinds);
    }

    @Override
    public List<ResourceType> all() {
        return all;
    }

    @Override
    public Optional<ResourceType> byResource(GroupVersionResource gvr) {
        return Optional.ofNullable(byResource.get(gvr));
    }

    @Override
    public Optional<ResourceType> byKind(GroupVersionKind gvk) {
        return Optional.ofNullable(byKind.get(gvk));
    }

    @Override
    public List<GroupVersion> groupVersions() {
        return BuiltInGroupVersions.DISCOVERY_ORDER;
    }
}
