package io.kybern.controllers.quota;

import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/**
 * Sums of resource quantities written as Kubernetes writes them: in the binary suffixes (Ki, Mi, Gi...) when
 * the first quantity added was binary and the sum is a whole multiple of one, else in the decimal ones
 * (m, k, M, G...), always with an integer mantissa ({@code 1500m}, {@code 2}, {@code 384Mi}, {@code 2k}).
 */
public final class Quantities {

    private static final String[] BINARY = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
    private static final String[] DECIMAL = {"", "k", "M", "G", "T", "P", "E"};
    private static final BigDecimal THOUSAND = BigDecimal.valueOf(1000);
    private static final BigInteger KIBI = BigInteger.valueOf(1024);

    /** A running sum, remembering whether its first term was binary. */
    public static final class Sum {
        private BigDecimal amount = BigDecimal.ZERO;
        private Boolean binary;

        public Sum add(Quantity quantity) {
            if (quantity == null) {
                return this;
            }
            if (binary == null) {
                binary = quantity.getFormat() != null && quantity.getFormat().endsWith("i");
            }
            amount = amount.add(quantity.getNumericalAmount());
            return this;
        }

        public Sum add(Sum other) {
            if (binary == null) {
                binary = other.binary;
            }
            amount = amount.add(other.amount);
            return this;
        }

        BigDecimal amount() {
            return amount;
        }

        public String format() {
            return Quantities.format(amount, Boolean.TRUE.equals(binary));
        }
    }

    private Quantities() {
    }

    public static String count(long n) {
        return Long.toString(n);
    }

    static String format(BigDecimal amount, boolean binary) {
        if (amount.signum() == 0) {
            return "0";
        }
        BigDecimal stripped = amount.stripTrailingZeros();
        if (binary && stripped.scale() <= 0) {
            BigInteger value = stripped.toBigIntegerExact();
            int power = 0;
            while (power < BINARY.length - 1 && value.mod(KIBI).signum() == 0 && value.abs().compareTo(KIBI) >= 0) {
                value = value.divide(KIBI);
                power++;
            }
            if (power > 0) {
                return value + BINARY[power];
            }
        }
        if (stripped.scale() > 0) {
            // A fraction: thousandths at most, as Kubernetes rounds up to milli-units.
            BigDecimal millis = amount.multiply(THOUSAND).setScale(0, RoundingMode.CEILING);
            if (millis.remainder(THOUSAND).signum() != 0) {
                return millis.toBigInteger() + "m";
            }
            stripped = millis.divide(THOUSAND).stripTrailingZeros();
        }
        BigInteger value = stripped.setScale(0).toBigIntegerExact();
        int power = 0;
        while (power < DECIMAL.length - 1 && value.mod(BigInteger.valueOf(1000)).signum() == 0
                && value.signum() != 0) {
            value = value.divide(BigInteger.valueOf(1000));
            power++;
        }
        return value + DECIMAL[power];
    }
}
