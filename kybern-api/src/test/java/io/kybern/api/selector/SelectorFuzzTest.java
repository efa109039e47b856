package io.kybern.api.selector;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import java.util.Map;

/**
 * Selectors arrive straight from query strings: any input must parse or be refused with
 * IllegalArgumentException (which becomes a 400), never fail any other way. Runs its seed corpus as
 * a regression test in every build; {@code JAZZER_FUZZ=1} fuzzes for real.
 */
class SelectorFuzzTest {

    @FuzzTest(maxDuration = "20s")
    void labelSelectorsParseOrAreRefused(@NotNull String input) {
        try {
            LabelSelector selector = LabelSelector.parse(input);
            selector.matches(Map.of("app", "web"));
        } catch (IllegalArgumentException refused) {
            // The one way a selector may be refused.
        }
    }

    @FuzzTest(maxDuration = "20s")
    void fieldSelectorsParseOrAreRefused(@NotNull String input) {
        try {
            FieldSelector.parse(input).matches(Map.of("metadata.name", "web")::get);
        } catch (IllegalArgumentException refused) {
            // The one way a selector may be refused.
        }
    }
}
