package io.kybern.api.resource;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The vocabulary the built-in table is written in: one {@link #row} per resource, with optional
 * {@link Trait traits} (short names, categories, subresources) after the verbs.
 */
final class ResourceRow {

    static final boolean NAMESPACED = true;
    static final boolean CLUSTER = false;

    /** What a full-featured resource supports; namespaces lack {@code deletecollection}. */
    static final Set<String> ALL_VERBS = Set.of("create", "delete", "deletecollection", "get", "list", "patch",
            "update", "watch");
    static final Set<String> ALL_BUT_DELETECOLLECTION = Set.of("create", "delete", "get", "list", "patch", "update",
            "watch");
    static final Set<String> CREATE = Set.of("create");
    static final Set<String> GET = Set.of("get");
    static final Set<String> GET_LIST = Set.of("get", "list");
    static final Set<String> UPDATE = Set.of("update");
    static final Set<String> GET_PATCH_UPDATE = Set.of("get", "patch", "update");
    /** Streaming subresources (exec, attach, portforward) take GET and POST. */
    static final Set<String> CONNECT = Set.of("create", "get");
    /** Proxy subresources take every HTTP method; discovery names the ones that map to verbs. */
    static final Set<String> PROXY = Set.of("create", "delete", "get", "patch", "update");

    /** Something said about a resource beyond its name, kind, scope and verbs. */
    sealed interface Trait permits ShortNames, Categories, SubresourceRule {
    }

    record ShortNames(List<String> names) implements Trait {
    }

    record Categories(List<String> names) implements Trait {
    }

    /** A subresource whose kind is worked out from its parent's. */
    record SubresourceRule(String name, UnaryOperator<GroupVersionKind> kindOf, Set<String> verbs)
            implements Trait {

        Subresource of(GroupVersionKind parent) {
            return new Subresource(name, kindOf.apply(parent), verbs);
        }
    }

    /** {@code status}: the parent's own kind, read and written with get, patch and update. */
    static final SubresourceRule STATUS = sameKind("status", GET_PATCH_UPDATE);
    /** {@code scale}: an {@code autoscaling/v1 Scale}, whatever the parent's group. */
    static final SubresourceRule SCALE = otherGroupKind("scale", BuiltInGroupVersions.AUTOSCALING_V1, "Scale",
            GET_PATCH_UPDATE);

    private ResourceRow() {
    }

    static ShortNames shortNames(String... names) {
        return new ShortNames(List.of(names));
    }

    static Categories categories(String... names) {
        return new Categories(List.of(names));
    }

    /** A subresource reading and writing the parent's kind. */
    static SubresourceRule sameKind(String name, Set<String> verbs) {
        return new SubresourceRule(name, parent -> parent, verbs);
    }

    /** A subresource with another kind of the parent's group-version ({@code PodExecOptions}). */
    static SubresourceRule sameGroupKind(String name, String kind, Set<String> verbs) {
        return new SubresourceRule(name, parent -> new GroupVersionKind(parent.group(), parent.version(), kind), verbs);
    }

    /** A subresource whose kind lives in another group ({@code policy/v1 Eviction}). */
    static SubresourceRule otherGroupKind(String name, GroupVersion groupVersion, String kind, Set<String> verbs) {
        GroupVersionKind gvk = new GroupVersionKind(groupVersion.group(), groupVersion.version(), kind);
        return new SubresourceRule(name, parent -> gvk, verbs);
    }

    /**
     * One built-in resource. Its singular name is its kind in lower case, and it is stored under its
     * plural, as every built-in Kubernetes resource is.
     */
    static ResourceType row(GroupVersion gv, String plural, String kind, boolean namespaced, Set<String> verbs,
            Trait... traits) {
        List<String> shortNames = List.of();
        List<String> categories = List.of();
        List<Subresource> subresources = new ArrayList<>();
        GroupVersionKind gvk = new GroupVersionKind(gv.group(), gv.version(), kind);
        for (Trait trait : traits) {
            switch (trait) {
                case ShortNames s -> shortNames = s.names();
                case Categories c -> categories = c.names();
                case SubresourceRule r -> subresources.add(r.of(gvk));
            }
        }
        return new ResourceType(new GroupVersionResource(gv.group(), gv.version(), plural), kind,
                kind.toLowerCase(Locale.ROOT), namespaced, verbs, shortNames, categories, subresources, plural);
    }
}
