package io.kybern.controllers.history;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.ControllerRevisionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.kybern.controllers.runtime.Owners;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.function.Predicate;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The ControllerRevisions of one owner (a DaemonSet or StatefulSet), read live from the API so a sync never
 * acts on a lagging cache of revisions: claiming them by selector, finding or creating the revision of the
 * owner's current template, and pruning old ones.
 *
 * <p>Stateless apart from its client; safe for concurrent use on different owners.
 */
public final class ControllerHistory {

    /** The label naming a revision's hash, on revisions and on the pods made from them. */
    public static final String HASH_LABEL = "controller-revision-hash";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /**
     * The revision of the owner's current template and the owner's whole history after this sync.
     *
     * @param current        the revision holding the owner's template now (Kubernetes' "update revision")
     * @param history        every revision the owner controls, oldest first, {@code current} included
     * @param collisionCount the owner's {@code status.collisionCount} after any name collision met
     */
    public record Snapshot(ControllerRevision current, List<ControllerRevision> history, int collisionCount) {
    }

    private final KubernetesClient client;

    public ControllerHistory(KubernetesClient client) {
        this.client = client;
    }

    /**
     * The owner's revisions, oldest first, after adopting orphans its selector matches (only while the
     * owner, read afresh, is alive) and releasing owned ones that stopped matching, as with pods.
     */
    public List<ControllerRevision> claim(HasMetadata owner, Predicate<Map<String, String>> selector) {
        String uid = owner.getMetadata().getUid();
        List<ControllerRevision> owned = new ArrayList<>();
        Boolean mayAdopt = null;
        for (ControllerRevision revision : client.resources(ControllerRevision.class)
                .inNamespace(owner.getMetadata().getNamespace()).list().getItems()) {
            Optional<OwnerReference> controller = Owners.controllerOf(revision);
            boolean matches = selector.test(revision.getMetadata().getLabels());
            if (controller.isPresent()) {
                if (!uid.equals(controller.get().getUid())) {
                    continue;
                }
                if (matches || Owners.deleting(owner)) {
                    owned.add(revision);
                } else {
                    setOwnerReferences(revision, Owners.references(revision).stream()
                            .filter(ref -> !uid.equals(ref.getUid())).toList());
                }
            } else if (matches && !Owners.deleting(revision) && !Owners.deleting(owner)) {
                if (mayAdopt == null) {
                    HasMetadata fresh = client.resource(owner).get();
                    mayAdopt = fresh != null && uid.equals(fresh.getMetadata().getUid()) && !Owners.deleting(fresh);
                }
                if (mayAdopt) {
                    List<OwnerReference> refs = new ArrayList<>(Owners.references(revision));
                    refs.add(Owners.controllerReference(owner));
                    setOwnerReferences(revision, refs).ifPresent(owned::add);
                }
            }
        }
        owned.sort(BY_REVISION);
        return owned;
    }

    private static final Comparator<ControllerRevision> BY_REVISION = Comparator
            .comparingLong((ControllerRevision r) -> r.getRevision() == null ? 0 : r.getRevision())
            .thenComparing(r -> r.getMetadata().getName());

    /**
     * The revision holding {@code data}, as Kubernetes finds it: an existing one with the same data (the
     * newest such) is reused, renumbered to come last if it is not the newest revision (a rollback);
     * otherwise a new one numbered after the newest is created, named {@code <owner>-<hash>}, where
     * {@code hash} is asked of {@code hashFor} with the collision count, which grows while the name is
     * taken by a revision holding other data.
     *
     * @param labels the revision's labels (the template's, to which the hash label is added)
     */
    public Snapshot snapshot(HasMetadata owner, List<ControllerRevision> owned, byte[] data,
            Map<String, String> labels, int collisionCount, IntFunction<String> hashFor) {
        List<ControllerRevision> history = new ArrayList<>(owned);
        long newest = history.isEmpty() ? 0 : Objects.requireNonNullElse(history.getLast().getRevision(), 0L);
        ControllerRevision equal = null;
        for (ControllerRevision revision : history) {
            if (RevisionData.holds(revision, data)) {
                equal = revision;
            }
        }
        if (equal != null) {
            if (equal == history.getLast()) {
                return new Snapshot(equal, history, collisionCount);
            }
            ControllerRevision renumbered = renumber(equal, newest + 1);
            history.remove(equal);
            history.add(renumbered);
            return new Snapshot(renumbered, history, collisionCount);
        }
        int collisions = collisionCount;
        while (true) {
            String hash = hashFor.apply(collisions);
            ControllerRevision revision = newRevision(owner, data, labels, hash, newest + 1);
            try {
                ControllerRevision created = client.resource(revision).create();
                history.add(created);
                return new Snapshot(created, history, collisions);
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
                ControllerRevision existing = client.resources(ControllerRevision.class)
                        .inNamespace(owner.getMetadata().getNamespace())
                        .withName(revision.getMetadata().getName()).get();
                if (existing != null && RevisionData.holds(existing, data) && Owners.controllerOf(existing)
                        .map(ref -> ref.getUid().equals(owner.getMetadata().getUid())).orElse(false)) {
                    history.add(existing);
                    return new Snapshot(existing, history, collisions);
                }
                collisions++; // the name is someone else's: a new collision count makes a new name
            }
        }
    }

    /**
     * Deletes the oldest revisions beyond {@code limit}, never one in {@code inUse} (the revisions live pods
     * or the owner's status still name).
     */
    public void prune(List<ControllerRevision> history, Set<String> inUse, int limit) {
        List<ControllerRevision> unused = history.stream()
                .filter(revision -> !inUse.contains(revision.getMetadata().getName())).toList();
        for (int i = 0; i < unused.size() - Math.max(0, limit); i++) {
            try {
                client.resource(unused.get(i)).delete();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 404) {
                    throw e;
                }
            }
        }
    }

    /** The newest revision number in the history, 0 if there is none. */
    public static long newestRevision(List<ControllerRevision> history) {
        return history.stream().mapToLong(r -> Objects.requireNonNullElse(r.getRevision(), 0L)).max().orElse(0);
    }

    private static ControllerRevision newRevision(HasMetadata owner, byte[] data, Map<String, String> labels,
            String hash, long number) {
        Map<String, String> withHash = new HashMap<>(labels == null ? Map.of() : labels);
        withHash.put(HASH_LABEL, hash);
        return new ControllerRevisionBuilder()
                .withNewMetadata()
                .withName(revisionName(owner.getMetadata().getName(), hash))
                .withNamespace(owner.getMetadata().getNamespace())
                .withLabels(withHash)
                .withAnnotations(owner.getMetadata().getAnnotations())
                .withOwnerReferences(Owners.controllerReference(owner))
                .endMetadata()
                .withData(RevisionData.asField(data))
                .withRevision(number)
                .build();
    }

    /** {@code <owner>-<hash>}, the owner's name cut so the whole stays a valid name, as Kubernetes does. */
    static String revisionName(String owner, String hash) {
        int room = 253 - hash.length() - 1;
        return (owner.length() > room ? owner.substring(0, room) : owner) + "-" + hash;
    }

    private ControllerRevision renumber(ControllerRevision revision, long number) {
        ObjectNode patch = JSON.createObjectNode();
        patch.put("revision", number);
        return client.resources(ControllerRevision.class).inNamespace(revision.getMetadata().getNamespace())
                .resource(revision)
                .patch(PatchContext.of(PatchType.JSON_MERGE), JSON.writeValueAsString(patch));
    }

    /** A merge patch of ownerReferences, refused if the revision changed since it was read. */
    private Optional<ControllerRevision> setOwnerReferences(ControllerRevision revision, List<OwnerReference> refs) {
        ObjectNode patch = JSON.createObjectNode();
        ObjectNode metadata = patch.putObject("metadata");
        metadata.put("resourceVersion", revision.getMetadata().getResourceVersion());
        ArrayNode array = metadata.putArray("ownerReferences");
        refs.forEach(ref -> array.add(JSON.valueToTree(ref)));
        try {
            return Optional.of(client.resources(ControllerRevision.class)
                    .inNamespace(revision.getMetadata().getNamespace()).resource(revision)
                    .patch(PatchContext.of(PatchType.JSON_MERGE), JSON.writeValueAsString(patch)));
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404 || e.getCode() == 409) {
                return Optional.empty();
            }
            throw e;
        }
    }
}
