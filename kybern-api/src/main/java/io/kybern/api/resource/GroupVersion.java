package io.kybern.api.resource;

import java.util.Objects;

/** An API group and version; the core group is the empty string. */
public record GroupVersion(String group, String version) {

    public GroupVersion {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(version, "version");
    }

    /** Parses an {@code apiVersion} such as {@code v1} or {@code apps/v1}. */
    public static GroupVersion parse(String apiVersion) {
        int slash = apiVersion.indexOf('/');
        return slash < 0 ? new GroupVersion("", apiVersion)
                : new GroupVersion(apiVersion.substring(0, slash), apiVersion.substring(slash + 1));
    }

    /** As objects carry it in {@code apiVersion}. */
    public String apiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    public boolean isCore() {
        return group.isEmpty();
    }

    /** The URL path its resources live under: {@code /api/v1} or {@code /apis/<group>/<version>}. */
    public String path() {
        return group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
    }

    @Override
    public String toString() {
        return apiVersion();
    }
}
