package io.kybern.apiserver;

import io.kybern.api.resource.ResourceType;
import io.kybern.apiserver.authz.Attributes;
import io.kybern.apiserver.authz.Authorizer;
import io.kybern.apiserver.authz.Decision;
import io.kybern.apiserver.http.ApiRequest;
import io.kybern.apiserver.http.ApiResponder;
import io.kybern.apiserver.http.UserInfo;
import io.kybern.apiserver.request.RequestInfo;
import io.kybern.apiserver.status.ApiException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The review APIs: questions posted as objects and answered in their status, never stored. Access
 * reviews ask the authorizer ({@code kubectl auth can-i}), rules reviews list what a user may do
 * ({@code can-i --list}), self-subject reviews say who the caller is ({@code kubectl auth whoami}) and
 * token reviews check a bearer token.
 */
final class Reviews {

    private final Authorizer authorizer;
    private final Function<String, Optional<UserInfo>> tokens;

    /** @param tokens authenticates a bearer token, for TokenReview */
    Reviews(Authorizer authorizer, Function<String, Optional<UserInfo>> tokens) {
        this.authorizer = authorizer;
        this.tokens = tokens;
    }

    boolean handles(ResourceType type) {
        String group = type.gvr().group();
        return (group.equals("authorization.k8s.io") || group.equals("authentication.k8s.io"))
                && type.gvr().resource().endsWith("reviews");
    }

    void serve(ResourceType type, RequestInfo info, ApiRequest request, ApiResponder responder) {
        if (!info.verb().equals("create")) {
            throw ApiException.methodNotAllowed(info.verb() + " is not supported on " + type.gvr().groupResource());
        }
        ObjectNode review = ApiServer.body(request);
        String apiVersion = type.gvr().groupVersion().apiVersion();
        String kindInBody = review.path("kind").asString("");
        if (!kindInBody.isEmpty() && !kindInBody.equals(type.kind())) {
            throw ApiException.badRequest("the kind in the data (" + kindInBody + ") does not match the expected "
                    + "kind (" + type.kind() + ")");
        }
        review.put("apiVersion", apiVersion);
        review.put("kind", type.kind());
        ObjectNode metadata = review.withObject("metadata");
        metadata.putNull("creationTimestamp");
        JsonNode spec = review.path("spec");
        UserInfo caller = request.user();
        ObjectNode status = switch (type.gvr().resource()) {
            case "selfsubjectaccessreviews" -> accessStatus(caller, spec, "");
            case "localsubjectaccessreviews" -> {
                String namespace = spec.path("resourceAttributes").path("namespace").asString("");
                if (!namespace.equals(info.namespace())) {
                    throw ApiException.invalid(type.kind(), type.gvr().group(), "", List.of(new ApiException.Cause(
                            "FieldValueInvalid", "Invalid value: \"" + namespace + "\": must match metadata.namespace",
                            "spec.resourceAttributes.namespace")));
                }
                yield accessStatus(subject(type, spec), spec, info.namespace());
            }
            case "subjectaccessreviews" -> accessStatus(subject(type, spec), spec, "");
            case "selfsubjectrulesreviews" -> rulesStatus(caller, spec.path("namespace").asString(""));
            case "selfsubjectreviews" -> {
                ObjectNode userStatus = review.objectNode();
                ObjectNode userInfo = userStatus.putObject("userInfo");
                userInfo.put("username", caller.name());
                ArrayNode groups = userInfo.putArray("groups");
                caller.groups().forEach(groups::add);
                yield userStatus;
            }
            case "tokenreviews" -> tokenStatus(review, spec.path("token").asString(""));
            default -> throw ApiException.pathNotFound();
        };
        review.set("status", status);
        ApiServer.json(responder, 201, review);
    }

    private ObjectNode accessStatus(UserInfo user, JsonNode spec, String namespace) {
        JsonNode resource = spec.path("resourceAttributes");
        JsonNode nonResource = spec.path("nonResourceAttributes");
        Attributes attributes;
        if (resource.isObject()) {
            attributes = Attributes.resource(resource.path("verb").asString(""), resource.path("group").asString(""),
                    resource.path("resource").asString(""), resource.path("subresource").asString(""),
                    resource.path("namespace").asString(namespace), resource.path("name").asString(""));
        } else if (nonResource.isObject()) {
            attributes = Attributes.nonResource(nonResource.path("verb").asString(""),
                    nonResource.path("path").asString(""));
        } else {
            throw ApiException.invalid("SelfSubjectAccessReview", "authorization.k8s.io", "", List.of(
                    new ApiException.Cause("FieldValueRequired", "Required value: exactly one of "
                            + "nonResourceAttributes or resourceAttributes must be specified",
                            "spec.resourceAttributes")));
        }
        Decision decision = authorizer.authorize(user, attributes);
        ObjectNode status = tools.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        status.put("allowed", decision.allowed());
        if (!decision.reason().isEmpty()) {
            status.put("reason", decision.reason());
        }
        return status;
    }

    /** The user a SubjectAccessReview asks about. */
    private static UserInfo subject(ResourceType type, JsonNode spec) {
        String user = spec.path("user").asString("");
        List<String> groups = new ArrayList<>();
        spec.path("groups").forEach(group -> groups.add(group.asString("")));
        if (user.isEmpty() && groups.isEmpty()) {
            throw ApiException.invalid(type.kind(), type.gvr().group(), "", List.of(new ApiException.Cause(
                    "FieldValueInvalid", "Invalid value: \"\": at least one of user or group must be specified",
                    "spec.user")));
        }
        if (!groups.contains("system:authenticated") && !user.equals(UserInfo.ANONYMOUS.name())) {
            groups.add("system:authenticated");
        }
        return new UserInfo(user, groups);
    }

    private ObjectNode rulesStatus(UserInfo user, String namespace) {
        Authorizer.Rules rules = authorizer.rules(user, namespace);
        ObjectNode status = tools.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        ArrayNode resourceRules = status.putArray("resourceRules");
        for (Authorizer.ResourceRule rule : rules.resourceRules()) {
            ObjectNode node = resourceRules.addObject();
            strings(node.putArray("verbs"), rule.verbs());
            strings(node.putArray("apiGroups"), rule.apiGroups());
            strings(node.putArray("resources"), rule.resources());
            if (!rule.resourceNames().isEmpty()) {
                strings(node.putArray("resourceNames"), rule.resourceNames());
            }
        }
        ArrayNode nonResourceRules = status.putArray("nonResourceRules");
        for (Authorizer.NonResourceRule rule : rules.nonResourceRules()) {
            ObjectNode node = nonResourceRules.addObject();
            strings(node.putArray("verbs"), rule.verbs());
            strings(node.putArray("nonResourceURLs"), rule.nonResourceURLs());
        }
        status.put("incomplete", rules.incomplete());
        return status;
    }

    private ObjectNode tokenStatus(ObjectNode review, String token) {
        ObjectNode status = review.objectNode();
        if (token.isEmpty()) {
            throw ApiException.invalid("TokenReview", "authentication.k8s.io", "", List.of(new ApiException.Cause(
                    "FieldValueRequired", "Required value: token must not be empty", "spec.token")));
        }
        Optional<UserInfo> user = tokens.apply(token);
        status.put("authenticated", user.isPresent());
        user.ifPresentOrElse(u -> {
            ObjectNode info = status.putObject("user");
            info.put("username", u.name());
            strings(info.putArray("groups"), u.groups());
        }, () -> status.put("error", "the token could not be authenticated"));
        return status;
    }

    private static void strings(ArrayNode array, List<String> values) {
        values.forEach(array::add);
    }
}
