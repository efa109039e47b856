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
}
