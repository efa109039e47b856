package io.kybern.api.table;

import io.kybern.api.selector.LabelSelectors;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import tools.jackson.databind.JsonNode;

/** Controllers of pods: deployments, replica sets, stateful sets, daemon sets, jobs and cron jobs. */
final class WorkloadPrinters {

    private WorkloadPrinters() {
    }

    static ObjectPrinter deployments() {
        return ObjectPrinter.builder()
                .column(TableColumn.string("Ready", "Number of the pod with ready state"),
                        o -> o.number("status", "readyReplicas") + "/" + o.number("spec", "replicas"))
                .column(TableColumn.string("Up-to-date", "Total number of non-terminated pods targeted by this "
                        + "deployment that have the desired template spec."), o -> o.number("status", "updatedReplicas"))
                .column(TableColumn.string("Available", "Total number of available pods (ready for at least "
                        + "minReadySeconds) targeted by this deployment."), o -> o.number("status", "availableReplicas"))
                .age()
                .column(containers(), o -> containerNames(o.path("spec", "template")))
                .column(images(), o -> containerImages(o.path("spec", "template")))
                .column(selector(), o -> selectorText(o.path("spec", "selector")))
                .build();
    }

    static ObjectPrinter replicaSets() {
        return ObjectPrinter.builder()
                .column(TableColumn.integer("Desired", "Replicas is the number of desired pods."),
                        o -> o.number("spec", "replicas"))
                .column(TableColumn.integer("Current", "Replicas is the most recently observed number of "
                        + "non-terminating pods."), o -> o.number("status", "replicas"))
                .column(TableColumn.integer("Ready", "The number of non-terminating pods targeted by this "
                        + "ReplicaSet with a Ready Condition."), o -> o.number("status", "readyReplicas"))
                .age()
                .column(containers(), o -> containerNames(o.path("spec", "template")))
                .column(images(), o -> containerImages(o.path("spec", "template")))
                .column(selector(), o -> selectorText(o.path("spec", "selector")))
                .build();
    }

    /** Replication controllers print like replica sets, their selector being a plain label map. */
    static ObjectPrinter replicationControllers() {
        return ObjectPrinter.builder()
                .column(TableColumn.integer("Desired", "Replicas is the number of desired replicas."),
                        o -> o.number("spec", "replicas"))
                .column(TableColumn.integer("Current", "Replicas is the most recently observed number of "
                        + "replicas."), o -> o.number("status", "replicas"))
                .column(TableColumn.integer("Ready", "The number of ready replicas for this replication "
                        + "controller."), o -> o.number("status", "readyReplicas"))
                .age()
                .column(containers(), o -> containerNames(o.path("spec", "template")))
                .column(images(), o -> containerImages(o.path("spec", "template")))
                .column(selector(), o -> PrintedObject.labels(o.path("spec", "selector")))
                .build();
    }

    /** Pod templates show their containers and the labels of the pods they stamp, all in the default view. */
    static ObjectPrinter podTemplates() {
        return ObjectPrinter.builder()
                .column(TableColumn.string("Containers", "Names of each container in the template."),
                        o -> containerNames(o.path("template")))
                .column(TableColumn.string("Images", "Images referenced by each container in the template."),
                        o -> containerImages(o.path("template")))
                .column(TableColumn.string("Pod Labels", "The labels for the pod template."),
                        o -> PrintedObject.labels(o.path("template", "metadata", "labels")))
                .build();
    }

    /** A revision names the object controlling it as {@code kind.group/name}, lower case. */
    static ObjectPrinter controllerRevisions() {
        return ObjectPrinter.builder()
                .column(TableColumn.string("Controller", "The controller of the revision."),
                        WorkloadPrinters::controller)
                // A string column with integer cells, as Kubernetes declares it.
                .column(TableColumn.string("Revision", "Revision indicates the revision of the state represented "
                        + "by Data."), o -> o.number("revision"))
                .age().build();
    }

    private static String controller(PrintedObject revision) {
        for (JsonNode owner : revision.path("metadata", "ownerReferences")) {
            if (owner.path("controller").asBoolean(false)) {
                String apiVersion = owner.path("apiVersion").asString("");
                String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
                String kind = owner.path("kind").asString("");
                String groupKind = group.isEmpty() ? kind : kind + "." + group;
                return groupKind.toLowerCase(Locale.ROOT) + "/" + owner.path("name").asString("");
            }
        }
        return "<none>";
    }

    static ObjectPrinter statefulSets() {
        return ObjectPrinter.builder()
                .column(TableColumn.string("Ready", "Number of the pod with ready state"),
                        o -> o.number("status", "readyReplicas") + "/" + o.number("spec", "replicas"))
                .age()
                .column(containers(), o -> containerNames(o.path("spec", "template")))
                .column(images(), o -> containerImages(o.path("spec", "template")))
                .build();
    }

    static ObjectPrinter daemonSets() {
        return ObjectPrinter.builder()
                .column(TableColumn.integer("Desired", "The total number of nodes that should be running the "
                        + "daemon pod."), o -> o.number("status", "desiredNumberScheduled"))
                .column(TableColumn.integer("Current", "The number of nodes that are running at least 1 daemon "
                        + "pod and are supposed to run the daemon pod."), o -> o.number("status", "currentNumberScheduled"))
                .column(TableColumn.integer("Ready", "The number of nodes that should be running the daemon pod "
                        + "and have one or more of the daemon pod running with a Ready Condition."),
                        o -> o.number("status", "numberReady"))
                .column(TableColumn.integer("Up-to-date", "The total number of nodes that are running updated "
                        + "daemon pod"), o -> o.number("status", "updatedNumberScheduled"))
                .column(TableColumn.integer("Available", "The number of nodes that should be running the daemon "
                        + "pod and have one or more of the daemon pod running and available."),
                        o -> o.number("status", "numberAvailable"))
                .column(TableColumn.string("Node Selector", "NodeSelector is a selector which must be true for "
                        + "the pod to fit on a node."),
                        o -> PrintedObject.labels(o.path("spec", "template", "spec", "nodeSelector")))
                .age()
                .column(containers(), o -> containerNames(o.path("spec", "template")))
                .column(images(), o -> containerImages(o.path("spec", "template")))
                .column(selector(), o -> selectorText(o.path("spec", "selector")))
                .build();
    }

    static ObjectPrinter jobs() {
        return ObjectPrinter.builder()
                .column(TableColumn.string("Status", "Status of the job."), WorkloadPrinters::jobStatus)
                .column(TableColumn.string("Completions", "The completion status of the job."),
                        WorkloadPrinters::completions)
                .column(TableColumn.string("Duration", "Time required to complete the job."),
                        WorkloadPrinters::jobDuration)
                .age()
                .column(containers(), o -> containerNames(o.path("spec", "template")))
                .column(images(), o -> containerImages(o.path("spec", "template")))
                .column(selector(), o -> selectorText(o.path("spec", "selector")))
                .build();
    }

    /** Disruption budgets print the bound they set (the other one as N/A) and how many may go now. */
    static ObjectPrinter podDisruptionBudgets() {
        return ObjectPrinter.builder()
                .column(TableColumn.string("Min Available", "The minimum number or percentage of available pods "
                        + "this budget requires."), o -> intOrPercentOrNotApplicable(o.path("spec", "minAvailable")))
                .column(TableColumn.string("Max Unavailable", "The maximum number or percentage of unavailable pods "
                        + "this budget requires."), o -> intOrPercentOrNotApplicable(o.path("spec", "maxUnavailable")))
                .column(TableColumn.integer("Allowed Disruptions", "Calculated number of pods that may be disrupted "
                        + "at this time."), o -> o.number("status", "disruptionsAllowed"))
                .age().build();
    }

    private static String intOrPercentOrNotApplicable(JsonNode value) {
        return value.isMissingNode() || value.isNull() ? "N/A" : value.asString();
    }

    static ObjectPrinter cronJobs() {
        return ObjectPrinter.builder()
                .column(TableColumn.string("Schedule", "The schedule in Cron format."), o -> o.text("spec", "schedule"))
                .column(TableColumn.string("Timezone", "The time zone name for the given schedule."),
                        o -> o.textOrNone("spec", "timeZone"))
                .column(new TableColumn("Suspend", "boolean", "", "This flag tells the controller to suspend "
                        + "subsequent executions.", 0), o -> {
                            JsonNode suspend = o.path("spec", "suspend");
                            // Printed as words, as Kubernetes prints an optional boolean.
                            return suspend.isBoolean() ? (suspend.asBoolean() ? "True" : "False") : "<unset>";
                        })
                .column(TableColumn.integer("Active", "A list of pointers to currently running jobs."),
                        o -> o.count("status", "active"))
                .column(TableColumn.string("Last Schedule", "Information when was the last time the job was "
                        + "successfully scheduled."), o -> o.path("status", "lastScheduleTime").isMissingNode()
                                ? "<none>" : o.since(o.path("status", "lastScheduleTime")))
                .age()
                .column(containers(), o -> containerNames(o.path("spec", "jobTemplate", "spec", "template")))
                .column(images(), o -> containerImages(o.path("spec", "jobTemplate", "spec", "template")))
                .column(selector(), o -> selectorText(o.path("spec", "jobTemplate", "spec", "selector")))
                .build();
    }

    /** The first condition that holds, in the order Kubernetes checks them; else Running. */
    private static String jobStatus(PrintedObject job) {
        if (conditionTrue(job, "Complete")) {
            return "Complete";
        } else if (conditionTrue(job, "Failed")) {
            return "Failed";
        } else if (job.deleting()) {
            return "Terminating";
        } else if (conditionTrue(job, "Suspended")) {
            return "Suspended";
        } else if (conditionTrue(job, "FailureTarget")) {
            return "FailureTarget";
        } else if (conditionTrue(job, "SuccessCriteriaMet")) {
            return "SuccessCriteriaMet";
        }
        return "Running";
    }

    private static boolean conditionTrue(PrintedObject job, String type) {
        for (JsonNode condition : job.path("status", "conditions")) {
            if (type.equals(condition.path("type").asString("")) && "True".equals(condition.path("status")
                    .asString(""))) {
                return true;
            }
        }
        return false;
    }

    private static String completions(PrintedObject job) {
        long succeeded = job.number("status", "succeeded");
        JsonNode completions = job.path("spec", "completions");
        if (completions.isNumber()) {
            return succeeded + "/" + completions.asLong();
        }
        long parallelism = job.path("spec", "parallelism").asLong(1);
        return parallelism > 1 ? succeeded + "/1 of " + parallelism : succeeded + "/1";
    }

    private static String jobDuration(PrintedObject job) {
        Instant start = PrintedObject.timestamp(job.path("status", "startTime"));
        if (start == null) {
            return "";
        }
        Instant end = PrintedObject.timestamp(job.path("status", "completionTime"));
        return HumanDuration.format(Duration.between(start, end == null ? job.now() : end));
    }

    private static TableColumn containers() {
        return TableColumn.string("Containers", "Names of each container in the template.").wide();
    }

    private static TableColumn images() {
        return TableColumn.string("Images", "Images referenced by each container in the template.").wide();
    }

    private static TableColumn selector() {
        return TableColumn.string("Selector", "A label query over pods that should match the replica count.")
                .wide();
    }

    static String containerNames(JsonNode podTemplate) {
        return String.join(",", PrintedObject.each(podTemplate.path("spec").path("containers"), "name"));
    }

    static String containerImages(JsonNode podTemplate) {
        return String.join(",", PrintedObject.each(podTemplate.path("spec").path("containers"), "image"));
    }

    /**
     * A label selector as Kubernetes writes one: {@code k=v} and expressions ({@code k in (a,b)},
     * {@code k notin (a)}, {@code k}, {@code !k}), sorted by key; {@code <none>} when absent.
     */
    static String selectorText(JsonNode selector) {
        String text = LabelSelectors.toText(selector);
        return text.isEmpty() ? "<none>" : text;
    }
}
