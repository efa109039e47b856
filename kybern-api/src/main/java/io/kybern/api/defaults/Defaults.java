package io.kybern.api.defaults;

import static io.kybern.api.defaults.Fields.defaultTo;
import static io.kybern.api.defaults.Fields.object;

import io.kybern.api.resource.ResourceType;
import java.util.Map;
import java.util.function.Consumer;
import tools.jackson.databind.node.ObjectNode;

/**
 * Fills in Kubernetes' defaults on a built-in object. Idempotent: applying twice changes nothing more, so
 * it runs on every write. Kinds without defaults pass through unchanged.
 *
 * <p>Stateless and safe from any thread.
 */
public final class Defaults {

    private static final Map<String, Consumer<ObjectNode>> BY_RESOURCE = Map.ofEntries(
            Map.entry("/pods", PodDefaults::pod),
            Map.entry("/podtemplates", template -> PodSpecDefaults.template(template)),
            Map.entry("/replicationcontrollers", WorkloadDefaults::replicationController),
            Map.entry("/services", ServiceDefaults::service),
            Map.entry("/secrets", secret -> defaultTo(secret, "type", "Opaque")),
            Map.entry("/persistentvolumeclaims", Defaults::persistentVolumeClaim),
            Map.entry("/persistentvolumes", Defaults::persistentVolume),
            Map.entry("/endpoints", endpoints -> Fields.eachObject(endpoints, "subsets",
                    subset -> Fields.eachObject(subset, "ports", port -> defaultTo(port, "protocol", "TCP")))),
            Map.entry("apps/deployments", WorkloadDefaults::deployment),
            Map.entry("apps/replicasets", WorkloadDefaults::replicaSet),
            Map.entry("apps/statefulsets", WorkloadDefaults::statefulSet),
            Map.entry("apps/daemonsets", WorkloadDefaults::daemonSet),
            Map.entry("batch/jobs", WorkloadDefaults::job),
            Map.entry("batch/cronjobs", WorkloadDefaults::cronJob),
            Map.entry("autoscaling/horizontalpodautoscalers", autoscaler -> defaultTo(object(autoscaler, "spec"),
                    "minReplicas", 1)),
            Map.entry("networking.k8s.io/networkpolicies", Defaults::networkPolicy),
            Map.entry("scheduling.k8s.io/priorityclasses",
                    priorityClass -> defaultTo(priorityClass, "preemptionPolicy", "PreemptLowerPriority")),
            Map.entry("storage.k8s.io/storageclasses", storageClass -> {
                defaultTo(storageClass, "reclaimPolicy", "Delete");
                defaultTo(storageClass, "volumeBindingMode", "Immediate");
            }));

    private Defaults() {
    }

    /** Fills in the defaults of {@code object}, a {@code type} object, in place. */
    public static void apply(ResourceType type, ObjectNode object) {
        Consumer<ObjectNode> defaults = BY_RESOURCE.get(type.gvr().group() + "/" + type.gvr().resource());
        if (defaults != null) {
            defaults.accept(object);
        }
        if (type.gvr().group().equals("autoscaling") && type.gvr().version().equals("v2")) {
            autoscalingV2Metrics(object);
        }
    }

    /**
     * What the server sets on a new object beyond its defaults: the status it starts with (a pod is
     * Pending, a claim or volume Pending). Only on create; afterwards status belongs to controllers.
     */
    public static void applyOnCreate(ResourceType type, ObjectNode object) {
        if (!type.gvr().group().isEmpty()) {
            return;
        }
        switch (type.gvr().resource()) {
            case "pods" -> PodDefaults.newPodStatus(object);
            case "persistentvolumeclaims", "persistentvolumes" -> defaultTo(object(object, "status"), "phase",
                    "Pending");
            default -> {
                // No starting status.
            }
        }
    }

    private static void persistentVolumeClaim(ObjectNode claim) {
        defaultTo(object(claim, "spec"), "volumeMode", "Filesystem");
    }

    private static void persistentVolume(ObjectNode volume) {
        ObjectNode spec = object(volume, "spec");
        defaultTo(spec, "persistentVolumeReclaimPolicy", "Retain");
        defaultTo(spec, "volumeMode", "Filesystem");
    }

    /** autoscaling/v2 says what v1 leaves implicit: with no metrics, scale on 80% of requested CPU. */
    private static void autoscalingV2Metrics(ObjectNode autoscaler) {
        ObjectNode spec = object(autoscaler, "spec");
        if (Fields.missing(spec, "metrics") || spec.get("metrics").isEmpty()) {
            ObjectNode metric = spec.putArray("metrics").addObject();
            metric.put("type", "Resource");
            ObjectNode resource = metric.putObject("resource");
            resource.put("name", "cpu");
            resource.putObject("target").put("type", "Utilization").put("averageUtilization", 80);
        }
    }

    /** A policy with egress rules restricts egress too; every policy restricts ingress. */
    private static void networkPolicy(ObjectNode policy) {
        ObjectNode spec = object(policy, "spec");
        if (Fields.missing(spec, "policyTypes") || spec.get("policyTypes").isEmpty()) {
            var types = spec.putArray("policyTypes").add("Ingress");
            if (spec.path("egress").isArray() && !spec.path("egress").isEmpty()) {
                types.add("Egress");
            }
        }
        for (String direction : new String[] {"ingress", "egress"}) {
            Fields.eachObject(spec, direction, rule -> Fields.eachObject(rule, "ports",
                    port -> defaultTo(port, "protocol", "TCP")));
        }
    }
}
