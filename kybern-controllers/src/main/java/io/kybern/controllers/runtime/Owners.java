package io.kybern.controllers.runtime;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import java.util.List;
import java.util.Optional;

/** Reading and making ownerReferences, the edges of the garbage collector's graph. */
public final class Owners {

    private Owners() {
    }

    /** The reference with {@code controller: true}, if any: the one owner that manages the object. */
    public static Optional<OwnerReference> controllerOf(HasMetadata object) {
        return references(object).stream().filter(ref -> Boolean.TRUE.equals(ref.getController())).findFirst();
    }

    public static List<OwnerReference> references(HasMetadata object) {
        List<OwnerReference> refs = object.getMetadata().getOwnerReferences();
        return refs == null ? List.of() : refs;
    }

    /**
     * A reference naming {@code owner} as the controller of a dependent, blocking the owner's foreground
     * deletion until the dependent is gone: what every Kubernetes workload controller sets.
     */
    public static OwnerReference controllerReference(HasMetadata owner) {
        return new OwnerReferenceBuilder().withApiVersion(owner.getApiVersion()).withKind(owner.getKind())
                .withName(owner.getMetadata().getName()).withUid(owner.getMetadata().getUid())
                .withController(true).withBlockOwnerDeletion(true).build();
    }

    public static boolean deleting(HasMetadata object) {
        return object.getMetadata().getDeletionTimestamp() != null;
    }
}
