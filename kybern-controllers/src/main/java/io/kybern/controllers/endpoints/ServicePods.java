package io.kybern.controllers.endpoints;

import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.kybern.controllers.runtime.Pods;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Kubernetes' rules for what a pod contributes to its Service's endpoints: whether it is listed at all,
 * whether it counts as ready, which port a service port reaches on it, which host name it gets, and when
 * its endpoint last changed. Pure functions of a Service and a pod.
 */
public final class ServicePods {

    /** The cluster IP of a headless Service. */
    static final String NONE = "None";
    static final String HEADLESS_LABEL = "service.kubernetes.io/headless";
    public static final String TRIGGER_TIME_ANNOTATION = "endpoints.kubernetes.io/last-change-trigger-time";

    private ServicePods() {
    }

    /** Whether the Service has a selector: a Service without one has Endpoints its user manages. */
    public static boolean selects(Service service) {
        Map<String, String> selector = service.getSpec() == null ? null : service.getSpec().getSelector();
        return selector != null && !selector.isEmpty();
    }

    public static boolean headless(Service service) {
        return NONE.equals(service.getSpec().getClusterIP());
    }

    /** Whether the Service asks for its pods' addresses whether they are ready or not. */
    public static boolean publishNotReady(Service service) {
        return Boolean.TRUE.equals(service.getSpec().getPublishNotReadyAddresses());
    }

    /**
     * Whether a pod has an endpoint at all: it has an IP, is not being deleted (unless terminating pods are
     * wanted), and has not finished for good (a pod whose restart policy would run it again keeps its
     * endpoint).
     */
    public static boolean listed(Pod pod, boolean includeTerminating) {
        if (pod.getStatus() == null || pod.getStatus().getPodIP() == null || pod.getStatus().getPodIP().isEmpty()) {
            return false;
        }
        if (!includeTerminating && pod.getMetadata().getDeletionTimestamp() != null) {
            return false;
        }
        String phase = Pods.phase(pod);
        String restart = pod.getSpec() == null || pod.getSpec().getRestartPolicy() == null ? "Always"
                : pod.getSpec().getRestartPolicy();
        return switch (restart) {
            case "Never" -> !phase.equals("Succeeded") && !phase.equals("Failed");
            case "OnFailure" -> !phase.equals("Succeeded");
            default -> true;
        };
    }

    /** The pod's IP of one family ({@code IPv4} or {@code IPv6}), from {@code status.podIPs}. */
    public static Optional<String> address(Pod pod, String family) {
        List<PodIP> ips = pod.getStatus() == null ? null : pod.getStatus().getPodIPs();
        if (ips == null || ips.isEmpty()) {
            String single = pod.getStatus() == null ? null : pod.getStatus().getPodIP();
            return Optional.ofNullable(single).filter(ip -> family(ip).equals(family));
        }
        return ips.stream().map(PodIP::getIp).filter(Objects::nonNull).filter(ip -> family(ip).equals(family))
                .findFirst();
    }

    static String family(String ip) {
        return ip.contains(":") ? "IPv6" : "IPv4";
    }

    /** The address families the Service serves: its {@code spec.ipFamilies}, IPv4 when it names none. */
    public static List<String> families(Service service) {
        List<String> families = service.getSpec().getIpFamilies();
        return families == null || families.isEmpty() ? List.of("IPv4") : families;
    }

    /**
     * The port a service port reaches on this pod: a numeric target port as it is, a named one looked up
     * among the pod's container ports of the same protocol; empty when the pod has no port of that name.
     */
    public static Optional<Integer> targetPort(ServicePort servicePort, Pod pod) {
        IntOrString target = servicePort.getTargetPort();
        if (target == null || (target.getIntVal() == null && target.getStrVal() == null)) {
            return Optional.ofNullable(servicePort.getPort());
        }
        if (target.getIntVal() != null) {
            return Optional.of(target.getIntVal());
        }
        String name = target.getStrVal();
        try {
            return Optional.of(Integer.parseInt(name));
        } catch (NumberFormatException notANumber) {
            // a name: resolved below
        }
        String protocol = servicePort.getProtocol() == null ? "TCP" : servicePort.getProtocol();
        if (pod.getSpec() == null || pod.getSpec().getContainers() == null) {
            return Optional.empty();
        }
        return pod.getSpec().getContainers().stream()
                .flatMap(container -> container.getPorts() == null ? Stream.<ContainerPort>empty()
                        : container.getPorts().stream())
                .filter(port -> name.equals(port.getName()))
                .filter(port -> protocol.equals(port.getProtocol() == null ? "TCP" : port.getProtocol()))
                .map(ContainerPort::getContainerPort).findFirst();
    }

    /** The host name a pod publishes: its {@code hostname}, when its {@code subdomain} names this Service. */
    public static Optional<String> hostname(Service service, Pod pod) {
        String hostname = pod.getSpec() == null ? null : pod.getSpec().getHostname();
        if (hostname == null || hostname.isEmpty()) {
            return Optional.empty();
        }
        boolean sameService = service.getMetadata().getName().equals(pod.getSpec().getSubdomain())
                && Objects.equals(service.getMetadata().getNamespace(), pod.getMetadata().getNamespace());
        return sameService ? Optional.of(hostname) : Optional.empty();
    }

    /**
     * When the pod last changed in a way its endpoint shows: the last transition of its Ready condition, or
     * its creation. Kubernetes publishes the latest such time among a Service's pods (and the Service's own
     * creation) as {@value #TRIGGER_TIME_ANNOTATION}.
     */
    public static Instant lastChange(Pod pod) {
        Instant created = parse(pod.getMetadata().getCreationTimestamp());
        if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
            return created;
        }
        return pod.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType()))
                .map(c -> parse(c.getLastTransitionTime())).filter(t -> t.isAfter(created)).findFirst()
                .orElse(created);
    }

    static Instant parse(String timestamp) {
        return timestamp == null || timestamp.isEmpty() ? Instant.EPOCH : Instant.parse(timestamp);
    }
}
