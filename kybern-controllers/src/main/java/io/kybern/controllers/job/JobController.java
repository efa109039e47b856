package io.kybern.controllers.job;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.UncountedTerminatedPods;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.kybern.controllers.runtime.ApiErrors;
import io.kybern.controllers.runtime.ControlledPodEvents;
import io.kybern.controllers.runtime.EventRecorder;
import io.kybern.controllers.runtime.Expectations;
import io.kybern.controllers.runtime.ObjectKey;
import io.kybern.controllers.runtime.OwnWrites;
import io.kybern.controllers.runtime.Owners;
import io.kybern.controllers.runtime.Pods;
import io.kybern.controllers.runtime.Reconciler;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Runs a Job's pods to completion, as Kubernetes' Job controller (1.31): up to {@code parallelism} pods
 * at a time until {@code completions} succeed (or, Indexed, until every index has); failed pods counted
 * against {@code backoffLimit} and replaced after an exponential {@link PodBackoff}; the whole Job failed
 * after {@code activeDeadlineSeconds}; pods deleted while suspended.
 *
 * <p>Outcomes are counted with the {@code batch.kubernetes.io/job-tracking} finalizer: a finished pod's uid
 * goes first into {@code status.uncountedTerminatedPods}, then its finalizer is removed, then it moves into
 * the counters, so neither a crash nor a pod deleted at once is counted twice or missed. A Job that
 * reached its end first gets SuccessCriteriaMet or FailureTarget, and Complete or Failed once its last
 * pods have gone.
 */
public final class JobController implements Reconciler<ObjectKey> {

    public static final String COMPONENT = "job-controller";
    static final int DEFAULT_BACKOFF_LIMIT = 6;
    /** At most this many pods created or deleted per sync, as Kubernetes' burst. */
    static final int BURST = 500;

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final KubernetesClient client;
    private final SharedIndexInformer<Job> jobs;
    private final SharedIndexInformer<Pod> pods;
    private final InstantSource clock;
    private final Expectations<ObjectKey> expectations;
    private final EventRecorder events;
    /** Failures since the last success per Job, held in memory as Kubernetes' backoff records are. */
    private final Map<ObjectKey, PodBackoff> backoffs = new ConcurrentHashMap<>();
    /** Pods whose finalizer was removed after counting, until the cache shows them without it. */
    private final Set<String> counted = ConcurrentHashMap.newKeySet();
    /** The Job versions this controller's status writes replaced: a cached Job still at one is not acted on. */
    private final OwnWrites<ObjectKey> ownWrites = new OwnWrites<>();
    /** Pods this controller deleted itself (excess, suspended, finished Job): not failures. */
    private final Set<String> deletedByController = ConcurrentHashMap.newKeySet();

    public JobController(KubernetesClient client, SharedIndexInformer<Job> jobs, SharedIndexInformer<Pod> pods,
            InstantSource clock) {
        this.client = client;
        this.jobs = jobs;
        this.pods = pods;
        this.clock = clock;
        this.expectations = new Expectations<>(clock);
        this.events = new EventRecorder(client, COMPONENT, clock);
    }

    /** Turns Job and pod events into Job keys on {@code enqueue}; call before the informers start. */
    public void watch(Consumer<ObjectKey> enqueue) {
        jobs.addEventHandler(new ResourceEventHandler<Job>() {
            @Override
            public void onAdd(Job job) {
                enqueue.accept(ObjectKey.of(job));
            }

            @Override
            public void onUpdate(Job before, Job after) {
                enqueue.accept(ObjectKey.of(after));
            }

            @Override
            public void onDelete(Job job, boolean finalStateUnknown) {
                enqueue.accept(ObjectKey.of(job));
            }
        });
        // The Job's own bookkeeping of a pod is dropped before the pod wakes its Job, in one handler, so the
        // reconcile it causes never reads the bookkeeping of a pod that is gone.
        ControlledPodEvents controlled = ControlledPodEvents.withExpectations("Job", expectations,
                ControlledPodEvents.NO_ADOPTERS, enqueue);
        pods.addEventHandler(new ResourceEventHandler<Pod>() {
            @Override
            public void onAdd(Pod pod) {
                controlled.onAdd(pod);
            }

            @Override
            public void onUpdate(Pod before, Pod after) {
                if (!JobPods.tracked(after)) {
                    counted.remove(after.getMetadata().getUid());
                }
                controlled.onUpdate(before, after);
            }

            @Override
            public void onDelete(Pod pod, boolean finalStateUnknown) {
                String uid = pod.getMetadata().getUid();
                counted.remove(uid);
                deletedByController.remove(uid);
                controlled.onDelete(pod, finalStateUnknown);
            }
        });
    }

    @Override
    public Result reconcile(ObjectKey key) throws Exception {
        Job job = jobs.getStore().getByKey(key.cacheKey());
        // Expectations before the cache, as Kubernetes reads them: a creation observed between a cache read
        // and this check would pass for a cache that already held it, and one pod too many be created.
        boolean cacheCaughtUp = expectations.satisfied(key);
        List<Pod> owned = ownedPods(key, job);
        if (job == null) {
            // The Job is gone: its pods must not keep a finalizer nobody will remove.
            owned.stream().filter(JobPods::tracked).forEach(this::removeTrackingFinalizer);
            expectations.forget(key);
            backoffs.remove(key);
            ownWrites.forget(key);
            return Result.done();
        }
        if (ownWrites.stale(key, job.getMetadata().getResourceVersion())) {
            // Older than this controller's last status write, which counted pods whose finalizers are gone by
            // now: acted on, those pods would count nowhere and one too many be created. The write's own event
            // brings the Job again.
            return Result.done();
        }
        if (JobConditions.finished(job)) {
            owned.stream().filter(JobPods::tracked).forEach(this::removeTrackingFinalizer);
            return Result.done();
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        job = countFinishedPods(key, job, owned, now);

        JobStatus status = new JobStatusBuilder(job.getStatus() == null ? new JobStatus() : job.getStatus()).build();
        List<Pod> active = owned.stream().filter(Pods::active).toList();
        int terminating = (int) owned.stream()
                .filter(p -> Owners.deleting(p) && !JobPods.succeeded(p) && !"Failed".equals(Pods.phase(p))).count();
        boolean suspended = Boolean.TRUE.equals(job.getSpec().getSuspend());
        Optional<Duration> requeue = Optional.empty();

        Optional<JobCondition> target = JobConditions.get(status, JobConditions.FAILURE_TARGET)
                .or(() -> JobConditions.get(status, JobConditions.SUCCESS_CRITERIA_MET));
        if (target.isEmpty()) {
            target = reachedEnd(job, status, active.size(), now);
            if (target.isPresent()) {
                JobConditions.set(status, target.get());
                if (target.get().getType().equals(JobConditions.FAILURE_TARGET)) {
                    events.warning(job, target.get().getReason(), target.get().getMessage());
                }
            }
        }
        if (target.isPresent()) {
            deletePods(job, key, active, active.size());
            if (active.isEmpty() && terminating == 0) {
                finish(job, status, target.get(), now);
            }
        } else if (suspended) {
            deletePods(job, key, active, active.size());
            if (JobConditions.set(status, JobConditions.of(JobConditions.SUSPENDED, "JobSuspended", "Job suspended",
                    now))) {
                events.normal(job, "Suspended", "Job suspended");
            }
            status.setStartTime(null);
        } else {
            if (JobConditions.get(status, JobConditions.SUSPENDED).filter(c -> "True".equals(c.getStatus()))
                    .isPresent()) {
                JobConditions.set(status, new JobConditionBuilder(
                        JobConditions.of(JobConditions.SUSPENDED, "JobResumed", "Job resumed", now))
                        .withStatus("False").build());
                events.normal(job, "Resumed", "Job resumed");
            }
            if (status.getStartTime() == null) {
                status.setStartTime(now.toString());
            }
            if (cacheCaughtUp) {
                requeue = managePods(job, key, status, active, now);
            }
            Long deadline = job.getSpec().getActiveDeadlineSeconds();
            if (deadline != null) {
                // Come back just after the deadline even if no pod changes by then.
                Duration left = Duration.between(now, Instant.parse(status.getStartTime()).plusSeconds(deadline));
                Duration wait = left.isNegative() ? Duration.ofSeconds(1) : left.plusSeconds(1);
                requeue = Optional.of(requeue.filter(r -> r.compareTo(wait) < 0).orElse(wait));
            }
        }
        status.setActive(active.size());
        status.setReady((int) active.stream().filter(Pods::ready).count());
        status.setTerminating(terminating);
        if (!status.equals(job.getStatus())) {
            writeStatus(job, status);
        }
        return requeue.map(Result::requeueAfter).orElse(Result.done());
    }

    private List<Pod> ownedPods(ObjectKey key, Job job) {
        List<Pod> owned = new ArrayList<>();
        for (Pod pod : pods.getIndexer().byIndex(Cache.NAMESPACE_INDEX, key.namespace())) {
            var ref = Owners.controllerOf(pod);
            if (ref.isEmpty() || !"Job".equals(ref.get().getKind()) || !key.name().equals(ref.get().getName())) {
                continue;
            }
            if (job == null || job.getMetadata().getUid().equals(ref.get().getUid())) {
                owned.add(pod);
            }
        }
        return owned;
    }

    // --- counting finished pods through uncountedTerminatedPods ---

    private Job countFinishedPods(ObjectKey key, Job job, List<Pod> owned, Instant now) {
        JobStatus before = job.getStatus() == null ? new JobStatus() : job.getStatus();
        UncountedTerminatedPods uncounted = before.getUncountedTerminatedPods();
        Set<String> succeeded = new LinkedHashSet<>(uncounted == null || uncounted.getSucceeded() == null ? List.of()
                : uncounted.getSucceeded());
        Set<String> failed = new LinkedHashSet<>(uncounted == null || uncounted.getFailed() == null ? List.of()
                : uncounted.getFailed());
        boolean added = false;
        for (Pod pod : owned) {
            String uid = pod.getMetadata().getUid();
            if (!JobPods.tracked(pod) || counted.contains(uid) || succeeded.contains(uid) || failed.contains(uid)) {
                continue;
            }
            if (deletedByController.contains(uid) && !JobPods.succeeded(pod)) {
                removeTrackingFinalizer(pod); // removed on purpose, not a failure
                continue;
            }
            if (JobPods.succeeded(pod)) {
                added |= succeeded.add(uid);
            } else if (JobPods.failed(pod)) {
                added |= failed.add(uid);
            }
        }
        if (succeeded.isEmpty() && failed.isEmpty()) {
            return job;
        }
        if (added) {
            JobStatus recorded = new JobStatusBuilder(before).withNewUncountedTerminatedPods()
                    .withSucceeded(new ArrayList<>(succeeded)).withFailed(new ArrayList<>(failed))
                    .endUncountedTerminatedPods().build();
            job = writeStatus(job, recorded);
        }
        Map<String, Pod> byUid = new HashMap<>();
        owned.forEach(p -> byUid.put(p.getMetadata().getUid(), p));
        for (String uid : concat(succeeded, failed)) {
            Pod pod = byUid.get(uid);
            if (pod != null && JobPods.tracked(pod)) {
                removeTrackingFinalizer(pod);
            }
            counted.add(uid);
        }
        JobStatus current = job.getStatus();
        JobStatusBuilder next = new JobStatusBuilder(current).withUncountedTerminatedPods(
                new UncountedTerminatedPods(List.of(), List.of()));
        int completions = Objects.requireNonNullElse(job.getSpec().getCompletions(), 1);
        if (JobPods.indexed(job)) {
            SortedSet<Integer> done = new TreeSet<>(CompletedIndexes.parse(current.getCompletedIndexes()));
            for (String uid : succeeded) {
                Pod pod = byUid.get(uid);
                if (pod != null) {
                    JobPods.index(pod, completions).ifPresent(done::add);
                }
            }
            next.withCompletedIndexes(CompletedIndexes.format(done)).withSucceeded(done.size());
        } else {
            next.withSucceeded(Objects.requireNonNullElse(current.getSucceeded(), 0) + succeeded.size());
        }
        next.withFailed(Objects.requireNonNullElse(current.getFailed(), 0) + failed.size());
        PodBackoff backoff = backoffs.getOrDefault(key, PodBackoff.NONE);
        if (!succeeded.isEmpty()) {
            backoff = backoff.succeeded();
        }
        backoffs.put(key, backoff.failed(failed.size(), now));
        return writeStatus(job, next.build());
    }

    private static List<String> concat(Set<String> a, Set<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private void removeTrackingFinalizer(Pod pod) {
        List<String> rest = pod.getMetadata().getFinalizers().stream()
                .filter(f -> !JobPods.TRACKING_FINALIZER.equals(f)).toList();
        ObjectNode patch = JSON.createObjectNode();
        ObjectNode metadata = patch.putObject("metadata");
        metadata.put("resourceVersion", pod.getMetadata().getResourceVersion());
        var array = metadata.putArray("finalizers");
        rest.forEach(array::add);
        try {
            client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(pod)
                    .patch(PatchContext.of(PatchType.JSON_MERGE), JSON.writeValueAsString(patch));
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                throw e; // a 409 means the pod changed: the retry reads it again
            }
        }
    }

    // --- deciding ---

    /** FailureTarget or SuccessCriteriaMet when the Job has just reached its end, as Kubernetes decides it. */
    private Optional<JobCondition> reachedEnd(Job job, JobStatus status, int active, Instant now) {
        int failed = Objects.requireNonNullElse(status.getFailed(), 0);
        int backoffLimit = Objects.requireNonNullElse(job.getSpec().getBackoffLimit(), DEFAULT_BACKOFF_LIMIT);
        if (failed > backoffLimit) {
            return Optional.of(JobConditions.of(JobConditions.FAILURE_TARGET, "BackoffLimitExceeded",
                    "Job has reached the specified backoff limit", now));
        }
        Long deadline = job.getSpec().getActiveDeadlineSeconds();
        if (deadline != null && status.getStartTime() != null
                && !now.isBefore(Instant.parse(status.getStartTime()).plusSeconds(deadline))) {
            return Optional.of(JobConditions.of(JobConditions.FAILURE_TARGET, "DeadlineExceeded",
                    "Job was active longer than specified deadline", now));
        }
        int succeeded = Objects.requireNonNullElse(status.getSucceeded(), 0);
        Integer completions = job.getSpec().getCompletions();
        boolean complete = completions == null ? succeeded > 0 && active == 0 : succeeded >= completions;
        if (complete) {
            return Optional.of(JobConditions.of(JobConditions.SUCCESS_CRITERIA_MET, "CompletionsReached",
                    "Reached expected number of succeeded pods", now));
        }
        return Optional.empty();
    }

    /** The final condition once the last pods have gone: Failed with the target's reason, or Complete. */
    private void finish(Job job, JobStatus status, JobCondition target, Instant now) {
        if (target.getType().equals(JobConditions.FAILURE_TARGET)) {
            JobConditions.set(status, JobConditions.of(JobConditions.FAILED, target.getReason(), target.getMessage(),
                    now));
        } else {
            JobConditions.set(status, JobConditions.of(JobConditions.COMPLETE, target.getReason(),
                    target.getMessage(), now));
            status.setCompletionTime(now.toString());
            events.normal(job, "Completed", "Job completed");
        }
    }

    /** Creates or deletes pods towards the number wanted now; the wait before creating again, if any. */
    private Optional<Duration> managePods(Job job, ObjectKey key, JobStatus status, List<Pod> active, Instant now) {
        int parallelism = Objects.requireNonNullElse(job.getSpec().getParallelism(), 1);
        int succeeded = Objects.requireNonNullElse(status.getSucceeded(), 0);
        Integer completions = job.getSpec().getCompletions();
        List<OptionalInt> toCreate = new ArrayList<>();
        List<Pod> surplus = new ArrayList<>();
        if (JobPods.indexed(job)) {
            int total = Objects.requireNonNullElse(completions, 1);
            SortedSet<Integer> done = CompletedIndexes.parse(status.getCompletedIndexes());
            Set<Integer> running = new TreeSet<>();
            // Newest first, so of two pods for one index the older stays.
            for (Pod pod : active.stream().sorted(Comparator.comparing(
                    (Pod p) -> Objects.requireNonNullElse(p.getMetadata().getCreationTimestamp(), ""))).toList()) {
                OptionalInt index = JobPods.index(pod, total);
                if (index.isEmpty() || done.contains(index.getAsInt()) || !running.add(index.getAsInt())) {
                    surplus.add(pod);
                }
            }
            int room = parallelism - running.size();
            for (int i = 0; i < total && toCreate.size() < room; i++) {
                if (!done.contains(i) && !running.contains(i)) {
                    toCreate.add(OptionalInt.of(i));
                }
            }
            int excess = running.size() - parallelism;
            if (excess > 0) {
                active.stream().filter(p -> !surplus.contains(p)).sorted(Comparator.comparing(
                        (Pod p) -> Objects.requireNonNullElse(p.getMetadata().getCreationTimestamp(), "")).reversed())
                        .limit(excess).forEach(surplus::add);
            }
        } else {
            int wanted = completions == null ? (succeeded > 0 ? 0 : parallelism)
                    : Math.min(parallelism, completions - succeeded);
            wanted = Math.max(0, wanted);
            for (int i = active.size(); i < wanted; i++) {
                toCreate.add(OptionalInt.empty());
            }
            if (active.size() > wanted) {
                // Not-ready and newest pods go first, as Kubernetes' deletion ranking.
                active.stream().sorted(Comparator.comparing((Pod p) -> Pods.ready(p)).thenComparing(
                        (Pod p) -> Objects.requireNonNullElse(p.getMetadata().getCreationTimestamp(), ""),
                        Comparator.reverseOrder())).limit(active.size() - wanted).forEach(surplus::add);
            }
        }
        if (!surplus.isEmpty()) {
            deletePods(job, key, surplus, Math.min(BURST, surplus.size()));
            return Optional.empty();
        }
        if (toCreate.isEmpty()) {
            return Optional.empty();
        }
        Duration wait = backoffs.getOrDefault(key, PodBackoff.NONE).remaining(now);
        if (!wait.isZero()) {
            return Optional.of(wait);
        }
        createPods(job, key, toCreate.subList(0, Math.min(BURST, toCreate.size())));
        return Optional.empty();
    }

    private void createPods(Job job, ObjectKey key, List<OptionalInt> indexes) {
        expectations.expectCreations(key, indexes.size());
        for (int i = 0; i < indexes.size(); i++) {
            try {
                Pod created = client.pods().inNamespace(key.namespace())
                        .resource(JobPods.fromTemplate(job, indexes.get(i))).create();
                events.normal(job, "SuccessfulCreate", "Created pod: " + created.getMetadata().getName());
            } catch (KubernetesClientException e) {
                // This and the rest of the round will never be observed.
                for (int j = i; j < indexes.size(); j++) {
                    expectations.creationObserved(key);
                }
                events.warning(job, "FailedCreate", "Error creating: " + ApiErrors.message(e));
                throw e;
            }
        }
    }

    private void deletePods(Job job, ObjectKey key, List<Pod> victims, int count) {
        if (victims.isEmpty()) {
            return;
        }
        List<Pod> chosen = victims.subList(0, count);
        Set<String> uids = new LinkedHashSet<>();
        chosen.forEach(p -> uids.add(p.getMetadata().getUid()));
        expectations.expectDeletions(key, uids);
        for (Pod pod : chosen) {
            deletedByController.add(pod.getMetadata().getUid());
            try {
                if (expectations.delete(key, pod.getMetadata().getUid(), () -> client.pods()
                        .inNamespace(key.namespace()).withName(pod.getMetadata().getName()).delete())) {
                    events.normal(job, "SuccessfulDelete", "Deleted pod: " + pod.getMetadata().getName());
                }
            } catch (KubernetesClientException e) {
                if (e.getCode() != 404) {
                    events.warning(job, "FailedDelete", "Error deleting: " + ApiErrors.message(e));
                    throw e;
                }
            }
        }
    }

    /** Writes the status; on a stale cached Job (409) once more over a fresh read. */
    private Job writeStatus(Job job, JobStatus status) {
        Job updated = new JobBuilder(job).withStatus(status).build();
        ObjectKey key = ObjectKey.of(job);
        try {
            Job written = client.resource(updated).updateStatus();
            ownWrites.wrote(key, job.getMetadata().getResourceVersion());
            return written;
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
            Job fresh = client.resource(job).get();
            if (fresh == null || !Objects.equals(fresh.getMetadata().getUid(), job.getMetadata().getUid())) {
                throw e;
            }
            Job written = client.resource(new JobBuilder(fresh).withStatus(status).build()).updateStatus();
            ownWrites.wrote(key, job.getMetadata().getResourceVersion()); // older still than the fresh copy
            ownWrites.wrote(key, fresh.getMetadata().getResourceVersion());
            return written;
        }
    }
}
