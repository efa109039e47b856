package io.kybern.apiserver.status;

import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** The {@code meta.k8s.io/v1 Status} object every failure (and some successes) is answered with. */
public final class StatusDocuments {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private StatusDocuments() {
    }

    public static ObjectNode failure(ApiException e) {
        ObjectNode status = base("Failure");
        if (e.listContinue() != null) {
            ((ObjectNode) status.get("metadata")).put("continue", e.listContinue());
        }
        status.put("message", e.getMessage());
        status.put("reason", e.reason());
        ApiException.Details d = e.details();
        ObjectNode details = NODES.objectNode();
        if (d.name() != null) {
            details.put("name", d.name());
        }
        if (d.group() != null) {
            details.put("group", d.group());
        }
        if (d.kind() != null) {
            details.put("kind", d.kind());
        }
        if (!d.causes().isEmpty()) {
            ArrayNode causes = details.putArray("causes");
            for (ApiException.Cause c : d.causes()) {
                ObjectNode cause = causes.addObject();
                cause.put("reason", c.reason());
                cause.put("message", c.message());
                cause.put("field", c.field());
            }
        }
        if (d.retryAfterSeconds() != null) {
            details.put("retryAfterSeconds", d.retryAfterSeconds());
        }
        if (!details.isEmpty()) {
            status.set("details", details);
        }
        status.put("code", e.code());
        return status;
    }

    /** A success answered with a Status, as for deletions that leave nothing to return. */
    public static ObjectNode success(String name, String group, String kind, String uid) {
        ObjectNode status = base("Success");
        ObjectNode details = status.putObject("details");
        details.put("name", name);
        details.put("group", group);
        details.put("kind", kind);
        if (uid != null) {
            details.put("uid", uid);
        }
        return status;
    }

    private static ObjectNode base(String outcome) {
        ObjectNode status = NODES.objectNode();
        status.put("kind", "Status");
        status.put("apiVersion", "v1");
        status.putObject("metadata");
        status.put("status", outcome);
        return status;
    }
}
