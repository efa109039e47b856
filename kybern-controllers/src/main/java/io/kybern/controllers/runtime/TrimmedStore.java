package io.kybern.controllers.runtime;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import java.util.stream.Stream;

/**
 * An informer's cache that drops each object's {@code metadata.managedFields} as it is stored, as the
 * informers of Kubernetes' controller manager and scheduler do (their shared informer factories strip them
 * with a transform): no controller reads them, and in fabric8's model each object's field sets are trees of
 * maps, the largest part of a cached pod. The objects handlers receive are the stored ones, without them too.
 *
 * <p>ConfigMaps and Secrets are kept as metadata only, their contents dropped: the resource quota controller
 * counts them and the garbage collector follows their owners, as Kubernetes' do through metadata-only
 * informers; no controller here reads what they hold. Kept whole, every ConfigMap and Secret of the cluster
 * would stay in the controllers' memory a second time (the watch cache has them), secrets' values included.
 * A controller that needs their contents must read them from the API, or change this.
 *
 * <p>The empty maps of unknown fields every fabric8 object carries are replaced by one shared map
 * ({@link SharedEmptyExtras}).
 */
final class TrimmedStore<T extends HasMetadata> implements ItemStore<T> {

    private final BasicItemStore<T> objects = new BasicItemStore<>(Cache::metaNamespaceKeyFunc);

    @Override
    public String getKey(T object) {
        return objects.getKey(object);
    }

    @Override
    public T put(String key, T object) {
        if (object.getMetadata() != null) {
            object.getMetadata().setManagedFields(null);
        }
        if (object instanceof ConfigMap configMap) {
            configMap.setData(null);
            configMap.setBinaryData(null);
        } else if (object instanceof Secret secret) {
            secret.setData(null);
            secret.setStringData(null);
        }
        SharedEmptyExtras.share(object);
        return objects.put(key, object);
    }

    @Override
    public T remove(String key) {
        return objects.remove(key);
    }

    @Override
    public Stream<String> keySet() {
        return objects.keySet();
    }

    @Override
    public Stream<T> values() {
        return objects.values();
    }

    @Override
    public int size() {
        return objects.size();
    }

    @Override
    public T get(String key) {
        return objects.get(key);
    }
}
