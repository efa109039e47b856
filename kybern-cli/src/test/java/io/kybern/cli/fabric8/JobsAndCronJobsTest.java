package io.kybern.cli.fabric8;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.kybern.cli.MovableClock;
import io.kybern.cli.TestServers;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Jobs and CronJobs on {@code kybern server --simulated-nodes 2}, seen through fabric8: the simulated nodes
 * complete or fail the pods as their annotations say, and the shared {@link MovableClock} skips backoffs,
 * deadlines, TTLs and cron minutes instead of waiting for them.
 */
@TestServers.WithSimulatedNodes(2)
class JobsAndCronJobsTest extends ServerAndClient {

    private static final Duration PATIENCE = Duration.ofSeconds(40);

    private static JobBuilder job(String name, Map<String, String> podAnnotations) {
        return new JobBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec()
                .withNewTemplate().withNewMetadata().withAnnotations(podAnnotations).endMetadata()
                .withNewSpec().withRestartPolicy("Never").addNewContainer().withName("work").withImage("busybox")
                .endContainer().endSpec().endTemplate().endSpec();
    }

    private static Job get(String ns, String name) {
        return client.batch().v1().jobs().inNamespace(ns).withName(name).get();
    }

    private static Optional<JobCondition> condition(Job job, String type) {
        return job == null || job.getStatus() == null || job.getStatus().getConditions() == null ? Optional.empty()
                : job.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
    }

    private static boolean hasCondition(String ns, String name, String type) {
        return condition(get(ns, name), type).filter(c -> "True".equals(c.getStatus())).isPresent();
    }

    private static List<Pod> pods(String ns, String job) {
        return client.pods().inNamespace(ns).withLabel("batch.kubernetes.io/job-name", job).list().getItems();
    }

    private static List<Event> events(String ns, String object, String reason) {
        return client.v1().events().inNamespace(ns).list().getItems().stream()
                .filter(e -> object.equals(e.getInvolvedObject().getName()) && reason.equals(e.getReason())).toList();
    }

    private static int count(Integer value) {
        return value == null ? 0 : value;
    }

    @Test
    void completionsEightParallelismTwoRunsToCompleteNeverMoreThanTwoAtOnce() {
        String ns = Fabric8.namespace(client, "job-complete");
        client.batch().v1().jobs().inNamespace(ns).resource(job("eight", Map.of()).editSpec().withCompletions(8)
                .withParallelism(2).endSpec().build()).create();

        await().atMost(PATIENCE).until(() -> {
            long running = pods(ns, "eight").stream().filter(p -> p.getStatus() == null
                    || !"Succeeded".equals(p.getStatus().getPhase())).count();
            assertThat(running).isLessThanOrEqualTo(2);
            return hasCondition(ns, "eight", "Complete");
        });

        Job job = get(ns, "eight");
        assertThat(job.getStatus().getSucceeded()).isEqualTo(8);
        assertThat(count(job.getStatus().getFailed())).isZero();
        assertThat(count(job.getStatus().getActive())).isZero();
        assertThat(job.getStatus().getStartTime()).isNotNull();
        assertThat(job.getStatus().getCompletionTime()).isNotNull();
        assertThat(condition(job, "SuccessCriteriaMet").orElseThrow().getStatus()).isEqualTo("True");
        assertThat(condition(job, "Complete").orElseThrow().getReason()).isEqualTo("CompletionsReached");
        assertThat(job.getStatus().getUncountedTerminatedPods().getSucceeded()).isNullOrEmpty();
        List<Pod> pods = pods(ns, "eight");
        assertThat(pods).hasSize(8).allSatisfy(pod -> {
            assertThat(pod.getStatus().getPhase()).isEqualTo("Succeeded");
            assertThat(pod.getMetadata().getFinalizers()).doesNotContain("batch.kubernetes.io/job-tracking");
            assertThat(pod.getMetadata().getLabels())
                    .containsEntry("batch.kubernetes.io/controller-uid", job.getMetadata().getUid())
                    .containsEntry("controller-uid", job.getMetadata().getUid()).containsEntry("job-name", "eight");
            assertThat(pod.getMetadata().getOwnerReferences()).singleElement()
                    .satisfies(ref -> assertThat(ref.getUid()).isEqualTo(job.getMetadata().getUid()));
        });
        assertThat(events(ns, "eight", "SuccessfulCreate")).hasSize(8);
        assertThat(events(ns, "eight", "Completed")).singleElement()
                .satisfies(e -> assertThat(e.getMessage()).isEqualTo("Job completed"));
        // A finished Job is left alone: no status rewritten over and over.
        String version = get(ns, "eight").getMetadata().getResourceVersion();
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4))
                .until(() -> get(ns, "eight").getMetadata().getResourceVersion().equals(version));
    }

    @Test
    void anIndexedJobRunsEachIndexOnceWithItsAnnotationLabelHostnameAndEnv() {
        String ns = Fabric8.namespace(client, "job-indexed");
        client.batch().v1().jobs().inNamespace(ns).resource(job("idx", Map.of()).editSpec().withCompletions(3)
                .withParallelism(3).withCompletionMode("Indexed").endSpec().build()).create();

        await().atMost(PATIENCE).until(() -> hasCondition(ns, "idx", "Complete"));

        Job job = get(ns, "idx");
        assertThat(job.getStatus().getCompletedIndexes()).isEqualTo("0-2");
        assertThat(job.getStatus().getSucceeded()).isEqualTo(3);
        List<Pod> pods = pods(ns, "idx");
        assertThat(pods).extracting(p -> p.getMetadata().getAnnotations().get("batch.kubernetes.io/job-completion-index"))
                .containsExactlyInAnyOrder("0", "1", "2");
        for (Pod pod : pods) {
            String index = pod.getMetadata().getAnnotations().get("batch.kubernetes.io/job-completion-index");
            assertThat(pod.getMetadata().getLabels()).containsEntry("batch.kubernetes.io/job-completion-index", index);
            assertThat(pod.getMetadata().getName()).startsWith("idx-" + index + "-");
            assertThat(pod.getSpec().getHostname()).isEqualTo("idx-" + index);
            assertThat(pod.getSpec().getContainers().get(0).getEnv()).singleElement().satisfies(env -> {
                assertThat(env.getName()).isEqualTo("JOB_COMPLETION_INDEX");
                assertThat(env.getValueFrom().getFieldRef().getFieldPath())
                        .isEqualTo("metadata.annotations['batch.kubernetes.io/job-completion-index']");
            });
        }
    }

    @Test
    void failedPodsAreReplacedAfterTheBackoffUntilTheBackoffLimitFailsTheJob() {
        String ns = Fabric8.namespace(client, "job-fail");
        client.batch().v1().jobs().inNamespace(ns).resource(job("flaky", Map.of("sim.kybern.io/exit-code", "3"))
                .editSpec().withBackoffLimit(1).endSpec().build()).create();

        await().atMost(PATIENCE).until(() -> count(get(ns, "flaky").getStatus().getFailed()) == 1);
        // The 10 s backoff holds the replacement while the clock stands still...
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> pods(ns, "flaky").size() == 1);
        assertThat(hasCondition(ns, "flaky", "Failed")).isFalse();

        // ...and lets it go once the clock has moved past it.
        server.advance(clock, Duration.ofSeconds(11));
        await().atMost(PATIENCE).until(() -> hasCondition(ns, "flaky", "Failed"));

        Job job = get(ns, "flaky");
        assertThat(job.getStatus().getFailed()).isEqualTo(2);
        assertThat(pods(ns, "flaky")).hasSize(2).allSatisfy(p -> assertThat(p.getStatus().getPhase()).isEqualTo("Failed"));
        assertThat(condition(job, "FailureTarget").orElseThrow().getReason()).isEqualTo("BackoffLimitExceeded");
        JobCondition failed = condition(job, "Failed").orElseThrow();
        assertThat(failed.getReason()).isEqualTo("BackoffLimitExceeded");
        assertThat(failed.getMessage()).isEqualTo("Job has reached the specified backoff limit");
        assertThat(condition(job, "Complete")).isEmpty();
        assertThat(events(ns, "flaky", "BackoffLimitExceeded")).singleElement()
                .satisfies(e -> assertThat(e.getType()).isEqualTo("Warning"));
    }

    @Test
    void aJobPastItsActiveDeadlineFailsAndItsPodsAreDeleted() {
        String ns = Fabric8.namespace(client, "job-deadline");
        client.batch().v1().jobs().inNamespace(ns).resource(job("slow", Map.of("sim.kybern.io/run-for", "1h"))
                .editSpec().withParallelism(2).withCompletions(2).withActiveDeadlineSeconds(20L).endSpec().build())
                .create();
        await().atMost(PATIENCE).until(() -> count(get(ns, "slow").getStatus().getActive()) == 2);
        assertThat(hasCondition(ns, "slow", "Failed")).isFalse();

        server.advance(clock, Duration.ofSeconds(25));

        await().atMost(PATIENCE).until(() -> hasCondition(ns, "slow", "Failed"));
        Job job = get(ns, "slow");
        assertThat(condition(job, "Failed").orElseThrow().getReason()).isEqualTo("DeadlineExceeded");
        assertThat(condition(job, "Failed").orElseThrow().getMessage())
                .isEqualTo("Job was active longer than specified deadline");
        assertThat(count(job.getStatus().getActive())).isZero();
        await().atMost(PATIENCE).until(() -> pods(ns, "slow").isEmpty());
        assertThat(events(ns, "slow", "SuccessfulDelete")).hasSize(2);
    }

    @Test
    void aSuspendedJobRunsNoPodsUntilResumed() {
        String ns = Fabric8.namespace(client, "job-suspend");
        client.batch().v1().jobs().inNamespace(ns).resource(job("later", Map.of()).editSpec().withSuspend(true)
                .withCompletions(2).endSpec().build()).create();

        await().atMost(PATIENCE).until(() -> hasCondition(ns, "later", "Suspended"));
        assertThat(condition(get(ns, "later"), "Suspended").orElseThrow().getReason()).isEqualTo("JobSuspended");
        assertThat(pods(ns, "later")).isEmpty();

        client.batch().v1().jobs().inNamespace(ns).withName("later").edit(j -> new JobBuilder(j).editSpec()
                .withSuspend(false).endSpec().build());

        await().atMost(PATIENCE).until(() -> hasCondition(ns, "later", "Complete"));
        Job job = get(ns, "later");
        assertThat(condition(job, "Suspended").orElseThrow().getStatus()).isEqualTo("False");
        assertThat(condition(job, "Suspended").orElseThrow().getReason()).isEqualTo("JobResumed");
        assertThat(job.getStatus().getSucceeded()).isEqualTo(2);
    }

    @Test
    void aFinishedJobWithATtlIsDeletedWithItsPodsOnceTheTtlHasPassed() {
        String ns = Fabric8.namespace(client, "job-ttl");
        client.batch().v1().jobs().inNamespace(ns).resource(job("brief", Map.of()).editSpec()
                .withTtlSecondsAfterFinished(60).endSpec().build()).create();
        await().atMost(PATIENCE).until(() -> hasCondition(ns, "brief", "Complete"));
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> get(ns, "brief") != null);

        server.advance(clock, Duration.ofSeconds(61));

        await().atMost(PATIENCE).until(() -> get(ns, "brief") == null && pods(ns, "brief").isEmpty());
    }

    private static CronJobBuilder cronJob(String name, Map<String, String> podAnnotations) {
        return new CronJobBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec()
                .withSchedule("*/1 * * * *").withNewJobTemplate().withSpec(job("unused", podAnnotations).build()
                        .getSpec()).endJobTemplate().endSpec();
    }

    private static CronJob getCronJob(String ns, String name) {
        return client.batch().v1().cronjobs().inNamespace(ns).withName(name).get();
    }

    private static List<Job> liveJobs(String ns) {
        return client.batch().v1().jobs().inNamespace(ns).list().getItems().stream()
                .filter(j -> j.getMetadata().getDeletionTimestamp() == null).toList();
    }

    @Test
    void aCronJobEveryMinuteStartsJobsOnTheClockAndKeepsItsHistoryLimit() {
        String ns = Fabric8.namespace(client, "cron-minute");
        client.batch().v1().cronjobs().inNamespace(ns).resource(cronJob("tick", Map.of()).editSpec()
                .withSuccessfulJobsHistoryLimit(2).withFailedJobsHistoryLimit(1).endSpec().build()).create();

        String previous = null;
        for (int minute = 0; minute < 4; minute++) {
            server.advance(clock, Duration.ofSeconds(60));
            String before = previous;
            await().atMost(PATIENCE).until(() -> {
                CronJob cj = getCronJob(ns, "tick");
                return cj.getStatus() != null && cj.getStatus().getLastScheduleTime() != null
                        && !cj.getStatus().getLastScheduleTime().equals(before);
            });
            Instant scheduled = Instant.parse(getCronJob(ns, "tick").getStatus().getLastScheduleTime());
            assertThat(scheduled.getEpochSecond() % 60).isZero();
            String name = "tick-" + scheduled.getEpochSecond() / 60;
            await().atMost(PATIENCE).until(() -> hasCondition(ns, name, "Complete"));
            Job job = get(ns, name);
            assertThat(job.getMetadata().getAnnotations())
                    .containsEntry("batch.kubernetes.io/cronjob-scheduled-timestamp", scheduled.toString());
            assertThat(job.getMetadata().getOwnerReferences()).singleElement()
                    .satisfies(ref -> assertThat(ref.getKind()).isEqualTo("CronJob"));
            previous = scheduled.toString();
        }

        // Two successful Jobs are kept: the two newest. The clock also runs on its own, so a minute may have
        // turned since the loop's last schedule: the newest is whatever the CronJob last scheduled.
        long loopsLastMinute = Instant.parse(previous).getEpochSecond() / 60;
        await().atMost(PATIENCE).untilAsserted(() -> {
            long lastMinute = Instant.parse(getCronJob(ns, "tick").getStatus().getLastScheduleTime())
                    .getEpochSecond() / 60;
            assertThat(lastMinute).isGreaterThanOrEqualTo(loopsLastMinute);
            assertThat(liveJobs(ns)).extracting(j -> j.getMetadata().getName())
                    .containsExactlyInAnyOrder("tick-" + lastMinute, "tick-" + (lastMinute - 1));
        });
        await().atMost(PATIENCE).untilAsserted(() -> {
            CronJob cj = getCronJob(ns, "tick");
            assertThat(cj.getStatus().getActive()).as("active of %s", cj.getStatus()).isNullOrEmpty();
            assertThat(cj.getStatus().getLastSuccessfulTime()).as("lastSuccessfulTime").isNotNull();
        });
        assertThat(events(ns, "tick", "SuccessfulCreate")).isNotEmpty()
                .allSatisfy(e -> assertThat(e.getMessage()).startsWith("Created job tick-"));
        assertThat(events(ns, "tick", "SawCompletedJob")).isNotEmpty();
        assertThat(events(ns, "tick", "SuccessfulDelete")).isNotEmpty();
        client.batch().v1().cronjobs().inNamespace(ns).withName("tick").delete();
    }

    @Test
    void forbidSkipsAScheduleTimeWhileAJobStillRuns() {
        String ns = Fabric8.namespace(client, "cron-forbid");
        client.batch().v1().cronjobs().inNamespace(ns).resource(cronJob("solo", Map.of("sim.kybern.io/run-for", "1h"))
                .editSpec().withConcurrencyPolicy("Forbid").endSpec().build()).create();

        server.advance(clock, Duration.ofSeconds(60));
        await().atMost(PATIENCE).until(() -> liveJobs(ns).size() == 1);
        String first = liveJobs(ns).get(0).getMetadata().getName();

        server.advance(clock, Duration.ofSeconds(60));
        await().atMost(PATIENCE).until(() -> !events(ns, "solo", "JobAlreadyActive").isEmpty());
        assertThat(liveJobs(ns)).extracting(j -> j.getMetadata().getName()).containsExactly(first);
        assertThat(getCronJob(ns, "solo").getStatus().getActive()).singleElement()
                .satisfies(ref -> assertThat(ref.getName()).isEqualTo(first));
        // Between schedule times the CronJob is left alone: no status rewritten over and over.
        String version = getCronJob(ns, "solo").getMetadata().getResourceVersion();
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4))
                .until(() -> getCronJob(ns, "solo").getMetadata().getResourceVersion().equals(version));
        client.batch().v1().cronjobs().inNamespace(ns).withName("solo").delete();
    }
}
