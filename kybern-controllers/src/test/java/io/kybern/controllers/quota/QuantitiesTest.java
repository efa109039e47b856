package io.kybern.controllers.quota;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Quantity;
import org.junit.jupiter.api.Test;

class QuantitiesTest {

    private static String sum(String... quantities) {
        Quantities.Sum sum = new Quantities.Sum();
        for (String q : quantities) {
            sum.add(new Quantity(q));
        }
        return sum.format();
    }

    @Test
    void cpuSumsAreWholeUnitsOrMillis() {
        assertThat(sum("500m", "1")).isEqualTo("1500m");
        assertThat(sum("500m", "500m")).isEqualTo("1");
        assertThat(sum("250m", "1750m", "2")).isEqualTo("4");
        assertThat(sum()).isEqualTo("0");
    }

    @Test
    void binaryMemoryStaysBinaryWhenItDividesEvenly() {
        assertThat(sum("128Mi", "256Mi")).isEqualTo("384Mi");
        assertThat(sum("512Mi", "512Mi")).isEqualTo("1Gi");
        assertThat(sum("1Ki", "1")).isEqualTo("1025");
    }

    @Test
    void decimalSumsTakeTheLargestWholeSuffix() {
        assertThat(sum("1G", "1G")).isEqualTo("2G");
        assertThat(sum("1500", "500")).isEqualTo("2k");
        assertThat(sum("1500")).isEqualTo("1500");
    }
}
