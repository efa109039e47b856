package io.kybern.controllers.runtime;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Objects;

/**
 * What a reconciler is asked to converge: one object by namespace and name ({@code ""} namespace for
 * cluster-scoped kinds). Keys, not objects, travel through the work queue, so a reconciler always reads
 * the latest state instead of the state at the time of the event.
 */
public record ObjectKey(String namespace, String name) {

    public ObjectKey {
        namespace = namespace == null ? "" : namespace;
        Objects.requireNonNull(name, "name");
    }

    public static ObjectKey of(HasMetadata object) {
        return new ObjectKey(object.getMetadata().getNamespace(), object.getMetadata().getName());
    }

    public static ObjectKey clusterScoped(String name) {
        return new ObjectKey("", name);
    }

    /** The informer cache's key: {@code namespace/name}, or the name alone when cluster-scoped. */
    public String cacheKey() {
        return namespace.isEmpty() ? name : namespace + "/" + name;
    }

    @Override
    public String toString() {
        return cacheKey();
    }
}
