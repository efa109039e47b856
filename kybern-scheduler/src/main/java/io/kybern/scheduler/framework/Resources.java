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
        BigDecimal amount = quantity.getNumericalAmount();
        switch (name) {
            case CPU -> milliCpu += amount.movePointRight(3).setScale(0, RoundingMode.CEILING).longValueExact();
            case MEMORY -> memory += amount.setScale(0, RoundingMode.CEILING).longValue();
            case EPHEMERAL_STORAGE -> ephemeralStorage += amount.setScale(0, RoundingMode.CEILING).longValue();
            case PODS -> {
                // a node's pod capacity, read separately; never a request
            }
            default -> scalars.merge(name, amount.setScale(0, RoundingMode.CEILING).longValue(), Long::sum);
        }
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
