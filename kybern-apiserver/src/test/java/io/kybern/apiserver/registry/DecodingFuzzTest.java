package io.kybern.apiserver.registry;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import io.kybern.apiserver.request.RequestInfo;
import io.kybern.apiserver.status.ApiException;
import java.util.List;
import java.util.Map;

/**
 * Request bodies, continue tokens and paths come from clients: each must decode or be refused with a
 * 4xx {@link ApiException}, never fail any other way. Runs its seed corpus as a regression test in
 * every build; {@code JAZZER_FUZZ=1} fuzzes for real.
 */
class DecodingFuzzTest {

    @FuzzTest(maxDuration = "20s")
    void requestBodiesDecodeOrAreBadRequests(byte @NotNull [] body) {
        try {
            ObjectStorage.parseObject(body);
        } catch (ApiException e) {
            assertClientError(e);
        }
    }

    @FuzzTest(maxDuration = "20s")
    void continueTokensDecodeOrAreBadRequests(@NotNull String token) {
        try {
            ContinueToken decoded = ContinueToken.decode(token);
            ContinueToken.decode(decoded.encode());
        } catch (ApiException e) {
            assertClientError(e);
        }
    }

    @FuzzTest(maxDuration = "20s")
    void anyPathHasARequestInfo(@NotNull String path) {
        RequestInfo info = RequestInfo.parse("GET", path, Map.of("watch", List.of(path)));
        if (info == null || info.verb() == null) {
            throw new AssertionError("no request info for " + path);
        }
    }

    private static void assertClientError(ApiException e) {
        if (e.code() < 400 || e.code() >= 500) {
            throw new AssertionError("expected a 4xx, got " + e.code() + " " + e.getMessage());
        }
    }
}
