package io.kybern.controllers.podautoscaler;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Kubernetes' replica formula for a resource metric: {@code desired = ceil(current * currentMetric / target)},
 * no change within a tolerance of 10%, and the careful treatment of pods that do not report (missing) or are
 * not ready yet. When the ratio says scale up, unready pods count as using nothing; missing pods count as
 * using nothing on the way up and their whole target on the way down, so that a guess never moves the
 * decision further than the measured pods alone would. Pure: the caller gathers pods and metrics.
 */
final class ReplicaCalculator {

    static final double TOLERANCE = 0.1;
    /** kube-controller-manager's --horizontal-pod-autoscaler-cpu-initialization-period. */
    static final Duration CPU_INITIALIZATION_PERIOD = Duration.ofMinutes(5);
    /** kube-controller-manager's --horizontal-pod-autoscaler-initial-readiness-delay. */
    static final Duration INITIAL_READINESS_DELAY = Duration.ofSeconds(30);

    /**
     * One pod of the target, as the calculator needs it.
     *
     * @param name               its name
     * @param phase              status.phase
     * @param deleting           whether it has a deletion timestamp
     * @param ready              whether its Ready condition is True
     * @param readyTransition    when its Ready condition last changed (null without one)
     * @param startTime          status.startTime (null before it started)
     * @param request            the sum of its containers' requests of the resource, in base units; null when
     *                           a container has none
     */
    record PodInfo(String name, String phase, boolean deleting, boolean ready, Instant readyTransition,
            Instant startTime, Double request) {
    }

    /** A pod's usage and when it was measured. */
    record Sample(double usage, Instant timestamp, Duration window) {
    }

    /** What the formula proposes, and the figure the HPA status reports. */
    record Proposal(int replicas, double currentAverage, Integer currentUtilization, Instant timestamp) {
    }

    /** Why no replica count could be computed, worded as Kubernetes words it. */
    static final class CalculationException extends Exception {
        CalculationException(String message) {
            super(message);
        }
    }

    private ReplicaCalculator() {
    }

    /** The proposal for a Utilization target: usage as a percentage of the pods' requests. */
    static Proposal forUtilization(int currentReplicas, int targetUtilization, String resource, List<PodInfo> pods,
            Map<String, Sample> samples, Instant now) throws CalculationException {
        return calculate(currentReplicas, targetUtilization, resource, pods, samples, now, true);
    }

    /** The proposal for an AverageValue target: the pods' mean usage in base units. */
    static Proposal forAverageValue(int currentReplicas, double targetAverage, String resource, List<PodInfo> pods,
            Map<String, Sample> samples, Instant now) throws CalculationException {
        return calculate(currentReplicas, targetAverage, resource, pods, samples, now, false);
    }

    private static Proposal calculate(int currentReplicas, double target, String resource, List<PodInfo> pods,
            Map<String, Sample> samples, Instant now, boolean utilization) throws CalculationException {
        if (samples.isEmpty()) {
            throw new CalculationException("unable to get metrics for resource " + resource
                    + ": no metrics returned from resource metrics API");
        }
        if (pods.isEmpty()) {
            throw new CalculationException("no pods returned by selector while calculating replica count");
        }
        Map<String, Double> usage = new HashMap<>();
        Map<String, Double> requests = new HashMap<>();
        int unready = 0;
        int ignored = 0;
        java.util.Set<String> missing = new java.util.HashSet<>();
        java.util.Set<String> unreadyNames = new java.util.HashSet<>();
        Instant oldest = null;
        for (PodInfo pod : pods) {
            if (pod.deleting() || "Failed".equals(pod.phase())) {
                ignored++;
                continue;
            }
            if ("Pending".equals(pod.phase())) {
                unready++;
                unreadyNames.add(pod.name());
                continue;
            }
            Sample sample = samples.get(pod.name());
            if (sample == null) {
                missing.add(pod.name());
                continue;
            }
            if (resource.equals("cpu") && unreadyForCpu(pod, sample)) {
                unready++;
                unreadyNames.add(pod.name());
                continue;
            }
            usage.put(pod.name(), sample.usage());
            if (oldest == null || sample.timestamp().isBefore(oldest)) {
                oldest = sample.timestamp();
            }
        }
        for (PodInfo pod : pods) {
            if (pod.deleting() || "Failed".equals(pod.phase())) {
                continue;
            }
            if (utilization && pod.request() == null) {
                throw new CalculationException("missing request for " + resource + " in a container of Pod "
                        + pod.name());
            }
            requests.put(pod.name(), pod.request() == null ? 0.0 : pod.request());
        }
        if (usage.isEmpty()) {
            throw new CalculationException("did not receive metrics for targeted pods (pods might be unready)");
        }
        double ratio = ratio(usage, requests, target, utilization);
        double currentAverage = usage.isEmpty() ? 0 : sum(usage) / usage.size();
        Integer currentUtilization = utilization ? percentage(usage, requests) : null;
        Instant timestamp = oldest == null ? now : oldest;
        int readyPods = pods.size() - unready - ignored;

        boolean scaleUpWithUnready = unready > 0 && ratio > 1.0;
        if (!scaleUpWithUnready && missing.isEmpty()) {
            if (Math.abs(1.0 - ratio) <= TOLERANCE) {
                return new Proposal(currentReplicas, currentAverage, currentUtilization, timestamp);
            }
            return new Proposal((int) Math.ceil(ratio * readyPods), currentAverage, currentUtilization, timestamp);
        }
        // Fill in the guesses, then see whether the decision still stands.
        Map<String, Double> filled = new HashMap<>(usage);
        for (String name : missing) {
            double assumed = ratio < 1.0 ? (utilization ? requests.get(name) : target) : 0;
            filled.put(name, assumed);
        }
        if (scaleUpWithUnready) {
            unreadyNames.forEach(name -> filled.put(name, 0.0));
        }
        double newRatio = ratio(filled, requests, target, utilization);
        if (Math.abs(1.0 - newRatio) <= TOLERANCE || (ratio < 1.0 && newRatio > 1.0)
                || (ratio > 1.0 && newRatio < 1.0)) {
            return new Proposal(currentReplicas, currentAverage, currentUtilization, timestamp);
        }
        int replicas = (int) Math.ceil(newRatio * filled.size());
        if ((newRatio < 1.0 && replicas > currentReplicas) || (newRatio > 1.0 && replicas < currentReplicas)) {
            return new Proposal(currentReplicas, currentAverage, currentUtilization, timestamp);
        }
        return new Proposal(replicas, currentAverage, currentUtilization, timestamp);
    }

    /**
     * Whether a pod's CPU figure should not be trusted yet: within the initialization period a pod counts
     * only once Ready and measured after becoming so; later, a pod that never became Ready within the
     * initial readiness delay of its start counts as unready.
     */
    private static boolean unreadyForCpu(PodInfo pod, Sample sample) {
        if (pod.readyTransition() == null || pod.startTime() == null) {
            return true;
        }
        if (pod.startTime().plus(CPU_INITIALIZATION_PERIOD).isAfter(sample.timestamp())) {
            return !pod.ready() || sample.timestamp().isBefore(pod.readyTransition().plus(sample.window()));
        }
        return !pod.ready() && pod.startTime().plus(INITIAL_READINESS_DELAY).isAfter(pod.readyTransition());
    }

    private static double ratio(Map<String, Double> usage, Map<String, Double> requests, double target,
            boolean utilization) {
        if (utilization) {
            return percentage(usage, requests) / target;
        }
        return usage.isEmpty() ? 0 : (sum(usage) / usage.size()) / target;
    }

    /** Usage as a whole percentage of the requests of the same pods, truncated as Kubernetes truncates it. */
    private static int percentage(Map<String, Double> usage, Map<String, Double> requests) {
        double used = 0;
        double requested = 0;
        for (Map.Entry<String, Double> entry : usage.entrySet()) {
            Double request = requests.get(entry.getKey());
            if (request != null) {
                used += entry.getValue();
                requested += request;
            }
        }
        return requested == 0 ? 0 : (int) (used * 100 / requested);
    }

    private static double sum(Map<String, Double> values) {
        return values.values().stream().mapToDouble(Double::doubleValue).sum();
    }
}
