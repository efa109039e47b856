package io.kybern.controllers.disruption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetSpec;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetSpecBuilder;
import org.junit.jupiter.api.Test;

class BudgetArithmeticTest {

    private static PodDisruptionBudgetSpec minAvailable(IntOrString value) {
        return new PodDisruptionBudgetSpecBuilder().withMinAvailable(value).build();
    }

    private static PodDisruptionBudgetSpec maxUnavailable(IntOrString value) {
        return new PodDisruptionBudgetSpecBuilder().withMaxUnavailable(value).build();
    }

    @Test
    void integerMinAvailableCountsTheMatchingPodsAndNeedsNoScale() {
        PodDisruptionBudgetSpec spec = minAvailable(new IntOrString(2));
        assertThat(BudgetArithmetic.needsScale(spec)).isFalse();
        BudgetArithmetic.Need need = BudgetArithmetic.need(spec, 3, 0);
        assertThat(need).isEqualTo(new BudgetArithmetic.Need(3, 2));
        assertThat(BudgetArithmetic.disruptionsAllowed(need, 3)).isEqualTo(1);
        assertThat(BudgetArithmetic.disruptionsAllowed(need, 2)).isZero();
        assertThat(BudgetArithmetic.disruptionsAllowed(need, 1)).isZero();
    }

    @Test
    void percentMinAvailableIsOfTheScaleRoundedUp() {
        PodDisruptionBudgetSpec spec = minAvailable(new IntOrString("50%"));
        assertThat(BudgetArithmetic.needsScale(spec)).isTrue();
        assertThat(BudgetArithmetic.need(spec, 2, 5)).isEqualTo(new BudgetArithmetic.Need(5, 3));
    }

    @Test
    void maxUnavailableIsTakenFromTheScaleRoundedUp() {
        assertThat(BudgetArithmetic.need(maxUnavailable(new IntOrString(1)), 4, 4))
                .isEqualTo(new BudgetArithmetic.Need(4, 3));
        // 30% of 5 is 1.5, rounded up to 2 unavailable: 3 healthy wanted.
        assertThat(BudgetArithmetic.need(maxUnavailable(new IntOrString("30%")), 5, 5))
                .isEqualTo(new BudgetArithmetic.Need(5, 3));
        assertThat(BudgetArithmetic.need(maxUnavailable(new IntOrString(9)), 4, 4))
                .isEqualTo(new BudgetArithmetic.Need(4, 0));
    }

    @Test
    void noExpectedPodsAllowsNoDisruption() {
        BudgetArithmetic.Need need = BudgetArithmetic.need(maxUnavailable(new IntOrString(1)), 0, 0);
        assertThat(BudgetArithmetic.disruptionsAllowed(need, 0)).isZero();
        assertThat(BudgetArithmetic.disruptionsAllowed(new BudgetArithmetic.Need(0, 0), 3)).isZero();
    }

    @Test
    void aStringThatIsNeitherNumberNorPercentIsRejected() {
        assertThatThrownBy(() -> BudgetArithmetic.scaled(new IntOrString("half"), 4))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(BudgetArithmetic.scaled(new IntOrString("3"), 4)).isEqualTo(3);
    }
}
