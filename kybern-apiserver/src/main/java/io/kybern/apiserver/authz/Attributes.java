package io.kybern.apiserver.authz;

/**
 * What a request does, as authorization sees it: a verb on a resource (group, resource, subresource,
 * namespace, name), or a verb on a non-resource path such as {@code /healthz}.
 */
public record Attributes(String verb, String group, String resource, String subresource, String namespace,
        String name, String path) {

    public static Attributes resource(String verb, String group, String resource, String subresource,
            String namespace, String name) {
        return new Attributes(verb, group, resource, subresource, namespace, name, "");
    }

    public static Attributes nonResource(String verb, String path) {
        return new Attributes(verb, "", "", "", "", "", path);
    }

    public boolean isResource() {
        return path.isEmpty();
    }
}
