package io.kybern.controllers.endpoints;

import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointAddressBuilder;
import io.fabric8.kubernetes.api.model.EndpointPort;
import io.fabric8.kubernetes.api.model.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.kybern.controllers.runtime.EventRecorder;
import io.kybern.controllers.runtime.ObjectKey;
import io.kybern.controllers.runtime.Pods;
import io.kybern.controllers.runtime.Reconciler;
import io.kybern.controllers.runtime.Selectors;
import java.time.Instant;
import java.time.InstantSource;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;
import tools.jackson.databind.json.JsonMapper;

/**
 * Keeps one core/v1 Endpoints object per Service with a selector, named as the Service, as Kubernetes'
 * endpoint controller does: ready pods under {@code addresses}, the others (still running or starting)
 * under {@code notReadyAddresses} unless the Service publishes not-ready addresses, each with its node,
 * its pod as {@code targetRef} and, for a pod whose subdomain is the Service, its host name; ports resolved
 * per pod. The Service's labels are copied (with {@code service.kubernetes.io/headless} for a headless
 * one). Services without a selector are left alone: their Endpoints belong to their users. The Endpoints
 * of a deleted Service are deleted.
 */
public final class EndpointsController implements Reconciler<ObjectKey> {

    public static final String COMPONENT = "endpoint-controller";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final KubernetesClient client;
    private final SharedIndexInformer<Service> services;
    private final SharedIndexInformer<Pod> pods;
    private final SharedIndexInformer<Endpoints> endpoints;
    private final EventRecorder events;

    public EndpointsController(KubernetesClient client, SharedIndexInformer<Service> services,
            SharedIndexInformer<Pod> pods, SharedIndexInformer<Endpoints> endpoints, InstantSource clock) {
        this.client = client;
        this.services = services;
        this.pods = pods;
        this.endpoints = endpoints;
        this.events = new EventRecorder(client, COMPONENT, clock);
    }

    /** Registers the handlers that enqueue Service keys; call before the informers start. */
    public void watch(Consumer<ObjectKey> enqueue) {
        ServiceTriggers.watch(services, pods, enqueue);
    }

    @Override
    public Result reconcile(ObjectKey key) {
        Service service = services.getStore().getByKey(key.cacheKey());
        Endpoints current = endpoints.getStore().getByKey(key.cacheKey());
        if (service == null) {
            if (current != null) {
                try {
                    client.endpoints().inNamespace(key.namespace()).withName(key.name()).delete();
                } catch (KubernetesClientException e) {
                    if (e.getCode() != 404) {
                        throw e;
                    }
                }
            }
            return Result.done();
        }
        if (!ServicePods.selects(service)) {
            return Result.done();
        }
        List<Pod> selected = selectedPods(service);
        List<EndpointSubset> subsets = subsets(service, selected);
        Map<String, String> labels = labels(service);
        if (current != null && same(current.getSubsets(), subsets) && Objects.equals(orEmpty(current.getMetadata()
                .getLabels()), labels)) {
            return Result.done();
        }
        Map<String, String> annotations = current == null || current.getMetadata().getAnnotations() == null
                ? new LinkedHashMap<>() : new LinkedHashMap<>(current.getMetadata().getAnnotations());
        annotations.put(ServicePods.TRIGGER_TIME_ANNOTATION, triggerTime(service, selected));
        Endpoints wanted = new EndpointsBuilder().withNewMetadata().withName(key.name())
                .withNamespace(key.namespace()).withLabels(labels).withAnnotations(annotations)
                .withResourceVersion(current == null ? null : current.getMetadata().getResourceVersion())
                .endMetadata().withSubsets(subsets).build();
        try {
            if (current == null) {
                client.endpoints().inNamespace(key.namespace()).resource(wanted).create();
            } else {
                client.endpoints().inNamespace(key.namespace()).resource(wanted).update();
            }
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                throw e; // a stale cache: the retry reads the newer object
            }
            events.warning(service, current == null ? "FailedToCreateEndpoint" : "FailedToUpdateEndpoint",
                    "Failed to " + (current == null ? "create" : "update") + " endpoint " + key + ": "
                            + e.getMessage());
            throw e;
        }
        return Result.done();
    }

    private List<Pod> selectedPods(Service service) {
        Predicate<Map<String, String>> selector = Selectors.ofMap(service.getSpec().getSelector());
        return pods.getIndexer().byIndex(Cache.NAMESPACE_INDEX, service.getMetadata().getNamespace()).stream()
                .filter(pod -> selector.test(pod.getMetadata().getLabels())).toList();
    }

    /** The subsets Kubernetes would publish for these pods. */
    static List<EndpointSubset> subsets(Service service, List<Pod> pods) {
        boolean publishNotReady = ServicePods.publishNotReady(service);
        List<ServicePort> servicePorts = service.getSpec().getPorts() == null ? List.of()
                : service.getSpec().getPorts();
        List<Subsets.Entry> entries = new ArrayList<>();
        for (Pod pod : pods) {
            if (!ServicePods.listed(pod, publishNotReady)) {
                continue;
            }
            Optional<String> ip = ServicePods.families(service).stream()
                    .map(family -> ServicePods.address(pod, family)).flatMap(Optional::stream).findFirst();
            if (ip.isEmpty()) {
                continue;
            }
            List<EndpointPort> ports = new ArrayList<>();
            for (ServicePort servicePort : servicePorts) {
                ServicePods.targetPort(servicePort, pod).ifPresent(port -> ports.add(new EndpointPortBuilder()
                        .withName(servicePort.getName()).withPort(port)
                        .withProtocol(servicePort.getProtocol() == null ? "TCP" : servicePort.getProtocol())
                        .withAppProtocol(servicePort.getAppProtocol()).build()));
            }
            // A pod none of whose ports resolve serves nothing; only a headless Service without ports lists
            // bare addresses.
            if (ports.isEmpty() && !(servicePorts.isEmpty() && ServicePods.headless(service))) {
                continue;
            }
            EndpointAddress address = new EndpointAddressBuilder().withIp(ip.get())
                    .withHostname(ServicePods.hostname(service, pod).orElse(null))
                    .withNodeName(pod.getSpec().getNodeName())
                    .withTargetRef(new ObjectReferenceBuilder().withKind("Pod")
                            .withNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                            .withUid(pod.getMetadata().getUid()).build())
                    .build();
            entries.add(new Subsets.Entry(address, publishNotReady || Pods.ready(pod), ports));
        }
        return Subsets.pack(entries);
    }

    static Map<String, String> labels(Service service) {
        Map<String, String> labels = new LinkedHashMap<>(orEmpty(service.getMetadata().getLabels()));
        if (ServicePods.headless(service)) {
            labels.put(ServicePods.HEADLESS_LABEL, "");
        } else {
            labels.remove(ServicePods.HEADLESS_LABEL);
        }
        return labels;
    }

    /** The latest change among the Service and its pods, as RFC 3339 in seconds. */
    static String triggerTime(Service service, List<Pod> pods) {
        Instant latest = ServicePods.parse(service.getMetadata().getCreationTimestamp());
        for (Pod pod : pods) {
            Instant changed = ServicePods.lastChange(pod);
            if (changed.isAfter(latest)) {
                latest = changed;
            }
        }
        return DateTimeFormatter.ISO_INSTANT.format(latest.truncatedTo(ChronoUnit.SECONDS));
    }

    private static boolean same(List<EndpointSubset> current, List<EndpointSubset> wanted) {
        return JSON.valueToTree(current == null ? List.of() : current).equals(JSON.valueToTree(wanted));
    }

    private static Map<String, String> orEmpty(Map<String, String> map) {
        return map == null ? Map.of() : map;
    }
}
