package io.kybern.apiserver.registry;

import io.kybern.api.resource.ResourceType;
import java.util.Objects;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code metadata.generation}: which kinds count their spec changes, and what counts as one. A
 * controller compares it with {@code status.observedGeneration} to know whether it has acted on the
 * latest desired state, so it must move on every change of intent and on nothing else.
 */
final class Generations {

    /** Built-in resources whose strategies keep a generation ({@code group/resource}, core with no group). */
    private static final Set<String> TRACKED = Set.of(
            "apps/deployments", "apps/replicasets", "apps/statefulsets", "apps/daemonsets",
            "batch/jobs", "batch/cronjobs", "/replicationcontrollers",
            "policy/poddisruptionbudgets",
            "networking.k8s.io/ingresses", "networking.k8s.io/networkpolicies",
            "apiextensions.k8s.io/customresourcedefinitions",
            "admissionregistration.k8s.io/validatingwebhookconfigurations",
            "admissionregistration.k8s.io/mutatingwebhookconfigurations",
            "admissionregistration.k8s.io/validatingadmissionpolicies",
            "admissionregistration.k8s.io/validatingadmissionpolicybindings");

    /** Top-level fields that are not desired state. */
    private static final Set<String> NOT_INTENT = Set.of("apiVersion", "kind", "metadata", "status");

    private Generations() {
    }

    static boolean tracked(ResourceType type) {
        return TRACKED.contains(type.gvr().group() + "/" + type.gvr().resource());
    }

    /**
     * Sets the generation of an object about to replace {@code existing}: that of the stored object, one
     * more when its intent changed; untracked kinds keep whatever the stored object had (none), since
     * clients cannot set it.
     */
    static void onUpdate(ResourceType type, ObjectNode existing, ObjectNode updated, boolean custom) {
        ObjectNode metadata = (ObjectNode) updated.get("metadata");
        JsonNode current = existing.path("metadata").get("generation");
        if (!custom && !tracked(type)) {
            if (current == null) {
                metadata.remove("generation");
            } else {
                metadata.set("generation", current);
            }
            return;
        }
        long generation = current == null ? 1 : current.asLong();
        if (intentChanged(type, existing, updated, custom)) {
            generation++;
        }
        metadata.put("generation", generation);
    }

    /** @param custom whether the type is a custom resource, all of which keep a generation */
    static void onCreate(ResourceType type, ObjectNode created, boolean custom) {
        ObjectNode metadata = (ObjectNode) created.get("metadata");
        if (custom || tracked(type)) {
            metadata.put("generation", 1);
        } else {
            metadata.remove("generation");
        }
    }

    /** Graceful deletion is a change of intent too: controllers see the generation move. */
    static void onDeletionStarted(ObjectNode object) {
        ObjectNode metadata = (ObjectNode) object.get("metadata");
        JsonNode current = metadata.get("generation");
        if (current != null && current.asLong() > 0) {
            metadata.put("generation", current.asLong() + 1);
        }
    }

    /**
     * Custom resources without a status subresource count status changes too, as Kubernetes does: there
     * nothing tells status from intent.
     */
    private static boolean intentChanged(ResourceType type, ObjectNode existing, ObjectNode updated, boolean custom) {
        Set<String> fields = new java.util.HashSet<>(existing.propertyNames());
        fields.addAll(updated.propertyNames());
        boolean statusIsIntent = custom && type.subresource("status").isEmpty();
        for (String field : fields) {
            boolean notIntent = NOT_INTENT.contains(field) && !(statusIsIntent && field.equals("status"));
            if (!notIntent && !Objects.equals(existing.get(field), updated.get(field))) {
                return true;
            }
        }
        // Deployments copy their annotations to their ReplicaSets, so an annotation change is intent too.
        return type.gvr().group().equals("apps") && type.gvr().resource().equals("deployments")
                && !Objects.equals(existing.path("metadata").get("annotations"),
                        updated.path("metadata").get("annotations"));
    }
}
