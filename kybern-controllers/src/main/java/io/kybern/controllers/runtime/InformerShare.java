package io.kybern.controllers.runtime;

import io.fabric8.kubernetes.client.informers.ExceptionHandler;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Indexer;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import io.fabric8.kubernetes.client.informers.cache.Store;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * One component's share of an informer of {@link SharedInformers}: the informer as that component sees it. It
 * remembers the handlers and indexers the component added, and {@link #stop} (or {@link #close}) removes
 * them and gives the share back, leaving the informer running for the other shares; the last share given
 * back stops it. The cache and the state queries ({@link #isRunning}, {@link #hasSynced}, {@link #stopped}...)
 * are the shared informer's. How the informer is built (its item store, initial state, exception handler)
 * is decided by {@link SharedInformers} for every share, so those setters are refused.
 */
final class InformerShare<T> implements SharedIndexInformer<T> {

    private final SharedInformers owner;
    private final SharedIndexInformer<T> informer;
    /** Guarded by this. */
    private final List<ResourceEventHandler<? super T>> handlers = new ArrayList<>();
    /** Guarded by this. */
    private final Set<String> indexers = new HashSet<>();
    /** Guarded by this. */
    private boolean returned;

    InformerShare(SharedInformers owner, SharedIndexInformer<T> informer) {
        this.owner = owner;
        this.informer = informer;
    }

    private void ensureHeld() {
        if (returned) {
            throw new IllegalStateException("this share of the " + informer.getApiTypeClass().getSimpleName()
                    + " informer was given back");
        }
    }

    @Override
    public synchronized SharedIndexInformer<T> addEventHandler(ResourceEventHandler<? super T> handler) {
        ensureHeld();
        handlers.add(handler);
        informer.addEventHandler(handler);
        return this;
    }

    @Override
    public synchronized SharedIndexInformer<T> addEventHandlerWithResyncPeriod(ResourceEventHandler<? super T> handler,
            long resyncPeriod) {
        ensureHeld();
        handlers.add(handler);
        informer.addEventHandlerWithResyncPeriod(handler, resyncPeriod);
        return this;
    }

    @Override
    public synchronized SharedIndexInformer<T> removeEventHandler(ResourceEventHandler<? super T> handler) {
        if (handlers.remove(handler)) {
            informer.removeEventHandler(handler);
        }
        return this;
    }

    /** Indexers are the cache's, so their names must differ between the components sharing it. */
    @Override
    public synchronized SharedIndexInformer<T> addIndexers(Map<String, Function<T, List<String>>> added) {
        ensureHeld();
        informer.addIndexers(added);
        indexers.addAll(added.keySet());
        return this;
    }

    /** Only an indexer this share added: the others' belong to the other components. */
    @Override
    public synchronized SharedIndexInformer<T> removeIndexer(String name) {
        if (!indexers.remove(name)) {
            throw new IllegalArgumentException("indexer " + name + " was not added through this share");
        }
        informer.removeIndexer(name);
        return this;
    }

    @Override
    public Indexer<T> getIndexer() {
        return informer.getIndexer();
    }

    @Override
    public Store<T> getStore() {
        return informer.getStore();
    }

    /** Starts the shared informer unless another share did; completes once it has listed its kind. */
    @Override
    public synchronized CompletionStage<Void> start() {
        ensureHeld();
        return informer.start();
    }

    @Override
    public SharedIndexInformer<T> run() {
        start().toCompletableFuture().join();
        return this;
    }

    /** Removes this share's handlers and indexers and gives it back; the informer stops with its last share. */
    @Override
    public void stop() {
        synchronized (this) {
            if (returned) {
                return;
            }
            returned = true;
            handlers.forEach(informer::removeEventHandler);
            handlers.clear();
            indexers.forEach(informer::removeIndexer);
            indexers.clear();
        }
        owner.returned(informer);
    }

    @Override
    public boolean hasSynced() {
        return informer.hasSynced();
    }

    @Override
    public String lastSyncResourceVersion() {
        return informer.lastSyncResourceVersion();
    }

    @Override
    public boolean isRunning() {
        return informer.isRunning();
    }

    @Override
    public boolean isWatching() {
        return informer.isWatching();
    }

    @Override
    public Class<T> getApiTypeClass() {
        return informer.getApiTypeClass();
    }

    @Override
    public CompletionStage<Void> stopped() {
        return informer.stopped();
    }

    @Override
    public SharedIndexInformer<T> initialState(Stream<T> items) {
        throw new UnsupportedOperationException("a shared informer's initial state is not a component's to set");
    }

    @Override
    public SharedIndexInformer<T> itemStore(ItemStore<T> itemStore) {
        throw new UnsupportedOperationException("a shared informer's item store is not a component's to set");
    }

    @Override
    public SharedIndexInformer<T> exceptionHandler(ExceptionHandler handler) {
        throw new UnsupportedOperationException("a shared informer's exception handler is not a component's to set");
    }

    @Override
    public String toString() {
        return "share of the " + informer.getApiTypeClass().getSimpleName() + " informer";
    }
}
