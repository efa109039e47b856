package io.kybern.kubelet.sim;

import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * How a simulated node runs one pod, as its annotations ask:
 * <ul>
 * <li>{@value #READY} {@code "false"}: never becomes Ready;</li>
 * <li>{@value #READY_AFTER} (a Go duration, {@code 5s}): Ready that long after it started;</li>
 * <li>{@value #RUN_FOR}: how long a pod with restartPolicy Never or OnFailure runs before its containers
 * exit (default {@link #DEFAULT_RUN_FOR}); pods with restartPolicy Always run until deleted;</li>
 * <li>{@value #EXIT_CODE}: the containers' exit code then (default 0: Succeeded; otherwise Failed).</li>
 * </ul>
 * Annotations that cannot be read are ignored, as if absent.
 */
record PodScript(boolean readyAllowed, Duration readyAfter, Optional<Duration> runFor, int exitCode) {

    static final String PREFIX = "sim.kybern.io/";
    static final String READY = PREFIX + "ready";
    static final String READY_AFTER = PREFIX + "ready-after";
    static final String RUN_FOR = PREFIX + "run-for";
    static final String EXIT_CODE = PREFIX + "exit-code";
    static final Duration DEFAULT_RUN_FOR = Duration.ofSeconds(1);

    static PodScript of(Pod pod) {
        Map<String, String> annotations = pod.getMetadata().getAnnotations() == null ? Map.of()
                : pod.getMetadata().getAnnotations();
        boolean readyAllowed = !"false".equalsIgnoreCase(annotations.getOrDefault(READY, "true").strip());
        Duration readyAfter = GoDuration.parse(annotations.get(READY_AFTER)).orElse(Duration.ZERO);
        String restartPolicy = pod.getSpec() == null || pod.getSpec().getRestartPolicy() == null ? "Always"
                : pod.getSpec().getRestartPolicy();
        Optional<Duration> runFor = restartPolicy.equals("Always") ? Optional.empty()
                : Optional.of(GoDuration.parse(annotations.get(RUN_FOR)).orElse(DEFAULT_RUN_FOR));
        int exitCode = 0;
        try {
            exitCode = Integer.parseInt(annotations.getOrDefault(EXIT_CODE, "0").strip());
        } catch (NumberFormatException unreadable) {
            // ignored, as documented
        }
        return new PodScript(readyAllowed, readyAfter, runFor, exitCode);
    }
}
