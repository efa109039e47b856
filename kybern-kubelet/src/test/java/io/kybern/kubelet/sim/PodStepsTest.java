package io.kybern.kubelet.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PodStepsTest {

    private static final Instant T0 = Instant.parse("2026-12-06T10:00:00Z");
    private static final String HOST_IP = "100.64.0.1";

    private static Pod pod(String restartPolicy, Map<String, String> annotations) {
        return new PodBuilder().withNewMetadata().withName("p").withNamespace("ns").withUid("u-1")
                .withAnnotations(annotations).endMetadata()
                .withNewSpec().withNodeName("sim-node-0").withRestartPolicy(restartPolicy)
                .addNewContainer().withName("app").withImage("nginx").endContainer()
                .addNewContainer().withName("side").withImage("quay.io/org/tool:v2").endContainer().endSpec()
                .withNewStatus().withPhase("Pending").withQosClass("BestEffort").endStatus().build();
    }

    private static Pod withStatus(Pod pod, PodStatus status) {
        return new PodBuilder(pod).withStatus(status).build();
    }

    private static PodSteps step(Pod pod, Instant now) {
        return PodSteps.next(pod, HOST_IP, () -> "10.42.0.2", now);
    }

    private static String condition(PodStatus status, String type) {
        return status.getConditions().stream().filter(c -> c.getType().equals(type)).map(PodCondition::getStatus)
                .findFirst().orElse("absent");
    }

    @Test
    void aNewPodStartsRunningAndReadyWithItsContainersAndAddresses() {
        PodSteps step = step(pod("Always", Map.of()), T0);

        PodStatus status = step.status().orElseThrow();
        assertThat(status.getPhase()).isEqualTo("Running");
        assertThat(status.getPodIP()).isEqualTo("10.42.0.2");
        assertThat(status.getHostIP()).isEqualTo(HOST_IP);
        assertThat(status.getStartTime()).isEqualTo("2026-12-06T10:00:00Z");
        assertThat(status.getQosClass()).as("kept from the pod as created").isEqualTo("BestEffort");
        assertThat(condition(status, "Ready")).isEqualTo("True");
        assertThat(condition(status, "ContainersReady")).isEqualTo("True");
        assertThat(condition(status, "Initialized")).isEqualTo("True");
        assertThat(condition(status, "PodScheduled")).isEqualTo("True");
        assertThat(status.getContainerStatuses()).extracting(ContainerStatus::getName).containsExactly("app", "side");
        ContainerStatus app = status.getContainerStatuses().get(0);
        assertThat(app.getReady()).isTrue();
        assertThat(app.getStarted()).isTrue();
        assertThat(app.getRestartCount()).isZero();
        assertThat(app.getState().getRunning().getStartedAt()).isEqualTo("2026-12-06T10:00:00Z");
        assertThat(app.getImage()).isEqualTo("docker.io/library/nginx:latest");
        assertThat(app.getImageID()).startsWith("docker.io/library/nginx@sha256:");
        assertThat(app.getContainerID()).startsWith("kybern-sim://").hasSize("kybern-sim://".length() + 64);
        assertThat(status.getContainerStatuses().get(1).getImage()).isEqualTo("quay.io/org/tool:v2");
        assertThat(step.delete()).isFalse();
        assertThat(step.recheckAt()).as("a pod that restarts on exit runs until deleted").isEmpty();
    }

    @Test
    void aRunningReadyPodNeedsNoWrite() {
        Pod running = withStatus(pod("Always", Map.of()), step(pod("Always", Map.of()), T0).status().orElseThrow());

        PodSteps later = step(running, T0.plusSeconds(30));

        assertThat(later.status()).isEmpty();
        assertThat(later.delete()).isFalse();
    }

    @Test
    void readyAfterDelaysReadinessAndAsksToBeLookedAtThen() {
        Pod pod = pod("Always", Map.of(PodScript.READY_AFTER, "5s"));
        PodSteps first = step(pod, T0);
        PodStatus started = first.status().orElseThrow();
        assertThat(started.getPhase()).isEqualTo("Running");
        assertThat(condition(started, "Ready")).isEqualTo("False");
        PodCondition ready = started.getConditions().stream().filter(c -> c.getType().equals("Ready")).findFirst()
                .orElseThrow();
        assertThat(ready.getReason()).isEqualTo("ContainersNotReady");
        assertThat(ready.getMessage()).isEqualTo("containers with unready status: [app side]");
        assertThat(first.recheckAt()).contains(T0.plusSeconds(5));

        Pod running = withStatus(pod, started);
        assertThat(step(running, T0.plusSeconds(4)).status()).as("not yet").isEmpty();
        PodStatus readyNow = step(running, T0.plusSeconds(5)).status().orElseThrow();
        assertThat(condition(readyNow, "Ready")).isEqualTo("True");
        assertThat(readyNow.getPodIP()).as("the address it was given stays").isEqualTo("10.42.0.2");
        assertThat(readyNow.getContainerStatuses().get(0).getReady()).isTrue();
    }

    @Test
    void readyFalseNeverBecomesReady() {
        Pod pod = pod("Always", Map.of(PodScript.READY, "false"));
        Pod running = withStatus(pod, step(pod, T0).status().orElseThrow());

        assertThat(condition(running.getStatus(), "Ready")).isEqualTo("False");
        PodSteps later = step(running, T0.plus(Duration.ofHours(1)));
        assertThat(later.status()).isEmpty();
        assertThat(later.recheckAt()).isEmpty();
    }

    @Test
    void aPodThatIsNotRestartedSucceedsAfterItsRunTime() {
        Pod pod = pod("Never", Map.of());
        PodSteps first = step(pod, T0);
        assertThat(first.recheckAt()).contains(T0.plus(PodScript.DEFAULT_RUN_FOR));
        Pod running = withStatus(pod, first.status().orElseThrow());

        PodStatus done = step(running, T0.plusSeconds(1)).status().orElseThrow();

        assertThat(done.getPhase()).isEqualTo("Succeeded");
        assertThat(condition(done, "Ready")).isEqualTo("False");
        ContainerStatus app = done.getContainerStatuses().get(0);
        assertThat(app.getState().getTerminated().getExitCode()).isZero();
        assertThat(app.getState().getTerminated().getReason()).isEqualTo("Completed");
        assertThat(app.getState().getTerminated().getFinishedAt()).isEqualTo("2026-12-06T10:00:01Z");
        assertThat(app.getReady()).isFalse();
        PodSteps after = step(withStatus(pod, done), T0.plusSeconds(60));
        assertThat(after.status()).as("a finished pod stays finished").isEmpty();
        assertThat(after.recheckAt()).isEmpty();
    }

    @Test
    void runForAndExitCodeMakeAFailedPod() {
        Pod pod = pod("OnFailure", Map.of(PodScript.RUN_FOR, "1m30s", PodScript.EXIT_CODE, "3"));
        Pod running = withStatus(pod, step(pod, T0).status().orElseThrow());

        assertThat(step(running, T0.plusSeconds(89)).status()).isEmpty();
        PodStatus done = step(running, T0.plusSeconds(90)).status().orElseThrow();

        assertThat(done.getPhase()).isEqualTo("Failed");
        assertThat(done.getContainerStatuses().get(0).getState().getTerminated().getExitCode()).isEqualTo(3);
        assertThat(done.getContainerStatuses().get(0).getState().getTerminated().getReason()).isEqualTo("Error");
    }

    @Test
    void aRunTimeOfZeroFinishesOnTheNextLook() {
        Pod pod = pod("Never", Map.of(PodScript.RUN_FOR, "0s"));
        PodSteps first = step(pod, T0);

        assertThat(first.status().orElseThrow().getPhase()).isEqualTo("Running");
        assertThat(first.recheckAt()).contains(T0);
        assertThat(step(withStatus(pod, first.status().get()), T0).status().orElseThrow().getPhase())
                .isEqualTo("Succeeded");
    }

    @Test
    void aPodBeingDeletedIsRemoved() {
        Pod deleting = new PodBuilder(pod("Always", Map.of())).editMetadata()
                .withDeletionTimestamp("2026-12-06T10:00:30Z").endMetadata().build();

        PodSteps step = step(deleting, T0);

        assertThat(step.delete()).isTrue();
        assertThat(step.status()).isEmpty();
    }

    @Test
    void hostNetworkPodsHaveTheNodesAddress() {
        Pod pod = new PodBuilder(pod("Always", Map.of())).editSpec().withHostNetwork(true).endSpec().build();

        assertThat(step(pod, T0).status().orElseThrow().getPodIP()).isEqualTo(HOST_IP);
    }

    @Test
    void unreadableAnnotationsAreIgnored() {
        PodScript script = PodScript.of(pod("Never", Map.of(PodScript.READY_AFTER, "soon",
                PodScript.RUN_FOR, "5 seconds", PodScript.EXIT_CODE, "x")));

        assertThat(script.readyAfter()).isZero();
        assertThat(script.runFor()).contains(PodScript.DEFAULT_RUN_FOR);
        assertThat(script.exitCode()).isZero();
    }

    @Test
    void goDurations() {
        assertThat(GoDuration.parse("500ms")).contains(Duration.ofMillis(500));
        assertThat(GoDuration.parse("1h2m3s")).contains(Duration.ofSeconds(3723));
        assertThat(GoDuration.parse("0")).contains(Duration.ZERO);
        assertThat(GoDuration.parse("5")).isEmpty();
        assertThat(GoDuration.parse("s5")).isEmpty();
        assertThat(GoDuration.parse("5s junk")).isEmpty();
        assertThat(GoDuration.parse(null)).isEqualTo(Optional.empty());
    }
}
