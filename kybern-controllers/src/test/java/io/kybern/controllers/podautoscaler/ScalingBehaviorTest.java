package io.kybern.controllers.podautoscaler;

import static org.assertj.core.api.Assertions.assertThat;

import io.kybern.controllers.podautoscaler.ScalingBehavior.Policy;
import io.kybern.controllers.podautoscaler.ScalingBehavior.Rules;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScalingBehaviorTest {

    private static final Instant T0 = Instant.parse("2026-01-01T12:00:00Z");
    private static final Rules UP = ScalingBehavior.DEFAULT_SCALE_UP;
    private static final Rules DOWN = ScalingBehavior.DEFAULT_SCALE_DOWN;

    @Test
    void scaleDownWaitsForTheStabilizationWindow() {
        ScalingBehavior behavior = new ScalingBehavior();
        assertThat(behavior.decide(4, 4, 1, 10, UP, DOWN, T0).replicas()).isEqualTo(4);

        var held = behavior.decide(4, 1, 1, 10, UP, DOWN, T0.plusSeconds(60));
        assertThat(held.replicas()).isEqualTo(4);
        assertThat(held.stabilizedReason()).isEqualTo("ScaleDownStabilized");

        // 300 s after the recommendation of 4, only the lower ones remain.
        var after = behavior.decide(4, 1, 1, 10, UP, DOWN, T0.plusSeconds(301));
        assertThat(after.replicas()).isEqualTo(1);
        assertThat(after.limited()).isFalse();
    }

    @Test
    void scaleUpIsLimitedByTheLargerOfFourPodsAndDoubling() {
        ScalingBehavior behavior = new ScalingBehavior();
        var decision = behavior.decide(2, 20, 1, 50, UP, DOWN, T0);

        assertThat(decision.replicas()).isEqualTo(6); // max(2 + 4, 2 * 2)
        assertThat(decision.limitReason()).isEqualTo("ScaleUpLimit");

        behavior.scaled(2, 6, T0);
        // Within the same 15 s period the start of the period (2 pods) still bounds it.
        assertThat(behavior.decide(6, 20, 1, 50, UP, DOWN, T0.plusSeconds(5)).replicas()).isEqualTo(6);
        // After the period, from 6: max(10, 12).
        assertThat(behavior.decide(6, 20, 1, 50, UP, DOWN, T0.plusSeconds(16)).replicas()).isEqualTo(12);
    }

    @Test
    void selectPolicyMinTakesThePolicyAllowingTheLeastChange() {
        Rules up = new Rules(Duration.ZERO, "Min", List.of(new Policy("Pods", 1, Duration.ofSeconds(60)),
                new Policy("Percent", 100, Duration.ofSeconds(60))));
        assertThat(new ScalingBehavior().decide(4, 10, 1, 20, up, DOWN, T0).replicas()).isEqualTo(5);
    }

    @Test
    void percentScaleDownPolicyAndDisabledDirections() {
        Rules down = new Rules(Duration.ZERO, "Max", List.of(new Policy("Percent", 50, Duration.ofSeconds(60))));
        assertThat(new ScalingBehavior().decide(10, 1, 1, 20, UP, down, T0).replicas()).isEqualTo(5);

        Rules disabled = new Rules(Duration.ZERO, "Disabled", List.of());
        var decision = new ScalingBehavior().decide(10, 1, 1, 20, UP, disabled, T0);
        assertThat(decision.replicas()).isEqualTo(10);
        assertThat(decision.limitReason()).isEqualTo("ScaleDownLimit");
    }

    @Test
    void boundsApplyAfterTheRates() {
        var tooMany = new ScalingBehavior().decide(4, 8, 1, 5, UP, DOWN, T0);
        assertThat(tooMany.replicas()).isEqualTo(5);
        assertThat(tooMany.limitReason()).isEqualTo("TooManyReplicas");

        Rules down = new Rules(Duration.ZERO, "Max", DOWN.policies());
        var tooFew = new ScalingBehavior().decide(4, 1, 2, 5, UP, down, T0);
        assertThat(tooFew.replicas()).isEqualTo(2);
        assertThat(tooFew.limitReason()).isEqualTo("TooFewReplicas");
    }

    @Test
    void withoutBehaviorUpIsAtMostDoubleOrFourAndDownIsStabilized() {
        ScalingBehavior behavior = new ScalingBehavior();
        var up = behavior.decideWithoutBehavior(3, 20, 1, 50, T0);
        assertThat(up.replicas()).isEqualTo(6);
        assertThat(up.limitReason()).isEqualTo("ScaleUpLimit");

        ScalingBehavior other = new ScalingBehavior();
        assertThat(other.decideWithoutBehavior(3, 5, 1, 50, T0).replicas()).isEqualTo(5);
        var held = other.decideWithoutBehavior(5, 2, 1, 50, T0.plusSeconds(30));
        assertThat(held.replicas()).isEqualTo(5);
        assertThat(held.stabilizedReason()).isEqualTo("ScaleDownStabilized");
        assertThat(other.decideWithoutBehavior(5, 2, 1, 50, T0.plusSeconds(301)).replicas()).isEqualTo(2);
    }
}
