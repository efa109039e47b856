package io.kybern.kubelet.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ExpansionTest {

    private static final Map<String, String> VARS = Map.of("WHO", "world", "EMPTY", "");

    @Test
    void replacesDefinedVariables() {
        assertThat(Expansion.expand("hello $(WHO)!", VARS)).isEqualTo("hello world!");
        assertThat(Expansion.expand("[$(EMPTY)]", VARS)).isEqualTo("[]");
        assertThat(Expansion.expand("$(WHO)$(WHO)", VARS)).isEqualTo("worldworld");
    }

    @Test
    void keepsUndefinedOnesAndUnterminatedOnesAsWritten() {
        assertThat(Expansion.expand("$(NOPE) and $(WHO", VARS)).isEqualTo("$(NOPE) and $(WHO");
        assertThat(Expansion.expand("$()", VARS)).isEqualTo("$()");
    }

    @Test
    void aDoubleDollarEscapes() {
        assertThat(Expansion.expand("$$(WHO)", VARS)).isEqualTo("$(WHO)");
        assertThat(Expansion.expand("cost: $$5", VARS)).isEqualTo("cost: $5");
        assertThat(Expansion.expand("$HOME $x $", VARS)).isEqualTo("$HOME $x $");
    }
}
