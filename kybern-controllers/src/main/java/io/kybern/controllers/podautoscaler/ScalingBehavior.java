package io.kybern.controllers.podautoscaler;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * How fast an autoscaler may move from the replica count the formula proposes to the one it sets, as
 * Kubernetes' {@code spec.behavior} says: a stabilization window per direction (the highest recommendation
 * of the last 300 s wins on the way down by default, so a brief dip does not scale down), then rate
 * policies ({@code Pods} or {@code Percent} per {@code periodSeconds}, the {@code Max} or {@code Min} of them
 * chosen by {@code selectPolicy}, or {@code Disabled}), then minReplicas and maxReplicas. It remembers, per
 * autoscaler, its recent recommendations and the scale changes it made.
 *
 * <p>Threading: one instance per autoscaler, used by one reconcile at a time (the work queue's promise).
 */
final class ScalingBehavior {

    /** One direction's rules. */
    record Rules(Duration stabilizationWindow, String selectPolicy, List<Policy> policies) {
    }

    /** One rate policy: {@code Pods} or {@code Percent}, {@code value} per {@code period}. */
    record Policy(String type, int value, Duration period) {
    }

    /** Kubernetes' defaults: up at once by 4 pods or 100% per 15 s, whichever is more. */
    static final Rules DEFAULT_SCALE_UP = new Rules(Duration.ZERO, "Max",
            List.of(new Policy("Pods", 4, Duration.ofSeconds(15)), new Policy("Percent", 100, Duration.ofSeconds(15))));
    /** Kubernetes' defaults: down after 300 s of lower recommendations, by up to 100% per 15 s. */
    static final Rules DEFAULT_SCALE_DOWN = new Rules(Duration.ofSeconds(300), "Max",
            List.of(new Policy("Percent", 100, Duration.ofSeconds(15))));

    /** The count to set, and the ScalingLimited and AbleToScale reasons that explain it. */
    record Decision(int replicas, String limitReason, String limitMessage, String stabilizedReason,
            String stabilizedMessage) {
        boolean limited() {
            return limitReason != null;
        }
    }

    private record Recommendation(Instant at, int replicas) {
    }

    private record ScaleEvent(Instant at, int change) {
    }

    private final List<Recommendation> recommendations = new ArrayList<>();
    private final List<ScaleEvent> scaleUps = new ArrayList<>();
    private final List<ScaleEvent> scaleDowns = new ArrayList<>();

    /** Decides the count to set from the formula's {@code proposed} one. */
    Decision decide(int current, int proposed, int min, int max, Rules up, Rules down, Instant now) {
        // Stabilization: up to the lowest recommendation of the up window, down to the highest of the down one.
        int upRecommendation = proposed;
        int downRecommendation = proposed;
        for (Recommendation r : recommendations) {
            if (r.at().isAfter(now.minus(up.stabilizationWindow()))) {
                upRecommendation = Math.min(upRecommendation, r.replicas());
            }
            if (r.at().isAfter(now.minus(down.stabilizationWindow()))) {
                downRecommendation = Math.max(downRecommendation, r.replicas());
            }
        }
        Duration longest = up.stabilizationWindow().compareTo(down.stabilizationWindow()) > 0
                ? up.stabilizationWindow() : down.stabilizationWindow();
        recommendations.removeIf(r -> !r.at().isAfter(now.minus(longest)));
        recommendations.add(new Recommendation(now, proposed));
        int stabilized = current;
        if (stabilized < upRecommendation) {
            stabilized = upRecommendation;
        }
        if (stabilized > downRecommendation) {
            stabilized = downRecommendation;
        }
        String stabilizedReason = "ReadyForNewScale";
        String stabilizedMessage = "recommended size matches current size";
        if (stabilized != proposed) {
            boolean holdingUp = stabilized > proposed;
            stabilizedReason = holdingUp ? "ScaleDownStabilized" : "ScaleUpStabilized";
            stabilizedMessage = holdingUp
                    ? "recent recommendations were higher than current one, applying the highest recent recommendation"
                    : "recent recommendations were lower than current one, applying the lowest recent recommendation";
        }

        // Rate limits, then the bounds.
        int desired = stabilized;
        String limitReason = null;
        String limitMessage = null;
        if (desired > current) {
            int limit = Math.max(current, scaleUpLimit(current, up, now));
            if (desired > limit) {
                limitReason = "ScaleUpLimit";
                limitMessage = "the desired replica count is increasing faster than the maximum scale rate";
                desired = limit;
            }
            if (desired > max) {
                limitReason = "TooManyReplicas";
                limitMessage = "the desired replica count is more than the maximum replica count";
                desired = max;
            }
        } else if (desired < current) {
            int limit = Math.min(current, scaleDownLimit(current, down, now));
            if (desired < limit) {
                limitReason = "ScaleDownLimit";
                limitMessage = "the desired replica count is decreasing faster than the maximum scale rate";
                desired = limit;
            }
            if (desired < min) {
                limitReason = "TooFewReplicas";
                limitMessage = "the desired replica count is less than the minimum replica count";
                desired = min;
            }
        }
        return new Decision(desired, limitReason, limitMessage, stabilizedReason, stabilizedMessage);
    }

    /**
     * Decides without {@code spec.behavior}, as Kubernetes does for an autoscaler that has none: the highest
     * recommendation of the last 5 minutes on the way down, at most twice the current count (or 4) on the way
     * up, then the bounds.
     */
    Decision decideWithoutBehavior(int current, int proposed, int min, int max, Instant now) {
        Instant cutoff = now.minus(DEFAULT_SCALE_DOWN.stabilizationWindow());
        int stabilized = proposed;
        for (Recommendation r : recommendations) {
            if (r.at().isAfter(cutoff)) {
                stabilized = Math.max(stabilized, r.replicas());
            }
        }
        recommendations.removeIf(r -> !r.at().isAfter(cutoff));
        recommendations.add(new Recommendation(now, proposed));
        String stabilizedReason = stabilized == proposed ? "ReadyForNewScale" : "ScaleDownStabilized";
        String stabilizedMessage = stabilized == proposed ? "recommended size matches current size"
                : "recent recommendations were higher than current one, applying the highest recent recommendation";
        int scaleUpLimit = Math.max(2 * current, 4);
        int allowed = max;
        String reason = "TooManyReplicas";
        String message = "the desired replica count is more than the maximum replica count";
        if (stabilized > scaleUpLimit) {
            allowed = scaleUpLimit;
            reason = "ScaleUpLimit";
            message = "the desired replica count is increasing faster than the maximum scale rate";
        }
        if (stabilized < min) {
            return new Decision(min, "TooFewReplicas",
                    "the desired replica count is less than the minimum replica count", stabilizedReason,
                    stabilizedMessage);
        }
        if (stabilized > allowed) {
            return new Decision(allowed, reason, message, stabilizedReason, stabilizedMessage);
        }
        return new Decision(stabilized, null, null, stabilizedReason, stabilizedMessage);
    }

    /** Remembers a change of scale the controller made, for the rate policies' periods. */
    void scaled(int from, int to, Instant at) {
        // No policy period is longer than 30 minutes (Kubernetes validates periodSeconds <= 1800).
        Instant forgotten = at.minus(Duration.ofMinutes(30));
        scaleUps.removeIf(e -> e.at().isBefore(forgotten));
        scaleDowns.removeIf(e -> e.at().isBefore(forgotten));
        if (to > from) {
            scaleUps.add(new ScaleEvent(at, to - from));
        } else if (to < from) {
            scaleDowns.add(new ScaleEvent(at, from - to));
        }
    }

    private int scaleUpLimit(int current, Rules rules, Instant now) {
        if (rules.selectPolicy().equals("Disabled")) {
            return current;
        }
        boolean min = rules.selectPolicy().equals("Min");
        int result = min ? Integer.MAX_VALUE : Integer.MIN_VALUE;
        for (Policy policy : rules.policies()) {
            int added = changedWithin(scaleUps, policy.period(), now);
            int deleted = changedWithin(scaleDowns, policy.period(), now);
            int periodStart = current - added + deleted;
            int proposed = policy.type().equals("Pods") ? periodStart + policy.value()
                    : (int) Math.ceil(periodStart * (1 + policy.value() / 100.0));
            result = min ? Math.min(result, proposed) : Math.max(result, proposed);
        }
        return result;
    }

    private int scaleDownLimit(int current, Rules rules, Instant now) {
        if (rules.selectPolicy().equals("Disabled")) {
            return current;
        }
        boolean min = rules.selectPolicy().equals("Min");
        int result = min ? Integer.MIN_VALUE : Integer.MAX_VALUE;
        for (Policy policy : rules.policies()) {
            int added = changedWithin(scaleUps, policy.period(), now);
            int deleted = changedWithin(scaleDowns, policy.period(), now);
            int periodStart = current + deleted - added;
            int proposed = policy.type().equals("Pods") ? periodStart - policy.value()
                    : (int) (periodStart * (1 - policy.value() / 100.0));
            // Min selects the policy allowing the least change: the highest floor.
            result = min ? Math.max(result, proposed) : Math.min(result, proposed);
        }
        return result;
    }

    private static int changedWithin(List<ScaleEvent> events, Duration period, Instant now) {
        Instant cutoff = now.minus(period);
        return events.stream().filter(e -> e.at().isAfter(cutoff)).mapToInt(ScaleEvent::change).sum();
    }
}
