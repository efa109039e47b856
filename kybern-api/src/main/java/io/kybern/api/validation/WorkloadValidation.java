package io.kybern.api.validation;

import static io.kybern.api.validation.KindValidation.immutable;

import io.kybern.api.cron.CronSchedule;
import io.kybern.api.selector.LabelSelectors;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/** Pods and the kinds that make them from a template. */
final class WorkloadValidation {

    private WorkloadValidation() {
    }

    static final KindValidation.Rules POD = new KindValidation.Rules() {
        @Override
        public void onCreate(JsonNode pod, List<FieldError> errors) {
            PodSpecValidation.validate(pod.path("spec"), "spec", errors);
        }

        @Override
        public void onUpdate(JsonNode existing, JsonNode updated, List<FieldError> errors) {
            // A running pod's spec is fixed but for images, deadlines, grace and added tolerations.
            JsonNode before = mutableFieldsCleared(existing.path("spec"));
            JsonNode after = mutableFieldsCleared(updated.path("spec"));
            if (!before.equals(after)) {
                errors.add(FieldError.forbidden("spec", "pod updates may not change fields other than "
                        + "`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,"
                        + "`spec.tolerations` (only additions to existing tolerations),"
                        + "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)"));
            }
        }
    };

    /** A pod spec without the fields an update may change. */
    private static JsonNode mutableFieldsCleared(JsonNode spec) {
        if (!spec.isObject()) {
            return spec;
        }
        var copy = (tools.jackson.databind.node.ObjectNode) spec.deepCopy();
        copy.remove(List.of("activeDeadlineSeconds", "tolerations", "terminationGracePeriodSeconds",
                "ephemeralContainers"));
        for (String list : List.of("containers", "initContainers")) {
            copy.path(list).forEach(container -> {
                if (container instanceof tools.jackson.databind.node.ObjectNode c) {
                    c.remove("image");
                }
            });
        }
        return copy;
    }

    static final KindValidation.Rules POD_TEMPLATE = (template, errors) ->
            PodSpecValidation.validate(template.path("template").path("spec"), "template.spec", errors);

    /** Deployments, ReplicaSets and DaemonSets: a selector that selects the template, pods that always restart. */
    static final KindValidation.Rules REPLICATED = new KindValidation.Rules() {
        @Override
        public void onCreate(JsonNode object, List<FieldError> errors) {
            selectorAndTemplate(object.path("spec"), errors);
            nonNegative(object.path("spec"), "replicas", "spec.replicas", errors);
            restartAlways(object.path("spec"), errors);
        }

        @Override
        public void onUpdate(JsonNode existing, JsonNode updated, List<FieldError> errors) {
            immutable(existing, updated, "/spec/selector", "spec.selector", errors);
        }
    };

    static final KindValidation.Rules STATEFUL_SET = new KindValidation.Rules() {
        @Override
        public void onCreate(JsonNode object, List<FieldError> errors) {
            REPLICATED.onCreate(object, errors);
            PodSpecValidation.enumField(object.path("spec"), "podManagementPolicy", "spec",
                    List.of("OrderedReady", "Parallel"), errors);
        }

        @Override
        public void onUpdate(JsonNode existing, JsonNode updated, List<FieldError> errors) {
            Set<String> mutable = Set.of("replicas", "ordinals", "template", "updateStrategy",
                    "persistentVolumeClaimRetentionPolicy", "minReadySeconds");
            var before = (tools.jackson.databind.node.ObjectNode) existing.path("spec").deepCopy();
            var after = (tools.jackson.databind.node.ObjectNode) updated.path("spec").deepCopy();
            before.remove(mutable);
            after.remove(mutable);
            if (!before.equals(after)) {
                errors.add(FieldError.forbidden("spec", "updates to statefulset spec for fields other than "
                        + "'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' "
                        + "and 'minReadySeconds' are forbidden"));
            }
        }
    };

    /** A ReplicationController selects with a plain map, which must match its template's labels. */
    static final KindValidation.Rules REPLICATION_CONTROLLER = new KindValidation.Rules() {
        @Override
        public void onCreate(JsonNode controller, List<FieldError> errors) {
            JsonNode spec = controller.path("spec");
            JsonNode selector = spec.path("selector");
            if (!selector.isObject() || selector.isEmpty()) {
                errors.add(FieldError.required("spec.selector"));
            } else {
                JsonNode labels = spec.path("template").path("metadata").path("labels");
                for (var entry : selector.properties()) {
                    if (!labels.path(entry.getKey()).asString("\u0000").equals(entry.getValue().asString(""))) {
                        errors.add(FieldError.invalid("spec.template.metadata.labels", labels.toString(),
                                "`selector` does not match template `labels`"));
                        break;
                    }
                }
            }
            nonNegative(spec, "replicas", "spec.replicas", errors);
            if (spec.path("template").isObject()) {
                PodSpecValidation.validate(spec.path("template").path("spec"), "spec.template.spec", errors);
                restartAlways(spec, errors);
            }
        }
    };

    static final KindValidation.Rules JOB = new KindValidation.Rules() {
        @Override
        public void onCreate(JsonNode job, List<FieldError> errors) {
            JsonNode spec = job.path("spec");
            selectorAndTemplate(spec, errors);
            restartNeverOrOnFailure(spec.path("template").path("spec"), "spec.template.spec", errors);
            for (String field : List.of("parallelism", "completions", "backoffLimit", "activeDeadlineSeconds",
                    "ttlSecondsAfterFinished")) {
                nonNegative(spec, field, "spec." + field, errors);
            }
        }

        @Override
        public void onUpdate(JsonNode existing, JsonNode updated, List<FieldError> errors) {
            immutable(existing, updated, "/spec/selector", "spec.selector", errors);
            immutable(existing, updated, "/spec/template", "spec.template", errors);
            immutable(existing, updated, "/spec/completionMode", "spec.completionMode", errors);
            if (!"Indexed".equals(updated.path("spec").path("completionMode").asString(""))) {
                immutable(existing, updated, "/spec/completions", "spec.completions", errors);
            }
        }
    };

    static final KindValidation.Rules CRON_JOB = (cronJob, errors) -> {
        JsonNode spec = cronJob.path("spec");
        if (spec.path("schedule").asString("").isBlank()) {
            errors.add(FieldError.required("spec.schedule"));
        } else {
            schedule(spec, errors);
        }
        PodSpecValidation.enumField(spec, "concurrencyPolicy", "spec", List.of("Allow", "Forbid", "Replace"), errors);
        JsonNode template = spec.path("jobTemplate").path("spec").path("template").path("spec");
        if (template.isObject()) {
            PodSpecValidation.validate(template, "spec.jobTemplate.spec.template.spec", errors);
            restartNeverOrOnFailure(template, "spec.jobTemplate.spec.template.spec", errors);
        } else {
            errors.add(FieldError.required("spec.jobTemplate.spec.template.spec.containers"));
        }
    };

    /**
     * The schedule parses as Kubernetes' cron parser would, TZ= prefixes are refused in favour of
     * {@code spec.timeZone}, and that names an IANA zone.
     */
    private static void schedule(JsonNode spec, List<FieldError> errors) {
        String schedule = spec.path("schedule").asString("");
        JsonNode timeZone = spec.path("timeZone");
        if (schedule.contains("TZ")) {
            errors.add(FieldError.invalid("spec.schedule", schedule, timeZone.isString()
                    ? "cannot use both timeZone field and TZ or CRON_TZ in schedule"
                    : "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"));
            return;
        }
        try {
            CronSchedule.parse(schedule, null);
        } catch (IllegalArgumentException e) {
            errors.add(FieldError.invalid("spec.schedule", schedule, e.getMessage()));
        }
        if (timeZone.isString()) {
            String zone = timeZone.asString();
            if (zone.isEmpty()) {
                errors.add(FieldError.invalid("spec.timeZone", zone, "timeZone must be nil or non-empty string"));
            } else if (zone.equalsIgnoreCase("Local")) {
                errors.add(FieldError.invalid("spec.timeZone", zone,
                        "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones"));
            } else {
                try {
                    CronSchedule.zone(zone);
                } catch (IllegalArgumentException e) {
                    errors.add(FieldError.invalid("spec.timeZone", zone, e.getMessage()));
                }
            }
        }
    }

    /** A structured selector that is present, not empty, and selects the template it stamps pods from. */
    private static void selectorAndTemplate(JsonNode spec, List<FieldError> errors) {
        JsonNode selector = spec.path("selector");
        if (!selector.isObject()) {
            errors.add(FieldError.required("spec.selector"));
        } else if (LabelSelectors.toText(selector).isEmpty()) {
            errors.add(FieldError.invalid("spec.selector", selector.toString(), "empty selector is invalid for "
                    + "deployment"));
        } else {
            Map<String, String> labels = new HashMap<>();
            spec.path("template").path("metadata").path("labels").properties()
                    .forEach(e -> labels.put(e.getKey(), e.getValue().asString("")));
            if (!LabelSelectors.of(selector).matches(labels)) {
                errors.add(FieldError.invalid("spec.template.metadata.labels",
                        spec.path("template").path("metadata").path("labels").toString(),
                        "`selector` does not match template `labels`"));
            }
        }
        PodSpecValidation.validate(spec.path("template").path("spec"), "spec.template.spec", errors);
    }

    private static void restartAlways(JsonNode spec, List<FieldError> errors) {
        JsonNode policy = spec.path("template").path("spec").path("restartPolicy");
        if (!policy.isMissingNode() && !policy.asString("").equals("Always")) {
            errors.add(FieldError.notSupported("spec.template.spec.restartPolicy", policy.asString(""),
                    List.of("Always")));
        }
    }

    private static void restartNeverOrOnFailure(JsonNode podSpec, String path, List<FieldError> errors) {
        String policy = podSpec.path("restartPolicy").asString("");
        if (policy.isEmpty()) {
            errors.add(FieldError.required(path + ".restartPolicy", "valid values: \"OnFailure\", \"Never\""));
        } else if (!policy.equals("OnFailure") && !policy.equals("Never")) {
            errors.add(FieldError.notSupported(path + ".restartPolicy", policy, List.of("OnFailure", "Never")));
        }
    }

    private static void nonNegative(JsonNode node, String field, String path, List<FieldError> errors) {
        JsonNode value = node.get(field);
        if (value != null && value.isNumber() && value.asLong() < 0) {
            errors.add(FieldError.invalidNumber(path, value.asLong(), "must be greater than or equal to 0"));
        }
    }
}
