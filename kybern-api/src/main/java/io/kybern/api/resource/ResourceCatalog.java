package io.kybern.api.resource;

import java.util.List;
import java.util.Optional;

/**
 * The resources an API server serves. Built-in ones are fixed; custom resources join and leave as
 * their definitions do, so implementations are safe to read from any thread while that happens.
 */
public interface ResourceCatalog {

    List<ResourceType> all();

    Optional<ResourceType> byResource(GroupVersionResource gvr);

    Optional<ResourceType> byKind(GroupVersionKind gvk);

    /** The group-versions served, preferred version first within each group, groups in discovery order. */
    List<GroupVersion> groupVersions();

    /** The resources of one group-version, in the order {@link #all()} gives them. */
    default List<ResourceType> resources(GroupVersion groupVersion) {
        return all().stream().filter(t -> t.gvr().groupVersion().equals(groupVersion)).toList();
    }

    /** The groups served, in discovery order; the core group is the empty string. */
    default List<String> groups() {
        return groupVersions().stream().map(GroupVersion::group).distinct().toList();
    }

    /** The versions of one group, preferred first; empty if the group is not served. */
    default List<GroupVersion> versions(String group) {
        return groupVersions().stream().filter(gv -> gv.group().equals(group)).toList();
    }

    /** The version clients should use for a group, as discovery's {@code preferredVersion} names it. */
    default Optional<GroupVersion> preferredVersion(String group) {
        return versions(group).stream().findFirst();
    }
}
