package io.kybern.api.resource;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One resource the API serves, as discovery describes it.
 *
 * @param gvr           where it is served
 * @param kind          the kind of its objects
 * @param singular      the singular name ({@code pod})
 * @param namespaced    whether its objects live in namespaces
 * @param verbs         the verbs it supports ({@code get list watch create update patch delete deletecollection})
 * @param shortNames    kubectl's short names ({@code po})
 * @param categories    the categories it belongs to ({@code all})
 * @param subresources  its subresources
 * @param storageResource the resource name its objects are stored under; versions of one resource share it
 */
public record ResourceType(GroupVersionResource gvr, String kind, String singular, boolean namespaced,
        Set<String> verbs, List<String> shortNames, List<String> categories, List<Subresource> subresources,
        String storageResource) {

    public ResourceType {
        Objects.requireNonNull(gvr, "gvr");
        Objects.requireNonNull(kind, "kind");
        verbs = Set.copyOf(verbs);
        shortNames = List.copyOf(shortNames);
        categories = List.copyOf(categories);
        subresources = List.copyOf(subresources);
    }

    public GroupVersionKind gvk() {
        return new GroupVersionKind(gvr.group(), gvr.version(), kind);
    }

    public String listKind() {
        return kind + "List";
    }

    public Optional<Subresource> subresource(String name) {
        return subresources.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /**
     * The store key prefix of its objects: {@code /registry/<resource>/} as Kubernetes lays out etcd,
     * with the group in front for non-core groups that could clash ({@code /registry/<group>/<resource>/}).
     */
    public String storagePrefix() {
        return "/registry/" + storageResource + "/";
    }

    /** The store key of one object. */
    public String storageKey(String namespace, String name) {
        return namespaced ? storagePrefix() + namespace + "/" + name : storagePrefix() + name;
    }
}
