package io.kybern.kubelet.agent;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Probe;
import io.kybern.kubelet.cri.api.ContainerStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The probe results of one pod's running containers, as kubelet's probe workers keep them: per container
 * (by runtime ID, so a restarted container starts afresh) and per kind of probe, the last result and how
 * many times in a row it came. A startup probe holds the others off until it succeeds; a readiness probe
 * starts unready, a liveness probe healthy; a result changes only after successThreshold successes or
 * failureThreshold failures in a row. Probes run when due (initialDelaySeconds after the container started,
 * then every periodSeconds); the pod's worker calls {@link #probe} on each pass.
 */
final class ContainerProbes {

    enum Kind {
        STARTUP("Startup"), READINESS("Readiness"), LIVENESS("Liveness");

        final String title;

        Kind(String title) {
            this.title = title;
        }

        Probe of(Container container) {
            return switch (this) {
                case STARTUP -> container.getStartupProbe();
                case READINESS -> container.getReadinessProbe();
                case LIVENESS -> container.getLivenessProbe();
            };
        }
    }

    /** Runs one probe and reports its result; the agent's is {@link ProbeCheck#run}. */
    interface Runner {
        ProbeCheck.Result run(Probe probe, Container container, String containerId);
    }

    /** What to tell of a probe failure (the Unhealthy event). */
    interface Listener {
        void failed(Container container, Kind kind, String message);
    }

    private static final class Track {
        /** The result in force (changed only by enough of the same in a row). */
        boolean success;
        /** The latest probe's outcome (null before the first) and how many times in a row it came. */
        Boolean latest;
        int run;
        Instant last;

        Track(boolean initial) {
            success = initial;
        }
    }

    private final Map<String, Map<Kind, Track>> tracks = new HashMap<>();

    /**
     * Runs the running container's due probes and returns the kind whose failures say the container must be
     * killed (startup or liveness), or null.
     */
    Kind probe(Container container, ContainerStatus running, Instant now, Runner runner, Listener listener) {
        Map<Kind, Track> mine = tracks.computeIfAbsent(running.getId(), id -> new HashMap<>());
        Instant startedAt = Instant.ofEpochSecond(0, running.getStartedAt());
        for (Kind kind : Kind.values()) {
            Probe probe = kind.of(container);
            if (probe == null) {
                continue;
            }
            if (kind != Kind.STARTUP && !started(container, running.getId())) {
                continue; // the startup probe has not succeeded yet
            }
            Track track = mine.computeIfAbsent(kind, k -> new Track(k == Kind.LIVENESS));
            if (kind == Kind.STARTUP && track.success) {
                continue; // a startup probe stops once it has succeeded
            }
            if (now.isBefore(startedAt.plusSeconds(orDefault(probe.getInitialDelaySeconds(), 0)))) {
                continue;
            }
            if (track.last != null && now.isBefore(track.last.plus(period(probe)))) {
                continue;
            }
            track.last = now;
            ProbeCheck.Result result = runner.run(probe, container, running.getId());
            if (!result.success()) {
                listener.failed(container, kind, result.message());
            }
            track.run = Boolean.valueOf(result.success()).equals(track.latest) ? track.run + 1 : 1;
            track.latest = result.success();
            int threshold = result.success() ? orDefault(probe.getSuccessThreshold(), 1)
                    : orDefault(probe.getFailureThreshold(), 3);
            if (track.run < threshold) {
                continue;
            }
            track.success = result.success();
            if (!track.success && kind != Kind.READINESS) {
                return kind; // failed failureThreshold times in a row
            }
        }
        return null;
    }

    /** Whether the container has any probe to run. */
    static boolean hasProbes(Container container) {
        for (Kind kind : Kind.values()) {
            if (kind.of(container) != null) {
                return true;
            }
        }
        return false;
    }

    /** Started: running, and its startup probe (if any) has succeeded. */
    boolean started(Container container, String containerId) {
        return container.getStartupProbe() == null || result(containerId, Kind.STARTUP, false);
    }

    /** Ready: started, and its readiness probe (if any) last said so. */
    boolean ready(Container container, String containerId) {
        return started(container, containerId)
                && (container.getReadinessProbe() == null || result(containerId, Kind.READINESS, false));
    }

    /** Forgets the containers that are no longer running. */
    void retain(Set<String> runningIds) {
        tracks.keySet().retainAll(runningIds);
    }

    private boolean result(String containerId, Kind kind, boolean otherwise) {
        Track track = tracks.getOrDefault(containerId, Map.of()).get(kind);
        return track == null ? otherwise : track.success;
    }

    private static Duration period(Probe probe) {
        return Duration.ofSeconds(Math.max(1, orDefault(probe.getPeriodSeconds(), 10)));
    }

    private static int orDefault(Integer value, int otherwise) {
        return Objects.requireNonNullElse(value, otherwise);
    }
}
