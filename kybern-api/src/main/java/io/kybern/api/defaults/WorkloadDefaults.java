package io.kybern.api.defaults;

import static io.kybern.api.defaults.Fields.defaultTo;
import static io.kybern.api.defaults.Fields.ifObject;
import static io.kybern.api.defaults.Fields.missing;
import static io.kybern.api.defaults.Fields.object;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Defaults of the workload kinds: apps/v1, batch/v1 and the ReplicationController. */
final class WorkloadDefaults {

    private WorkloadDefaults() {
    }

    static void deployment(ObjectNode deployment) {
        ObjectNode spec = object(deployment, "spec");
        defaultTo(spec, "replicas", 1);
        ObjectNode strategy = object(spec, "strategy");
        defaultTo(strategy, "type", "RollingUpdate");
        if (strategy.path("type").asString("").equals("RollingUpdate")) {
            ObjectNode rollingUpdate = object(strategy, "rollingUpdate");
            defaultTo(rollingUpdate, "maxUnavailable", "25%");
            defaultTo(rollingUpdate, "maxSurge", "25%");
        }
        defaultTo(spec, "revisionHistoryLimit", 10);
        defaultTo(spec, "progressDeadlineSeconds", 600);
        PodSpecDefaults.template(spec);
    }

    static void replicaSet(ObjectNode replicaSet) {
        ObjectNode spec = object(replicaSet, "spec");
        defaultTo(spec, "replicas", 1);
        PodSpecDefaults.template(spec);
    }

    static void statefulSet(ObjectNode statefulSet) {
        ObjectNode spec = object(statefulSet, "spec");
        defaultTo(spec, "replicas", 1);
        defaultTo(spec, "podManagementPolicy", "OrderedReady");
        ObjectNode strategy = object(spec, "updateStrategy");
        defaultTo(strategy, "type", "RollingUpdate");
        if (strategy.path("type").asString("").equals("RollingUpdate")) {
            defaultTo(object(strategy, "rollingUpdate"), "partition", 0);
        }
        defaultTo(spec, "revisionHistoryLimit", 10);
        ObjectNode retention = object(spec, "persistentVolumeClaimRetentionPolicy");
        defaultTo(retention, "whenDeleted", "Retain");
        defaultTo(retention, "whenScaled", "Retain");
        Fields.eachObject(spec, "volumeClaimTemplates", claim -> defaultTo(object(claim, "spec"), "volumeMode",
                "Filesystem"));
        PodSpecDefaults.template(spec);
    }

    static void daemonSet(ObjectNode daemonSet) {
        ObjectNode spec = object(daemonSet, "spec");
        ObjectNode strategy = object(spec, "updateStrategy");
        defaultTo(strategy, "type", "RollingUpdate");
        if (strategy.path("type").asString("").equals("RollingUpdate")) {
            ObjectNode rollingUpdate = object(strategy, "rollingUpdate");
            defaultTo(rollingUpdate, "maxUnavailable", 1);
            defaultTo(rollingUpdate, "maxSurge", 0);
        }
        defaultTo(spec, "revisionHistoryLimit", 10);
        PodSpecDefaults.template(spec);
    }

    static void job(ObjectNode job) {
        ObjectNode spec = object(job, "spec");
        jobSpec(spec);
    }

    private static void jobSpec(ObjectNode spec) {
        if (missing(spec, "completions") && missing(spec, "parallelism")) {
            spec.put("completions", 1);
        }
        defaultTo(spec, "parallelism", 1);
        if (missing(spec, "backoffLimit")) {
            // With a per-index limit, the job-wide one must not end the job first.
            spec.put("backoffLimit", missing(spec, "backoffLimitPerIndex") ? 6 : Integer.MAX_VALUE);
        }
        defaultTo(spec, "completionMode", "NonIndexed");
        defaultTo(spec, "suspend", false);
        defaultTo(spec, "podReplacementPolicy", missing(spec, "podFailurePolicy") ? "TerminatingOrFailed" : "Failed");
        defaultTo(spec, "manualSelector", false);
        PodSpecDefaults.template(spec);
    }

    static void cronJob(ObjectNode cronJob) {
        ObjectNode spec = object(cronJob, "spec");
        defaultTo(spec, "concurrencyPolicy", "Allow");
        defaultTo(spec, "suspend", false);
        defaultTo(spec, "successfulJobsHistoryLimit", 3);
        defaultTo(spec, "failedJobsHistoryLimit", 1);
        ifObject(spec, "jobTemplate", template -> ifObject(template, "spec", PodSpecDefaults::template));
    }

    /** A ReplicationController without a selector selects its template's labels, and wears them. */
    static void replicationController(ObjectNode controller) {
        ObjectNode spec = object(controller, "spec");
        defaultTo(spec, "replicas", 1);
        JsonNode templateLabels = spec.path("template").path("metadata").path("labels");
        if (templateLabels.isObject() && !templateLabels.isEmpty()) {
            if (missing(spec, "selector") || spec.get("selector").isEmpty()) {
                spec.set("selector", templateLabels.deepCopy());
            }
            ObjectNode metadata = object(controller, "metadata");
            if (missing(metadata, "labels") || metadata.get("labels").isEmpty()) {
                metadata.set("labels", templateLabels.deepCopy());
            }
        }
        PodSpecDefaults.template(spec);
    }
}
