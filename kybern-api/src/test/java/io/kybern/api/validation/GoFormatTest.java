package io.kybern.api.validation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** Values printed as Go prints them in Kubernetes' messages. */
class GoFormatTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void valuesArePrintedAsGoPrintsThem() {
        assertThat(GoFormat.shortestFloat(1e6)).isEqualTo("1e+06");
        assertThat(GoFormat.shortestFloat(123456.5)).isEqualTo("123456.5");
        assertThat(GoFormat.shortestFloat(0.0001)).isEqualTo("0.0001");
        assertThat(GoFormat.shortestFloat(0.00001234)).isEqualTo("1.234e-05");
        assertThat(GoFormat.shortestFloat(-2.0)).isEqualTo("-2");
        assertThat(GoFormat.quote("a\"b\\c\nd\u0001é")).isEqualTo("\"a\\\"b\\\\c\\nd\\x01é\"");
        assertThat(GoFormat.syntax(JSON.readTree("{\"z\":[1,null,true],\"a\":{}}")))
                .isEqualTo("map[string]interface {}{\"a\":map[string]interface {}{}, "
                        + "\"z\":[]interface {}{1, interface {}(nil), true}}");
        assertThat(GoFormat.shown(JSON.readTree("null"))).isEqualTo("null");
    }
}
