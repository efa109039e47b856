package io.kybern.controllers.nodelifecycle;

import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Kubernetes' matching of tolerations to taints, and what it means for a pod on a NoExecute-tainted node. */
public final class Tolerations {

    private Tolerations() {
    }

    /**
     * Whether the toleration tolerates the taint: the same effect (or any, when the toleration names
     * none), the same key (or any, with operator Exists and no key), and the same value unless the
     * operator is Exists.
     */
    public static boolean tolerates(Toleration toleration, Taint taint) {
        String effect = toleration.getEffect() == null ? "" : toleration.getEffect();
        if (!effect.isEmpty() && !effect.equals(taint.getEffect())) {
            return false;
        }
        String key = toleration.getKey() == null ? "" : toleration.getKey();
        String operator = toleration.getOperator() == null || toleration.getOperator().isEmpty() ? "Equal"
                : toleration.getOperator();
        if (key.isEmpty()) {
            return operator.equals("Exists");
        }
        if (!key.equals(taint.getKey())) {
            return false;
        }
        if (operator.equals("Exists")) {
            return true;
        }
        String value = toleration.getValue() == null ? "" : toleration.getValue();
        String taintValue = taint.getValue() == null ? "" : taint.getValue();
        return operator.equals("Equal") && value.equals(taintValue);
    }

    /**
     * How long a pod with these tolerations may stay on a node with these NoExecute taints: zero when one
     * taint is not tolerated, the smallest tolerationSeconds of the tolerations that matched (negative
     * counts as zero), or empty (forever) when none of them is limited.
     */
    public static Optional<Duration> allowedStay(List<Toleration> tolerations, List<Taint> noExecuteTaints) {
        Optional<Duration> shortest = Optional.empty();
        for (Taint taint : noExecuteTaints) {
            boolean tolerated = false;
            for (Toleration toleration : tolerations) {
                if (!tolerates(toleration, taint)) {
                    continue;
                }
                tolerated = true;
                if (toleration.getTolerationSeconds() != null) {
                    Duration limit = Duration.ofSeconds(Math.max(0, toleration.getTolerationSeconds()));
                    if (shortest.isEmpty() || limit.compareTo(shortest.get()) < 0) {
                        shortest = Optional.of(limit);
                    }
                }
            }
            if (!tolerated) {
                return Optional.of(Duration.ZERO);
            }
        }
        return shortest;
    }
}
