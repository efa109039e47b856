package io.kybern.apiserver.registry;

import io.kybern.apiserver.status.ApiException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The opaque {@code continue} of a paginated list: the revision the first page was read at and the
 * last key returned (relative to the list's prefix), so every page reads the same snapshot. Revision
 * {@link #LATEST} (as Kubernetes encodes it) goes on in the latest state instead: the token offered
 * once the snapshot was compacted.
 */
record ContinueToken(long revision, String after) {

    static final long LATEST = -1;

    private static final JsonMapper JSON = JsonMapper.builder().build();

    boolean latest() {
        return revision == LATEST;
    }

    String encode() {
        ObjectNode token = JSON.createObjectNode();
        token.put("v", "meta.k8s.io/v1");
        token.put("rv", revision);
        token.put("start", after);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(JSON.writeValueAsBytes(token));
    }

    static ContinueToken decode(String encoded) {
        try {
            JsonNode token = JSON.readTree(new String(Base64.getUrlDecoder().decode(encoded), StandardCharsets.UTF_8));
            long revision = token.path("rv").asLong(0);
            String after = token.path("start").asString("");
            if (!"meta.k8s.io/v1".equals(token.path("v").asString("")) || (revision <= 0 && revision != LATEST)
                    || after.isEmpty()) {
                throw invalid();
            }
            return new ContinueToken(revision, after);
        } catch (IllegalArgumentException | JacksonException e) {
            throw invalid();
        }
    }

    private static ApiException invalid() {
        return ApiException.badRequest("continue key is not valid: the continue token could not be decoded");
    }
}
