package io.kybern.apiserver.status;

import java.util.List;

/**
 * A request that failed the way Kubernetes reports failures: an HTTP code, a machine-readable reason
 * ({@code NotFound}, {@code AlreadyExists}, {@code Conflict}, {@code Invalid}...) and details. The
 * HTTP layer turns it into a {@code Status} object.
 */
public final class ApiException extends RuntimeException {

    /** One problem with one field, as in {@code details.causes}. */
    public record Cause(String reason, String message, String field) {
    }

    /** What the failure is about, as in {@code details}. */
    public record Details(String name, String group, String kind, List<Cause> causes, Integer retryAfterSeconds) {

        public static Details none() {
            return new Details(null, null, null, List.of(), null);
        }

        public static Details of(String name, String group, String kind) {
            return new Details(name, group, kind, List.of(), null);
        }
    }

    private final int code;
    private final String reason;
    private final Details details;
    private final String listContinue;

    public ApiException(int code, String reason, String message, Details details) {
        this(code, reason, message, details, null);
    }

    private ApiException(int code, String reason, String message, Details details, String listContinue) {
        super(message);
        this.code = code;
        this.reason = reason;
        this.details = details == null ? Details.none() : details;
        this.listContinue = listContinue;
    }

    public int code() {
        return code;
    }

    public String reason() {
        return reason;
    }

    public Details details() {
        return details;
    }

    /** The {@code metadata.continue} the Status carries, or null: only an expired list continuation has one. */
    public String listContinue() {
        return listContinue;
    }

    public static ApiException badRequest(String message) {
        return new ApiException(400, "BadRequest", message, null);
    }

    public static ApiException unauthorized() {
        return new ApiException(401, "Unauthorized", "Unauthorized", null);
    }

    public static ApiException notFound(String groupResource, String group, String name) {
        return new ApiException(404, "NotFound", groupResource + " \"" + name + "\" not found",
                Details.of(name, group, resourceOf(groupResource)));
    }

    /** A URL that names nothing the server serves. */
    public static ApiException pathNotFound() {
        return new ApiException(404, "NotFound", "the server could not find the requested resource", null);
    }

    public static ApiException methodNotAllowed(String message) {
        return new ApiException(405, "MethodNotAllowed", message, null);
    }

    public static ApiException alreadyExists(String groupResource, String group, String name) {
        return new ApiException(409, "AlreadyExists", groupResource + " \"" + name + "\" already exists",
                Details.of(name, group, resourceOf(groupResource)));
    }

    public static ApiException conflict(String groupResource, String group, String name) {
        return conflict(groupResource, group, name,
                "the object has been modified; please apply your changes to the latest version and try again");
    }

    /** A write that lost to another, or whose precondition failed; {@code why} says which. */
    public static ApiException conflict(String groupResource, String group, String name, String why) {
        return new ApiException(409, "Conflict", "Operation cannot be fulfilled on " + groupResource + " \"" + name
                + "\": " + why, Details.of(name, group, resourceOf(groupResource)));
    }

    public static ApiException gone(String message) {
        return new ApiException(410, "Expired", message, null);
    }

    /**
     * A list continuation whose snapshot was compacted away. As Kubernetes does, the Status offers a
     * token that goes on from the same place in the latest state, for a client that accepts a list
     * mixing two points in time.
     */
    public static ApiException expiredContinue(String inconsistentContinue) {
        return new ApiException(410, "Expired", "The provided continue parameter is too old to display a "
                + "consistent list result. You can start a new list without the continue parameter, or use the "
                + "continue token in this response to retrieve the remainder of the results. Continuing with the "
                + "provided token results in an inconsistent list - objects that were created, modified, or "
                + "deleted between the time the first chunk was returned and now may show up in the list.",
                null, inconsistentContinue);
    }

    public static ApiException tooLarge(long limit) {
        return new ApiException(413, "RequestEntityTooLarge", "Request entity too large: limit is " + limit, null);
    }

    public static ApiException unsupportedMediaType(String contentType) {
        return new ApiException(415, "UnsupportedMediaType", "the body of the request was in an unknown format - "
                + "accepted media types include: application/json, application/yaml", null);
    }

    /**
     * An object that failed validation: 422 with one cause per field, worded as Kubernetes does
     * ({@code ConfigMap "x" is invalid: metadata.name: Invalid value: ...}, {@code Deployment.apps "x" ...}).
     */
    public static ApiException invalid(String kind, String group, String name, List<Cause> causes) {
        // Kubernetes names the kind with its group: Deployment.apps "web" is invalid.
        String qualifiedKind = group == null || group.isEmpty() ? kind : kind + "." + group;
        StringBuilder message = new StringBuilder(qualifiedKind).append(" \"").append(name == null ? "" : name)
                .append("\" is invalid: ");
        if (causes.size() > 1) {
            message.append('[');
        }
        for (int i = 0; i < causes.size(); i++) {
            if (i > 0) {
                message.append(", ");
            }
            message.append(causes.get(i).field()).append(": ").append(causes.get(i).message());
        }
        if (causes.size() > 1) {
            message.append(']');
        }
        return new ApiException(422, "Invalid", message.toString(),
                new Details(name, group, kind, List.copyOf(causes), null));
    }

    /**
     * A request its user may not make, worded as Kubernetes' authorizer refusals ({@code pods "web" is forbidden:
     * User "alice" cannot delete resource "pods" in API group "" in the namespace "default"}).
     *
     * @param groupResource the resource with its group, as the message starts ({@code deployments.apps})
     * @param resource      the resource, with its subresource if any ({@code pods/log})
     * @param namespace     the namespace, empty for the cluster scope
     * @param why           the authorizer's reason, or empty
     */
    public static ApiException forbidden(String groupResource, String name, String user, String verb, String resource,
            String group, String namespace, String why) {
        String message = groupResource + (name.isEmpty() ? "" : " \"" + name + "\"") + " is forbidden: User \"" + user
                + "\" cannot " + verb + " resource \"" + resource + "\" in API group \"" + group + "\""
                + (namespace.isEmpty() ? " at the cluster scope" : " in the namespace \"" + namespace + "\"")
                + (why.isEmpty() ? "" : ": " + why);
        return new ApiException(403, "Forbidden", message, Details.of(name, group, resourceOf(groupResource)));
    }

    public static ApiException internal(String message) {
        return new ApiException(500, "InternalError", "Internal error occurred: " + message, null);
    }

    public static ApiException unavailable(String message) {
        return new ApiException(503, "ServiceUnavailable", message, null);
    }

    private static String resourceOf(String groupResource) {
        int dot = groupResource.indexOf('.');
        return dot < 0 ? groupResource : groupResource.substring(0, dot);
    }
}
