package io.kybern.api.patch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class PatchesTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static JsonNode json(String s) {
        return JSON.readTree(s);
    }

    @Test
    void mergePatchFollowsRfc7386() {
        // The worked example of RFC 7386 section 3.
        JsonNode target = json("{\"title\":\"Goodbye!\",\"author\":{\"givenName\":\"John\",\"familyName\":\"Doe\"},"
                + "\"tags\":[\"example\",\"sample\"],\"content\":\"This will be unchanged\"}");
        JsonNode patch = json("{\"title\":\"Hello!\",\"phoneNumber\":\"+01-123-456-7890\","
                + "\"author\":{\"familyName\":null},\"tags\":[\"example\"]}");

        JsonNode result = Patches.mergePatch(target, patch);

        assertThat(result).isEqualTo(json("{\"title\":\"Hello!\",\"author\":{\"givenName\":\"John\"},"
                + "\"tags\":[\"example\"],\"content\":\"This will be unchanged\",\"phoneNumber\":\"+01-123-456-7890\"}"));
        assertThat(target.get("title").asString()).as("the target is left alone").isEqualTo("Goodbye!");
    }

    @Test
    void mergePatchEdgeCasesFromTheRfc() {
        assertThat(Patches.mergePatch(json("{\"a\":\"b\"}"), json("{\"a\":\"c\"}"))).isEqualTo(json("{\"a\":\"c\"}"));
        assertThat(Patches.mergePatch(json("{\"a\":\"b\"}"), json("{\"a\":null}"))).isEqualTo(json("{}"));
        assertThat(Patches.mergePatch(json("{\"a\":[\"b\"]}"), json("{\"a\":\"c\"}")))
                .isEqualTo(json("{\"a\":\"c\"}"));
        assertThat(Patches.mergePatch(json("{\"a\":\"foo\"}"), json("[\"c\"]"))).isEqualTo(json("[\"c\"]"));
        assertThat(Patches.mergePatch(json("{\"e\":null}"), json("{\"a\":1}"))).isEqualTo(json("{\"e\":null,\"a\":1}"));
        assertThat(Patches.mergePatch(json("[1,2]"), json("{\"a\":\"b\",\"c\":null}"))).isEqualTo(json("{\"a\":\"b\"}"));
        assertThat(Patches.mergePatch(json("{}"), json("{\"a\":{\"bb\":{\"ccc\":null}}}")))
                .isEqualTo(json("{\"a\":{\"bb\":{}}}"));
    }

    @Test
    void jsonPatchAppliesOperationsAndRefusesWhatCannotApply() {
        JsonNode target = json("{\"metadata\":{\"labels\":{\"app\":\"web\"}},\"data\":{\"a\":\"1\"}}");

        JsonNode result = Patches.jsonPatch(target, json("[{\"op\":\"replace\",\"path\":\"/data/a\",\"value\":\"2\"},"
                + "{\"op\":\"add\",\"path\":\"/metadata/labels/tier\",\"value\":\"front\"},"
                + "{\"op\":\"remove\",\"path\":\"/metadata/labels/app\"}]"));

        assertThat(result).isEqualTo(json("{\"metadata\":{\"labels\":{\"tier\":\"front\"}},\"data\":{\"a\":\"2\"}}"));
        assertThatThrownBy(() -> Patches.jsonPatch(target, json("[{\"op\":\"remove\",\"path\":\"/nope\"}]")))
                .isInstanceOfSatisfying(PatchException.class, e -> assertThat(e.malformed()).isFalse());
        assertThatThrownBy(() -> Patches.jsonPatch(target, json("[{\"op\":\"test\",\"path\":\"/data/a\",\"value\":\"9\"}]")))
                .isInstanceOf(PatchException.class);
        assertThatThrownBy(() -> Patches.jsonPatch(target, json("{\"op\":\"add\"}")))
                .isInstanceOfSatisfying(PatchException.class, e -> assertThat(e.malformed()).isTrue());
        for (String malformed : java.util.List.of("[{\"path\":\"/a\"}]", "[{\"op\":\"add\",\"path\":\"/a\"}]",
                "[{\"op\":\"jump\",\"path\":\"/a\"}]", "[{\"op\":\"move\",\"path\":\"/a\"}]", "[1]")) {
            assertThatThrownBy(() -> Patches.jsonPatch(target, json(malformed))).as(malformed)
                    .isInstanceOfSatisfying(PatchException.class, e -> assertThat(e.malformed()).isTrue());
        }
    }
}
