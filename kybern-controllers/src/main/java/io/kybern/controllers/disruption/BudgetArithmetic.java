package io.kybern.controllers.disruption;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetSpec;

/**
 * Kubernetes' PodDisruptionBudget arithmetic, pure: how many healthy pods a budget wants, out of how many
 * expected, and so how many may be disrupted now. Percentages are taken of the expected count (the scale of
 * the pods' controllers) and rounded up, both for {@code minAvailable} and {@code maxUnavailable}.
 */
public final class BudgetArithmetic {

    private BudgetArithmetic() {
    }

    /**
     * What a budget needs.
     *
     * @param expectedPods   the pods there should be (the controllers' scale, or the matching pods)
     * @param desiredHealthy the healthy pods the budget wants kept
     */
    public record Need(int expectedPods, int desiredHealthy) {
    }

    /** Whether a budget's numbers depend on its pods' controllers' scale (percentages or maxUnavailable). */
    public static boolean needsScale(PodDisruptionBudgetSpec spec) {
        return spec.getMaxUnavailable() != null
                || (spec.getMinAvailable() != null && spec.getMinAvailable().getIntVal() == null);
    }

    /**
     * The need of a budget given the matching pods and, when {@link #needsScale}, the summed scale of
     * their controllers.
     */
    public static Need need(PodDisruptionBudgetSpec spec, int matchingPods, int scale) {
        if (spec.getMaxUnavailable() != null) {
            int maxUnavailable = scaled(spec.getMaxUnavailable(), scale);
            return new Need(scale, Math.max(0, scale - maxUnavailable));
        }
        IntOrString minAvailable = spec.getMinAvailable();
        if (minAvailable == null) {
            return new Need(0, 0);
        }
        if (minAvailable.getIntVal() != null) {
            return new Need(matchingPods, minAvailable.getIntVal());
        }
        return new Need(scale, scaled(minAvailable, scale));
    }

    /** Evictions allowed now: none when no pods are expected, else the healthy pods above the need. */
    public static int disruptionsAllowed(Need need, int currentHealthy) {
        int allowed = currentHealthy - need.desiredHealthy();
        return need.expectedPods() <= 0 || allowed <= 0 ? 0 : allowed;
    }

    /** An int as it is; a percentage of {@code total}, rounded up. */
    static int scaled(IntOrString value, int total) {
        if (value.getIntVal() != null) {
            return value.getIntVal();
        }
        String text = value.getStrVal().strip();
        if (!text.endsWith("%")) {
            try {
                return Integer.parseInt(text);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("invalid value for IntOrString: invalid type: string is not a "
                        + "percentage");
            }
        }
        int percent = Integer.parseInt(text.substring(0, text.length() - 1));
        return (int) Math.ceil(percent * (double) total / 100.0);
    }
}
