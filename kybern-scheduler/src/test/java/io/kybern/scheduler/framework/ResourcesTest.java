package io.kybern.scheduler.framework;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResourcesTest {

    /** What Kubernetes' rounding gives, through exact decimal arithmetic: the reference for the quick way. */
    private static BigDecimal exact(String quantity, int scale) {
        return new Quantity(quantity).getNumericalAmount().movePointRight(scale).setScale(0, RoundingMode.CEILING);
    }

    @Test
    void everyWayOfWritingAQuantityCountsAsExactArithmeticDoes() {
        List<String> quantities = List.of("0", "1", "32", "100m", "1500m", "1m", "999m", "1001m", "500Mi", "128Gi",
                "1Ki", "3Pi", "2k", "7M", "1G", "4T", "1P", "5E", "0.5", "1.25", "0.1m", "2.5Gi", "1e3", "5e-1",
                "12E-3", "+7");
        for (String quantity : quantities) {
            assertThat(Resources.roundedUp(new Quantity(quantity), 0)).as("%s in units", quantity)
                    .isEqualTo(exact(quantity, 0).longValueExact());
            if (exact(quantity, 3).toBigInteger().bitLength() < 64) { // exabytes in thousandths do not fit a long
                assertThat(Resources.roundedUp(new Quantity(quantity), 3)).as("%s in millis", quantity)
                        .isEqualTo(exact(quantity, 3).longValueExact());
            }
        }
    }

    @Test
    void aQuantityTooLargeForQuickArithmeticIsStillCountedExactly() {
        // 7 Ei fits a long in bytes, not in thousandths of a byte.
        assertThat(Resources.roundedUp(new Quantity("7Ei"), 0)).isEqualTo(7L << 60);
        assertThat(Resources.roundedUp(new Quantity("999999999999999999"), 0)).isEqualTo(999_999_999_999_999_999L);
        // A thousand times that does not fit a long: the exact way says so rather than wrapping around.
        assertThatThrownBy(() -> Resources.roundedUp(new Quantity("999999999999999999"), 3))
                .isInstanceOf(ArithmeticException.class);
    }

    @Test
    void resourcesOfANodeAddUpByName() {
        Resources resources = Resources.of(java.util.Map.of("cpu", new Quantity("32"), "memory", new Quantity("128Gi"),
                "example.com/gpu", new Quantity("2"), "pods", new Quantity("110")));
        assertThat(resources.milliCpu).isEqualTo(32_000);
        assertThat(resources.memory).isEqualTo(128L << 30);
        assertThat(resources.scalar("example.com/gpu")).isEqualTo(2);
        assertThat(resources.scalar("pods")).isZero();
    }
}
