package io.kybern.apiserver;

import io.kybern.api.resource.ResourceType;
import io.kybern.api.schema.Schemas;
import io.kybern.api.schema.UnknownFields;
import io.kybern.apiserver.http.ApiRequest;
import io.kybern.apiserver.status.ApiException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import tools.jackson.databind.node.ObjectNode;

/**
 * Server-side field validation of written objects, as the {@code fieldValidation} query parameter asks:
 * {@code Strict} refuses an object with fields its schema does not know or that its JSON body names
 * twice (400, {@code strict decoding error: unknown field "spec.foo"}); {@code Warn}, the default, drops
 * unknown fields, keeps the last of repeated ones and warns of each in a {@code Warning} header;
 * {@code Ignore} does the same silently. Kinds without a schema are checked for repeats only.
 * Repeated members are listed before unknown fields, not interleaved in document order as Kubernetes
 * lists them.
 *
 * @param directive the parameter's value
 */
record FieldValidation(Directive directive) {

    enum Directive { IGNORE, WARN, STRICT }

    /** The directive of a request; an unknown value is refused as kube-apiserver refuses it. */
    static FieldValidation of(ApiRequest request) {
        String value = Optional.ofNullable(request.param("fieldValidation")).orElse("");
        return new FieldValidation(switch (value.toLowerCase(Locale.ROOT)) {
            case "" , "warn" -> Directive.WARN;
            case "ignore" -> Directive.IGNORE;
            case "strict" -> Directive.STRICT;
            default -> throw ApiException.badRequest("fieldValidation must be one of Ignore, Warn or Strict, not \""
                    + value + "\"");
        });
    }

    /**
     * Checks an object about to be stored: drops its unknown fields and returns the warnings to send, or
     * refuses it under {@code Strict}. A refused request body is named as kube-apiserver's decoder names
     * it ({@code Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: ...});
     * a refused patch result is not.
     *
     * @param requestBody whether {@code object} is the request's body, rather than what a patch made
     */
    List<String> check(Schemas schemas, ResourceType type, ObjectNode object, boolean requestBody) {
        return check(schemas, type, object, requestBody ? new byte[0] : null);
    }

    /**
     * As {@link #check(Schemas, ResourceType, ObjectNode, boolean)} for a request body, whose JSON bytes
     * are also searched for members named twice ({@code duplicate field "metadata.name"}); null for what a
     * patch made.
     */
    List<String> check(Schemas schemas, ResourceType type, ObjectNode object, byte[] body) {
        return check(type, object, body, o -> schemas.forKind(type.gvk()).map(schema -> UnknownFields.remove(schema, o))
                .orElse(List.of()));
    }

    /**
     * As {@link #check(Schemas, ResourceType, ObjectNode, byte[])}, with the unknown fields found and removed by
     * {@code removeUnknown} (a custom resource's pruning), which returns their paths.
     */
    List<String> check(ResourceType type, ObjectNode object, byte[] body,
            Function<ObjectNode, List<String>> removeUnknown) {
        boolean requestBody = body != null;
        List<String> problems = new ArrayList<>();
        if (requestBody && directive != Directive.IGNORE) {
            DuplicateFields.find(body).forEach(path -> problems.add("duplicate field \"" + path + "\""));
        }
        removeUnknown.apply(object).forEach(path -> problems.add("unknown field \"" + path + "\""));
        if (problems.isEmpty() || directive == Directive.IGNORE) {
            return List.of();
        }
        if (directive == Directive.STRICT) {
            String context = requestBody ? type.kind() + " in version \"" + type.gvr().version()
                    + "\" cannot be handled as a " + type.kind() + ": " : "";
            throw ApiException.badRequest(context + "strict decoding error: " + String.join(", ", problems));
        }
        return problems;
    }

    /** A {@code Warning} header value: code 299, no agent, the text quoted with Go's escapes. */
    static String warningHeader(String text) {
        return "299 - \"" + text.chars().mapToObj(c -> c == '"' || c == '\\' ? "\\" + (char) c
                : String.valueOf((char) c)).collect(Collectors.joining()) + "\"";
    }
}
