package io.kybern.controllers.gc;

import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import io.fabric8.kubernetes.client.informers.cache.ReducedStateItemStore;
import io.kybern.controllers.runtime.ApiResources;
import io.kybern.controllers.runtime.Reconciler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Kubernetes' garbage collector: watches every resource discovery lists (built-in and custom, those
 * that can be listed, watched and deleted), keeps the graph of ownerReferences by uid, and per object:
 * <ul>
 * <li>deletes it when every owner it names is gone (background cascading deletion), or removes the
 * references to the owners that are gone when some remain;</li>
 * <li>for an owner being deleted with the {@code orphan} finalizer, removes the references to it from
 * its dependents, then the finalizer;</li>
 * <li>for an owner being deleted with the {@code foregroundDeletion} finalizer, deletes its
 * dependents (in the foreground those that block it), and removes the finalizer once no dependent with
 * {@code blockOwnerDeletion} is left.</li>
 * </ul>
 * The queue carries uids. Informer threads only update the graph and enqueue; workers act.
 *
 * <p>It reads only metadata, the same in every version, so where the other controllers already watch a
 * kind it adds its handler to their informer instead of watching that kind a second time (as Kubernetes'
 * collector shares the controller manager's informers): each change of a ConfigMap or a Pod is then sent,
 * decoded and kept once in this process rather than twice.
 */
public final class GarbageCollector implements Reconciler<String>, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(GarbageCollector.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** Events own nothing and are owned by nothing, and there are many: Kubernetes ignores them too. */
    private static final Duration NEW_KINDS_SYNC_TIMEOUT = Duration.ofSeconds(10);
    private static final Set<String> IGNORED = Set.of("events", "events.events.k8s.io");
    /** What the graph reads of an object beyond its namespace, name and resourceVersion (see GraphNode.of). */
    private static final String[] GRAPH_FIELDS = {"metadata.uid", "metadata.ownerReferences",
        "metadata.deletionTimestamp", "metadata.finalizers"};

    private final KubernetesClient client;
    private final Map<String, GraphNode> nodes = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> dependentsByOwner = new ConcurrentHashMap<>();
    private final Function<String, Optional<SharedIndexInformer<? extends HasMetadata>>> shared;
    /** The collector's own informers, by group resource. */
    private final Map<String, SharedIndexInformer<GenericKubernetesResource>> informers = new ConcurrentHashMap<>();
    /** The other controllers' informers it listens to, by group resource, with its handler on each. */
    private final Map<String, SharedHandler> sharedInformers = new ConcurrentHashMap<>();
    private volatile ApiResources resources;
    private Consumer<String> enqueue = uid -> {
    };

    private record SharedHandler(SharedIndexInformer<? extends HasMetadata> informer,
            ResourceEventHandler<HasMetadata> handler) {
    }

    /**
     * @param shared the started informer of a group resource ({@code plural} or {@code plural.group}) that
     *               other controllers keep, if any; the collector listens to it instead of watching the kind
     *               itself, and leaves it running when it closes
     */
    public GarbageCollector(KubernetesClient client,
            Function<String, Optional<SharedIndexInformer<? extends HasMetadata>>> shared) {
        this.client = client;
        this.shared = shared;
    }

    /**
     * Reads discovery and watches every resource not watched yet; called at start and again from time to
     * time so custom resources defined later are collected too. Returns once the new informers listed.
     */
    public synchronized void watchDiscoveredResources(Consumer<String> enqueue, Duration timeout) throws Exception {
        this.enqueue = enqueue;
        ApiResources discovered = ApiResources.discover(client);
        if (!discovered.failedGroupVersions().isEmpty()) {
            // Their objects are watched once the next rediscovery reads them.
            log.info("garbage collector skips groups discovery could not read groups={}",
                    discovered.failedGroupVersions());
        }
        resources = discovered;
        List<CompletableFuture<Void>> started = new ArrayList<>();
        for (ApiResources.Resource resource : discovered.all()) {
            if (IGNORED.contains(resource.groupResource()) || informers.containsKey(resource.groupResource())
                    || sharedInformers.containsKey(resource.groupResource())
                    || !resource.supports("list", "watch", "delete")) {
                continue;
            }
            Optional<SharedIndexInformer<? extends HasMetadata>> theirs = shared.apply(resource.groupResource());
            if (theirs.isPresent()) {
                // Already listed: adding a handler replays its cache to it as additions.
                ResourceEventHandler<HasMetadata> handler = handler(resource);
                theirs.get().addEventHandler(handler);
                sharedInformers.put(resource.groupResource(), new SharedHandler(theirs.get(), handler));
                continue;
            }
            SharedIndexInformer<GenericKubernetesResource> informer = client.genericKubernetesResources(
                    resource.context()).inAnyNamespace().runnableInformer(0).itemStore(metadataStore());
            informer.addEventHandler(handler(resource));
            informers.put(resource.groupResource(), informer);
            started.add(informer.start().toCompletableFuture());
        }
        CompletableFuture.allOf(started.toArray(CompletableFuture[]::new))
                .get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /**
     * The caches of the collector's own informers keep only what a {@link GraphNode} reads, as Kubernetes'
     * collector watches through metadata-only informers: whole generic copies of objects are maps of maps.
     */
    private ItemStore<GenericKubernetesResource> metadataStore() {
        return new ReducedStateItemStore<>(ReducedStateItemStore.NAME_KEY_STATE, GenericKubernetesResource.class,
                client.getKubernetesSerialization(), GRAPH_FIELDS);
    }

    private ResourceEventHandler<HasMetadata> handler(ApiResources.Resource resource) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(HasMetadata object) {
                GraphNode node = GraphNode.of(resource, object);
                put(node, null);
                if (!node.owners().isEmpty() || node.deleting()) {
                    enqueue.accept(node.uid());
                }
            }

            @Override
            public void onUpdate(HasMetadata before, HasMetadata after) {
                GraphNode node = GraphNode.of(resource, after);
                GraphNode previous = put(node, GraphNode.of(resource, before));
                if (!node.sameForCollector(previous)) {
                    enqueue.accept(node.uid());
                }
            }

            @Override
            public void onDelete(HasMetadata object, boolean finalStateUnknown) {
                GraphNode node = GraphNode.of(resource, object);
                remove(node);
                // Its dependents may now be dangling; owners waiting in the foreground may now be free.
                dependentsByOwner.getOrDefault(node.uid(), Set.of()).forEach(enqueue);
                node.owners().forEach(owner -> enqueue.accept(owner.getUid()));
            }
        };
    }

    private GraphNode put(GraphNode node, GraphNode before) {
        GraphNode previous = nodes.put(node.uid(), node);
        GraphNode old = previous != null ? previous : before;
        if (old != null) {
            old.owners().forEach(owner -> dependentsOf(owner.getUid()).remove(old.uid()));
        }
        node.owners().forEach(owner -> dependentsOf(owner.getUid()).add(node.uid()));
        return old;
    }

    private void remove(GraphNode node) {
        nodes.remove(node.uid());
        node.owners().forEach(owner -> {
            Set<String> dependents = dependentsByOwner.get(owner.getUid());
            if (dependents != null) {
                dependents.remove(node.uid());
            }
        });
    }

    private Set<String> dependentsOf(String ownerUid) {
        return dependentsByOwner.computeIfAbsent(ownerUid, uid -> ConcurrentHashMap.newKeySet());
    }

    @Override
    public Result reconcile(String uid) {
        GraphNode node = nodes.get(uid);
        if (node == null) {
            return Result.done();
        }
        if (node.orphaningDependents()) {
            orphanDependents(node);
            return Result.done();
        }
        if (node.deletingDependents()) {
            deleteDependentsFirst(node);
            return Result.done();
        }
        if (!node.owners().isEmpty() && !node.deleting()) {
            collectIfOwnersGone(node);
        }
        return Result.done();
    }

    // --- an owner deleted with propagationPolicy Orphan ---

    private void orphanDependents(GraphNode owner) {
        for (GraphNode dependent : dependents(owner.uid())) {
            List<OwnerReference> kept = dependent.owners().stream()
                    .filter(ref -> !owner.uid().equals(ref.getUid())).toList();
            patchOwnerReferences(dependent, kept);
        }
        removeFinalizer(owner, GraphNode.ORPHAN);
    }

    // --- an owner deleted with propagationPolicy Foreground ---

    private void deleteDependentsFirst(GraphNode owner) {
        boolean blocked = false;
        for (GraphNode dependent : dependents(owner.uid())) {
            boolean blocks = referenceTo(dependent, owner.uid()).map(OwnerReference::getBlockOwnerDeletion)
                    .orElse(false);
            blocked |= blocks;
            if (!dependent.deleting()) {
                delete(dependent, blocks ? DeletionPropagation.FOREGROUND : DeletionPropagation.BACKGROUND);
            }
        }
        if (!blocked) {
            removeFinalizer(owner, GraphNode.FOREGROUND);
        }
    }

    // --- a dependent whose owners may be gone ---

    private void collectIfOwnersGone(GraphNode node) {
        List<OwnerReference> remaining = new ArrayList<>();
        boolean ownerDeletingInForeground = false;
        for (OwnerReference ref : node.owners()) {
            Optional<GraphNode> owner = findOwner(ref);
            if (owner.isPresent()) {
                remaining.add(ref);
                ownerDeletingInForeground |= owner.get().deletingDependents()
                        && Boolean.TRUE.equals(ref.getBlockOwnerDeletion());
            } else if (ownerExistsLive(node, ref)) {
                remaining.add(ref);
            }
        }
        if (remaining.isEmpty()) {
            log.info("deleting object whose owners are gone object={}", node);
            delete(node, DeletionPropagation.BACKGROUND);
        } else if (remaining.size() < node.owners().size()) {
            patchOwnerReferences(node, remaining);
        } else if (ownerDeletingInForeground) {
            // The owner waits for this dependent: hand the foreground deletion down.
            delete(node, DeletionPropagation.FOREGROUND);
        }
    }

    private Optional<GraphNode> findOwner(OwnerReference ref) {
        GraphNode owner = nodes.get(ref.getUid());
        if (owner == null || !owner.name().equals(ref.getName())) {
            return Optional.empty();
        }
        return Optional.of(owner);
    }

    /**
     * Asks the server whether an owner missing from the graph exists (its kind may not be watched, or its
     * informer may lag): the same name with the same uid. A kind discovery did not list may have been
     * defined since (a custom resource): discovery is read again and the new kinds watched, so the
     * owner's deletion reaches its dependents later. An owner of a kind still unknown counts as present,
     * as Kubernetes keeps such dependents rather than guess.
     */
    private boolean ownerExistsLive(GraphNode dependent, OwnerReference ref) {
        Optional<ApiResources.Resource> resource = kindOf(ref);
        if (resource.isEmpty()) {
            try {
                watchDiscoveredResources(enqueue, NEW_KINDS_SYNC_TIMEOUT);
            } catch (Exception e) {
                // The dependent is tried again after a backoff.
                throw new IllegalStateException("could not watch the kinds discovery lists now", e);
            }
            resource = kindOf(ref);
        }
        if (resource.isEmpty()) {
            return true;
        }
        String namespace = resource.get().namespaced() ? dependent.namespace() : null;
        GenericKubernetesResource owner = client.genericKubernetesResources(resource.get().context())
                .inNamespace(namespace).withName(ref.getName()).get();
        return owner != null && ref.getUid().equals(owner.getMetadata().getUid());
    }

    private Optional<ApiResources.Resource> kindOf(OwnerReference ref) {
        ApiResources current = resources;
        return current == null ? Optional.empty() : current.byKind(ref.getApiVersion(), ref.getKind());
    }

    private List<GraphNode> dependents(String ownerUid) {
        List<GraphNode> dependents = new ArrayList<>();
        for (String uid : dependentsByOwner.getOrDefault(ownerUid, Set.of())) {
            GraphNode dependent = nodes.get(uid);
            if (dependent != null) {
                dependents.add(dependent);
            }
        }
        return dependents;
    }

    private static Optional<OwnerReference> referenceTo(GraphNode dependent, String ownerUid) {
        return dependent.owners().stream().filter(ref -> ownerUid.equals(ref.getUid())).findFirst();
    }

    // --- writes ---

    private Resource<GenericKubernetesResource> resourceOf(GraphNode node) {
        var resources = client.genericKubernetesResources(node.resource().context());
        return node.namespace().isEmpty() ? resources.withName(node.name())
                : resources.inNamespace(node.namespace()).withName(node.name());
    }

    /**
     * Deletes a dependent. A background delete is conditional on the version the graph holds, so an object
     * recreated under the same name is never hit (409 retries once the graph caught up); fabric8's DSL
     * cannot combine that precondition with the Foreground policy, so foreground deletes are not.
     */
    private void delete(GraphNode node, DeletionPropagation propagation) {
        try {
            if (propagation == DeletionPropagation.BACKGROUND) {
                resourceOf(node).lockResourceVersion(node.resourceVersion()).delete();
            } else {
                resourceOf(node).withPropagationPolicy(propagation).delete();
            }
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                throw e;
            }
        }
    }

    private void patchOwnerReferences(GraphNode node, List<OwnerReference> refs) {
        ObjectNode patch = JSON.createObjectNode();
        ObjectNode metadata = patch.putObject("metadata");
        metadata.put("resourceVersion", node.resourceVersion());
        if (refs.isEmpty()) {
            metadata.putNull("ownerReferences");
        } else {
            ArrayNode array = metadata.putArray("ownerReferences");
            refs.forEach(ref -> array.add(JSON.valueToTree(ref)));
        }
        patch(node, patch);
    }

    private void removeFinalizer(GraphNode node, String finalizer) {
        ObjectNode patch = JSON.createObjectNode();
        ObjectNode metadata = patch.putObject("metadata");
        metadata.put("resourceVersion", node.resourceVersion());
        ArrayNode array = metadata.putArray("finalizers");
        node.finalizers().stream().filter(f -> !f.equals(finalizer)).forEach(array::add);
        patch(node, patch);
    }

    /** A merge patch made against the version the graph holds: 409 retries once the graph caught up. */
    private void patch(GraphNode node, ObjectNode patch) {
        try {
            // resource(stub), not withName: fabric8 reads the object first for a patch by name.
            GenericKubernetesResource stub = new GenericKubernetesResourceBuilder().withNewMetadata()
                    .withName(node.name()).withNamespace(node.namespace().isEmpty() ? null : node.namespace())
                    .endMetadata().build();
            var resources = client.genericKubernetesResources(node.resource().context());
            (node.namespace().isEmpty() ? resources.resource(stub) : resources.inNamespace(node.namespace())
                    .resource(stub)).patch(PatchContext.of(PatchType.JSON_MERGE), JSON.writeValueAsString(patch));
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                throw e;
            }
        }
    }

    /** How many objects the graph holds, by resource: for logs and tests. */
    public Map<String, Integer> graphSize() {
        Map<String, Integer> sizes = new HashMap<>();
        nodes.values().forEach(node -> sizes.merge(node.resource().groupResource(), 1, Integer::sum));
        return sizes;
    }

    @Override
    public synchronized void close() {
        informers.values().forEach(informer -> {
            try {
                informer.close();
            } catch (RuntimeException e) {
                log.debug("informer close failed", e);
            }
        });
        informers.clear();
        sharedInformers.values().forEach(listening -> removeHandler(listening.informer(), listening.handler()));
        sharedInformers.clear();
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void removeHandler(SharedIndexInformer<? extends HasMetadata> informer,
            ResourceEventHandler<HasMetadata> handler) {
        ((SharedIndexInformer) informer).removeEventHandler(handler);
    }
}
