package io.kybern.images.build;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import java.util.Map;

/**
 * Dockerfiles are user input: any text must parse or be refused with a {@link DockerfileSyntaxException}
 * naming a line, never fail any other way. Runs its seed corpus in every build; {@code JAZZER_FUZZ=1} fuzzes.
 */
class DockerfileFuzzTest {

    @FuzzTest(maxDuration = "20s")
    void dockerfilesParseOrAreRefusedWithALine(@NotNull String text) {
        try {
            for (Instruction instruction : Dockerfile.parse(text)) {
                for (String arg : instruction.args()) {
                    Dockerfile.expand(instruction.line(), arg, Map.of("A", "1"));
                }
            }
        } catch (DockerfileSyntaxException refused) {
            if (refused.line() < 0) {
                throw new AssertionError("negative line", refused);
            }
        }
    }
}
