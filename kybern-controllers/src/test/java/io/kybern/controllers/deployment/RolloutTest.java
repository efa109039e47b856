package io.kybern.controllers.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.IntOrString;
import org.junit.jupiter.api.Test;

class RolloutTest {

    @Test
    void numbersAreTakenAsTheyAre() {
        assertThat(Rollout.resolve(new IntOrString(2), new IntOrString(1), 4))
                .isEqualTo(new Rollout.Fenceposts(2, 1));
    }

    @Test
    void percentagesRoundSurgeUpAndUnavailabilityDown() {
        // 25% of 10 is 2.5: surge 3, unavailable 2.
        assertThat(Rollout.resolve(new IntOrString("25%"), new IntOrString("25%"), 10))
                .isEqualTo(new Rollout.Fenceposts(3, 2));
        // Unset means 25% each; of 3 replicas: surge 1 (0.75 up), unavailable 0 (0.75 down).
        assertThat(Rollout.resolve(null, null, 3)).isEqualTo(new Rollout.Fenceposts(1, 0));
    }

    @Test
    void bothZeroLetsOnePodBeUnavailable() {
        assertThat(Rollout.resolve(new IntOrString(0), new IntOrString("10%"), 5))
                .isEqualTo(new Rollout.Fenceposts(0, 1));
    }

    @Test
    void aStringThatIsNoPercentageIsRefused() {
        assertThatThrownBy(() -> Rollout.scaled(new IntOrString("two"), 4, true))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theNewSetGrowsWithinTheSurge() {
        // 4 replicas, surge 2: from nothing new and 4 old, the new set may take 2.
        assertThat(Rollout.newReplicasAfterScaleUp(4, 2, 0, 4)).isEqualTo(2);
        // Already 6 asked for in all: no room.
        assertThat(Rollout.newReplicasAfterScaleUp(4, 2, 2, 6)).isEqualTo(2);
        // Never beyond the replicas, however much room.
        assertThat(Rollout.newReplicasAfterScaleUp(4, 2, 3, 3)).isEqualTo(4);
    }

    @Test
    void oldPodsGoOnlyAsFarAsAvailabilityAllows() {
        // 4 replicas, maxUnavailable 1; 6 asked for, the new set's 2 not available yet: 6 - 3 - 2 = 1.
        assertThat(Rollout.maxScaleDown(4, 1, 6, 2, 0)).isEqualTo(1);
        // New pods available: 6 - 3 - 0 = 3.
        assertThat(Rollout.maxScaleDown(4, 1, 6, 2, 2)).isEqualTo(3);
        // Nothing may go when that would drop below the minimum.
        assertThat(Rollout.maxScaleDown(4, 0, 4, 0, 0)).isZero();
        assertThat(Rollout.availableScaleDown(4, 1, 3)).isZero();
        assertThat(Rollout.availableScaleDown(4, 1, 6)).isEqualTo(3);
    }

    @Test
    void aScalingEventIsSharedInProportion() {
        // A set of 3 sized for 6 allowed pods, now 12 allowed: it doubles, a change of +3.
        assertThat(Rollout.proportion(3, 12, 6)).isEqualTo(3);
        // Shrinking from 12 allowed to 6: -3.
        assertThat(Rollout.proportion(6, 6, 12)).isEqualTo(-3);
        assertThat(Rollout.proportion(0, 12, 6)).isZero();
    }
}
