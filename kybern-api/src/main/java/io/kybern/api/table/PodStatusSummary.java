package io.kybern.api.table;

import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * What {@code kubectl get pods} shows of a pod's status: ready over total containers, the one-word
 * status and the restarts, derived as Kubernetes' pod printer derives them.
 *
 * <p>The status starts from the phase (or the pod's reason), is replaced by the first init container
 * that has not finished ({@code Init:1/3}, {@code Init:CrashLoopBackOff}), else by the last app container
 * that waits or terminated with a reason, and ends as {@code Terminating} while the pod is being deleted.
 * Restartable init containers (sidecars) count as containers and, once started, do not hold up the pod.
 */
record PodStatusSummary(int ready, int total, String status, int restarts, Instant lastRestart) {

    private static final String NODE_UNREACHABLE = "NodeLost";

    static PodStatusSummary of(PrintedObject pod) {
        JsonNode spec = pod.path("spec");
        JsonNode status = pod.path("status");
        int total = spec.path("containers").size();
        Set<String> sidecars = new HashSet<>();
        for (JsonNode init : spec.path("initContainers")) {
            if ("Always".equals(init.path("restartPolicy").asString(""))) {
                sidecars.add(init.path("name").asString(""));
                total++;
            }
        }
        String phase = status.path("phase").asString("");
        String reason = status.path("reason").asString("").isEmpty() ? phase : status.path("reason").asString("");
        for (JsonNode condition : status.path("conditions")) {
            if ("PodScheduled".equals(condition.path("type").asString(""))
                    && "SchedulingGated".equals(condition.path("reason").asString(""))) {
                reason = "SchedulingGated";
            }
        }

        int ready = 0;
        int restarts = 0;
        int sidecarRestarts = 0;
        Instant lastRestart = null;
        Instant lastSidecarRestart = null;
        boolean initializing = false;
        JsonNode initStatuses = status.path("initContainerStatuses");
        int initCount = spec.path("initContainers").size();
        for (int i = 0; i < initStatuses.size(); i++) {
            JsonNode container = initStatuses.get(i);
            boolean sidecar = sidecars.contains(container.path("name").asString(""));
            int count = container.path("restartCount").asInt(0);
            Instant finished = lastTermination(container);
            restarts += count;
            lastRestart = later(lastRestart, finished);
            if (sidecar) {
                sidecarRestarts += count;
                lastSidecarRestart = later(lastSidecarRestart, finished);
            }
            JsonNode terminated = container.path("state").path("terminated");
            JsonNode waiting = container.path("state").path("waiting");
            if (terminated.isObject() && terminated.path("exitCode").asInt(0) == 0) {
                continue;
            }
            if (sidecar && container.path("started").asBoolean(false)) {
                if (container.path("ready").asBoolean(false)) {
                    ready++;
                }
                continue;
            }
            if (terminated.isObject()) {
                reason = "Init:" + terminationReason(terminated);
            } else if (!waiting.path("reason").asString("").isEmpty()
                    && !"PodInitializing".equals(waiting.path("reason").asString(""))) {
                reason = "Init:" + waiting.path("reason").asString("");
            } else {
                reason = "Init:" + i + "/" + initCount;
            }
            initializing = true;
            break;
        }

        if (!initializing || conditionTrue(status, "Initialized")) {
            // App containers decide; of the init containers only sidecars' restarts still count.
            restarts = sidecarRestarts;
            lastRestart = lastSidecarRestart;
            boolean hasRunning = false;
            JsonNode statuses = status.path("containerStatuses");
            for (int i = statuses.size() - 1; i >= 0; i--) {
                JsonNode container = statuses.get(i);
                restarts += container.path("restartCount").asInt(0);
                lastRestart = later(lastRestart, lastTermination(container));
                JsonNode state = container.path("state");
                String waitingReason = state.path("waiting").path("reason").asString("");
                JsonNode terminated = state.path("terminated");
                if (!waitingReason.isEmpty()) {
                    reason = waitingReason;
                } else if (terminated.isObject()) {
                    reason = terminationReason(terminated);
                } else if (container.path("ready").asBoolean(false) && state.path("running").isObject()) {
                    hasRunning = true;
                    ready++;
                }
            }
            // A completed container beside running ones does not make the pod look finished.
            if ("Completed".equals(reason) && hasRunning) {
                reason = conditionTrue(status, "Ready") ? "Running" : "NotReady";
            }
        }

        if (pod.deleting() && NODE_UNREACHABLE.equals(status.path("reason").asString(""))) {
            reason = "Unknown";
        } else if (pod.deleting() && !phase.equals("Succeeded") && !phase.equals("Failed")) {
            reason = "Terminating";
        }
        return new PodStatusSummary(ready, total, reason, restarts, lastRestart);
    }

    /** The Restarts cell: the count, with how long ago the last one was when it is known. */
    String restartsCell(Instant now) {
        if (restarts != 0 && lastRestart != null) {
            return restarts + " (" + HumanDuration.since(lastRestart, now) + " ago)";
        }
        return Integer.toString(restarts);
    }

    private static String terminationReason(JsonNode terminated) {
        String reason = terminated.path("reason").asString("");
        if (!reason.isEmpty()) {
            return reason;
        }
        int signal = terminated.path("signal").asInt(0);
        return signal != 0 ? "Signal:" + signal : "ExitCode:" + terminated.path("exitCode").asInt(0);
    }

    private static Instant lastTermination(JsonNode container) {
        return PrintedObject.timestamp(container.path("lastState").path("terminated").path("finishedAt"));
    }

    private static Instant later(Instant a, Instant b) {
        if (a == null) {
            return b;
        }
        return b != null && b.isAfter(a) ? b : a;
    }

    private static boolean conditionTrue(JsonNode status, String type) {
        for (JsonNode condition : status.path("conditions")) {
            if (type.equals(condition.path("type").asString(""))) {
                return "True".equals(condition.path("status").asString(""));
            }
        }
        return false;
    }
}
