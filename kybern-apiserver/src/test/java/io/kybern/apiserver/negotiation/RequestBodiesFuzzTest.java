package io.kybern.apiserver.negotiation;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import io.kybern.apiserver.http.ApiRequest;
import io.kybern.apiserver.http.UserInfo;
import io.kybern.apiserver.status.ApiException;
import java.util.List;
import java.util.Map;

/**
 * Protobuf request bodies come from clients: each must decode or be refused with a 400
 * {@link ApiException}, never fail any other way. Runs its seed corpus as a regression test in every
 * build; {@code JAZZER_FUZZ=1} fuzzes for real.
 */
class RequestBodiesFuzzTest {

    @FuzzTest(maxDuration = "20s")
    void protobufBodiesDecodeOrAreBadRequests(byte @NotNull [] body) {
        ApiRequest request = new ApiRequest("POST", "/api/v1/namespaces/default/configmaps",
                Map.of("fieldValidation", List.of("Strict")),
                Map.of("content-type", List.of("application/vnd.kubernetes.protobuf")), body, UserInfo.ANONYMOUS);
        try {
            RequestBodies.protobufObject(request);
        } catch (ApiException e) {
            if (e.code() != 400) {
                throw new AssertionError("refused with " + e.code() + " rather than 400: " + e.getMessage(), e);
            }
        }
    }
}
