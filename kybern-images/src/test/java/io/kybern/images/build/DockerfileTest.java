package io.kybern.images.build;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DockerfileTest {

    @Test
    void parsesFormsFlagsContinuationsAndComments() {
        List<Instruction> instructions = Dockerfile.parse("""
                # a comment
                FROM scratch AS base
                copy --from=base --chown=1000:1000 a b \\
                  # a comment inside a continuation
                  /dest/
                CMD ["sh", "-c", "echo hi"]
                ENTRYPOINT echo "two words"
                ENV A=1 B="x y"
                """);
        assertThat(instructions).extracting(Instruction::keyword)
                .containsExactly("FROM", "COPY", "CMD", "ENTRYPOINT", "ENV");
        Instruction copy = instructions.get(1);
        assertThat(copy.line()).isEqualTo(3);
        assertThat(copy.flags()).isEqualTo(Map.of("from", "base", "chown", "1000:1000"));
        assertThat(copy.args()).containsExactly("a", "b", "/dest/");
        assertThat(instructions.get(2).execForm()).isTrue();
        assertThat(instructions.get(2).args()).containsExactly("sh", "-c", "echo hi");
        assertThat(instructions.get(3).execForm()).isFalse();
        assertThat(instructions.get(3).raw()).isEqualTo("echo \"two words\"");
        assertThat(instructions.get(4).args()).containsExactly("A=1", "B=x y");
    }

    @Test
    void refusesWhatItCannotBuildWithTheLine() {
        assertError("FROM scratch\nRUN make\n", 2, "RUN is not supported");
        assertError("FROM scratch\n\n\nFOO bar\n", 4, "unknown instruction: FOO");
        assertError("COPY a b\n", 1, "no build stage in current context");
        assertError("FROM scratch\nCOPY --mystery=1 a b\n", 2, "unknown flag: --mystery");
        assertError("FROM scratch\nCOPY onlyone\n", 2, "COPY requires at least two arguments");
        assertError("FROM a b\n", 1, "FROM requires either one or three arguments");
        assertError("FROM scratch\nENV A=\"open\n", 2, "unterminated quote");
        assertError("FROM scratch\nWORKDIR\n", 2, "WORKDIR requires exactly one argument");
        assertError("FROM scratch\nLABEL =x\n", 2, "names can not be blank");
        assertError("# nothing\n\n", 0, "file with no instructions");
    }

    private static void assertError(String dockerfile, int line, String message) {
        assertThatThrownBy(() -> Dockerfile.parse(dockerfile))
                .isInstanceOfSatisfying(DockerfileSyntaxException.class, e -> assertThat(e.line()).isEqualTo(line))
                .hasMessageContaining(message)
                .hasMessageStartingWith(line > 0 ? "dockerfile parse error on line " + line + ": " : "dockerfile parse error");
    }

    @Test
    void expandsVariables() {
        Map<String, String> env = Map.of("HOME", "/root", "EMPTY", "");
        assertThat(Dockerfile.expand(1, "$HOME/x ${HOME}y ${MISSING:-dflt} ${EMPTY:-e} $NONE.", env))
                .isEqualTo("/root/x /rooty dflt e .");
        assertThatThrownBy(() -> Dockerfile.expand(7, "${HOME", env)).isInstanceOf(DockerfileSyntaxException.class)
                .hasMessageContaining("line 7");
    }
}
