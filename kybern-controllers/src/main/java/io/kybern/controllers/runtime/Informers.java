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
 * One fabric8 {@link SharedIndexInformer} per kind, across all namespaces, shared by every controller
 * that asks for that kind: one list and one watch per kind however many controllers read it. Controllers
 * register their handlers before {@link #startAll}, which returns once every cache has its first list. The
 * caches keep objects without their managedFields ({@link TrimmedStore}).
 */
public final class Informers implements AutoCloseable {

    private final KubernetesClient client;
    private final Map<Class<?>, SharedIndexInformer<?>> byKind = new ConcurrentHashMap<>();
    /** Guarded by this: the kinds whose informers are started. */
    private final Set<Class<?>> startedKinds = new HashSet<>();
    /**
     * Guarded by this: the started informers by group resource ({@code plural} or {@code plural.group}); of two
     * kinds of one resource (two versions), the first started.
     */
    private final Map<String, SharedIndexInformer<?>> startedByResource = new HashMap<>();

    public Informers(KubernetesClient client) {
        this.client = client;
    }

    /** The informer of that kind, created (not yet running) on first request. */
    @SuppressWarnings("unchecked")
    public <T extends HasMetadata> SharedIndexInformer<T> of(Class<T> kind) {
        return (SharedIndexInformer<T>) byKind.computeIfAbsent(kind,
                k -> client.resources(kind).inAnyNamespace().runnableInformer(0).itemStore(new TrimmedStore<>()));
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

    @Override
    public synchronized void close() {
        for (SharedIndexInformer<?> informer : byKind.values()) {
            informer.close();
        }
        startedKinds.clear();
        startedByResource.clear();
    }
}
