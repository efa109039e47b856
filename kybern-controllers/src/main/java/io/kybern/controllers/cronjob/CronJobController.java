package io.kybern.controllers.cronjob;

import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobStatus;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobStatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.kybern.api.cron.CronSchedule;
import io.kybern.controllers.job.JobConditions;
import io.kybern.controllers.runtime.EventRecorder;
import io.kybern.controllers.runtime.ObjectKey;
import io.kybern.controllers.runtime.Owners;
import io.kybern.controllers.runtime.Reconciler;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Starts a CronJob's Jobs on schedule, as Kubernetes' CronJob controller (v2): the most recent missed
 * schedule time is run unless it is older than {@code startingDeadlineSeconds}; {@code concurrencyPolicy}
 * Allow, Forbid (skip while one runs) or Replace (delete the running ones first); Jobs named
 * {@code <cronjob>-<minutes since the epoch>}, so a time is never run twice; finished Jobs beyond the
 * history limits deleted oldest first; status {@code active}, {@code lastScheduleTime} and
 * {@code lastSuccessfulTime}. The next run is a delayed requeue on the injected clock.
 */
public final class CronJobController implements Reconciler<ObjectKey> {

    public static final String COMPONENT = "cronjob-controller";
    public static final String SCHEDULED_TIMESTAMP = "batch.kubernetes.io/cronjob-scheduled-timestamp";
    static final int DEFAULT_SUCCESSFUL_HISTORY = 3;
    static final int DEFAULT_FAILED_HISTORY = 1;
    /** A requeue a little after the scheduled time, so the clock has surely passed it. */
    private static final Duration AFTER_SCHEDULE = Duration.ofMillis(100);

    private final KubernetesClient client;
    private final SharedIndexInformer<CronJob> cronJobs;
    private final SharedIndexInformer<Job> jobs;
    private final InstantSource clock;
    private final EventRecorder events;

    public CronJobController(KubernetesClient client, SharedIndexInformer<CronJob> cronJobs,
            SharedIndexInformer<Job> jobs, InstantSource clock) {
        this.client = client;
        this.cronJobs = cronJobs;
        this.jobs = jobs;
        this.clock = clock;
        this.events = new EventRecorder(client, COMPONENT, clock);
    }

    public void watch(Consumer<ObjectKey> enqueue) {
        cronJobs.addEventHandler(new ResourceEventHandler<CronJob>() {
            @Override
            public void onAdd(CronJob cronJob) {
                enqueue.accept(ObjectKey.of(cronJob));
            }

            @Override
            public void onUpdate(CronJob before, CronJob after) {
                enqueue.accept(ObjectKey.of(after));
            }

            @Override
            public void onDelete(CronJob cronJob, boolean finalStateUnknown) {
                // its Jobs go with it through the garbage collector
            }
        });
        jobs.addEventHandler(new ResourceEventHandler<Job>() {
            @Override
            public void onAdd(Job job) {
                owner(job).ifPresent(enqueue);
            }

            @Override
            public void onUpdate(Job before, Job after) {
                owner(after).ifPresent(enqueue);
            }

            @Override
            public void onDelete(Job job, boolean finalStateUnknown) {
                owner(job).ifPresent(enqueue);
            }
        });
    }

    private static Optional<ObjectKey> owner(Job job) {
        return Owners.controllerOf(job).filter(ref -> "CronJob".equals(ref.getKind()))
                .map(ref -> new ObjectKey(job.getMetadata().getNamespace(), ref.getName()));
    }

    @Override
    public Result reconcile(ObjectKey key) {
        CronJob cronJob = cronJobs.getStore().getByKey(key.cacheKey());
        if (cronJob == null) {
            return Result.done();
        }
        Instant now = clock.instant();
        List<Job> owned = jobs.getIndexer().byIndex(Cache.NAMESPACE_INDEX, key.namespace()).stream()
                .filter(j -> Owners.controllerOf(j).filter(ref -> cronJob.getMetadata().getUid().equals(ref.getUid()))
                        .isPresent())
                .toList();
        CronJobStatus status = new CronJobStatusBuilder(
                cronJob.getStatus() == null ? new CronJobStatus() : cronJob.getStatus()).build();
        trackJobs(cronJob, status, owned);

        Optional<Duration> requeue = Optional.empty();
        if (!Owners.deleting(cronJob)) {
            requeue = maybeStartJob(cronJob, status, now);
        }
        cleanUpHistory(cronJob, owned);
        if (!status.equals(cronJob.getStatus())) {
            writeStatus(cronJob, status);
        }
        return requeue.map(Result::requeueAfter).orElse(Result.done());
    }

    /** Brings {@code status.active} in line with the owned Jobs and notes the finished ones. */
    private void trackJobs(CronJob cronJob, CronJobStatus status, List<Job> owned) {
        Map<String, Job> byUid = new HashMap<>();
        owned.forEach(j -> byUid.put(j.getMetadata().getUid(), j));
        List<ObjectReference> active = new ArrayList<>();
        for (ObjectReference ref : Objects.requireNonNullElse(status.getActive(), List.<ObjectReference>of())) {
            Job job = byUid.get(ref.getUid());
            if (job == null) {
                events.normal(cronJob, "MissingJob", "Active job went missing: " + ref.getName());
                continue;
            }
            if (JobConditions.finished(job)) {
                String outcome = JobConditions.get(job.getStatus(), JobConditions.COMPLETE)
                        .filter(c -> "True".equals(c.getStatus())).isPresent() ? "Complete" : "Failed";
                events.normal(cronJob, "SawCompletedJob",
                        "Saw completed job: " + job.getMetadata().getName() + ", condition: " + outcome);
                continue;
            }
            active.add(ref);
        }
        for (Job job : owned) {
            boolean listed = active.stream().anyMatch(r -> job.getMetadata().getUid().equals(r.getUid()));
            if (!listed && !JobConditions.finished(job) && !Owners.deleting(job)) {
                active.add(reference(job)); // created by us before a status write was lost
            }
            String completed = job.getStatus() == null ? null : job.getStatus().getCompletionTime();
            if (completed != null && (status.getLastSuccessfulTime() == null
                    || Instant.parse(status.getLastSuccessfulTime()).isBefore(Instant.parse(completed)))) {
                status.setLastSuccessfulTime(completed);
            }
        }
        status.setActive(active);
    }

    /** Starts the Job due now, if any; when to look again. */
    private Optional<Duration> maybeStartJob(CronJob cronJob, CronJobStatus status, Instant now) {
        CronSchedule schedule;
        try {
            schedule = CronSchedule.parse(cronJob.getSpec().getSchedule(), cronJob.getSpec().getTimeZone());
        } catch (IllegalArgumentException e) {
            if (cronJob.getSpec().getTimeZone() != null && e.getMessage().startsWith("unknown time zone")) {
                events.warning(cronJob, "UnknownTimeZone", "invalid timeZone: \"" + cronJob.getSpec().getTimeZone()
                        + "\": " + e.getMessage());
            } else {
                events.warning(cronJob, "UnparseableSchedule", "unparseable schedule: \""
                        + cronJob.getSpec().getSchedule() + "\" : " + e.getMessage());
            }
            return Optional.empty();
        }
        if (Boolean.TRUE.equals(cronJob.getSpec().getSuspend())) {
            return Optional.empty();
        }
        Instant earliest = status.getLastScheduleTime() != null ? Instant.parse(status.getLastScheduleTime())
                : Instant.parse(cronJob.getMetadata().getCreationTimestamp());
        Optional<Duration> deadline = Optional.ofNullable(cronJob.getSpec().getStartingDeadlineSeconds())
                .map(Duration::ofSeconds);
        MissedSchedules due = MissedSchedules.between(schedule, earliest, deadline, now);
        if (due.tooMany()) {
            events.warning(cronJob, "TooManyMissedTimes", "too many missed start times: " + due.missed()
                    + ". Set or decrease .spec.startingDeadlineSeconds or check clock skew");
        }
        Optional<Duration> next = schedule.next(now).map(t -> Duration.between(now, t).plus(AFTER_SCHEDULE));
        if (due.mostRecent().isEmpty()) {
            return next;
        }
        Instant scheduled = due.mostRecent().get();
        if (deadline.isPresent() && scheduled.plus(deadline.get()).isBefore(now)) {
            events.warning(cronJob, "MissSchedule", "Missed scheduled time to start a job: "
                    + DateTimeFormatter.RFC_1123_DATE_TIME.format(scheduled.atZone(schedule.zone())));
            return next;
        }
        String name = jobName(cronJob, scheduled);
        List<ObjectReference> active = Objects.requireNonNullElse(status.getActive(), List.of());
        if (active.stream().anyMatch(r -> name.equals(r.getName()))) {
            return next;
        }
        String policy = Objects.requireNonNullElse(cronJob.getSpec().getConcurrencyPolicy(), "Allow");
        if ("Forbid".equals(policy) && !active.isEmpty()) {
            events.normal(cronJob, "JobAlreadyActive",
                    "Not starting job because prior execution is running and concurrency policy is Forbid");
            return next;
        }
        if ("Replace".equals(policy)) {
            for (ObjectReference ref : active) {
                deleteJob(cronJob, ref.getName());
            }
            status.setActive(new ArrayList<>());
        }
        Job job = jobFor(cronJob, name, scheduled, schedule.zone());
        Job created;
        try {
            created = client.batch().v1().jobs().inNamespace(cronJob.getMetadata().getNamespace()).resource(job)
                    .create();
            events.normal(cronJob, "SuccessfulCreate", "Created job " + name);
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                events.warning(cronJob, "FailedCreate", "Error creating job: " + e.getMessage());
                throw e;
            }
            // Already made for this time (a lost status write); the Job informer brings it into active.
            created = null;
        }
        if (created != null) {
            List<ObjectReference> nowActive = new ArrayList<>(Objects.requireNonNullElse(status.getActive(), List.of()));
            nowActive.add(reference(created));
            status.setActive(nowActive);
        }
        status.setLastScheduleTime(scheduled.toString());
        return next;
    }

    /** {@code <cronjob>-<scheduled time in minutes since the epoch>}, as Kubernetes names them. */
    static String jobName(CronJob cronJob, Instant scheduled) {
        return cronJob.getMetadata().getName() + "-" + scheduled.getEpochSecond() / 60;
    }

    private static Job jobFor(CronJob cronJob, String name, Instant scheduled, ZoneId zone) {
        var template = cronJob.getSpec().getJobTemplate();
        ObjectMeta meta = template.getMetadata() == null ? new ObjectMeta() : template.getMetadata();
        Map<String, String> annotations = new HashMap<>(Objects.requireNonNullElse(meta.getAnnotations(), Map.of()));
        annotations.put(SCHEDULED_TIMESTAMP,
                DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(scheduled.atZone(zone).truncatedTo(ChronoUnit.SECONDS)));
        return new JobBuilder()
                .withMetadata(new ObjectMetaBuilder()
                        .withName(name)
                        .withNamespace(cronJob.getMetadata().getNamespace())
                        .withLabels(meta.getLabels())
                        .withAnnotations(annotations)
                        .withOwnerReferences(Owners.controllerReference(cronJob))
                        .build())
                .withSpec(template.getSpec())
                .build();
    }

    private static ObjectReference reference(Job job) {
        return new ObjectReferenceBuilder().withApiVersion("batch/v1").withKind("Job")
                .withName(job.getMetadata().getName()).withNamespace(job.getMetadata().getNamespace())
                .withUid(job.getMetadata().getUid()).withResourceVersion(job.getMetadata().getResourceVersion())
                .build();
    }

    /**
     * The order in which finished Jobs leave the history, Kubernetes': by start time, Jobs without one last, by
     * name between equal times (they are whole seconds).
     */
    static final Comparator<Job> OLDEST_FIRST = Comparator.comparing((Job j) -> j.getStatus() == null ? null
            : j.getStatus().getStartTime(), Comparator.nullsLast(Comparator.comparing(Instant::parse)))
            .thenComparing(j -> j.getMetadata().getName());

    /** Deletes finished Jobs beyond the history limits, oldest first. */
    private void cleanUpHistory(CronJob cronJob, List<Job> owned) {
        List<Job> succeeded = owned.stream().filter(j -> !Owners.deleting(j)).filter(j -> j.getStatus() != null
                && JobConditions.get(j.getStatus(), JobConditions.COMPLETE).filter(c -> "True".equals(c.getStatus()))
                        .isPresent()).sorted(OLDEST_FIRST).toList();
        List<Job> failed = owned.stream().filter(j -> !Owners.deleting(j)).filter(j -> j.getStatus() != null
                && JobConditions.get(j.getStatus(), JobConditions.FAILED).filter(c -> "True".equals(c.getStatus()))
                        .isPresent()).sorted(OLDEST_FIRST).toList();
        trim(cronJob, succeeded, Objects.requireNonNullElse(cronJob.getSpec().getSuccessfulJobsHistoryLimit(),
                DEFAULT_SUCCESSFUL_HISTORY));
        trim(cronJob, failed, Objects.requireNonNullElse(cronJob.getSpec().getFailedJobsHistoryLimit(),
                DEFAULT_FAILED_HISTORY));
    }

    private void trim(CronJob cronJob, List<Job> oldestFirst, int keep) {
        for (int i = 0; i < oldestFirst.size() - keep; i++) {
            deleteJob(cronJob, oldestFirst.get(i).getMetadata().getName());
        }
    }

    private void deleteJob(CronJob cronJob, String name) {
        try {
            client.batch().v1().jobs().inNamespace(cronJob.getMetadata().getNamespace()).withName(name)
                    .withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
            events.normal(cronJob, "SuccessfulDelete", "Deleted job " + name);
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                events.warning(cronJob, "FailedDelete", "Deleted job: " + e.getMessage());
                throw e;
            }
        }
    }

    private void writeStatus(CronJob cronJob, CronJobStatus status) {
        CronJob updated = new CronJobBuilder(cronJob).withStatus(status).build();
        try {
            client.resource(updated).updateStatus();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
            CronJob fresh = client.resource(cronJob).get();
            if (fresh == null || !Objects.equals(fresh.getMetadata().getUid(), cronJob.getMetadata().getUid())) {
                return;
            }
            client.resource(new CronJobBuilder(fresh).withStatus(status).build()).updateStatus();
        }
    }
}
