package io.kybern.scheduler.framework;

import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.HashMap;
import java.util.Map;

/**
 * An amount of each resource the scheduler counts: CPU in millicores, memory and ephemeral storage in
 * bytes, and every other (extended, hugepages) resource in its own units. Mutable, for summing;
 * {@link #copy()} before sharing.
 */
public final class Resources {

    public static final String CPU = "cpu";
    public static final String MEMORY = "memory";
    public static final String EPHEMERAL_STORAGE = "ephemeral-storage";
    public static final String PODS = "pods";

    public long milliCpu;
    public long memory;
    public long ephemeralStorage;
    /** Extended resources (example.com/gpu, hugepages-2Mi...), by name. */
    public final Map<String, Long> scalars = new HashMap<>();

    public static Resources of(Map<String, Quantity> quantities) {
        Resources resources = new Resources();
        if (quantities != null) {
            quantities.forEach(resources::add);
        }
        return resources;
    }

    public void add(String name, Quantity quantity) {
        switch (name) {
            case CPU -> milliCpu += roundedUp(quantity, 3);
            case MEMORY -> memory += roundedUp(quantity, 0);
            case EPHEMERAL_STORAGE -> ephemeralStorage += roundedUp(quantity, 0);
            case PODS -> {
                // a node's pod capacity, read separately; never a request
            }
            default -> scalars.merge(name, roundedUp(quantity, 0), Long::sum);
        }
    }

    /**
     * The quantity in units of 10^-{@code scale} (3: millicores), rounded up. A whole number with a suffix
     * ({@code 100m}, {@code 500Mi}, {@code 32}), as nearly every request and capacity is written, is worked out
     * in longs: through BigDecimal it was most of what summing a pod's requests cost, and the scheduler does
     * that for every pod it places and every pod it sees bound. Fractions, exponents and values too large
     * for a long take BigDecimal's exact way.
     */
    static long roundedUp(Quantity quantity, int scale) {
        String amount = quantity.getAmount();
        long multiplier = multiplier(quantity.getFormat());
        if (amount != null && !amount.isEmpty() && amount.length() <= 18 && multiplier != 0 && digitsOnly(amount)) {
            long value = Long.parseLong(amount);
            try {
                long unit = scale == 3 ? 1000 : 1;
                if (multiplier > 0) {
                    return Math.multiplyExact(Math.multiplyExact(value, multiplier), unit);
                }
                // milli: value thousandths; in millicores that is the value itself, in whole units rounded up
                return scale == 3 ? value : (value + 999) / 1000;
            } catch (ArithmeticException tooLarge) {
                // fall through to BigDecimal
            }
        }
        BigDecimal exact = quantity.getNumericalAmount().movePointRight(scale).setScale(0, RoundingMode.CEILING);
        return scale == 3 ? exact.longValueExact() : exact.longValue();
    }

    /** A suffix's factor; -1 for milli ({@code m}); 0 for anything else (exponents), left to BigDecimal. */
    private static long multiplier(String format) {
        return switch (format == null ? "" : format) {
            case "" -> 1;
            case "m" -> -1;
            case "k" -> 1_000L;
            case "M" -> 1_000_000L;
            case "G" -> 1_000_000_000L;
            case "T" -> 1_000_000_000_000L;
            case "P" -> 1_000_000_000_000_000L;
            case "E" -> 1_000_000_000_000_000_000L;
            case "Ki" -> 1L << 10;
            case "Mi" -> 1L << 20;
            case "Gi" -> 1L << 30;
            case "Ti" -> 1L << 40;
            case "Pi" -> 1L << 50;
            case "Ei" -> 1L << 60;
            default -> 0;
        };
    }

    private static boolean digitsOnly(String amount) {
        for (int i = 0; i < amount.length(); i++) {
            char c = amount.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    public void add(Resources other) {
        milliCpu += other.milliCpu;
        memory += other.memory;
        ephemeralStorage += other.ephemeralStorage;
        other.scalars.forEach((name, value) -> scalars.merge(name, value, Long::sum));
    }

    public void subtract(Resources other) {
        milliCpu -= other.milliCpu;
        memory -= other.memory;
        ephemeralStorage -= other.ephemeralStorage;
        other.scalars.forEach((name, value) -> scalars.merge(name, -value, Long::sum));
    }

    /** Each resource the larger of this and {@code other}. */
    public void max(Resources other) {
        milliCpu = Math.max(milliCpu, other.milliCpu);
        memory = Math.max(memory, other.memory);
        ephemeralStorage = Math.max(ephemeralStorage, other.ephemeralStorage);
        other.scalars.forEach((name, value) -> scalars.merge(name, value, Math::max));
    }

    public long scalar(String name) {
        return scalars.getOrDefault(name, 0L);
    }

    public Resources copy() {
        Resources copy = new Resources();
        copy.add(this);
        return copy;
    }

    @Override
    public String toString() {
        return "cpu=" + milliCpu + "m memory=" + memory + " ephemeral-storage=" + ephemeralStorage + " " + scalars;
    }
}
