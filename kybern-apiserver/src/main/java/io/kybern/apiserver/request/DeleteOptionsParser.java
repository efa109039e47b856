package io.kybern.apiserver.request;

import io.kybern.apiserver.registry.DeleteOptions;
import io.kybern.apiserver.status.ApiException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads a deletion's options from where clients put them: kubectl and client-go send a
 * {@code DeleteOptions} body, curl users the query ({@code ?gracePeriodSeconds=0&propagationPolicy=...});
 * the body wins where both say something.
 */
public final class DeleteOptionsParser {

    private static final Set<String> POLICIES = Set.of("Foreground", "Background", "Orphan");

    private DeleteOptionsParser() {
    }

    /**
     * @param options     the decoded DeleteOptions body, or null when the request had none
     * @param queryParam  the request's query parameters by name (null when absent)
     * @param queryDryRun whether the query already asked for a dry run
     */
    public static DeleteOptions parse(ObjectNode options, Function<String, String> queryParam, boolean queryDryRun) {
        Optional<String> resourceVersion = Optional.empty();
        Optional<String> uid = Optional.empty();
        OptionalLong grace = query(queryParam, "gracePeriodSeconds").map(DeleteOptionsParser::parseGrace)
                .map(OptionalLong::of).orElse(OptionalLong.empty());
        Optional<String> policy = query(queryParam, "propagationPolicy");
        boolean dryRun = queryDryRun;
        if (options != null) {
            resourceVersion = text(options.path("preconditions"), "resourceVersion");
            uid = text(options.path("preconditions"), "uid");
            JsonNode graceNode = options.get("gracePeriodSeconds");
            if (graceNode != null && !graceNode.isNull()) {
                if (!graceNode.isIntegralNumber()) {
                    throw ApiException.badRequest("json: cannot unmarshal " + graceNode.getNodeType().name()
                            .toLowerCase(java.util.Locale.ROOT) + " into Go struct field DeleteOptions.gracePeriodSeconds"
                            + " of type int64");
                }
                grace = OptionalLong.of(graceNode.asLong());
            }
            policy = text(options, "propagationPolicy").or(() -> query(queryParam, "propagationPolicy"));
            if (policy.isEmpty() && options.hasNonNull("orphanDependents")) {
                // The deprecated boolean form, still sent by old clients.
                policy = Optional.of(options.get("orphanDependents").asBoolean() ? "Orphan" : "Background");
            }
            for (JsonNode value : options.path("dryRun")) {
                if (!value.asString("").equals("All")) {
                    throw ApiException.badRequest("unsupported dry run value \"" + value.asString("")
                            + "\": only All is supported");
                }
                dryRun = true;
            }
        }
        if (policy.isPresent() && !POLICIES.contains(policy.get())) {
            throw ApiException.invalid("DeleteOptions", "meta.k8s.io", "", List.of(new ApiException.Cause(
                    "FieldValueNotSupported", "Unsupported value: \"" + policy.get()
                            + "\": supported values: \"Foreground\", \"Background\", \"Orphan\"",
                    "propagationPolicy")));
        }
        return new DeleteOptions(resourceVersion, uid, grace, policy, dryRun);
    }

    private static long parseGrace(String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("invalid gracePeriodSeconds: " + value);
        }
    }

    private static Optional<String> query(Function<String, String> queryParam, String name) {
        String value = queryParam.apply(name);
        return value == null || value.isEmpty() ? Optional.empty() : Optional.of(value);
    }

    private static Optional<String> text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() || value.asString("").isEmpty() ? Optional.empty()
                : Optional.of(value.asString(""));
    }
}
