package io.kybern.controllers.job;

import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.kybern.controllers.runtime.ObjectKey;
import io.kybern.controllers.runtime.Owners;
import io.kybern.controllers.runtime.Reconciler;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Kubernetes' TTL-after-finished controller: a finished Job with {@code ttlSecondsAfterFinished} is
 * deleted that many seconds after its Complete or Failed condition, in the background, so the garbage
 * collector takes its pods. The wait is read from the injected clock.
 */
public final class TtlAfterFinishedController implements Reconciler<ObjectKey> {

    public static final String COMPONENT = "ttl-after-finished-controller";

    private final KubernetesClient client;
    private final SharedIndexInformer<Job> jobs;
    private final InstantSource clock;

    public TtlAfterFinishedController(KubernetesClient client, SharedIndexInformer<Job> jobs, InstantSource clock) {
        this.client = client;
        this.jobs = jobs;
        this.clock = clock;
    }

    public void watch(Consumer<ObjectKey> enqueue) {
        jobs.addEventHandler(new ResourceEventHandler<Job>() {
            @Override
            public void onAdd(Job job) {
                if (expires(job).isPresent()) {
                    enqueue.accept(ObjectKey.of(job));
                }
            }

            @Override
            public void onUpdate(Job before, Job after) {
                if (expires(after).isPresent()) {
                    enqueue.accept(ObjectKey.of(after));
                }
            }

            @Override
            public void onDelete(Job job, boolean finalStateUnknown) {
                // nothing left to expire
            }
        });
    }

    /** When the Job is due for deletion, if it has a TTL and has finished. */
    static Optional<Instant> expires(Job job) {
        Integer ttl = job.getSpec().getTtlSecondsAfterFinished();
        if (ttl == null || Owners.deleting(job)) {
            return Optional.empty();
        }
        return JobConditions.finishedAt(job).map(at -> at.plusSeconds(ttl));
    }

    @Override
    public Result reconcile(ObjectKey key) {
        Job job = jobs.getStore().getByKey(key.cacheKey());
        if (job == null) {
            return Result.done();
        }
        Optional<Instant> expires = expires(job);
        if (expires.isEmpty()) {
            return Result.done();
        }
        Instant now = clock.instant();
        if (now.isBefore(expires.get())) {
            return Result.requeueAfter(Duration.between(now, expires.get()));
        }
        try {
            client.batch().v1().jobs().inNamespace(key.namespace()).withName(key.name())
                    .withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                throw e;
            }
        }
        return Result.done();
    }
}
