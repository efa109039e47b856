package io.kybern.controllers.gc;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.kybern.controllers.runtime.ApiResources;
import java.util.List;
import java.util.Objects;

/**
 * One object in the ownership graph: who it is, whom it names as owners, and where its own deletion
 * stands.
 *
 * @param resource           the resource it lives in (to patch and delete it)
 * @param deleting           it has a deletionTimestamp
 * @param finalizers         its metadata.finalizers
 * @param resourceVersion    the version this node was built from, a precondition for patches
 */
record GraphNode(ApiResources.Resource resource, String namespace, String name, String uid,
        List<OwnerReference> owners, boolean deleting, List<String> finalizers, String resourceVersion) {

    static final String FOREGROUND = "foregroundDeletion";
    static final String ORPHAN = "orphan";

    static GraphNode of(ApiResources.Resource resource, HasMetadata object) {
        var metadata = object.getMetadata();
        return new GraphNode(resource, Objects.requireNonNullElse(metadata.getNamespace(), ""), metadata.getName(),
                metadata.getUid(), List.copyOf(Objects.requireNonNullElse(metadata.getOwnerReferences(), List.of())),
                metadata.getDeletionTimestamp() != null,
                List.copyOf(Objects.requireNonNullElse(metadata.getFinalizers(), List.of())),
                metadata.getResourceVersion());
    }

    /** Deleted with propagationPolicy Foreground: its blocking dependents go first. */
    boolean deletingDependents() {
        return deleting && finalizers.contains(FOREGROUND);
    }

    /** Deleted with propagationPolicy Orphan: its dependents lose their reference to it first. */
    boolean orphaningDependents() {
        return deleting && finalizers.contains(ORPHAN);
    }

    /** Whether anything about it that the collector acts on differs from {@code other}. */
    boolean sameForCollector(GraphNode other) {
        return other != null && owners.equals(other.owners) && deleting == other.deleting
                && finalizers.equals(other.finalizers);
    }

    @Override
    public String toString() {
        return resource.groupResource() + " " + (namespace.isEmpty() ? name : namespace + "/" + name);
    }
}
