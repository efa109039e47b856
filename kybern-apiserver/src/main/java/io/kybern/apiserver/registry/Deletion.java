package io.kybern.apiserver.registry;

import io.kybern.api.resource.ResourceType;
import io.kybern.api.validation.ObjectMetaValidation;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import tools.jackson.databind.JsonNode;
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
        boolean hasFinalizers = !ObjectMetaValidation.finalizers(metadata).isEmpty();
        long grace = podGraceSeconds(type, existing, options);
        if (metadata.hasNonNull("deletionTimestamp")) {
            // A forced delete of a pod that is still stopping, with nothing else to wait for, ends it now.
            boolean forced = grace == 0 && metadata.path("deletionGracePeriodSeconds").asLong(0) > 0;
            return forced && !hasFinalizers ? new Now(existing) : new AlreadyPending(existing);
        }
        if (!hasFinalizers && grace == 0) {
            return new Now(existing);
        }
        ObjectNode pending = existing.deepCopy();
        ObjectNode pendingMetadata = (ObjectNode) pending.get("metadata");
        pendingMetadata.put("deletionTimestamp",
                TIMESTAMP.format(now.plusSeconds(grace).truncatedTo(ChronoUnit.SECONDS)));
        pendingMetadata.put("deletionGracePeriodSeconds", grace);
        Generations.onDeletionStarted(pending);
        return new Start(pending);
    }

    /**
     * Whether an update leaves an object whose deletion started with nothing left to wait for: no
     * finalizers and no grace period still running.
     */
    static boolean finished(JsonNode metadata) {
        return metadata.hasNonNull("deletionTimestamp")
                && metadata.path("deletionGracePeriodSeconds").asLong(0) == 0
                && ObjectMetaValidation.finalizers(metadata).isEmpty();
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
