package io.kybern.controllers.quota;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ReplicationController;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.api.model.ResourceQuotaStatusBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.kybern.controllers.runtime.ApiResources;
import io.kybern.controllers.runtime.ObjectKey;
import io.kybern.controllers.runtime.Reconciler;
import java.time.Duration;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Kubernetes' resource quota controller: writes each ResourceQuota's {@code status.hard} (a copy of
 * {@code spec.hard}) and {@code status.used} ({@link QuotaUsage}). A change to a pod, Service, claim,
 * ConfigMap, Secret, ReplicationController or quota recomputes the quotas of its namespace; every quota is
 * also recomputed every {@value #RESYNC_SECONDS} s, which is how {@code count/<resource>.<group>} of other
 * kinds (counted with a live list) catches up, as Kubernetes' full resync does.
 */
public final class ResourceQuotaController implements Reconciler<ObjectKey> {

    public static final String COMPONENT = "resourcequota-controller";
    static final long RESYNC_SECONDS = 30;

    private final KubernetesClient client;
    private final SharedIndexInformer<ResourceQuota> quotas;
    private final SharedIndexInformer<Pod> pods;
    private final SharedIndexInformer<Service> services;
    private final SharedIndexInformer<PersistentVolumeClaim> claims;
    private final Map<String, SharedIndexInformer<? extends HasMetadata>> counted;
    private final InstantSource clock;
    private volatile ApiResources discovery;

    /** The informers of the kinds whose changes move usage; {@code counted} are counted by quota name. */
    public ResourceQuotaController(KubernetesClient client, SharedIndexInformer<ResourceQuota> quotas,
            SharedIndexInformer<Pod> pods, SharedIndexInformer<Service> services,
            SharedIndexInformer<PersistentVolumeClaim> claims, SharedIndexInformer<ConfigMap> configMaps,
            SharedIndexInformer<Secret> secrets, SharedIndexInformer<ReplicationController> replicationControllers,
            InstantSource clock) {
        this.client = client;
        this.quotas = quotas;
        this.pods = pods;
        this.services = services;
        this.claims = claims;
        this.counted = Map.of("configmaps", configMaps, "secrets", secrets,
                "replicationcontrollers", replicationControllers, "resourcequotas", quotas);
        this.clock = clock;
    }

    /** Registers the handlers that enqueue quota keys; call before the informers start. */
    public void watch(Consumer<ObjectKey> enqueue) {
        quotas.addEventHandler(new ResourceEventHandler<ResourceQuota>() {
            @Override
            public void onAdd(ResourceQuota quota) {
                namespaceChanged(quota.getMetadata().getNamespace(), enqueue);
            }

            @Override
            public void onUpdate(ResourceQuota before, ResourceQuota after) {
                if (!before.getMetadata().getResourceVersion().equals(after.getMetadata().getResourceVersion())) {
                    enqueue.accept(ObjectKey.of(after));
                }
            }

            @Override
            public void onDelete(ResourceQuota quota, boolean finalStateUnknown) {
                namespaceChanged(quota.getMetadata().getNamespace(), enqueue);
            }
        });
        List.of(pods, services, claims, counted.get("configmaps"), counted.get("secrets"),
                counted.get("replicationcontrollers")).forEach(informer -> watchNamespaceOf(informer, enqueue));
    }

    private <T extends HasMetadata> void watchNamespaceOf(SharedIndexInformer<T> informer,
            Consumer<ObjectKey> enqueue) {
        informer.addEventHandler(new ResourceEventHandler<T>() {
            @Override
            public void onAdd(T object) {
                namespaceChanged(object.getMetadata().getNamespace(), enqueue);
            }

            @Override
            public void onUpdate(T before, T after) {
                if (!before.getMetadata().getResourceVersion().equals(after.getMetadata().getResourceVersion())) {
                    namespaceChanged(after.getMetadata().getNamespace(), enqueue);
                }
            }

            @Override
            public void onDelete(T object, boolean finalStateUnknown) {
                namespaceChanged(object.getMetadata().getNamespace(), enqueue);
            }
        });
    }

    private void namespaceChanged(String namespace, Consumer<ObjectKey> enqueue) {
        for (ResourceQuota quota : quotas.getIndexer().byIndex(Cache.NAMESPACE_INDEX, namespace)) {
            enqueue.accept(ObjectKey.of(quota));
        }
    }

    @Override
    public Result reconcile(ObjectKey key) {
        ResourceQuota quota = quotas.getStore().getByKey(key.cacheKey());
        if (quota == null) {
            return Result.done();
        }
        String ns = key.namespace();
        Map<String, Quantity> hard = quota.getSpec() == null || quota.getSpec().getHard() == null ? Map.of()
                : quota.getSpec().getHard();
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String resource : hard.keySet()) {
            count(ns, resource).ifPresent(n -> counts.put(resource, n));
        }
        QuotaUsage.Contents contents = new QuotaUsage.Contents(inNamespace(pods, ns), inNamespace(services, ns),
                inNamespace(claims, ns), counts);
        Map<String, String> used = QuotaUsage.used(quota.getSpec(), contents, clock.instant());
        Map<String, Quantity> usedQuantities = new LinkedHashMap<>();
        used.forEach((name, value) -> usedQuantities.put(name, new Quantity(value)));
        if (!sameQuantities(quota.getStatus() == null ? null : quota.getStatus().getHard(), hard)
                || !sameQuantities(quota.getStatus() == null ? null : quota.getStatus().getUsed(), usedQuantities)) {
            ResourceQuota updated = new ResourceQuotaBuilder(quota).withStatus(new ResourceQuotaStatusBuilder()
                    .withHard(new LinkedHashMap<>(hard)).withUsed(usedQuantities).build()).build();
            client.resourceQuotas().inNamespace(ns).resource(updated).updateStatus();
        }
        return Result.requeueAfter(Duration.ofSeconds(RESYNC_SECONDS));
    }

    private static <T extends HasMetadata> List<T> inNamespace(SharedIndexInformer<T> informer, String ns) {
        return informer.getIndexer().byIndex(Cache.NAMESPACE_INDEX, ns);
    }

    /**
     * The number of objects a count resource names ({@code configmaps}, {@code count/secrets},
     * {@code count/deployments.apps}): from a cache for the kinds this controller watches, else a live list
     * of the resource discovery names. Empty for resources that are not counts (cpu, pods...).
     */
    private Optional<Long> count(String ns, String resource) {
        String name = resource.startsWith("count/") ? resource.substring("count/".length()) : resource;
        SharedIndexInformer<? extends HasMetadata> cached = counted.get(name);
        if (cached != null) {
            return Optional.of((long) inNamespace(cached, ns).size());
        }
        if (!resource.startsWith("count/") || List.of("pods", "services", "persistentvolumeclaims").contains(name)) {
            return Optional.empty();
        }
        int dot = name.indexOf('.');
        String plural = dot < 0 ? name : name.substring(0, dot);
        String group = dot < 0 ? "" : name.substring(dot + 1);
        Optional<ApiResources.Resource> found = lookUp(plural, group, false).or(() -> lookUp(plural, group, true));
        return found.map(r -> (long) client.genericKubernetesResources(r.context()).inNamespace(ns).list()
                .getItems().size());
    }

    private Optional<ApiResources.Resource> lookUp(String plural, String group, boolean fresh) {
        if (fresh || discovery == null) {
            discovery = ApiResources.discover(client);
        }
        return discovery.all().stream().filter(r -> r.plural().equals(plural) && r.group().equals(group)
                && r.namespaced()).findFirst();
    }

    /** Quantities compared by value: {@code 1} and {@code 1000m} are the same. */
    private static boolean sameQuantities(Map<String, Quantity> current, Map<String, Quantity> wanted) {
        Map<String, Quantity> have = current == null ? Map.of() : current;
        if (have.size() != wanted.size()) {
            return false;
        }
        for (Map.Entry<String, Quantity> entry : wanted.entrySet()) {
            Quantity mine = have.get(entry.getKey());
            if (mine == null || mine.getNumericalAmount().compareTo(entry.getValue().getNumericalAmount()) != 0
                    || !mine.toString().equals(entry.getValue().toString())) {
                return false;
            }
        }
        return true;
    }
}
