package io.kybern.apiserver.registry;

import io.kybern.api.resource.ResourceType;
import io.kybern.api.validation.ObjectMetaValidation;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What deleting one object means right now: gone at once, deletion started (a {@code deletionTimestamp}
 * while finalizers run or a pod stops), or already under way. Kubernetes' graceful deletion, decided
 * apart from the storage that carries it out.
 */
sealed interface Deletion {

    /** The object as the client sees it after the request. */
    ObjectNode object();

    /** Remove the object from the store now. */
    record Now(ObjectNode object) implements Deletion {
    }

    /** Store the object with its deletion started; something else finishes it. */
    record Start(ObjectNode object) implements Deletion {
    }

    /** Deletion already started and nothing about it changes: answer with the object as it is. */
    record AlreadyPending(ObjectNode object) implements Deletion {
    }

    DateTimeFormatter TIMESTAMP = DateTimeFormatter.ISO_INSTANT.withZone(ZoneOffset.UTC);

    /** The grace a pod gets to stop when neither the request nor the pod says otherwise. */
    long DEFAULT_POD_GRACE_SECONDS = 30;

    static Deletion plan(ResourceType type, ObjectNode existing, DeleteOptions options, Instant now) {
        ObjectNode metadata = (ObjectNode) existing.get("metadata");
        List<String> finalizers = ObjectMetaValidation.finalizers(metadata);
        List<String> wanted = finalizersForPropagation(finalizers, options.propagationPolicy());
        boolean waitsForNamespaceContent = isNamespace(type) && !namespaceFinalizers(existing).isEmpty();
        long grace = podGraceSeconds(type, existing, options);
        if (metadata.hasNonNull("deletionTimestamp")) {
            // Nothing left to wait for (a forced delete of a stopping pod, or the last finalizer dropped by
            // a new propagation policy): it goes now.
            boolean stillStopping = grace > 0 && metadata.path("deletionGracePeriodSeconds").asLong(0) > 0;
            if (!stillStopping && wanted.isEmpty() && !waitsForNamespaceContent) {
                return new Now(existing);
            }
            if (!wanted.equals(finalizers)) {
                // Deleting again with another propagation policy changes how the deletion finishes.
                ObjectNode pending = existing.deepCopy();
                setFinalizers((ObjectNode) pending.get("metadata"), wanted);
                return new Start(pending);
            }
            return new AlreadyPending(existing);
        }
        if (wanted.isEmpty() && grace == 0 && !waitsForNamespaceContent) {
            return new Now(existing);
        }
        ObjectNode pending = existing.deepCopy();
        ObjectNode pendingMetadata = (ObjectNode) pending.get("metadata");
        pendingMetadata.put("deletionTimestamp",
                TIMESTAMP.format(now.plusSeconds(grace).truncatedTo(ChronoUnit.SECONDS)));
        pendingMetadata.put("deletionGracePeriodSeconds", grace);
        setFinalizers(pendingMetadata, wanted);
        if (isNamespace(type)) {
            // The namespace controller empties it; until then nothing new may be created in it.
            pending.withObject("status").put("phase", "Terminating");
        }
        Generations.onDeletionStarted(pending);
        return new Start(pending);
    }

    /** Asks the garbage collector to remove the references to the object from its dependents first. */
    String ORPHAN_FINALIZER = "orphan";
    /** Asks the garbage collector to delete the object's blocking dependents first. */
    String FOREGROUND_FINALIZER = "foregroundDeletion";

    /**
     * The finalizers after a delete with that propagation policy, as Kubernetes' API server sets them:
     * Orphan wants {@code orphan} (and not {@code foregroundDeletion}), Foreground the other way round,
     * Background neither; no policy leaves them as they are.
     */
    static List<String> finalizersForPropagation(List<String> finalizers, Optional<String> policy) {
        if (policy.isEmpty()) {
            return finalizers;
        }
        List<String> result = new ArrayList<>(finalizers);
        result.remove(ORPHAN_FINALIZER);
        result.remove(FOREGROUND_FINALIZER);
        switch (policy.get()) {
            case "Orphan" -> result.add(ORPHAN_FINALIZER);
            case "Foreground" -> result.add(FOREGROUND_FINALIZER);
            default -> {
            }
        }
        return result;
    }

    private static void setFinalizers(ObjectNode metadata, List<String> finalizers) {
        if (finalizers.isEmpty()) {
            metadata.remove("finalizers");
        } else {
            ArrayNode array = metadata.putArray("finalizers");
            finalizers.forEach(array::add);
        }
    }

    /**
     * Whether an update leaves an object whose deletion started with nothing left to wait for: no
     * finalizers, no grace period still running, and for a namespace no {@code spec.finalizers} (the
     * namespace controller removes {@code kubernetes} from them once the namespace is empty).
     */
    static boolean finished(ResourceType type, JsonNode object) {
        JsonNode metadata = object.path("metadata");
        return metadata.hasNonNull("deletionTimestamp")
                && metadata.path("deletionGracePeriodSeconds").asLong(0) == 0
                && ObjectMetaValidation.finalizers(metadata).isEmpty()
                && (!isNamespace(type) || namespaceFinalizers(object).isEmpty());
    }

    private static boolean isNamespace(ResourceType type) {
        return type.gvr().group().isEmpty() && type.gvr().resource().equals("namespaces");
    }

    private static List<String> namespaceFinalizers(JsonNode namespace) {
        List<String> finalizers = new ArrayList<>();
        namespace.path("spec").path("finalizers").forEach(f -> finalizers.add(f.asString("")));
        return finalizers;
    }

    /**
     * How long a pod gets to stop: only a pod bound to a node and not yet finished has containers to
     * stop, and its node's agent deletes it when they have. Everything else: 0.
     */
    private static long podGraceSeconds(ResourceType type, ObjectNode pod, DeleteOptions options) {
        if (!type.gvr().group().isEmpty() || !type.gvr().resource().equals("pods")) {
            return 0;
        }
        String phase = pod.path("status").path("phase").asString("");
        if (pod.path("spec").path("nodeName").asString("").isEmpty()
                || phase.equals("Succeeded") || phase.equals("Failed")) {
            return 0;
        }
        if (options.gracePeriodSeconds().isPresent()) {
            return Math.max(0, options.gracePeriodSeconds().getAsLong());
        }
        JsonNode own = pod.path("spec").get("terminationGracePeriodSeconds");
        return own != null && own.isNumber() ? Math.max(0, own.asLong()) : DEFAULT_POD_GRACE_SECONDS;
    }
}
