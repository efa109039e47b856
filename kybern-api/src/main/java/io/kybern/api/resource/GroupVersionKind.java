package io.kybern.api.resource;

/** What an object says it is: {@code apiVersion} and {@code kind}. */
public record GroupVersionKind(String group, String version, String kind) {

    public static GroupVersionKind of(String apiVersion, String kind) {
        GroupVersion gv = GroupVersion.parse(apiVersion);
        return new GroupVersionKind(gv.group(), gv.version(), kind);
    }

    public GroupVersion groupVersion() {
        return new GroupVersion(group, version);
    }

    @Override
    public String toString() {
        return groupVersion().apiVersion() + ", Kind=" + kind;
    }
}
