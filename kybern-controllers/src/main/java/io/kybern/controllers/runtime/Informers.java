package io.kybern.controllers.runtime;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One component's informers: one per kind, across all namespaces, shared by every controller of the component
 * that asks for that kind, so one list and one watch per kind however many controllers read it. Controllers
 * register their handlers before {@link #startAll}, which returns once every cache has its first list. Each
 * informer is a share of one of {@link SharedInformers}: the component's own, or the process's, which the
 * controller manager and the scheduler of one server use together. {@link #close} gives the shares back,
 * with the handlers and indexers the component added. The caches keep objects without their managedFields
 * ({@link TrimmedStore}).
 */
public final class Informers implements AutoCloseable {

    private final SharedInformers shared;
    /** Whether {@link #shared} is this component's alone, closed with it. */
    private final boolean ownsShared;
    private final Map<Class<?>, SharedIndexInformer<?>> byKind = new ConcurrentHashMap<>();
    /** Guarded by this: the kinds whose informers are started. */
    private final Set<Class<?>> startedKinds = new HashSet<>();
    /**
     * Guarded by this: the started informers by group resource ({@code plural} or {@code plural.group}); of two
     * kinds of one resource (two versions), the first started.
     */
    private final Map<String, SharedIndexInformer<?>> startedByResource = new HashMap<>();

    /** Informers of this component's own, listing and watching through {@code client}. */
    public Informers(KubernetesClient client) {
        this(new SharedInformers(client), true);
    }

    /** This component's shares of informers other components of the process use too. */
    public Informers(SharedInformers shared) {
        this(shared, false);
    }

    private Informers(SharedInformers shared, boolean ownsShared) {
        this.shared = shared;
        this.ownsShared = ownsShared;
    }

    /** The informer of that kind, a share taken on first request (the informer may not be running yet). */
    @SuppressWarnings("unchecked")
    public <T extends HasMetadata> SharedIndexInformer<T> of(Class<T> kind) {
        return (SharedIndexInformer<T>) byKind.computeIfAbsent(kind, k -> shared.share(kind));
    }

    /**
     * The started informer of the resource {@code plural} or {@code plural.group} (a discovery group
     * resource), if a controller asked for that kind: a client that reads only what every version shares
     * (metadata, say) can add its handler to it rather than watch the kind a second time.
     */
    @SuppressWarnings("unchecked")
    public synchronized Optional<SharedIndexInformer<? extends HasMetadata>> started(String groupResource) {
        return Optional.ofNullable((SharedIndexInformer<? extends HasMetadata>) startedByResource.get(groupResource));
    }

    private static String groupResource(Class<? extends HasMetadata> kind) {
        String group = HasMetadata.getGroup(kind);
        String plural = HasMetadata.getPlural(kind);
        return group.isEmpty() ? plural : plural + "." + group;
    }

    /** Starts every informer not started yet and waits until each has listed its kind once. */
    public synchronized void startAll(Duration timeout) {
        List<CompletableFuture<Void>> lists = new ArrayList<>();
        for (Map.Entry<Class<?>, SharedIndexInformer<?>> kind : byKind.entrySet()) {
            if (startedKinds.add(kind.getKey())) {
                @SuppressWarnings("unchecked")
                String resource = groupResource((Class<? extends HasMetadata>) kind.getKey());
                startedByResource.putIfAbsent(resource, kind.getValue());
                lists.add(kind.getValue().start().toCompletableFuture());
            }
        }
        try {
            CompletableFuture.allOf(lists.toArray(CompletableFuture[]::new)).get(timeout.toMillis(),
                    TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while informers listed", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("informers did not list in " + timeout, e);
        }
    }

    /** Gives every share back (the informers no other component holds stop). */
    @Override
    public synchronized void close() {
        for (SharedIndexInformer<?> informer : byKind.values()) {
            informer.close();
        }
        byKind.clear();
        startedKinds.clear();
        startedByResource.clear();
        if (ownsShared) {
            shared.close();
        }
    }
}
