package io.kybern.controllers.runtime;

import io.fabric8.kubernetes.api.model.APIGroup;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the server serves, read from discovery as any client reads it: every resource (built-in and
 * custom) of each group's preferred version, without subresources. The garbage collector and the
 * namespace controller use it to reach kinds they know nothing about.
 */
public final class ApiResources {

    /** One resource: where it lives, what it is called, and which verbs it takes. */
    public record Resource(String group, String version, String plural, String kind, boolean namespaced,
            List<String> verbs) {

        public String apiVersion() {
            return group.isEmpty() ? version : group + "/" + version;
        }

        /** {@code pods}, {@code deployments.apps}: how Kubernetes names a resource in messages. */
        public String groupResource() {
            return group.isEmpty() ? plural : plural + "." + group;
        }

        public boolean supports(String... wanted) {
            return verbs.containsAll(List.of(wanted));
        }

        public ResourceDefinitionContext context() {
            return new ResourceDefinitionContext.Builder().withGroup(group).withVersion(version).withPlural(plural)
                    .withKind(kind).withNamespaced(namespaced).build();
        }
    }

    private final List<Resource> resources;
    private final List<String> failedGroupVersions;

    private ApiResources(List<Resource> resources, List<String> failedGroupVersions) {
        this.resources = List.copyOf(resources);
        this.failedGroupVersions = List.copyOf(failedGroupVersions);
    }

    /**
     * Reads discovery now. A group listed but not answering (404: an aggregated API registered a moment
     * later, a definition being removed) is left out and named in {@link #failedGroupVersions()}, as
     * Kubernetes' discovery client gives partial results; the core group not answering, or the group list,
     * throws the client's exception.
     */
    public static ApiResources discover(KubernetesClient client) {
        List<Resource> found = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        APIResourceList core = client.getApiResources("v1");
        if (core == null) {
            throw new KubernetesClientException("the server does not list the resources of v1");
        }
        add(found, "", "v1", core.getResources());
        for (APIGroup group : client.getApiGroups().getGroups()) {
            String groupVersion = group.getPreferredVersion().getGroupVersion();
            String version = group.getPreferredVersion().getVersion();
            APIResourceList listed = client.getApiResources(groupVersion);
            if (listed == null) {
                failed.add(groupVersion);
            } else {
                add(found, group.getName(), version, listed.getResources());
            }
        }
        return new ApiResources(found, failed);
    }

    /** The group versions discovery listed but could not read, empty when it read them all. */
    public List<String> failedGroupVersions() {
        return failedGroupVersions;
    }

    private static void add(List<Resource> found, String group, String version, List<APIResource> listed) {
        for (APIResource resource : listed) {
            if (resource.getName().contains("/")) {
                continue;
            }
            found.add(new Resource(group, version, resource.getName(), resource.getKind(),
                    Boolean.TRUE.equals(resource.getNamespaced()),
                    resource.getVerbs() == null ? List.of() : List.copyOf(resource.getVerbs())));
        }
    }

    public List<Resource> all() {
        return resources;
    }

    /** The resource of a kind in a group ({@code apiVersion}'s version may differ from the preferred one). */
    public Optional<Resource> byKind(String apiVersion, String kind) {
        String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
        return resources.stream().filter(r -> r.group().equals(group) && r.kind().equals(kind)).findFirst();
    }
}
