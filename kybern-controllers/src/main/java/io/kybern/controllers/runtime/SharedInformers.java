package io.kybern.controllers.runtime;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One fabric8 informer per kind for every component of a process that watches that kind: the controller
 * manager and the scheduler of one server keep one cache of the pods (and of the nodes, claims...) between
 * them rather than one each. Each component takes its own {@link InformerShare} of a kind's informer through
 * its {@link Informers}: the informer is created by the first share, started by the first share started,
 * and stopped when the last share is returned, so components that start and stop apart (each under its own
 * leader election) never stop one another's informer. A share added after the informer started gets an add
 * for every object already cached, as a component with its own informer would get from its first list.
 *
 * <p>The caches keep objects without their managedFields ({@link TrimmedStore}), and objects are shared:
 * handlers must not change them (no controller or scheduler does; they copy before they write).
 */
public final class SharedInformers implements AutoCloseable {

    private final KubernetesClient client;
    /** Guarded by this: the informers of kinds with at least one share, and how many shares each has. */
    private final Map<Class<?>, Shared> byKind = new HashMap<>();
    private boolean closed;

    private static final class Shared {
        final SharedIndexInformer<?> informer;
        int shares;

        Shared(SharedIndexInformer<?> informer) {
            this.informer = informer;
        }
    }

    /** @param client the client the informers list and watch through; closed by its owner after this */
    public SharedInformers(KubernetesClient client) {
        this.client = client;
    }

    /** A new share of the kind's informer, which is created (not started) if no share of it is held. */
    @SuppressWarnings("unchecked")
    synchronized <T extends HasMetadata> InformerShare<T> share(Class<T> kind) {
        if (closed) {
            throw new IllegalStateException("the shared informers are closed");
        }
        Shared shared = byKind.computeIfAbsent(kind, k -> new Shared(
                client.resources(kind).inAnyNamespace().runnableInformer(0).itemStore(new TrimmedStore<>())));
        shared.shares++;
        return new InformerShare<>(this, (SharedIndexInformer<T>) shared.informer);
    }

    /** A share was given back: the informer stops with its last share, and the next share gets a new one. */
    synchronized void returned(SharedIndexInformer<?> informer) {
        Shared shared = byKind.get(informer.getApiTypeClass());
        if (shared == null || shared.informer != informer) {
            return; // closed with this object meanwhile
        }
        if (--shared.shares == 0) {
            byKind.remove(informer.getApiTypeClass());
            informer.close();
        }
    }

    /**
     * Whether the kind's cache holds the object: for a caller that must know the components have seen it before
     * it acts (a test that creates a pod and then a ReplicaSet that should adopt it, say).
     */
    public boolean holds(Class<? extends HasMetadata> kind, String namespace, String name) {
        return cached(kind, namespace, name).isPresent();
    }

    /**
     * The object as the kind's cache holds it now, if it does: for a caller that must know which version of it the
     * components have seen. The cache's own object, read-only.
     */
    public synchronized <T extends HasMetadata> Optional<T> cached(Class<T> kind, String namespace, String name) {
        Shared shared = byKind.get(kind);
        if (shared == null) {
            return Optional.empty();
        }
        Object found = shared.informer.getStore().getByKey(namespace == null || namespace.isEmpty()
                ? name : namespace + "/" + name);
        return Optional.ofNullable(kind.cast(found));
    }

    /** How many shares of the kind's informer are held (0: it is not running). */
    public synchronized int shares(Class<? extends HasMetadata> kind) {
        Shared shared = byKind.get(kind);
        return shared == null ? 0 : shared.shares;
    }

    /** Stops every informer, shares held or not; no share can be taken after. */
    @Override
    public synchronized void close() {
        closed = true;
        byKind.values().forEach(shared -> shared.informer.close());
        byKind.clear();
    }
}
