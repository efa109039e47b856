package io.kybern.controllers.endpoints;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.kybern.controllers.runtime.ObjectKey;
import io.kybern.controllers.runtime.Selectors;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Turns Service and pod events into the keys of the Services whose endpoints they may change: a Service's
 * own events, and a pod's for every Service of its namespace whose selector matches the pod before or after
 * the change. Shared by both endpoint controllers, which differ only in what they write.
 */
final class ServiceTriggers {

    private ServiceTriggers() {
    }

    static void watch(SharedIndexInformer<Service> services, SharedIndexInformer<Pod> pods,
            Consumer<ObjectKey> enqueue) {
        services.addEventHandler(new ResourceEventHandler<Service>() {
            @Override
            public void onAdd(Service service) {
                enqueue.accept(ObjectKey.of(service));
            }

            @Override
            public void onUpdate(Service before, Service after) {
                enqueue.accept(ObjectKey.of(after));
            }

            @Override
            public void onDelete(Service service, boolean finalStateUnknown) {
                enqueue.accept(ObjectKey.of(service));
            }
        });
        pods.addEventHandler(new ResourceEventHandler<Pod>() {
            @Override
            public void onAdd(Pod pod) {
                selecting(services, pod.getMetadata().getNamespace(), pod.getMetadata().getLabels(), enqueue);
            }

            @Override
            public void onUpdate(Pod before, Pod after) {
                if (before.getMetadata().getResourceVersion().equals(after.getMetadata().getResourceVersion())) {
                    return; // a resync, nothing changed
                }
                selecting(services, after.getMetadata().getNamespace(), after.getMetadata().getLabels(), enqueue);
                if (!Objects.equals(before.getMetadata().getLabels(), after.getMetadata().getLabels())) {
                    selecting(services, before.getMetadata().getNamespace(), before.getMetadata().getLabels(),
                            enqueue);
                }
            }

            @Override
            public void onDelete(Pod pod, boolean finalStateUnknown) {
                selecting(services, pod.getMetadata().getNamespace(), pod.getMetadata().getLabels(), enqueue);
            }
        });
    }

    private static void selecting(SharedIndexInformer<Service> services, String namespace,
            Map<String, String> labels, Consumer<ObjectKey> enqueue) {
        for (Service service : services.getIndexer().byIndex(Cache.NAMESPACE_INDEX, namespace)) {
            if (ServicePods.selects(service) && Selectors.ofMap(service.getSpec().getSelector()).test(labels)) {
                enqueue.accept(ObjectKey.of(service));
            }
        }
    }
}
