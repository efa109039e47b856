package io.kybern.controllers.endpoints;

import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.kybern.controllers.runtime.EventRecorder;
import io.kybern.controllers.runtime.Expectations;
import io.kybern.controllers.runtime.ObjectKey;
import io.kybern.controllers.runtime.Owners;
import io.kybern.controllers.runtime.Pods;
import io.kybern.controllers.runtime.Reconciler;
import io.kybern.controllers.runtime.Selectors;
import java.time.Duration;
import java.time.InstantSource;
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
 * Keeps the discovery.k8s.io/v1 EndpointSlices of every Service with a selector, as Kubernetes'
 * endpointslice controller does: one set of slices per address type the Service serves and per set of
 * resolved ports, at most {@value SlicePacking#MAX_ENDPOINTS} endpoints each, labelled
 * {@value #SERVICE_NAME_LABEL} and {@value #MANAGED_BY_LABEL}={@value #MANAGED_BY}, owned by the Service
 * (so the garbage collector removes them with it). Unlike Endpoints, terminating pods stay listed, with
 * the {@code ready}, {@code serving} and {@code terminating} conditions telling them apart. A Service with
 * no endpoints keeps one empty placeholder slice.
 */
public final class EndpointSliceController implements Reconciler<ObjectKey> {

    public static final String COMPONENT = "endpoint-slice-controller";
    public static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
    public static final String MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by";
    public static final String MANAGED_BY = "endpointslice-controller.k8s.io";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** How soon to look again while slices this controller created are not yet in its cache. */
    private static final Duration CACHE_CATCH_UP = Duration.ofMillis(200);

    private final KubernetesClient client;
    private final SharedIndexInformer<Service> services;
    private final SharedIndexInformer<Pod> pods;
    private final SharedIndexInformer<EndpointSlice> slices;
    private final Expectations<ObjectKey> expectations;
    private final EventRecorder events;

    public EndpointSliceController(KubernetesClient client, SharedIndexInformer<Service> services,
            SharedIndexInformer<Pod> pods, SharedIndexInformer<EndpointSlice> slices, InstantSource clock) {
        this.client = client;
        this.services = services;
        this.pods = pods;
        this.slices = slices;
        this.expectations = new Expectations<>(clock);
        this.events = new EventRecorder(client, COMPONENT, clock);
    }

    /** Registers the handlers that enqueue Service keys; call before the informers start. */
    public void watch(Consumer<ObjectKey> enqueue) {
        ServiceTriggers.watch(services, pods, enqueue);
        slices.addEventHandler(new ResourceEventHandler<EndpointSlice>() {
            @Override
            public void onAdd(EndpointSlice slice) {
                serviceOf(slice).ifPresent(key -> {
                    expectations.creationObserved(key);
                    enqueue.accept(key);
                });
            }

            @Override
            public void onUpdate(EndpointSlice before, EndpointSlice after) {
                serviceOf(after).ifPresent(enqueue);
            }

            @Override
            public void onDelete(EndpointSlice slice, boolean finalStateUnknown) {
                serviceOf(slice).ifPresent(enqueue);
            }
        });
    }

    private static Optional<ObjectKey> serviceOf(EndpointSlice slice) {
        Map<String, String> labels = slice.getMetadata().getLabels();
        if (labels == null || !MANAGED_BY.equals(labels.get(MANAGED_BY_LABEL))
                || labels.get(SERVICE_NAME_LABEL) == null) {
            return Optional.empty();
        }
        return Optional.of(new ObjectKey(slice.getMetadata().getNamespace(), labels.get(SERVICE_NAME_LABEL)));
    }

    @Override
    public Result reconcile(ObjectKey key) {
        Service service = services.getStore().getByKey(key.cacheKey());
        if (service == null) {
            expectations.forget(key);
            return Result.done(); // its slices are owned by it: the garbage collector deletes them
        }
        if (!ServicePods.selects(service) || Owners.deleting(service)) {
            return Result.done();
        }
        if (!expectations.satisfied(key)) {
            return Result.requeueAfter(CACHE_CATCH_UP);
        }
        Predicate<Map<String, String>> selector = Selectors.ofMap(service.getSpec().getSelector());
        List<Pod> selected = pods.getIndexer().byIndex(Cache.NAMESPACE_INDEX, key.namespace()).stream()
                .filter(pod -> selector.test(pod.getMetadata().getLabels())).toList();
        Map<Group, List<Endpoint>> desired = desired(service, selected);
        List<EndpointSlice> owned = slices.getIndexer().byIndex(Cache.NAMESPACE_INDEX, key.namespace()).stream()
                .filter(slice -> serviceOf(slice).filter(key::equals).isPresent())
                .filter(slice -> Owners.controllerOf(slice)
                        .map(ref -> ref.getUid().equals(service.getMetadata().getUid())).orElse(true))
                .toList();
        String triggerTime = EndpointsController.triggerTime(service, selected);
        try {
            write(service, desired, owned, triggerTime);
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409 && e.getCode() != 404) {
                events.warning(service, "FailedToUpdateEndpointSlices",
                        "Error updating Endpoint Slices for Service " + key + ": " + e.getMessage());
            }
            throw e;
        }
        return Result.done();
    }

    /** The address type and ports a slice holds: what endpoints must share to share a slice. */
    record Group(String addressType, List<EndpointPort> ports) {
        static Group of(EndpointSlice slice) {
            return new Group(slice.getAddressType(), slice.getPorts() == null ? List.of() : slice.getPorts());
        }

        String identity() {
            return addressType + JSON.valueToTree(ports);
        }
    }

    /** The endpoints each group should hold, for the Service's address types and its pods' ports. */
    static Map<Group, List<Endpoint>> desired(Service service, List<Pod> pods) {
        boolean publishNotReady = ServicePods.publishNotReady(service);
        List<ServicePort> servicePorts = service.getSpec().getPorts() == null ? List.of()
                : service.getSpec().getPorts();
        Map<Group, List<Endpoint>> desired = new LinkedHashMap<>();
        for (String family : ServicePods.families(service)) {
            for (Pod pod : pods) {
                if (!ServicePods.listed(pod, true)) {
                    continue;
                }
                Optional<String> ip = ServicePods.address(pod, family);
                if (ip.isEmpty()) {
                    continue;
                }
                List<EndpointPort> ports = new ArrayList<>();
                for (ServicePort servicePort : servicePorts) {
                    ServicePods.targetPort(servicePort, pod).ifPresent(port -> ports.add(new EndpointPortBuilder()
                            .withName(servicePort.getName() == null ? "" : servicePort.getName()).withPort(port)
                            .withProtocol(servicePort.getProtocol() == null ? "TCP" : servicePort.getProtocol())
                            .withAppProtocol(servicePort.getAppProtocol()).build()));
                }
                boolean terminating = Owners.deleting(pod);
                boolean serving = Pods.ready(pod);
                // A terminating pod is never ready, unless the Service publishes every address.
                boolean ready = publishNotReady || (serving && !terminating);
                Endpoint endpoint = new EndpointBuilder().withAddresses(ip.get())
                        .withNewConditions().withReady(ready)
                        .withServing(serving).withTerminating(terminating).endConditions()
                        .withHostname(ServicePods.hostname(service, pod).orElse(null))
                        .withNodeName(pod.getSpec().getNodeName())
                        .withTargetRef(new ObjectReferenceBuilder().withKind("Pod")
                                .withNamespace(pod.getMetadata().getNamespace())
                                .withName(pod.getMetadata().getName()).withUid(pod.getMetadata().getUid()).build())
                        .build();
                desired.computeIfAbsent(new Group(family, ports), g -> new ArrayList<>()).add(endpoint);
            }
        }
        return desired;
    }

    private void write(Service service, Map<Group, List<Endpoint>> desired, List<EndpointSlice> owned,
            String triggerTime) {
        ObjectKey key = ObjectKey.of(service);
        Map<String, List<SlicePacking.Slice>> existingByGroup = new LinkedHashMap<>();
        Map<String, EndpointSlice> byName = new LinkedHashMap<>();
        for (EndpointSlice slice : owned) {
            byName.put(slice.getMetadata().getName(), slice);
            existingByGroup.computeIfAbsent(Group.of(slice).identity(), g -> new ArrayList<>())
                    .add(new SlicePacking.Slice(slice.getMetadata().getName(),
                            slice.getEndpoints() == null ? List.of() : slice.getEndpoints()));
        }
        if (desired.isEmpty()) {
            // Kubernetes keeps one empty slice for a Service without endpoints.
            Group placeholder = new Group(ServicePods.families(service).getFirst(), List.of());
            EndpointSlice kept = owned.stream().filter(s -> Group.of(s).identity().equals(placeholder.identity())
                    && (s.getEndpoints() == null || s.getEndpoints().isEmpty())).findFirst().orElse(null);
            for (EndpointSlice slice : owned) {
                if (slice != kept) {
                    delete(slice);
                }
            }
            if (kept == null) {
                create(service, placeholder, List.of(), triggerTime);
            } else if (!labelsCurrent(service, kept)) {
                update(service, kept, List.of(), triggerTime);
            }
            return;
        }
        List<Runnable> creations = new ArrayList<>();
        List<Runnable> writes = new ArrayList<>();
        for (Map.Entry<Group, List<Endpoint>> group : desired.entrySet()) {
            List<SlicePacking.Slice> existing = existingByGroup.getOrDefault(group.getKey().identity(), List.of());
            SlicePacking.Plan plan = SlicePacking.pack(existing, group.getValue());
            for (SlicePacking.Slice slice : existing) {
                EndpointSlice current = byName.get(slice.name());
                List<Endpoint> endpoints = plan.updates().get(slice.name());
                if (endpoints != null) {
                    writes.add(() -> update(service, current, endpoints, triggerTime));
                } else if (!plan.deletions().contains(slice.name()) && !labelsCurrent(service, current)) {
                    writes.add(() -> update(service, current, slice.endpoints(), triggerTime));
                }
            }
            plan.deletions().forEach(name -> writes.add(() -> delete(byName.get(name))));
            for (List<Endpoint> endpoints : plan.creations()) {
                creations.add(() -> create(service, group.getKey(), endpoints, triggerTime));
            }
        }
        // Slices of a port set or address type no endpoint has any more.
        for (Map.Entry<String, List<SlicePacking.Slice>> group : existingByGroup.entrySet()) {
            if (desired.keySet().stream().noneMatch(g -> g.identity().equals(group.getKey()))) {
                group.getValue().forEach(slice -> writes.add(() -> delete(byName.get(slice.name()))));
            }
        }
        // Creations first, as Kubernetes does, so an update refused by a stale cache cannot leave a
        // creation expected that was never sent.
        expectations.create(key, creations);
        writes.forEach(Runnable::run);
    }

    private Map<String, String> labels(Service service) {
        Map<String, String> labels = new LinkedHashMap<>(EndpointsController.labels(service));
        labels.put(SERVICE_NAME_LABEL, service.getMetadata().getName());
        labels.put(MANAGED_BY_LABEL, MANAGED_BY);
        return labels;
    }

    private boolean labelsCurrent(Service service, EndpointSlice slice) {
        return Objects.equals(labels(service), slice.getMetadata().getLabels());
    }

    private void create(Service service, Group group, List<Endpoint> endpoints, String triggerTime) {
        EndpointSlice slice = new EndpointSliceBuilder().withNewMetadata()
                .withGenerateName(service.getMetadata().getName() + "-")
                .withNamespace(service.getMetadata().getNamespace()).withLabels(labels(service))
                .addToAnnotations(ServicePods.TRIGGER_TIME_ANNOTATION, triggerTime)
                .withOwnerReferences(Owners.controllerReference(service)).endMetadata()
                .withAddressType(group.addressType()).withPorts(group.ports()).withEndpoints(endpoints).build();
        client.discovery().v1().endpointSlices().inNamespace(service.getMetadata().getNamespace())
                .resource(slice).create();
    }

    private void update(Service service, EndpointSlice current, List<Endpoint> endpoints, String triggerTime) {
        EndpointSlice slice = new EndpointSliceBuilder(current).editMetadata().withLabels(labels(service))
                .addToAnnotations(ServicePods.TRIGGER_TIME_ANNOTATION, triggerTime).endMetadata()
                .withEndpoints(endpoints).build();
        client.discovery().v1().endpointSlices().inNamespace(current.getMetadata().getNamespace()).resource(slice)
                .update();
    }

    private void delete(EndpointSlice slice) {
        client.discovery().v1().endpointSlices().inNamespace(slice.getMetadata().getNamespace())
                .withName(slice.getMetadata().getName()).delete();
    }
}
