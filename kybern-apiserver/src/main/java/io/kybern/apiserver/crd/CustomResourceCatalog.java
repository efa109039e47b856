package io.kybern.apiserver.crd;

import io.kybern.api.resource.BuiltInGroupVersions;
import io.kybern.api.resource.GroupVersion;
import io.kybern.api.resource.GroupVersionKind;
import io.kybern.api.resource.GroupVersionResource;
import io.kybern.api.resource.ResourceCatalog;
import io.kybern.api.resource.ResourceType;
import io.kybern.api.resource.Subresource;
import io.kybern.api.structural.StructuralSchema;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import tools.jackson.databind.JsonNode;

/**
 * The built-in resources plus the served versions of every established CustomResourceDefinition.
 * Custom resources come after the built-ins: their groups alphabetically, as Kubernetes orders groups
 * of equal priority, and each group's versions in {@link KubeVersionOrder}.
 *
 * <p>Threading: readers see one consistent snapshot, replaced whole by {@link #replace} (called by
 * one writer, the definition controller); listeners run on the writer's thread after a change.
 */
public final class CustomResourceCatalog implements ResourceCatalog {

    static final Set<String> VERBS = Set.of("create", "delete", "deletecollection", "get", "list", "patch",
            "update", "watch");
    private static final Set<String> SUBRESOURCE_VERBS = Set.of("get", "patch", "update");

    private record Snapshot(List<ResourceType> all, Map<GroupVersionResource, ResourceType> byResource,
            Map<GroupVersionKind, ResourceType> byKind, List<GroupVersion> groupVersions,
            Map<GroupVersionResource, CustomResource> custom) {
    }

    private final ResourceCatalog builtIn;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private volatile Snapshot snapshot;
    /** What aggregated APIs serve, between the built-ins and the custom resources; see {@link #serveAggregated}. */
    private volatile List<ResourceType> aggregated = List.of();
    private volatile List<CustomResource> customs = List.of();
    /** When each custom resource no longer served stopped being served; a store revision. */
    private final Map<GroupVersionResource, Long> servedUntil = new ConcurrentHashMap<>();

    public CustomResourceCatalog(ResourceCatalog builtIn) {
        this.builtIn = builtIn;
        this.snapshot = build(List.of());
    }

    /** Runs {@code listener} after every change of the custom resources served. */
    public void onChange(Runnable listener) {
        listeners.add(listener);
    }

    /** Serves exactly these custom resources from now on; watches of one dropped end at once. */
    public void replace(List<CustomResource> resources) {
        replace(resources, 0);
    }

    /**
     * Serves exactly these custom resources from now on, the store being at {@code revision}: the changes of
     * a resource no longer served are those up to that revision.
     */
    public synchronized void replace(List<CustomResource> resources, long revision) {
        Snapshot next = build(resources);
        customs = List.copyOf(resources);
        if (next.custom().equals(snapshot.custom())) {
            return;
        }
        for (GroupVersionResource gone : snapshot.custom().keySet()) {
            if (!next.custom().containsKey(gone)) {
                servedUntil.put(gone, revision);
            }
        }
        next.custom().keySet().forEach(servedUntil::remove);
        snapshot = next;
        listeners.forEach(Runnable::run);
    }

    /**
     * Serves exactly these resources of aggregated APIs from now on (as kube-apiserver adds an APIService's
     * group to discovery while it is available). They take precedence over custom resources of the same name.
     */
    public synchronized void serveAggregated(List<ResourceType> resources) {
        aggregated = List.copyOf(resources);
        snapshot = build(customs);
        listeners.forEach(Runnable::run);
    }

    /**
     * The store revision up to which a custom resource was served: {@link Long#MAX_VALUE} while it is, the
     * revision it stopped at once it is not (0 if it never was). A watch of it sends the changes up to there.
     */
    public long servedUntil(GroupVersionResource gvr) {
        if (snapshot.custom().containsKey(gvr)) {
            return Long.MAX_VALUE;
        }
        return servedUntil.getOrDefault(gvr, 0L);
    }

    /** The custom resource served at a group-version-resource; empty for built-ins and unknown ones. */
    public Optional<CustomResource> custom(GroupVersionResource gvr) {
        return Optional.ofNullable(snapshot.custom().get(gvr));
    }

    /** Every custom resource served now. */
    public List<CustomResource> customResources() {
        return List.copyOf(snapshot.custom().values());
    }

    public ResourceCatalog builtIn() {
        return builtIn;
    }

    @Override
    public List<ResourceType> all() {
        return snapshot.all();
    }

    @Override
    public Optional<ResourceType> byResource(GroupVersionResource gvr) {
        return Optional.ofNullable(snapshot.byResource().get(gvr));
    }

    @Override
    public Optional<ResourceType> byKind(GroupVersionKind gvk) {
        return Optional.ofNullable(snapshot.byKind().get(gvk));
    }

    @Override
    public List<GroupVersion> groupVersions() {
        return snapshot.groupVersions();
    }

    private Snapshot build(List<CustomResource> resources) {
        List<ResourceType> all = new ArrayList<>(builtIn.all());
        Map<GroupVersionResource, ResourceType> byResource = new HashMap<>();
        Map<GroupVersionKind, ResourceType> byKind = new HashMap<>();
        all.forEach(t -> {
            byResource.put(t.gvr(), t);
            byKind.put(t.gvk(), t);
        });
        Set<GroupVersion> aggregatedGroupVersions = new LinkedHashSet<>();
        for (ResourceType type : aggregated) {
            if (byResource.putIfAbsent(type.gvr(), type) == null) {
                byKind.putIfAbsent(type.gvk(), type);
                all.add(type);
                aggregatedGroupVersions.add(type.gvr().groupVersion());
            }
        }
        Map<GroupVersionResource, CustomResource> custom = new HashMap<>();
        List<CustomResource> sorted = resources.stream()
                .sorted(Comparator.comparing((CustomResource r) -> r.type().gvr().group())
                        .thenComparing(r -> r.type().gvr().version(), KubeVersionOrder.INSTANCE)
                        .thenComparing(r -> r.type().gvr().resource()))
                .toList();
        Set<GroupVersion> customGroupVersions = new LinkedHashSet<>();
        for (CustomResource resource : sorted) {
            ResourceType type = resource.type();
            if (byResource.containsKey(type.gvr()) || byKind.containsKey(type.gvk())) {
                continue;
            }
            all.add(type);
            byResource.put(type.gvr(), type);
            byKind.put(type.gvk(), type);
            custom.put(type.gvr(), resource);
            customGroupVersions.add(type.gvr().groupVersion());
        }
        List<GroupVersion> groupVersions = new ArrayList<>(builtIn.groupVersions());
        aggregatedGroupVersions.stream().filter(gv -> !groupVersions.contains(gv)).forEach(groupVersions::add);
        customGroupVersions.stream().filter(gv -> !groupVersions.contains(gv)).forEach(groupVersions::add);
        return new Snapshot(List.copyOf(all), Map.copyOf(byResource), Map.copyOf(byKind), List.copyOf(groupVersions),
                Map.copyOf(custom));
    }

    /**
     * The served versions of one definition as custom resources, under its accepted names; none unless it is
     * established.
     */
    static List<CustomResource> servedVersions(JsonNode definition) {
        if (!Conditions.isTrue(definition, "Established")) {
            return List.of();
        }
        JsonNode spec = definition.path("spec");
        JsonNode names = definition.path("status").path("acceptedNames");
        String group = spec.path("group").asString("");
        String plural = names.path("plural").asString("");
        String kind = names.path("kind").asString("");
        if (plural.isEmpty() || kind.isEmpty()) {
            return List.of();
        }
        String singular = names.path("singular").asString(kind.toLowerCase(java.util.Locale.ROOT));
        boolean namespaced = spec.path("scope").asString("").equals("Namespaced");
        boolean terminating = definition.path("metadata").hasNonNull("deletionTimestamp");
        String storageVersion = "";
        for (JsonNode version : spec.path("versions")) {
            if (version.path("storage").asBoolean(false)) {
                storageVersion = version.path("name").asString("");
            }
        }
        List<CustomResource> served = new ArrayList<>();
        for (JsonNode version : spec.path("versions")) {
            if (!version.path("served").asBoolean(false)) {
                continue;
            }
            String name = version.path("name").asString("");
            GroupVersionKind gvk = new GroupVersionKind(group, name, kind);
            List<Subresource> subresources = new ArrayList<>();
            JsonNode declared = version.path("subresources");
            if (declared.has("status")) {
                subresources.add(new Subresource("status", gvk, SUBRESOURCE_VERBS));
            }
            Optional<JsonNode> scale = Optional.ofNullable(declared.get("scale")).filter(JsonNode::isObject);
            if (scale.isPresent()) {
                GroupVersion autoscaling = BuiltInGroupVersions.AUTOSCALING_V1;
                subresources.add(new Subresource("scale", new GroupVersionKind(autoscaling.group(),
                        autoscaling.version(), "Scale"), SUBRESOURCE_VERBS));
            }
            ResourceType type = new ResourceType(new GroupVersionResource(group, name, plural), kind, singular,
                    namespaced, VERBS, strings(names.path("shortNames")), strings(names.path("categories")),
                    subresources, group + "/" + plural);
            served.add(new CustomResource(type, definition.path("metadata").path("name").asString(""),
                    storageVersion, StructuralSchema.of(version.path("schema").get("openAPIV3Schema")),
                    version.path("additionalPrinterColumns"), scale, terminating,
                    deprecation(version, spec.path("versions"), group, kind)));
        }
        return served;
    }

    /**
     * The warning of a deprecated version: its own {@code deprecationWarning}, or else Kubernetes' sentence
     * naming the most preferred served version that is not deprecated and not less stable, if there is one.
     */
    private static Optional<String> deprecation(JsonNode version, JsonNode versions, String group, String kind) {
        if (!version.path("deprecated").asBoolean(false)) {
            return Optional.empty();
        }
        JsonNode custom = version.get("deprecationWarning");
        if (custom != null && custom.isString()) {
            return Optional.of(custom.asString());
        }
        String name = version.path("name").asString("");
        String warning = group + "/" + name + " " + kind + " is deprecated";
        Optional<String> replacement = java.util.stream.StreamSupport.stream(versions.spliterator(), false)
                .filter(v -> v.path("served").asBoolean(false) && !v.path("deprecated").asBoolean(false))
                .map(v -> v.path("name").asString(""))
                .filter(candidate -> KubeVersionOrder.INSTANCE.stability(candidate)
                        >= KubeVersionOrder.INSTANCE.stability(name))
                .sorted(KubeVersionOrder.INSTANCE)
                .findFirst();
        return Optional.of(replacement.map(r -> warning + "; use " + group + "/" + r + " " + kind).orElse(warning));
    }

    static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asString("")));
        return values;
    }
}
