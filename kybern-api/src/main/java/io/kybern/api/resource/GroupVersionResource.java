package io.kybern.api.resource;

/** Where a resource is served: group, version and the plural resource name of its URL. */
public record GroupVersionResource(String group, String version, String resource) {

    public GroupVersion groupVersion() {
        return new GroupVersion(group, version);
    }

    /** {@code resource.group}, or just the resource for the core group, as RBAC and errors name it. */
    public String groupResource() {
        return group.isEmpty() ? resource : resource + "." + group;
    }

    @Override
    public String toString() {
        return groupVersion().apiVersion() + ", Resource=" + resource;
    }
}
