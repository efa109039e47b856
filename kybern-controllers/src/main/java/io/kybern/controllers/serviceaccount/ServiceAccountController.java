package io.kybern.controllers.serviceaccount;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.kybern.controllers.runtime.ObjectKey;
import io.kybern.controllers.runtime.Owners;
import io.kybern.controllers.runtime.Reconciler;
import java.util.function.Consumer;

/**
 * Gives every active namespace its {@code default} ServiceAccount, and gives it back when it is deleted,
 * as Kubernetes' service account controller does. Keys are namespaces.
 */
public final class ServiceAccountController implements Reconciler<ObjectKey> {

    static final String DEFAULT = "default";

    private final KubernetesClient client;
    private final SharedIndexInformer<Namespace> namespaces;
    private final SharedIndexInformer<ServiceAccount> serviceAccounts;

    public ServiceAccountController(KubernetesClient client, SharedIndexInformer<Namespace> namespaces,
            SharedIndexInformer<ServiceAccount> serviceAccounts) {
        this.client = client;
        this.namespaces = namespaces;
        this.serviceAccounts = serviceAccounts;
    }

    public void watch(Consumer<ObjectKey> enqueue) {
        namespaces.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Namespace namespace) {
                enqueue.accept(ObjectKey.of(namespace));
            }

            @Override
            public void onUpdate(Namespace before, Namespace after) {
            }

            @Override
            public void onDelete(Namespace namespace, boolean finalStateUnknown) {
            }
        });
        serviceAccounts.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(ServiceAccount account) {
            }

            @Override
            public void onUpdate(ServiceAccount before, ServiceAccount after) {
            }

            @Override
            public void onDelete(ServiceAccount account, boolean finalStateUnknown) {
                if (DEFAULT.equals(account.getMetadata().getName())) {
                    enqueue.accept(ObjectKey.clusterScoped(account.getMetadata().getNamespace()));
                }
            }
        });
    }

    @Override
    public Result reconcile(ObjectKey key) {
        Namespace namespace = namespaces.getStore().getByKey(key.cacheKey());
        if (namespace == null || Owners.deleting(namespace)
                || (namespace.getStatus() != null && "Terminating".equals(namespace.getStatus().getPhase()))) {
            return Result.done();
        }
        String name = namespace.getMetadata().getName();
        if (serviceAccounts.getStore().getByKey(name + "/" + DEFAULT) != null) {
            return Result.done();
        }
        try {
            client.serviceAccounts().inNamespace(name).resource(new ServiceAccountBuilder().withNewMetadata()
                    .withName(DEFAULT).withNamespace(name).endMetadata().build()).create();
        } catch (KubernetesClientException e) {
            // 409: it exists and the cache has yet to see it; 403/404: the namespace is going or gone.
            if (e.getCode() != 409 && e.getCode() != 403 && e.getCode() != 404) {
                throw e;
            }
        }
        return Result.done();
    }
}
