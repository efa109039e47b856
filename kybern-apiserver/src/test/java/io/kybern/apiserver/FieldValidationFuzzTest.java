package io.kybern.apiserver;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import io.kybern.api.resource.BuiltInResources;
import io.kybern.api.resource.ResourceType;
import io.kybern.api.schema.Schemas;
import io.kybern.apiserver.http.ApiRequest;
import io.kybern.apiserver.http.UserInfo;
import io.kybern.apiserver.registry.ObjectStorage;
import io.kybern.apiserver.status.ApiException;
import java.util.List;
import java.util.Map;

/**
 * Any decodable body, checked against the schema of any built-in kind under any directive, is either
 * accepted (unknown fields dropped) or refused with a 4xx, never fails another way. Runs its seed
 * corpus in every build; {@code JAZZER_FUZZ=1} fuzzes for real.
 */
class FieldValidationFuzzTest {

    private static final List<ResourceType> TYPES = new BuiltInResources().all();
    private static final List<String> DIRECTIVES = List.of("Strict", "Warn", "Ignore", "", "Loose");

    /** The first byte picks the kind, the second the directive, the rest is the body. */
    @FuzzTest(maxDuration = "20s")
    void anyBodyIsCheckedOrRefusedAsBadRequest(byte @NotNull [] input) {
        if (input.length < 2) {
            return;
        }
        ResourceType type = TYPES.get(Math.floorMod(input[0], TYPES.size()));
        String directive = DIRECTIVES.get(Math.floorMod(input[1], DIRECTIVES.size()));
        byte[] body = java.util.Arrays.copyOfRange(input, 2, input.length);
        try {
            var object = ObjectStorage.parseObject(body);
            FieldValidation validation = FieldValidation.of(new ApiRequest("POST", "/", Map.of("fieldValidation",
                    List.of(directive)), Map.of(), body, new UserInfo("fuzz", List.of())));
            validation.check(Schemas.builtIn(), type, object, body);
        } catch (ApiException e) {
            if (e.code() < 400 || e.code() >= 500) {
                throw new AssertionError("expected a 4xx, got " + e.code() + " " + e.getMessage());
            }
        }
    }
}
