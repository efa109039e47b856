package io.kybern.controllers.job;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.kybern.controllers.runtime.Owners;
import io.kybern.controllers.runtime.Pods;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;

/** The pods of a Job: how they are made from its template and what the controller reads off them. */
public final class JobPods {

    /** Kept on a pod until its outcome is counted in the Job's status, so a deleted pod is never missed. */
    public static final String TRACKING_FINALIZER = "batch.kubernetes.io/job-tracking";
    public static final String COMPLETION_INDEX = "batch.kubernetes.io/job-completion-index";
    static final String INDEX_ENV = "JOB_COMPLETION_INDEX";

    private JobPods() {
    }

    public static boolean indexed(Job job) {
        return "Indexed".equals(job.getSpec().getCompletionMode());
    }

    /**
     * A pod from the template, owned by the Job, holding the tracking finalizer; for an Indexed Job also
     * its index (annotation and label), the hostname {@code <job>-<index>} and, as Kubernetes' Job
     * controller adds it (the API server does not), the JOB_COMPLETION_INDEX variable read from the
     * annotation in every container.
     */
    static Pod fromTemplate(Job job, OptionalInt index) {
        var template = job.getSpec().getTemplate();
        ObjectMeta meta = template.getMetadata() == null ? new ObjectMeta() : template.getMetadata();
        Map<String, String> labels = new HashMap<>(Objects.requireNonNullElse(meta.getLabels(), Map.of()));
        Map<String, String> annotations = new HashMap<>(Objects.requireNonNullElse(meta.getAnnotations(), Map.of()));
        List<String> finalizers = new ArrayList<>(Objects.requireNonNullElse(meta.getFinalizers(), List.of()));
        finalizers.add(TRACKING_FINALIZER);
        String name = job.getMetadata().getName();
        String generateName = name + "-";
        PodSpec spec = new PodBuilder().withSpec(template.getSpec()).build().getSpec();
        if (index.isPresent()) {
            String value = Integer.toString(index.getAsInt());
            annotations.put(COMPLETION_INDEX, value);
            labels.put(COMPLETION_INDEX, value);
            generateName = name + "-" + value + "-";
            spec = new PodSpecBuilder(spec).withHostname(name + "-" + value).build();
            withIndexEnv(spec.getContainers());
            withIndexEnv(spec.getInitContainers());
        }
        return new PodBuilder()
                .withMetadata(new ObjectMetaBuilder()
                        .withGenerateName(generateName)
                        .withNamespace(job.getMetadata().getNamespace())
                        .withLabels(labels)
                        .withAnnotations(annotations.isEmpty() ? null : annotations)
                        .withFinalizers(finalizers)
                        .withOwnerReferences(Owners.controllerReference(job))
                        .build())
                .withSpec(spec)
                .build();
    }

    private static void withIndexEnv(List<Container> containers) {
        if (containers == null) {
            return;
        }
        for (Container container : containers) {
            List<EnvVar> env = new ArrayList<>(Objects.requireNonNullElse(container.getEnv(), List.of()));
            if (env.stream().noneMatch(e -> INDEX_ENV.equals(e.getName()))) {
                env.add(new EnvVarBuilder().withName(INDEX_ENV).withNewValueFrom().withNewFieldRef()
                        .withFieldPath("metadata.annotations['" + COMPLETION_INDEX + "']").endFieldRef()
                        .endValueFrom().build());
            }
            container.setEnv(env);
        }
    }

    /** The completion index a pod carries, if valid for this many completions. */
    static OptionalInt index(Pod pod, int completions) {
        Map<String, String> annotations = pod.getMetadata().getAnnotations();
        String value = annotations == null ? null : annotations.get(COMPLETION_INDEX);
        if (value == null) {
            return OptionalInt.empty();
        }
        try {
            int index = Integer.parseInt(value);
            return index >= 0 && index < completions ? OptionalInt.of(index) : OptionalInt.empty();
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    static boolean tracked(Pod pod) {
        List<String> finalizers = pod.getMetadata().getFinalizers();
        return finalizers != null && finalizers.contains(TRACKING_FINALIZER);
    }

    static boolean succeeded(Pod pod) {
        return "Succeeded".equals(Pods.phase(pod));
    }

    /** Failed, or deleted before it succeeded (then it will never report its outcome): a failure to count. */
    static boolean failed(Pod pod) {
        return "Failed".equals(Pods.phase(pod)) || (Owners.deleting(pod) && !succeeded(pod));
    }

    static boolean finished(Pod pod) {
        return succeeded(pod) || failed(pod);
    }
}
