package io.kybern.api.selector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SelectorsTest {

    private static final Map<String, String> WEB = Map.of("app", "web", "tier", "frontend");

    @Test
    void equalityAndInequality() {
        assertThat(LabelSelector.parse("app=web").matches(WEB)).isTrue();
        assertThat(LabelSelector.parse("app==web,tier=frontend").matches(WEB)).isTrue();
        assertThat(LabelSelector.parse("app=db").matches(WEB)).isFalse();
        assertThat(LabelSelector.parse("app!=db").matches(WEB)).isTrue();
        assertThat(LabelSelector.parse("env!=prod").matches(WEB)).as("a missing label satisfies !=").isTrue();
    }

    @Test
    void setsAndExistence() {
        assertThat(LabelSelector.parse("app in (web, api),tier").matches(WEB)).isTrue();
        assertThat(LabelSelector.parse("app notin (web)").matches(WEB)).isFalse();
        assertThat(LabelSelector.parse("!env").matches(WEB)).isTrue();
        assertThat(LabelSelector.parse("env").matches(WEB)).isFalse();
        assertThat(LabelSelector.parse("").matches(Map.of())).isTrue();
    }

    @Test
    void malformedSelectorsAreRefused() {
        assertThatThrownBy(() -> LabelSelector.parse("app in web")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'('");
        assertThatThrownBy(() -> LabelSelector.parse("app=web,,tier")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FieldSelector.parse("metadata.name")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void fieldSelectorsCompareTheFieldsTheyName() {
        FieldSelector selector = FieldSelector.parse("metadata.name=web,status.phase!=Failed");
        assertThat(selector.matches(Map.of("metadata.name", "web", "status.phase", "Running")::get)).isTrue();
        assertThat(selector.matches(Map.of("metadata.name", "web", "status.phase", "Failed")::get)).isFalse();
        assertThat(selector.matches(Map.of("metadata.name", "db")::get)).isFalse();
    }
}
