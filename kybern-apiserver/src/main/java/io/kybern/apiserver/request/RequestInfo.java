package io.kybern.apiserver.request;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a request is about, read from its method and path the way Kubernetes' request-info factory
 * reads it: {@code /api/v1/namespaces/default/pods/web/log} is verb {@code get} on resource
 * {@code pods}, name {@code web}, subresource {@code log}, namespace {@code default}.
 *
 * @param resourceRequest whether it names an API resource (otherwise a path like {@code /version})
 * @param path            the request path
 * @param verb            get, list, watch, create, update, patch, delete, deletecollection; for
 *                        non-resource requests the lower-case HTTP method
 * @param apiPrefix       {@code api} or {@code apis}
 * @param group           the API group ({@code ""} for core)
 * @param version         the API version
 * @param namespace       the namespace, or {@code ""}
 * @param resource        the resource, or {@code ""}
 * @param name            the object's name, or {@code ""}
 * @param subresource     the subresource, or {@code ""}
 */
public record RequestInfo(boolean resourceRequest, String path, String verb, String apiPrefix, String group,
        String version, String namespace, String resource, String name, String subresource) {

    /** Subresources of a namespace that would otherwise read as a resource inside it. */
    private static final Set<String> NAMESPACE_SUBRESOURCES = Set.of("status", "finalize");

    public static RequestInfo parse(String method, String path, Map<String, List<String>> query) {
        String verb = method.toLowerCase(java.util.Locale.ROOT);
        List<String> parts = new ArrayList<>(Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toList());
        if (parts.size() < 2 || !(parts.getFirst().equals("api") || parts.getFirst().equals("apis"))) {
            return nonResource(path, verb);
        }
        String prefix = parts.removeFirst();
        String group = "";
        if (prefix.equals("apis")) {
            if (parts.size() < 2) {
                return nonResource(path, verb);
            }
            group = parts.removeFirst();
        }
        String version = parts.removeFirst();
        if (parts.isEmpty()) {
            return nonResource(path, verb);
        }
        boolean watchPath = false;
        if (parts.getFirst().equals("watch")) {
            parts.removeFirst();
            watchPath = true;
            if (parts.isEmpty()) {
                return nonResource(path, verb);
            }
        }
        String namespace = "";
        if (parts.getFirst().equals("namespaces") && parts.size() > 1) {
            namespace = parts.get(1);
            if (parts.size() > 2 && !NAMESPACE_SUBRESOURCES.contains(parts.get(2))) {
                parts = new ArrayList<>(parts.subList(2, parts.size()));
            }
        }
        String resource = parts.get(0);
        String name = parts.size() > 1 ? parts.get(1) : "";
        String subresource = parts.size() > 2 ? parts.get(2) : "";
        if (parts.size() > 3) {
            // Deeper paths (proxy) keep their rest in the path; the subresource is the first segment.
            subresource = parts.get(2);
        }
        verb = switch (verb) {
            case "get", "head" -> watchPath || isWatch(query) ? "watch" : name.isEmpty() ? "list" : "get";
            case "post" -> "create";
            case "put" -> "update";
            case "patch" -> "patch";
            case "delete" -> name.isEmpty() ? "deletecollection" : "delete";
            default -> verb;
        };
        return new RequestInfo(true, path, verb, prefix, group, version, namespace, resource, name, subresource);
    }

    private static boolean isWatch(Map<String, List<String>> query) {
        List<String> watch = query.getOrDefault("watch", List.of());
        return !watch.isEmpty() && (watch.getFirst().equals("true") || watch.getFirst().equals("1"));
    }

    private static RequestInfo nonResource(String path, String verb) {
        return new RequestInfo(false, path, verb, "", "", "", "", "", "", "");
    }
}
