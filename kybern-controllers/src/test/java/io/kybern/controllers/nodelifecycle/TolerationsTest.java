package io.kybern.controllers.nodelifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class TolerationsTest {

    private static Taint taint(String key, String value, String effect) {
        return new TaintBuilder().withKey(key).withValue(value).withEffect(effect).build();
    }

    private static Toleration toleration(String key, String operator, String value, String effect, Long seconds) {
        return new TolerationBuilder().withKey(key).withOperator(operator).withValue(value).withEffect(effect)
                .withTolerationSeconds(seconds).build();
    }

    private static final Taint UNREACHABLE = taint(NodeHealth.UNREACHABLE, null, "NoExecute");

    @Test
    void matchingFollowsKeyOperatorValueAndEffect() {
        Taint gpu = taint("dedicated", "gpu", "NoExecute");
        assertThat(Tolerations.tolerates(toleration("dedicated", "Equal", "gpu", "NoExecute", null), gpu)).isTrue();
        assertThat(Tolerations.tolerates(toleration("dedicated", null, "gpu", null, null), gpu))
                .as("Equal is the default operator; no effect means every effect").isTrue();
        assertThat(Tolerations.tolerates(toleration("dedicated", "Equal", "cpu", "NoExecute", null), gpu)).isFalse();
        assertThat(Tolerations.tolerates(toleration("dedicated", "Exists", null, "NoExecute", null), gpu)).isTrue();
        assertThat(Tolerations.tolerates(toleration("dedicated", "Exists", null, "NoSchedule", null), gpu)).isFalse();
        assertThat(Tolerations.tolerates(toleration(null, "Exists", null, null, null), gpu))
                .as("an empty key with Exists tolerates everything").isTrue();
        assertThat(Tolerations.tolerates(toleration(null, "Equal", null, null, null), gpu)).isFalse();
        assertThat(Tolerations.tolerates(toleration("other", "Exists", null, null, null), gpu)).isFalse();
    }

    @Test
    void anUntoleratedTaintMeansNoStay() {
        assertThat(Tolerations.allowedStay(List.of(), List.of(UNREACHABLE))).contains(Duration.ZERO);
        assertThat(Tolerations.allowedStay(List.of(toleration(NodeHealth.NOT_READY, "Exists", null, "NoExecute", 300L)),
                List.of(UNREACHABLE))).contains(Duration.ZERO);
    }

    @Test
    void theShortestMatchingTolerationSecondsWins() {
        List<Toleration> tolerations = List.of(
                toleration(NodeHealth.UNREACHABLE, "Exists", null, "NoExecute", 300L),
                toleration(null, "Exists", null, "NoExecute", 2L),
                toleration("unrelated", "Exists", null, "NoExecute", 1L));

        assertThat(Tolerations.allowedStay(tolerations, List.of(UNREACHABLE))).contains(Duration.ofSeconds(2));
    }

    @Test
    void unlimitedTolerationsMeanForever() {
        assertThat(Tolerations.allowedStay(List.of(toleration(NodeHealth.UNREACHABLE, "Exists", null, null, null)),
                List.of(UNREACHABLE))).isEmpty();
        assertThat(Tolerations.allowedStay(List.of(), List.of())).as("no taints").isEmpty();
    }

    @Test
    void negativeSecondsEvictAtOnce() {
        assertThat(Tolerations.allowedStay(List.of(toleration(NodeHealth.UNREACHABLE, "Exists", null, "NoExecute",
                -5L)), List.of(UNREACHABLE))).contains(Duration.ZERO);
    }

    @Test
    void everyTaintMustBeTolerated() {
        Taint maintenance = taint("maintenance", null, "NoExecute");
        List<Toleration> onlyUnreachable = List.of(toleration(NodeHealth.UNREACHABLE, "Exists", null, "NoExecute",
                60L));

        assertThat(Tolerations.allowedStay(onlyUnreachable, List.of(UNREACHABLE, maintenance))).contains(Duration.ZERO);
    }
}
