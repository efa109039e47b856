package io.kybern.apiserver.registry;

import io.kybern.api.resource.ResourceType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What the server fills in on objects of particular kinds when they are created, before they are
 * stored: the part of Kubernetes' per-kind strategies that the generic storage cannot know.
 */
public final class CreateDefaults {

    private CreateDefaults() {
    }

    public static void apply(ResourceType type, ObjectNode object) {
        if (type.gvr().group().isEmpty() && type.gvr().resource().equals("namespaces")) {
            namespace(object);
        } else if (type.gvr().group().equals("batch") && type.gvr().resource().equals("jobs")) {
            jobSelector(object);
        } else if (type.gvr().group().isEmpty() && type.gvr().resource().equals("pods")) {
            defaultTolerationSeconds(object);
        }
    }

    static final String NOT_READY_TAINT = "node.kubernetes.io/not-ready";
    static final String UNREACHABLE_TAINT = "node.kubernetes.io/unreachable";
    /** Kubernetes' --default-not-ready-toleration-seconds and --default-unreachable-toleration-seconds. */
    static final long DEFAULT_TOLERATION_SECONDS = 300;

    /**
     * Kubernetes' DefaultTolerationSeconds admission: a pod that does not already tolerate the not-ready and
     * unreachable NoExecute taints tolerates them for 300 s, so a node that stops answering briefly does
     * not cost it its pods, and one that stays away loses them after five minutes.
     */
    private static void defaultTolerationSeconds(ObjectNode pod) {
        ObjectNode spec = pod.has("spec") && pod.get("spec").isObject() ? (ObjectNode) pod.get("spec")
                : pod.putObject("spec");
        JsonNode existing = spec.path("tolerations");
        boolean notReady = toleratesNoExecute(existing, NOT_READY_TAINT);
        boolean unreachable = toleratesNoExecute(existing, UNREACHABLE_TAINT);
        if (notReady && unreachable) {
            return;
        }
        ArrayNode tolerations = existing.isArray() ? (ArrayNode) existing : spec.putArray("tolerations");
        if (!notReady) {
            addToleration(tolerations, NOT_READY_TAINT);
        }
        if (!unreachable) {
            addToleration(tolerations, UNREACHABLE_TAINT);
        }
    }

    /** Whether a toleration already names that taint key (or every key) for NoExecute (or every effect). */
    private static boolean toleratesNoExecute(JsonNode tolerations, String taintKey) {
        for (JsonNode toleration : tolerations) {
            String key = toleration.path("key").asString("");
            String effect = toleration.path("effect").asString("");
            boolean keyMatches = key.equals(taintKey)
                    || (key.isEmpty() && toleration.path("operator").asString("").equals("Exists"));
            if (keyMatches && (effect.isEmpty() || effect.equals("NoExecute"))) {
                return true;
            }
        }
        return false;
    }

    private static void addToleration(ArrayNode tolerations, String taintKey) {
        tolerations.addObject().put("key", taintKey).put("operator", "Exists").put("effect", "NoExecute")
                .put("tolerationSeconds", DEFAULT_TOLERATION_SECONDS);
    }

    /**
     * A Job selects its pods by its own uid, unless its author chose a selector (manualSelector): two
     * Jobs with the same template must never adopt each other's pods. The template wears the labels.
     */
    private static void jobSelector(ObjectNode job) {
        ObjectNode spec = job.has("spec") && job.get("spec").isObject() ? (ObjectNode) job.get("spec")
                : job.putObject("spec");
        if (spec.path("manualSelector").asBoolean(false)) {
            return;
        }
        String uid = job.path("metadata").path("uid").asString();
        String name = job.path("metadata").path("name").asString();
        ObjectNode template = spec.has("template") && spec.get("template").isObject()
                ? (ObjectNode) spec.get("template") : spec.putObject("template");
        ObjectNode templateMetadata = template.has("metadata") && template.get("metadata").isObject()
                ? (ObjectNode) template.get("metadata") : template.putObject("metadata");
        ObjectNode labels = templateMetadata.has("labels") && templateMetadata.get("labels").isObject()
                ? (ObjectNode) templateMetadata.get("labels") : templateMetadata.putObject("labels");
        labels.put("batch.kubernetes.io/controller-uid", uid);
        labels.put("batch.kubernetes.io/job-name", name);
        // The unprefixed labels of older releases, still set for selectors written against them.
        labels.put("controller-uid", uid);
        labels.put("job-name", name);
        ObjectNode selector = spec.has("selector") && spec.get("selector").isObject()
                ? (ObjectNode) spec.get("selector") : spec.putObject("selector");
        ObjectNode matchLabels = selector.has("matchLabels") && selector.get("matchLabels").isObject()
                ? (ObjectNode) selector.get("matchLabels") : selector.putObject("matchLabels");
        matchLabels.put("batch.kubernetes.io/controller-uid", uid);
    }

    /** A new namespace is Active, carries the kubernetes finalizer and a label with its own name. */
    private static void namespace(ObjectNode ns) {
        ObjectNode metadata = (ObjectNode) ns.get("metadata");
        ObjectNode labels = metadata.has("labels") && metadata.get("labels").isObject()
                ? (ObjectNode) metadata.get("labels") : metadata.putObject("labels");
        labels.put("kubernetes.io/metadata.name", metadata.get("name").asString());
        ObjectNode spec = ns.has("spec") && ns.get("spec").isObject() ? (ObjectNode) ns.get("spec")
                : ns.putObject("spec");
        spec.putArray("finalizers").add("kubernetes");
        ns.putObject("status").put("phase", "Active");
    }
}
