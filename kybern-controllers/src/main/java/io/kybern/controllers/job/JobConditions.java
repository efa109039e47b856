package io.kybern.controllers.job;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** A Job's status conditions, with Kubernetes' types. */
public final class JobConditions {

    public static final String COMPLETE = "Complete";
    public static final String FAILED = "Failed";
    public static final String SUCCESS_CRITERIA_MET = "SuccessCriteriaMet";
    public static final String FAILURE_TARGET = "FailureTarget";
    public static final String SUSPENDED = "Suspended";

    private JobConditions() {
    }

    public static JobCondition of(String type, String reason, String message, Instant now) {
        return new JobConditionBuilder().withType(type).withStatus("True").withReason(reason).withMessage(message)
                .withLastProbeTime(now.toString()).withLastTransitionTime(now.toString()).build();
    }

    public static Optional<JobCondition> get(JobStatus status, String type) {
        return status.getConditions() == null ? Optional.empty()
                : status.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
    }

    /** Whether the Job carries Complete or Failed with status True: nothing more to do for it. */
    public static boolean finished(Job job) {
        if (job.getStatus() == null) {
            return false;
        }
        return get(job.getStatus(), COMPLETE).or(() -> get(job.getStatus(), FAILED))
                .filter(c -> "True".equals(c.getStatus())).isPresent();
    }

    /** When the Job finished: its Complete or Failed condition's transition time. */
    public static Optional<Instant> finishedAt(Job job) {
        if (!finished(job)) {
            return Optional.empty();
        }
        return get(job.getStatus(), COMPLETE).or(() -> get(job.getStatus(), FAILED))
                .map(c -> c.getLastTransitionTime() == null ? Instant.EPOCH : Instant.parse(c.getLastTransitionTime()));
    }

    /**
     * Sets a condition, keeping the one there when it already has the same status (and so its transition
     * time); true when something changed.
     */
    static boolean set(JobStatus status, JobCondition condition) {
        List<JobCondition> conditions = new ArrayList<>(Objects.requireNonNullElse(status.getConditions(), List.of()));
        for (int i = 0; i < conditions.size(); i++) {
            JobCondition existing = conditions.get(i);
            if (existing.getType().equals(condition.getType())) {
                if (Objects.equals(existing.getStatus(), condition.getStatus())) {
                    return false;
                }
                conditions.set(i, condition);
                status.setConditions(conditions);
                return true;
            }
        }
        conditions.add(condition);
        status.setConditions(conditions);
        return true;
    }
}
