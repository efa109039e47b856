package io.kybern.apiserver;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import io.kybern.apiserver.http.ApiRequest;
import io.kybern.apiserver.http.UserInfo;
import io.kybern.apiserver.status.ApiException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A request body in any media type a client may name (JSON, YAML, Kubernetes protobuf, or one the
 * server does not take) either decodes to an object or is refused with a 4xx, never fails another way.
 * Runs its seed corpus in every build; {@code JAZZER_FUZZ=1} fuzzes for real.
 */
class RequestBodyFuzzTest {

    private static final List<String> MEDIA_TYPES = List.of("application/json", "application/yaml",
            "application/vnd.kubernetes.protobuf", "text/plain");

    /** The first byte picks the media type, the rest is the body. */
    @FuzzTest(maxDuration = "20s")
    void anyBodyInAnyMediaTypeDecodesOrIsRefused(byte @NotNull [] input) {
        if (input.length < 1) {
            return;
        }
        String mediaType = MEDIA_TYPES.get(Math.floorMod(input[0], MEDIA_TYPES.size()));
        byte[] body = Arrays.copyOfRange(input, 1, input.length);
        ApiRequest request = new ApiRequest("POST", "/api/v1/namespaces/default/configmaps", Map.of(),
                Map.of("content-type", List.of(mediaType)), body, UserInfo.ANONYMOUS);
        try {
            if (ApiServer.body(request) == null) {
                throw new AssertionError("no object and no refusal for a " + mediaType + " body");
            }
        } catch (ApiException e) {
            if (e.code() < 400 || e.code() >= 500) {
                throw new AssertionError("expected a 4xx, got " + e.code() + " " + e.getMessage(), e);
            }
        }
    }
}
