package io.kybern.controllers.podautoscaler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kybern.controllers.podautoscaler.ReplicaCalculator.CalculationException;
import io.kybern.controllers.podautoscaler.ReplicaCalculator.PodInfo;
import io.kybern.controllers.podautoscaler.ReplicaCalculator.Sample;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReplicaCalculatorTest {

    private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
    private static final Instant LONG_AGO = NOW.minus(Duration.ofHours(1));
    private static final Duration WINDOW = Duration.ofSeconds(15);

    /** A pod started an hour ago, Ready since, requesting {@code request} cores. */
    private static PodInfo ready(String name, Double request) {
        return new PodInfo(name, "Running", false, true, LONG_AGO.plusSeconds(5), LONG_AGO, request);
    }

    private static Map<String, Sample> usage(Object... nameAndCores) {
        Map<String, Sample> samples = new HashMap<>();
        for (int i = 0; i < nameAndCores.length; i += 2) {
            samples.put((String) nameAndCores[i], new Sample((Double) nameAndCores[i + 1], NOW, WINDOW));
        }
        return samples;
    }

    @Test
    void scalesByTheRatioOfUtilizationToTargetRoundedUp() throws Exception {
        // 90% of requests against a 50% target: ceil(2 * 90 / 50) = 4.
        var proposal = ReplicaCalculator.forUtilization(2, 50, "cpu", List.of(ready("a", 0.2), ready("b", 0.2)),
                usage("a", 0.18, "b", 0.18), NOW);

        assertThat(proposal.replicas()).isEqualTo(4);
        assertThat(proposal.currentUtilization()).isEqualTo(90);
        assertThat(proposal.currentAverage()).isEqualTo(0.18);
    }

    @Test
    void keepsTheCountWithinTheTenPercentTolerance() throws Exception {
        // 54% against 50%: a ratio of 1.08 is within tolerance.
        var proposal = ReplicaCalculator.forUtilization(3, 50, "cpu",
                List.of(ready("a", 1.0), ready("b", 1.0), ready("c", 1.0)), usage("a", 0.54, "b", 0.54, "c", 0.54),
                NOW);

        assertThat(proposal.replicas()).isEqualTo(3);
    }

    @Test
    void scalesDownWhenUsageIsLow() throws Exception {
        // 10% against 50% on 4 pods: ceil(4 * 0.2) = 1.
        var pods = List.of(ready("a", 1.0), ready("b", 1.0), ready("c", 1.0), ready("d", 1.0));
        var proposal = ReplicaCalculator.forUtilization(4, 50, "cpu", pods,
                usage("a", 0.1, "b", 0.1, "c", 0.1, "d", 0.1), NOW);

        assertThat(proposal.replicas()).isEqualTo(1);
    }

    @Test
    void averageValueTargetsCompareTheMeanUsage() throws Exception {
        // Mean 300Mi against 100Mi on 2 pods: 6.
        double mi = 1024 * 1024;
        var proposal = ReplicaCalculator.forAverageValue(2, 100 * mi, "memory",
                List.of(ready("a", null), ready("b", null)), usage("a", 200 * mi, "b", 400 * mi), NOW);

        assertThat(proposal.replicas()).isEqualTo(6);
        assertThat(proposal.currentUtilization()).isNull();
    }

    @Test
    void missingPodsCountAsUsingTheirRequestOnTheWayDown() throws Exception {
        // Measured: a at 10% (ratio 0.2). The missing b is assumed at 100%: (10 + 100) / 2 = 55% -> ratio 1.1,
        // which crosses 1.0, so the count stays.
        var proposal = ReplicaCalculator.forUtilization(2, 50, "cpu", List.of(ready("a", 1.0), ready("b", 1.0)),
                usage("a", 0.1), NOW);

        assertThat(proposal.replicas()).isEqualTo(2);
    }

    @Test
    void missingPodsCountAsUsingNothingOnTheWayUp() throws Exception {
        // a at 200% (ratio 4); b missing is assumed at 0: (200 + 0) / 2 = 100% -> ratio 2 -> ceil(2 * 2) = 4.
        var proposal = ReplicaCalculator.forUtilization(2, 50, "cpu", List.of(ready("a", 1.0), ready("b", 1.0)),
                usage("a", 2.0), NOW);

        assertThat(proposal.replicas()).isEqualTo(4);
    }

    @Test
    void podsNotReadyLongEnoughAreLeftOutOfCpuFigures() throws Exception {
        // b became Ready 5 s ago (within its first 5 minutes and the metric's window): its CPU is not trusted,
        // and on the way up it counts as using nothing: a at 100% (ratio 2), then (100 + 0) / 2 = 50% -> 1.0.
        PodInfo fresh = new PodInfo("b", "Running", false, true, NOW.minusSeconds(5), NOW.minusSeconds(10), 1.0);
        var proposal = ReplicaCalculator.forUtilization(2, 50, "cpu", List.of(ready("a", 1.0), fresh),
                usage("a", 1.0, "b", 3.0), NOW);

        assertThat(proposal.replicas()).isEqualTo(2);
    }

    @Test
    void deletedAndFailedPodsAreIgnored() throws Exception {
        PodInfo deleting = new PodInfo("c", "Running", true, true, LONG_AGO, LONG_AGO, 1.0);
        PodInfo failed = new PodInfo("d", "Failed", false, false, LONG_AGO, LONG_AGO, 1.0);
        var proposal = ReplicaCalculator.forUtilization(2, 50, "cpu",
                List.of(ready("a", 1.0), ready("b", 1.0), deleting, failed), usage("a", 1.0, "b", 1.0, "c", 5.0),
                NOW);

        assertThat(proposal.replicas()).isEqualTo(4);
    }

    @Test
    void aContainerWithoutARequestMakesUtilizationUncomputable() {
        assertThatThrownBy(() -> ReplicaCalculator.forUtilization(1, 50, "cpu", List.of(ready("a", null)),
                usage("a", 0.5), NOW)).isInstanceOf(CalculationException.class)
                .hasMessageContaining("missing request for cpu");
    }

    @Test
    void noMetricsAtAllIsAnError() {
        assertThatThrownBy(() -> ReplicaCalculator.forUtilization(1, 50, "cpu", List.of(ready("a", 1.0)), Map.of(),
                NOW)).isInstanceOf(CalculationException.class)
                .hasMessage("unable to get metrics for resource cpu: no metrics returned from resource metrics API");
    }

    @Test
    void noPodsIsAnError() {
        assertThatThrownBy(() -> ReplicaCalculator.forUtilization(1, 50, "cpu", List.of(), usage("a", 0.5), NOW))
                .isInstanceOf(CalculationException.class)
                .hasMessage("no pods returned by selector while calculating replica count");
    }
}
